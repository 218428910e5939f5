#include "storage/registry_store.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "storage/registry_codec.hpp"

namespace fedstack::storage {

namespace {

constexpr std::string_view schema_key = "schema";
constexpr std::string_view schema_version = "1";

store_error not_found(std::string_view what, std::string_view id) {
  return make_store_error(store_errc::not_found,
                          std::string{what} + " " + std::string{id} + " not found");
}

// Loads an entry inside a transaction, hiding other projects' entries.
std::optional<registry_entry> load(const lmdb_txn& txn, MDB_dbi entries,
                                   std::string_view project,
                                   std::string_view global_id) {
  auto bytes = txn.get_view(entries, global_id);
  if (!bytes)
    return std::nullopt;
  auto entry = decode_entry(global_id, *bytes);
  if (entry.project_id != project)
    return std::nullopt;
  return entry;
}

void add_to_count(write_txn& txn, MDB_dbi meta, resource_kind kind,
                  std::int64_t delta) {
  auto key = count_key(kind);
  std::uint64_t value = 0;
  if (auto bytes = txn.get_view(meta, key))
    value = decode_count(*bytes);
  value = delta < 0 && value == 0 ? 0 : value + static_cast<std::uint64_t>(delta);
  txn.put(meta, key, encode_count(value));
}

// Deletes a by_local row only if it still points at `global_id`.
void unbind_local(write_txn& txn, MDB_dbi by_local, const cloud_copy& copy,
                  std::string_view global_id) {
  auto key = local_key(copy.cloudlet, copy.local_id);
  if (auto owner = txn.get_view(by_local, key); owner && *owner == global_id)
    txn.del(by_local, key);
}

}  // namespace

registry_store::registry_store(lmdb_env& env) : env_(env) {
  env_.write([this](write_txn& txn) {
    entries_ = txn.open_db("entries");
    by_local_ = txn.open_db("by_local");
    by_project_ = txn.open_db("by_project");
    meta_ = txn.open_db("meta");
    abandoned_ = txn.open_db("abandoned");
    auto schema = txn.get_view(meta_, schema_key);
    if (!schema)
      txn.put(meta_, schema_key, schema_version);
    else if (*schema != schema_version)
      throw corrupt_record("unsupported registry schema " + std::string{*schema});
  });
}

store_status registry_store::put(const registry_entry& entry) {
  if (auto err = check_entry(entry))
    return *err;
  return env_.write([&](write_txn& txn) -> store_status {
    auto reject = [&txn](store_errc code, std::string message) {
      txn.discard();
      return make_store_error(code, std::move(message));
    };
    std::optional<registry_entry> previous;
    if (auto bytes = txn.get_view(entries_, entry.global_id)) {
      previous = decode_entry(entry.global_id, *bytes);
      if (previous->project_id != entry.project_id)
        return reject(store_errc::wrong_project,
                      "global ID " + entry.global_id + " belongs to another project");
      if (previous->kind != entry.kind)
        return reject(store_errc::duplicate_id, "global ID " + entry.global_id
                                                  + " exists as a "
                                                  + to_string(previous->kind));
    }
    for (const auto& copy : entry.copies) {
      auto owner = txn.get_view(by_local_, local_key(copy.cloudlet, copy.local_id));
      if (owner && *owner != entry.global_id)
        return reject(store_errc::duplicate_id, "local ID " + copy.local_id + " on "
                                                  + copy.cloudlet
                                                  + " belongs to another entry");
    }
    // All checks passed: write the entry and bring the indexes in line.
    if (previous) {
      for (const auto& copy : previous->copies)
        if (std::find(entry.copies.begin(), entry.copies.end(), copy)
            == entry.copies.end())
          unbind_local(txn, by_local_, copy, entry.global_id);
    } else {
      txn.put(by_project_, project_key(entry.project_id, entry.kind, entry.global_id),
              {});
      add_to_count(txn, meta_, entry.kind, +1);
    }
    txn.put(entries_, entry.global_id, encode_entry(entry));
    for (const auto& copy : entry.copies)
      txn.put(by_local_, local_key(copy.cloudlet, copy.local_id), entry.global_id);
    return {};
  });
}

store_result<registry_entry> registry_store::get(std::string_view project,
                                                 std::string_view global_id) const {
  if (auto err = check_id("project_id", project))
    return *err;
  if (auto err = check_id("global_id", global_id))
    return *err;
  auto txn = env_.begin_read();
  if (auto entry = load(txn, entries_, project, global_id))
    return std::move(*entry);
  return not_found("global ID", global_id);
}

store_result<registry_entry> registry_store::get_any_project(std::string_view global_id) const {
  if (auto err = check_id("global_id", global_id))
    return *err;
  auto txn = env_.begin_read();
  if (auto bytes = txn.get_view(entries_, global_id))
    return decode_entry(global_id, *bytes);
  return not_found("global ID", global_id);
}

store_result<std::string> registry_store::find_global(std::string_view project,
                                                      std::string_view cloudlet,
                                                      std::string_view local_id) const {
  for (auto [what, id] : {std::pair{"project_id", project}, std::pair{"cloudlet", cloudlet},
                          std::pair{"local_id", local_id}})
    if (auto err = check_id(what, id))
      return *err;
  auto txn = env_.begin_read();
  auto global_id = txn.get_view(by_local_, local_key(cloudlet, local_id));
  if (global_id) {
    auto bytes = txn.get_view(entries_, *global_id);
    if (!bytes)
      throw corrupt_record("by_local row points at a missing entry");
    if (decode_project(*bytes) == project)
      return std::string{*global_id};
  }
  return not_found("local ID", local_id);
}

store_result<std::vector<id_mapping>>
registry_store::resolve_many(std::string_view project, std::string_view cloudlet,
                             const std::vector<std::string>& local_ids) const {
  if (auto err = check_id("project_id", project))
    return *err;
  if (auto err = check_id("cloudlet", cloudlet))
    return *err;
  std::vector<id_mapping> result;
  std::map<std::string, bool, std::less<>> owned;  // global ID -> in project
  auto txn = env_.begin_read();
  for (const auto& local_id : local_ids) {
    if (check_id("local_id", local_id))
      continue;
    auto global_id = txn.get_view(by_local_, local_key(cloudlet, local_id));
    if (!global_id)
      continue;
    auto known = owned.find(*global_id);
    if (known == owned.end()) {
      auto bytes = txn.get_view(entries_, *global_id);
      if (!bytes)
        throw corrupt_record("by_local row points at a missing entry");
      known = owned.emplace(std::string{*global_id}, decode_project(*bytes) == project)
                .first;
    }
    if (known->second)
      result.push_back(id_mapping{local_id, known->first});
  }
  return result;
}

store_result<registry_entry> registry_store::add_copy(std::string_view project,
                                                      std::string_view global_id,
                                                      const cloud_copy& copy) {
  for (auto [what, id] : {std::pair{"project_id", project}, std::pair{"global_id", global_id},
                          std::pair{"cloudlet", std::string_view{copy.cloudlet}},
                          std::pair{"local_id", std::string_view{copy.local_id}}})
    if (auto err = check_id(what, id))
      return *err;
  return env_.write([&](write_txn& txn) -> store_result<registry_entry> {
    auto reject = [&txn](store_error err) {
      txn.discard();
      return err;
    };
    auto entry = load(txn, entries_, project, global_id);
    if (!entry)
      return reject(not_found("global ID", global_id));
    if (auto existing = entry->copy_on(copy.cloudlet)) {
      if (existing->local_id == copy.local_id) {
        txn.discard();  // already recorded: nothing to commit
        return std::move(*entry);
      }
      return reject(make_store_error(store_errc::duplicate_id,
                                     "entry already has a copy on " + copy.cloudlet));
    }
    if (entry->copies.size() >= max_copies)
      return reject(make_store_error(store_errc::invalid_argument, "too many copies"));
    auto key = local_key(copy.cloudlet, copy.local_id);
    if (auto owner = txn.get_view(by_local_, key); owner && *owner != global_id)
      return reject(make_store_error(store_errc::duplicate_id,
                                     "local ID " + copy.local_id + " on " + copy.cloudlet
                                       + " belongs to another entry"));
    entry->copies.push_back(copy);
    txn.put(entries_, global_id, encode_entry(*entry));
    txn.put(by_local_, key, global_id);
    return std::move(*entry);
  });
}

store_result<registry_entry> registry_store::remove_copy(std::string_view project,
                                                         std::string_view global_id,
                                                         std::string_view cloudlet) {
  for (auto [what, id] : {std::pair{"project_id", project}, std::pair{"global_id", global_id},
                          std::pair{"cloudlet", cloudlet}})
    if (auto err = check_id(what, id))
      return *err;
  return env_.write([&](write_txn& txn) -> store_result<registry_entry> {
    auto entry = load(txn, entries_, project, global_id);
    if (!entry) {
      txn.discard();
      return not_found("global ID", global_id);
    }
    auto copy = std::find_if(entry->copies.begin(), entry->copies.end(),
                             [&](const cloud_copy& x) { return x.cloudlet == cloudlet; });
    if (copy == entry->copies.end()) {
      txn.discard();
      return not_found("copy on cloudlet", cloudlet);
    }
    unbind_local(txn, by_local_, *copy, global_id);
    entry->copies.erase(copy);
    txn.put(entries_, global_id, encode_entry(*entry));
    return std::move(*entry);
  });
}

store_result<registry_entry> registry_store::give(std::string_view global_id, std::string_view to_project) {
  if (auto err = check_id("global_id", global_id))
    return *err;
  if (auto err = check_id("project_id", to_project))
    return *err;
  return env_.write([&](write_txn& txn) -> store_result<registry_entry> {
    auto bytes = txn.get_view(entries_, global_id);
    if (!bytes) {
      txn.discard();
      return not_found("global ID", global_id);
    }
    auto entry = decode_entry(global_id, *bytes);
    if (entry.state == entry_state::deleted) {
      txn.discard();  // a tombstone has no index rows to move, and must get none
      return not_found("global ID", global_id);
    }
    if (entry.project_id == to_project)
      return entry;
    txn.del(by_project_, project_key(entry.project_id, entry.kind, global_id));
    entry.project_id = std::string{to_project};
    txn.put(by_project_, project_key(entry.project_id, entry.kind, global_id), {});
    txn.put(entries_, global_id, encode_entry(entry));
    return entry;
  });
}

bool registry_store::erase(std::string_view project, std::string_view global_id,
                           std::int64_t now_unix_ms) {
  if (check_id("project_id", project) || check_id("global_id", global_id))
    return false;
  return env_.write([&](write_txn& txn) {
    auto entry = load(txn, entries_, project, global_id);
    if (!entry) {
      txn.discard();
      return false;
    }
    if (entry->state == entry_state::deleted) {
      txn.discard();   // a tombstone stays: nothing left to erase
      return false;
    }
    for (const auto& copy : entry->copies)
      unbind_local(txn, by_local_, copy, global_id);
    txn.del(by_project_, project_key(project, entry->kind, global_id));
    add_to_count(txn, meta_, entry->kind, -1);
    if (leaves_tombstone(*entry)) {
      entry->state = entry_state::deleted;
      entry->attempt.reset();
      entry->deleted_unix_ms = now_unix_ms;
      txn.put(entries_, global_id, encode_entry(*entry));
    } else {
      txn.del(entries_, global_id);
    }
    return true;
  });
}

tombstone_pruning registry_store::prune_tombstones(std::int64_t now_unix_ms, std::int64_t retention_ms,
                                                   std::string_view after, std::size_t limit) {
  limit = std::max<std::size_t>(limit, 1);
  return env_.write([&](write_txn& txn) {
    tombstone_pruning step;
    std::vector<std::string> prune;
    std::vector<std::pair<std::string, registry_entry>> stamp;
    // Collected first and changed after the scan: its cursor must not see its own writes.
    txn.scan(
      entries_, {},
      [&](std::string_view key, std::string_view bytes) {
        if (!after.empty() && key == after)
          return true;  // the previous step's last key
        ++step.examined;
        step.next = std::string{key};
        auto entry = decode_entry(key, bytes);
        if (entry.state == entry_state::deleted) {
          if (entry.deleted_unix_ms == 0) {
            entry.deleted_unix_ms = now_unix_ms;
            stamp.emplace_back(std::string{key}, std::move(entry));
          } else if (now_unix_ms - entry.deleted_unix_ms >= retention_ms) {
            prune.emplace_back(key);
          }
        }
        return step.examined < limit;
      },
      after);
    if (step.examined < limit)
      step.next.clear();  // nothing left after the last key looked at
    for (const auto& [key, entry] : stamp)
      txn.put(entries_, key, encode_entry(entry));
    for (const auto& key : prune)
      txn.del(entries_, key);  // a tombstone has no index rows and is not counted
    step.stamped = stamp.size();
    step.pruned = prune.size();
    if (stamp.empty() && prune.empty())
      txn.discard();  // nothing to commit (and no fsync)
    return step;
  });
}

store_result<std::vector<registry_entry>>
registry_store::list(std::string_view project, resource_kind kind, std::string_view after,
                     std::size_t limit) const {
  if (auto err = check_id("project_id", project))
    return *err;
  if (!is_valid(kind))
    return make_store_error(store_errc::invalid_argument, "invalid resource kind");
  if (!after.empty())
    if (auto err = check_id("marker", after))
      return *err;
  auto prefix = project_prefix(project, kind);
  auto start = prefix + std::string{after};
  std::vector<registry_entry> result;
  auto txn = env_.begin_read();
  txn.scan(
    by_project_, prefix,
    [&](std::string_view key, std::string_view) {
      if (!after.empty() && key == start)
        return true;  // the marker itself is not part of the page
      auto global_id = key.substr(prefix.size());
      auto bytes = txn.get_view(entries_, global_id);
      if (!bytes)
        throw corrupt_record("by_project row points at a missing entry");
      result.push_back(decode_entry(global_id, *bytes));
      return limit == 0 || result.size() < limit;
    },
    start);
  return result;
}

std::vector<registry_entry> registry_store::reserved(std::int64_t created_before_unix_ms,
                                                     std::size_t limit) const {
  std::vector<registry_entry> result;
  auto txn = env_.begin_read();
  txn.scan(entries_, {}, [&](std::string_view key, std::string_view bytes) {
    auto entry = decode_entry(key, bytes);
    if (entry.state == storage::entry_state::reserved && entry.created_unix_ms < created_before_unix_ms)
      result.push_back(std::move(entry));
    return result.size() < limit;
  });
  return result;
}

store_status registry_store::put_abandoned(const abandoned_attempt& attempt) {
  if (auto err = check_abandoned(attempt))
    return *err;
  env_.write([&](write_txn& txn) { txn.put(abandoned_, attempt.token, encode_abandoned(attempt)); });
  return {};
}

std::vector<abandoned_attempt> registry_store::abandoned(std::int64_t before_unix_ms,
                                                         std::size_t limit) const {
  std::vector<abandoned_attempt> result;
  auto txn = env_.begin_read();
  txn.scan(abandoned_, {}, [&](std::string_view key, std::string_view bytes) {
    auto attempt = decode_abandoned(key, bytes);
    if (attempt.abandoned_unix_ms < before_unix_ms)
      result.push_back(std::move(attempt));
    return limit == 0 || result.size() < limit;
  });
  return result;
}

bool registry_store::forget_abandoned(std::string_view token) {
  if (token.empty() || token.size() > max_id_size)
    return false;
  return env_.write([&](write_txn& txn) { return txn.del(abandoned_, token); });
}

std::uint64_t registry_store::count(resource_kind kind) const {
  auto txn = env_.begin_read();
  auto bytes = txn.get_view(meta_, count_key(kind));
  return bytes ? decode_count(*bytes) : 0;
}

namespace {

std::optional<store_error> check_meta_key(std::string_view key) {
  if (key.empty() || key.size() > max_meta_key_size || key.find('\0') != key.npos)
    return make_store_error(store_errc::invalid_argument,
                            "meta key must be 1..200 bytes without NUL");
  return std::nullopt;
}

}  // namespace

store_status registry_store::put_meta(std::string_view key, std::string_view value) {
  if (auto err = check_meta_key(key))
    return *err;
  if (value.size() > max_meta_value_size)
    return make_store_error(store_errc::invalid_argument, "meta value is larger than 1 MiB");
  env_.write([&](write_txn& txn) { txn.put(meta_, app_meta_key(key), value); });
  return {};
}

store_result<std::string> registry_store::get_meta(std::string_view key) const {
  if (auto err = check_meta_key(key))
    return *err;
  auto txn = env_.begin_read();
  auto value = txn.get(meta_, app_meta_key(key));
  if (!value)
    return not_found("meta key", key);
  return std::move(*value);
}

}  // namespace fedstack::storage
