#include "agent/rules/id_maps.hpp"

#include <set>

#include "agent/rules/reclaim_rule.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

void collect_markers(json& doc, api::service_type service, std::vector<marked_id>& out) {
  if (doc.is_object()) {
    if (auto m = api::read_marker(service, doc); m && doc.contains("id") && doc["id"].is_string())
      out.push_back({doc["id"].get<std::string>(), m->global_id, m->is_copy});
    api::strip_marker(service, doc);
    for (auto& [key, value] : doc.items())
      if (value.is_structured()) collect_markers(value, service, out);
  } else if (doc.is_array()) {
    for (auto& value : doc) collect_markers(value, service, out);
  }
}

} // namespace

api::uuid_map lookup_in(const id_map& map) {
  return [&map](std::string_view id) -> std::optional<std::string> {
    auto it = map.find(std::string(id));
    if (it == map.end()) return std::nullopt;
    return it->second;
  };
}

id_map reversed(const id_map& map) {
  id_map out;
  for (const auto& [key, value] : map) out.emplace(value, key);
  return out;
}

std::vector<marked_id> own_markers(const std::vector<marked_id>& markers, const looked_up_entries& entries,
                                   std::string_view cloudlet) {
  std::vector<marked_id> out;
  for (const auto& m : markers) {
    auto it = entries.find(m.global_id);
    if (m.is_copy || it == entries.end()) {
      out.push_back(m);
      continue;
    }
    const auto& entry = it->second;   // a tombstone explains nothing
    if (entry && entry->state != storage::entry_state::deleted && entry_explains(entry, std::string(cloudlet), m.local_id))
      out.push_back(m);
  }
  return out;
}

std::vector<marked_id> take_markers(json& doc, api::service_type service) {
  std::vector<marked_id> out;
  collect_markers(doc, service, out);
  return out;
}

id_map local_to_global(const global_id_sources& sources) {
  auto map = sources.known;
  // Of two markers on one local ID, the later in the document wins.
  for (const auto& m : sources.markers) map[m.local_id] = m.global_id;
  for (const auto& m : sources.registry) map.emplace(m.local_id, m.global_id);
  for (const auto& [local, global] : sources.aliases) map.emplace(local, global);
  return map;
}

std::vector<std::string> ids_needing_registry(const std::vector<std::string>& local_ids,
                                              const id_map& known) {
  std::vector<std::string> out;
  for (const auto& id : local_ids)
    if (!known.count(id) && !api::global_id_owner(id)) out.push_back(id);
  return out;
}

std::vector<std::string> global_ids_to_look_up(const std::vector<std::string_view>& texts,
                                               const id_map& known) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (auto text : texts)
    for (auto& id : api::collect_uuids(text))
      if (!known.count(id) && api::global_id_owner(id) && seen.insert(id).second)
        out.push_back(std::move(id));
  return out;
}

id_map global_to_local(const id_map& known, const std::map<std::string, storage::registry_entry>& entries,
                       std::string_view cloudlet) {
  auto map = known;
  for (const auto& [global, entry] : entries)
    if (const auto* copy = entry.copy_on(cloudlet)) map.emplace(global, copy->local_id);
  return map;
}

} // namespace fedstack::agent
