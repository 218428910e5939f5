#pragma once

// The REGISTRY actor owns the registry's LMDB environment. It runs detached
// (its own thread) because every write commits with an fsync; each handler
// begins and commits its write transaction before it returns.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"
#include "storage/registry_store.hpp"

namespace fedstack {

/// How long a deleted server's tombstone is kept, and how its pruning runs
/// (docs/federation.md, "A deleted server's tombstone").
struct tombstone_policy {
  /// A tombstone older than this is deleted (Nova's `instance-actions` of a
  /// deleted server then answer 404 through the agents).
  std::chrono::milliseconds retention = std::chrono::hours{24 * 7};
  /// Time between two pruning passes over the registry.
  std::chrono::milliseconds period = std::chrono::hours{1};
  /// Entries one step of a pass looks at: one write transaction, after which
  /// the actor handles what else waits in its mailbox before the next step.
  std::size_t batch = 256;
  /// The wall clock of the tombstones' times (tests derive it from CAF's test clock).
  std::function<std::int64_t()> now = [] { return now_unix_ms(); };
};

/// How to start the registry actor.
struct registry_config {
  /// Directory of the LMDB environment; created if missing.
  std::string data_dir;
  /// Map size and growth limits.
  storage::lmdb_options lmdb;
  /// Spawn on a thread of its own. Tests set false so that CAF's
  /// test_coordinator, which cannot drive detached actors, runs it.
  bool detached = true;
  tombstone_policy tombstones;
};

struct registry_state {
  /// The environment and store; the actor is their only owner.
  std::shared_ptr<storage::registry_db> db;
  tombstone_policy tombstones;
  /// Where the running pruning pass continues (empty: a new pass).
  std::string prune_cursor;

  static inline const char* name = "registry";
};

/// The registry's behavior over an already opened database.
registry_actor::behavior_type
registry(registry_actor::stateful_pointer<registry_state> self,
         std::shared_ptr<storage::registry_db> db, tombstone_policy tombstones = {});

/// Opens the environment in `data_dir` and spawns the registry detached.
/// Fails with ec::storage_failure if the environment cannot be opened (or is
/// already open in this process).
caf::expected<registry_actor> spawn_registry(caf::actor_system& sys,
                                             const std::string& data_dir);

/// As above, with every option.
caf::expected<registry_actor> spawn_registry(caf::actor_system& sys,
                                             const registry_config& cfg);

}  // namespace fedstack
