#pragma once
// registry_client over the CAF registry actor.

#include <memory>

#include <caf/actor_system.hpp>

#include "actors/actors.hpp"
#include "agent/registry_client.hpp"

namespace fedstack::agent {

std::unique_ptr<registry_client> make_actor_registry_client(caf::actor_system& system,
                                                            registry_actor registry,
                                                            caf::timespan timeout);

} // namespace fedstack::agent
