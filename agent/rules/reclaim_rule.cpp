#include "agent/rules/reclaim_rule.hpp"

namespace fedstack::agent {

using json = nlohmann::json;

bool is_derived_image(const json& image) {
  if (!image.is_object()) return false;
  auto type = image.value("image_type", json());
  if (type.is_string() && (type == "snapshot" || type == "backup")) return true;
  // Nova names the server a snapshot or shelve image came from, and the image it was booted from.
  for (const char* key : {"instance_uuid", "base_image_ref"}) {
    auto it = image.find(key);
    if (it != image.end() && !it->is_null()) return true;
  }
  return false;
}

std::string owner_project(const json& item) {
  if (!item.is_object()) return {};
  for (const char* key : {"owner", "project_id", "tenant_id", "os-vol-tenant-attr:tenant_id",
                          "os-extended-snapshot-attributes:project_id", "os-backup-project-attr:project_id"}) {
    auto it = item.find(key);
    if (it != item.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) return *it;
  }
  return {};
}

std::optional<marked_item> to_marked_item(api::service_type service, const json& item) {
  auto m = api::read_marker(service, item);
  if (!m || !item.contains("id") || !item["id"].is_string()) return std::nullopt;
  marked_item out;
  out.local_id = item["id"];
  out.marker = std::move(*m);
  out.project_id = owner_project(item);
  out.derived_image = service == api::service_type::image && is_derived_image(item);
  return out;
}

bool is_transferred_volume(storage::resource_kind kind, const std::optional<storage::registry_entry>& any,
                           const std::string& cloudlet, const std::string& local_id, const std::string& project) {
  bool moves = kind == storage::resource_kind::volume || kind == storage::resource_kind::volume_snapshot;
  if (!moves || !any || project.empty() || any->project_id == project) return false;
  const auto* copy = any->state == storage::entry_state::bound ? any->copy_on(cloudlet) : nullptr;
  return copy && copy->local_id == local_id;
}

bool entry_explains(const std::optional<storage::registry_entry>& entry, const std::string& cloudlet,
                    const std::string& local_id) {
  if (!entry) return false;
  if (entry->state == storage::entry_state::reserved) return true;
  for (const auto& copy : entry->copies)
    if (copy.cloudlet == cloudlet && copy.local_id == local_id) return true;
  return false;
}

reclaim_decision decide_reclaim(const storage::abandoned_attempt& record,
                                const std::optional<std::vector<marked_item>>& found,
                                const std::optional<storage::registry_entry>& entry,
                                std::int64_t now_unix_ms, std::int64_t min_age_ms, std::int64_t forget_after_ms) {
  if (now_unix_ms - record.abandoned_unix_ms < min_age_ms)
    return {reclaim_action::keep, {}, "the attempt may still be answered"};
  if (!found) return {reclaim_action::keep, {}, "its cloudlet did not answer"};
  if (!api::is_attempt_token(record.token)) return {reclaim_action::forget, {}, "the record has no valid token"};
  if (entry && entry->state == storage::entry_state::reserved)
    return {reclaim_action::keep, {}, "its global ID is still reserved (a create or the reservation sweep decides first)"};
  std::vector<const marked_item*> ours;
  for (const auto& item : *found) {
    // A server of a boot of several carries the boot's global ID (marker::created_as).
    if (item.marker.attempt != record.token || item.marker.created_as() != record.global_id) continue;
    if (item.marker.is_copy || item.derived_image) continue;   // never the attempt's own resource
    if (item.project_id != record.project_id) continue;
    // Bound after all (a lookup found it, or the reservation sweep adopted it).
    if (entry && entry->state == storage::entry_state::bound &&
        entry_explains(entry, record.cloudlet, item.local_id))
      continue;
    ours.push_back(&item);
  }
  if (ours.empty()) {
    if (now_unix_ms - record.abandoned_unix_ms < forget_after_ms)
      return {reclaim_action::keep, {}, "nothing of it yet: its cloud may still make it"};
    return {reclaim_action::forget, {}, "the attempt left nothing to delete"};
  }
  if (ours.size() > 1)
    return {reclaim_action::forget, {}, std::to_string(ours.size()) + " resources carry its token: none is deleted"};
  return {reclaim_action::delete_one, ours.front()->local_id, "its create was abandoned and never bound"};
}

} // namespace fedstack::agent
