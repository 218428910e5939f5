// registry_store::check_consistency: a full cross-check of entries, indexes
// and counters, for tests and for a restart after a crash.

#include <map>

#include "storage/registry_codec.hpp"
#include "storage/registry_store.hpp"

namespace fedstack::storage {

std::vector<std::string> registry_store::check_consistency() const {
  std::vector<std::string> problems;
  auto txn = env_.begin_read();
  std::map<resource_kind, std::uint64_t> counted;
  std::map<std::string, registry_entry, std::less<>> entries;
  // Every entry decodes, has its by_project row and its by_local rows (a tombstone none).
  txn.scan(entries_, {}, [&](std::string_view key, std::string_view value) {
    try {
      auto entry = decode_entry(key, value);
      if (entry.state == entry_state::deleted) {
        // A tombstone has no index rows and is not counted (registry_store::erase).
        if (txn.get_view(by_project_, project_key(entry.project_id, entry.kind, key)))
          problems.push_back("tombstone " + entry.global_id + " has a by_project row");
        return true;
      }
      ++counted[entry.kind];
      if (!txn.get_view(by_project_, project_key(entry.project_id, entry.kind, key)))
        problems.push_back("entry " + entry.global_id + " has no by_project row");
      for (const auto& copy : entry.copies) {
        auto owner = txn.get_view(by_local_, local_key(copy.cloudlet, copy.local_id));
        if (!owner || *owner != key)
          problems.push_back("copy " + copy.cloudlet + "/" + copy.local_id + " of "
                             + entry.global_id + " has no by_local row");
      }
      entries.emplace(entry.global_id, std::move(entry));
    } catch (const corrupt_record& e) {
      problems.push_back("entry " + std::string{key} + ": " + e.what());
    }
    return true;
  });
  // Every by_local row points at an entry that has that copy.
  txn.scan(by_local_, {}, [&](std::string_view key, std::string_view value) {
    auto separator = key.find('\0');
    auto cloudlet = key.substr(0, separator);
    auto local_id = separator == key.npos ? std::string_view{} : key.substr(separator + 1);
    auto entry = entries.find(value);
    auto copy = entry == entries.end() ? nullptr : entry->second.copy_on(cloudlet);
    if (copy == nullptr || copy->local_id != local_id)
      problems.push_back("by_local row " + std::string{cloudlet} + "/"
                         + std::string{local_id} + " points at nothing");
    return true;
  });
  // Every by_project row points at an entry of that project and kind.
  txn.scan(by_project_, {}, [&](std::string_view key, std::string_view) {
    auto first = key.find('\0');
    auto second = first == key.npos ? key.npos : key.find('\0', first + 1);
    auto entry = second == key.npos ? entries.end() : entries.find(key.substr(second + 1));
    if (entry == entries.end()
        || project_key(entry->second.project_id, entry->second.kind, entry->first) != key)
      problems.push_back("by_project row for " + std::string{key.substr(second + 1)}
                         + " points at nothing");
    return true;
  });
  for (auto kind : {resource_kind::image, resource_kind::network, resource_kind::subnet,
                    resource_kind::port, resource_kind::server, resource_kind::flavor,
                    resource_kind::floating_ip, resource_kind::router, resource_kind::volume,
                    resource_kind::volume_snapshot, resource_kind::volume_backup}) {
    auto bytes = txn.get_view(meta_, count_key(kind));
    auto stored = bytes ? decode_count(*bytes) : 0;
    if (stored != counted[kind])
      problems.push_back("count of " + to_string(kind) + " is " + std::to_string(stored)
                         + ", entries hold " + std::to_string(counted[kind]));
  }
  return problems;
}

}  // namespace fedstack::storage
