#pragma once
// registry_client over CAF: this agent's registry actor for the entries it
// owns, other agents' node actors (reached through the connector) for theirs.

#include <memory>

#include <caf/actor_system.hpp>

#include "actors/actors.hpp"
#include "agent/services/registry_client.hpp"

namespace fedstack::agent {

std::unique_ptr<registry_client> make_actor_registry_client(caf::actor_system& system,
                                                            registry_actor registry,
                                                            connector_actor connector,
                                                            peer_address self,
                                                            caf::timespan timeout);

} // namespace fedstack::agent
