#pragma once

// RAII wrapper around one LMDB environment and its transactions.
// Rules it enforces (see docs/stack-notes.md §7):
// - every environment is opened at most once per process;
// - MDB_NOTLS, so a read transaction may be used from whichever thread an
//   actor happens to run on (a write transaction still must begin and commit
//   on one thread, inside one message handler);
// - pointers into the map never outlive their transaction unless copied;
// - MDB_MAP_FULL grows the map and retries the whole write, MDB_MAP_RESIZED
//   adopts the size another process chose.
// Failures that should never happen throw lmdb_error; "not found" is a value.

#include <lmdb.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace fedstack::storage {

/// An LMDB call failed in a way the caller cannot handle as a value.
class lmdb_error : public std::runtime_error {
 public:
  lmdb_error(const std::string& context, int code);

  /// The LMDB or errno code.
  int code() const noexcept { return code_; }

 private:
  int code_;
};

/// Thrown from put/commit on MDB_MAP_FULL; lmdb_env::write catches it.
class map_full_error : public lmdb_error {
 public:
  using lmdb_error::lmdb_error;
};

/// How to open an environment.
struct lmdb_options {
  /// Initial map size in bytes (address space, not disk). Grows on demand.
  std::size_t map_size = std::size_t{64} << 20;
  /// Growth stops here; a write that still does not fit throws lmdb_error.
  std::size_t max_map_size = std::size_t{1} << 40;
  /// Number of named databases the environment may hold.
  unsigned max_dbs = 8;
  /// Extra mdb_env_open flags, e.g. MDB_NOMETASYNC. MDB_NOTLS is always set.
  unsigned flags = 0;
  /// When set, bumped once each write transaction has ended (committed or not),
  /// so that a reader can tell whether anything may have been written since it
  /// looked (the agent's cache of registry misses, agent/services/registry_misses.hpp).
  std::shared_ptr<std::atomic<std::uint64_t>> writes;
};

class lmdb_env;

/// A borrowed key/value pair; valid until the transaction ends.
using kv_visitor = std::function<bool(std::string_view key, std::string_view value)>;

/// Operations common to read and write transactions.
class lmdb_txn {
 public:
  lmdb_txn(const lmdb_txn&) = delete;
  lmdb_txn& operator=(const lmdb_txn&) = delete;

  /// Looks a key up; the view points into the map and dies with the txn.
  /// Invalid keys (empty, too long) cannot exist and give nullopt.
  std::optional<std::string_view> get_view(MDB_dbi dbi, std::string_view key) const;

  /// Like get_view, but copies the value out.
  std::optional<std::string> get(MDB_dbi dbi, std::string_view key) const;

  /// Visits keys >= `from` in order while they start with `prefix` and
  /// `visit` returns true. `from` defaults to `prefix`.
  void scan(MDB_dbi dbi, std::string_view prefix, const kv_visitor& visit,
            std::string_view from = {}) const;

  /// All pairs whose key starts with `prefix`, copied out.
  std::vector<std::pair<std::string, std::string>>
  prefix(MDB_dbi dbi, std::string_view prefix) const;

  /// Number of keys in a database.
  std::size_t entries(MDB_dbi dbi) const;

  MDB_txn* native() const noexcept { return txn_; }

 protected:
  lmdb_txn(lmdb_env& env, unsigned flags);
  ~lmdb_txn();
  void abort() noexcept;
  /// Bookkeeping once LMDB freed the transaction (commit, abort).
  void forget() noexcept;
  MDB_txn* checked() const;

  lmdb_env* env_;
  MDB_txn* txn_ = nullptr;
};

/// A read-only snapshot.
class read_txn : public lmdb_txn {
 public:
  explicit read_txn(lmdb_env& env);
};

/// A write transaction. Use it through lmdb_env::write, which commits it.
class write_txn : public lmdb_txn {
 public:
  explicit write_txn(lmdb_env& env);

  /// Stores a pair; throws lmdb_error for invalid keys (callers validate).
  void put(MDB_dbi dbi, std::string_view key, std::string_view value);

  /// Removes a key; false if it was not there.
  bool del(MDB_dbi dbi, std::string_view key);

  /// Opens (creating if needed) a named database. The handle stays valid
  /// for the environment's lifetime once this transaction commits.
  MDB_dbi open_db(const std::string& name);

  /// Commits; afterwards the transaction is gone. No-op after discard().
  void commit();

  /// Drops every change now; lmdb_env::write will then not commit.
  void discard() noexcept { abort(); }
};

/// One LMDB environment (a directory holding data.mdb and lock.mdb).
class lmdb_env {
 public:
  /// Opens `dir`, creating it if missing. Throws lmdb_error on failure or
  /// when this process already has the same directory open.
  explicit lmdb_env(const std::string& dir, const lmdb_options& options = {});
  ~lmdb_env();

  lmdb_env(const lmdb_env&) = delete;
  lmdb_env& operator=(const lmdb_env&) = delete;

  /// Opens (creating if needed) a named database in its own write txn.
  MDB_dbi open_db(const std::string& name);

  /// Begins a read-only snapshot.
  read_txn begin_read() { return read_txn{*this}; }

  /// Runs `fn(write_txn&)` and commits. On MDB_MAP_FULL the transaction is
  /// dropped, the map grows and `fn` runs again from scratch, so `fn` must
  /// keep its effects inside the transaction.
  template <class F>
  auto write(F&& fn) -> std::invoke_result_t<F&, write_txn&> {
    using result_type = std::invoke_result_t<F&, write_txn&>;
    // After the commit, never before: a reader that saw the old count must see the new data.
    struct count_write {
      const lmdb_options& options;
      ~count_write() {
        if (options.writes) options.writes->fetch_add(1);
      }
    } counted{options_};
    for (;;) {
      try {
        write_txn txn{*this};
        if constexpr (std::is_void_v<result_type>) {
          fn(txn);
          txn.commit();
          return;
        } else {
          result_type result = fn(txn);
          txn.commit();
          return result;
        }
      } catch (const map_full_error&) {
        // The transaction was aborted during unwinding, so resizing is legal.
      }
      grow_map();
    }
  }

  /// Current map size in bytes.
  std::size_t map_size() const;

  /// How often this process grew the map.
  unsigned num_map_growths() const noexcept { return num_map_growths_; }

  /// Largest key LMDB accepts (511 with the default build).
  std::size_t max_key_size() const noexcept { return max_key_size_; }

  const std::string& path() const noexcept { return path_; }

  MDB_env* native() const noexcept { return env_; }

 private:
  friend class lmdb_txn;

  void grow_map();

  MDB_env* env_ = nullptr;
  std::string path_;
  lmdb_options options_;
  std::size_t max_key_size_ = 0;
  unsigned num_map_growths_ = 0;
  /// Transactions alive in this process; the map may only resize at zero.
  std::atomic<int> open_txns_{0};
};

}  // namespace fedstack::storage
