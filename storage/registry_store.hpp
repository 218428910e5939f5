#pragma once

// The registry: global resource IDs <-> per-cloud IDs, owner project, kind.
// Every mutation of an entry and of its index rows happens in one LMDB write
// transaction, so a crash at any moment leaves either the old or the new
// state, never an index row that points at nothing.
//
// Project scoping: every read and write names the caller's project; entries
// of other projects behave exactly as if they did not exist.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/lmdb_env.hpp"
#include "storage/registry_types.hpp"
#include "storage/store_result.hpp"
#include "storage/unix_time.hpp"

namespace fedstack::storage {

/// What one prune_tombstones step did, and where the next one starts.
struct tombstone_pruning {
  std::size_t examined = 0;  // entries looked at
  std::size_t stamped = 0;   // old tombstones given a time
  std::size_t pruned = 0;    // tombstones deleted
  std::string next;          // the last key looked at; empty: the scan reached the end
};

class registry_store {
 public:
  /// Opens (creating if needed) the registry's databases in `env`, which
  /// must outlive the store. Throws lmdb_error or corrupt_record.
  explicit registry_store(lmdb_env& env);

  /// Inserts or replaces the entry `entry.global_id`, with its index rows.
  /// Fails with wrong_project if another project owns the ID, duplicate_id
  /// if it exists with another kind or one of its cloud-local IDs belongs to
  /// another global ID, invalid_argument for malformed input.
  store_status put(const registry_entry& entry);

  /// The entry, if it exists and belongs to `project`; else not_found.
  store_result<registry_entry> get(std::string_view project,
                                   std::string_view global_id) const;

  /// The entry, whatever project owns it; else not_found. Only for callers
  /// that gate what they do with it (docs/federation.md, "Who sees what").
  store_result<registry_entry> get_any_project(std::string_view global_id) const;

  /// The global ID of a cloud-local ID, within `project`; else not_found.
  store_result<std::string> find_global(std::string_view project,
                                        std::string_view cloudlet,
                                        std::string_view local_id) const;

  /// Batch find_global for rewriting responses: one mapping per known
  /// local ID, in input order; unknown, foreign or malformed IDs are skipped.
  store_result<std::vector<id_mapping>>
  resolve_many(std::string_view project, std::string_view cloudlet,
               const std::vector<std::string>& local_ids) const;

  /// Records a copy and returns the updated entry. Adding the same copy
  /// again is a no-op; a different copy on the same cloudlet, or a local ID
  /// bound to another global ID, is duplicate_id.
  store_result<registry_entry> add_copy(std::string_view project,
                                        std::string_view global_id,
                                        const cloud_copy& copy);

  /// Forgets the copy on `cloudlet` and returns the updated entry (which
  /// may then have no copies left); not_found if there is none.
  store_result<registry_entry> remove_copy(std::string_view project,
                                           std::string_view global_id,
                                           std::string_view cloudlet);

  /// Gives the entry, whatever project owns it, to `to_project` (a volume
  /// transfer's accept moved the resource there) and returns it; its copies
  /// and kind stay. not_found when there is no entry, invalid_argument.
  store_result<registry_entry> give(std::string_view global_id, std::string_view to_project);
  /// Removes an entry and all its index rows; a bound server's entry stays as
  /// its tombstone (state `deleted`, leaves_tombstone), made at `now_unix_ms`.
  /// False if nothing was erased (no such entry, another project's, a
  /// tombstone, or a malformed ID).
  bool erase(std::string_view project, std::string_view global_id,
             std::int64_t now_unix_ms = fedstack::now_unix_ms());

  /// One bounded step of tombstone pruning, in one write transaction: looks
  /// at the entries after `after` (empty: from the first), at most `limit`
  /// of them (at least 1), and deletes the tombstones made `retention_ms` or
  /// longer before `now_unix_ms`. A tombstone without a time (written before
  /// tombstones had one) gets `now_unix_ms`, so it lives a full retention.
  /// Live entries are never touched.
  tombstone_pruning prune_tombstones(std::int64_t now_unix_ms, std::int64_t retention_ms,
                                     std::string_view after, std::size_t limit);

  /// The project's entries of one kind ordered by global ID, starting after
  /// `after` (a marker; empty: from the start), at most `limit` (0: all).
  store_result<std::vector<registry_entry>>
  list(std::string_view project, resource_kind kind, std::string_view after = {},
       std::size_t limit = 0) const;

  /// Entries of every project still `reserved` and created before
  /// `created_before_unix_ms`, at most `limit` (the reservation sweep: a
  /// create that never bound, because its agent died or it failed midway).
  /// A full scan: sweeps are rare and the registry holds thousands, not billions.
  std::vector<registry_entry> reserved(std::int64_t created_before_unix_ms, std::size_t limit) const;

  /// Records a create attempt this agent abandoned (keyed by its token,
  /// replacing a record with the same token); invalid_argument when
  /// check_abandoned refuses it.
  store_status put_abandoned(const abandoned_attempt& attempt);

  /// Abandoned attempts recorded before `before_unix_ms`, oldest token
  /// order, at most `limit` (0: all).
  std::vector<abandoned_attempt> abandoned(std::int64_t before_unix_ms, std::size_t limit) const;

  /// Forgets the abandoned attempt with `token`; false if there was none.
  bool forget_abandoned(std::string_view token);

  /// Number of entries of one kind across all projects (metrics).
  std::uint64_t count(resource_kind kind) const;

  /// Stores a small opaque value under `key`, beside the registry (state of
  /// other components, e.g. the membership cache), replacing any earlier
  /// value. invalid_argument for an empty key, a key longer than
  /// max_meta_key_size or containing NUL, a value over max_meta_value_size.
  store_status put_meta(std::string_view key, std::string_view value);

  /// The value put_meta stored under `key`; not_found, invalid_argument.
  store_result<std::string> get_meta(std::string_view key) const;

  /// Full scan that cross-checks entries, both indexes and the counters.
  /// Returns one line per problem; empty when consistent.
  std::vector<std::string> check_consistency() const;

 private:
  lmdb_env& env_;
  MDB_dbi entries_ = 0;
  MDB_dbi by_local_ = 0;
  MDB_dbi by_project_ = 0;
  MDB_dbi meta_ = 0;
  MDB_dbi abandoned_ = 0;
};

/// An environment plus the store on it, for owners that need both (the
/// registry actor, tools).
class registry_db {
 public:
  explicit registry_db(const std::string& dir, const lmdb_options& options = {})
    : env_(dir, options), store_(env_) {
  }

  lmdb_env& env() noexcept { return env_; }
  registry_store& store() noexcept { return store_; }

 private:
  lmdb_env env_;
  registry_store store_;
};

}  // namespace fedstack::storage
