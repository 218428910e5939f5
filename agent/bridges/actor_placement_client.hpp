#pragma once
// placement_client over CAF: asks this agent's scheduler actor.

#include <memory>

#include <caf/actor_system.hpp>

#include "actors/actors.hpp"
#include "agent/services/placement_client.hpp"

namespace fedstack::agent {

std::unique_ptr<placement_client> make_actor_placement_client(caf::actor_system& system,
                                                              scheduler_actor scheduler,
                                                              caf::timespan timeout);

} // namespace fedstack::agent
