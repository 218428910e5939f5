#pragma once
// registry_client over CAF: this agent's registry actor for the entries it
// owns, other agents' node actors (reached through the connector) for theirs.
// With `registry_writes` (the registry's write count, storage::lmdb_options),
// to_global remembers the IDs the registry misses (services/registry_misses.hpp).
// `node` is this agent's own node actor: its entries' rebinds go through it.

#include <atomic>
#include <cstdint>
#include <memory>

#include <caf/actor_system.hpp>

#include "actors/actors.hpp"
#include "agent/services/registry_client.hpp"

namespace fedstack::agent {

std::unique_ptr<registry_client> make_actor_registry_client(caf::actor_system& system,
                                                            registry_actor registry,
                                                            connector_actor connector,
                                                            peer_address self,
                                                            caf::timespan timeout,
                                                            std::shared_ptr<const std::atomic<std::uint64_t>>
                                                              registry_writes = nullptr,
                                                            node_actor node = {});

} // namespace fedstack::agent
