#include "actors/registry.hpp"

#include <exception>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/result.hpp>
#include <spdlog/spdlog.h>

namespace fedstack {

namespace {

ec to_ec(storage::store_errc code) {
  switch (code) {
    case storage::store_errc::not_found:
      return ec::not_found;
    case storage::store_errc::duplicate_id:
      return ec::duplicate_id;
    case storage::store_errc::wrong_project:
      return ec::wrong_project;
    case storage::store_errc::invalid_argument:
      return ec::invalid_argument;
  }
  return ec::storage_failure;
}

caf::error to_error(const storage::store_error& err) {
  return caf::make_error(to_ec(err.code), err.message);
}

template <class T>
caf::result<T> to_result(storage::store_result<T>&& x) {
  if (!x)
    return to_error(x.error());
  return std::move(x).value();
}

// Runs one store operation; LMDB failures and corrupt records become
// ec::storage_failure replies instead of killing the actor.
template <class F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    spdlog::error("registry failed a request: {}", e.what());
    return caf::make_error(ec::storage_failure, e.what());
  }
}

// One step of the pruning pass: the next step follows at once through the
// mailbox (behind whatever waits there), a new pass after a period.
void prune_step(registry_actor::stateful_pointer<registry_state> self) {
  auto& st = self->state;
  storage::tombstone_pruning step;
  try {
    step = st.db->store().prune_tombstones(st.tombstones.now(), st.tombstones.retention.count(),
                                           st.prune_cursor, st.tombstones.batch);
  } catch (const std::exception& e) {
    spdlog::error("registry could not prune tombstones: {}", e.what());
  }
  if (step.pruned > 0 || step.stamped > 0)
    spdlog::info("registry pruned {} tombstones, gave {} older ones a time", step.pruned, step.stamped);
  st.prune_cursor = std::move(step.next);
  if (st.prune_cursor.empty())
    self->delayed_send(self, st.tombstones.period, atom::prune_v);
  else
    self->send(self, atom::prune_v);
}

}  // namespace

registry_actor::behavior_type
registry(registry_actor::stateful_pointer<registry_state> self,
         std::shared_ptr<storage::registry_db> db, tombstone_policy tombstones) {
  self->state.db = std::move(db);
  self->state.tombstones = std::move(tombstones);
  self->delayed_send(self, self->state.tombstones.period, atom::prune_v);
  auto store = [self]() -> storage::registry_store& { return self->state.db->store(); };
  return {
    [self](atom::prune) { prune_step(self); },
    [store](atom::put, const storage::registry_entry& entry) {
      return guarded([&]() -> caf::result<atom::ok> {
        if (auto status = store().put(entry); !status)
          return to_error(status.error());
        return atom::ok_v;
      });
    },
    [store](atom::get, const std::string& project, const std::string& global_id) {
      return guarded([&] { return to_result(store().get(project, global_id)); });
    },
    [store](atom::get, atom::all, const std::string& global_id) {
      return guarded([&] { return to_result(store().get_any_project(global_id)); });
    },
    [store](atom::find, const std::string& project, const std::string& cloudlet,
            const std::string& local_id) {
      return guarded(
        [&] { return to_result(store().find_global(project, cloudlet, local_id)); });
    },
    [store](atom::resolve, const std::string& project, const std::string& cloudlet,
            const std::vector<std::string>& local_ids) {
      return guarded(
        [&] { return to_result(store().resolve_many(project, cloudlet, local_ids)); });
    },
    [store](atom::add_copy, const std::string& project, const std::string& global_id,
            const storage::cloud_copy& copy) {
      return guarded([&] { return to_result(store().add_copy(project, global_id, copy)); });
    },
    [store](atom::remove_copy, const std::string& project, const std::string& global_id,
            const std::string& cloudlet) {
      return guarded(
        [&] { return to_result(store().remove_copy(project, global_id, cloudlet)); });
    },
    [self, store](atom::erase, const std::string& project, const std::string& global_id) {
      return guarded(
        [&]() -> caf::result<bool> { return store().erase(project, global_id, self->state.tombstones.now()); });
    },
    [store](atom::give, const std::string& global_id, const std::string& to_project) {
      return guarded([&] { return to_result(store().give(global_id, to_project)); });
    },
    [store](atom::list, const std::string& project, storage::resource_kind kind,
            const std::string& marker, std::uint32_t limit) {
      return guarded([&] { return to_result(store().list(project, kind, marker, limit)); });
    },
    [store](atom::reserved, std::int64_t created_before, std::uint32_t limit) {
      return guarded([&]() -> caf::result<std::vector<storage::registry_entry>> {
        return store().reserved(created_before, limit);
      });
    },
    [store](atom::abandon, const storage::abandoned_attempt& attempt) {
      return guarded([&]() -> caf::result<atom::ok> {
        if (auto status = store().put_abandoned(attempt); !status)
          return to_error(status.error());
        return atom::ok_v;
      });
    },
    [store](atom::abandoned, std::int64_t before, std::uint32_t limit) {
      return guarded([&]() -> caf::result<std::vector<storage::abandoned_attempt>> {
        return store().abandoned(before, limit);
      });
    },
    [store](atom::forget, const std::string& token) {
      return guarded([&]() -> caf::result<bool> { return store().forget_abandoned(token); });
    },
    [store](atom::count, storage::resource_kind kind) {
      return guarded([&]() -> caf::result<std::uint64_t> {
        if (!storage::is_valid(kind))
          return caf::make_error(ec::invalid_argument, "invalid resource kind");
        return store().count(kind);
      });
    },
    [store](atom::put_meta, const std::string& key, const std::string& value) {
      return guarded([&]() -> caf::result<atom::ok> {
        if (auto status = store().put_meta(key, value); !status)
          return to_error(status.error());
        return atom::ok_v;
      });
    },
    [store](atom::get_meta, const std::string& key) {
      return guarded([&] { return to_result(store().get_meta(key)); });
    },
  };
}

caf::expected<registry_actor> spawn_registry(caf::actor_system& sys,
                                             const std::string& data_dir) {
  registry_config cfg;
  cfg.data_dir = data_dir;
  return spawn_registry(sys, cfg);
}

caf::expected<registry_actor> spawn_registry(caf::actor_system& sys,
                                             const registry_config& cfg) {
  if (cfg.data_dir.empty())
    return caf::make_error(ec::invalid_argument, "registry data directory is empty");
  // Open here, on the caller's thread, so that a bad directory is an error
  // for the caller rather than an actor that dies at start.
  std::shared_ptr<storage::registry_db> db;
  try {
    db = std::make_shared<storage::registry_db>(cfg.data_dir, cfg.lmdb);
  } catch (const std::exception& e) {
    return caf::make_error(ec::storage_failure,
                           "cannot open registry in " + cfg.data_dir + ": " + e.what());
  }
  if (cfg.detached)
    return sys.spawn<caf::detached>(registry, std::move(db), cfg.tombstones);
  return sys.spawn(registry, std::move(db), cfg.tombstones);
}

}  // namespace fedstack
