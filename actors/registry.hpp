#pragma once

// The REGISTRY actor owns the registry's LMDB environment. It runs detached
// (its own thread) because every write commits with an fsync; each handler
// begins and commits its write transaction before it returns.

#include <memory>
#include <string>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"
#include "storage/registry_store.hpp"

namespace fedstack {

/// How to start the registry actor.
struct registry_config {
  /// Directory of the LMDB environment; created if missing.
  std::string data_dir;
  /// Map size and growth limits.
  storage::lmdb_options lmdb;
  /// Spawn on a thread of its own. Tests set false so that CAF's
  /// test_coordinator, which cannot drive detached actors, runs it.
  bool detached = true;
};

struct registry_state {
  /// The environment and store; the actor is their only owner.
  std::shared_ptr<storage::registry_db> db;

  static inline const char* name = "registry";
};

/// The registry's behavior over an already opened database.
registry_actor::behavior_type
registry(registry_actor::stateful_pointer<registry_state> self,
         std::shared_ptr<storage::registry_db> db);

/// Opens the environment in `data_dir` and spawns the registry detached.
/// Fails with ec::storage_failure if the environment cannot be opened (or is
/// already open in this process).
caf::expected<registry_actor> spawn_registry(caf::actor_system& sys,
                                             const std::string& data_dir);

/// As above, with every option.
caf::expected<registry_actor> spawn_registry(caf::actor_system& sys,
                                             const registry_config& cfg);

}  // namespace fedstack
