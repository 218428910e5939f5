#pragma once

namespace caf {
class actor_system_config;
}  // namespace caf

namespace fedstack {

/// Registers every fedstack message type (the ID blocks in actors.hpp) and
/// the "fedstack" error category. Call it on every node before constructing
/// the actor system: remote peers match interfaces by these type names.
void register_types(caf::actor_system_config& cfg);

}  // namespace fedstack
