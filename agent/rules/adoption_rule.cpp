#include "agent/rules/adoption_rule.hpp"

#include <algorithm>

#include "agent/rules/json_text.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// `owner`'s global ID with every digit make_global_id draws at random set to
/// 0: the base the derived IDs hash from (server_global_id keeps the owner).
std::optional<std::string> owner_base(const api::node_address& owner) {
  auto id = api::make_global_id(owner);
  if (!id) return std::nullopt;
  for (std::size_t i = 0; i < 24; ++i)
    if (i != 8 && i != 13 && i != 14 && i != 18 && i != 23) (*id)[i] = '0';
  (*id)[19] = '8';   // the variant's two drawn bits too
  return id;
}

std::string lowered(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

} // namespace

std::string adopted_from_tag(std::string_view cloud_id) {
  return std::string(adopted_from_key) + "=" + std::string(cloud_id);
}

std::optional<std::string> adopted_from(api::service_type service, const json& item) {
  if (!item.is_object()) return std::nullopt;
  if (service == api::service_type::image) {
    auto value = json_fields::text(item, std::string(adopted_from_key).c_str());
    return value.empty() ? std::nullopt : std::optional{value};
  }
  auto tags = item.find("tags");
  if (tags == item.end() || !tags->is_array()) return std::nullopt;
  const auto prefix = std::string(adopted_from_key) + "=";
  for (const auto& tag : *tags)
    if (tag.is_string() && tag.get_ref<const std::string&>().rfind(prefix, 0) == 0)
      return tag.get<std::string>().substr(prefix.size());
  return std::nullopt;
}

std::optional<std::string> adopted_global_id(const api::node_address& owner, storage::resource_kind kind,
                                             std::string_view holder, std::string_view cloud_id) {
  auto base = owner_base(owner);
  if (!base) return std::nullopt;
  // Cloud IDs are matched as clouds give them; UUIDs are compared in lower case.
  auto key = std::string(storage::to_string(kind)) + "\n" + std::string(holder) + "\n" + lowered(cloud_id);
  return api::server_global_id(*base, key);
}

bool is_adoption_of(std::string_view global_id, storage::resource_kind kind, std::string_view holder,
                    std::string_view cloud_id) {
  auto owner = api::global_id_owner(global_id);
  if (!owner || holder.empty() || cloud_id.empty()) return false;
  auto derived = adopted_global_id(*owner, kind, holder, cloud_id);
  return derived && *derived == lowered(global_id);
}

std::optional<std::string> adoption_holder(std::string_view global_id, storage::resource_kind kind,
                                           std::string_view cloud_id, const std::vector<std::string>& regions) {
  for (const auto& region : regions)
    if (is_adoption_of(global_id, kind, region, cloud_id)) return region;
  return std::nullopt;
}

std::vector<adopted_copy_sighting> adopted_copies_in(api::service_type service, storage::resource_kind kind,
                                                     const std::string& cloudlet, const json& items,
                                                     std::string_view holder, std::string_view cloud_id) {
  std::vector<adopted_copy_sighting> out;
  if (!items.is_array()) return out;
  for (const auto& item : items) {
    auto from = adopted_from(service, item);
    auto m = api::read_marker(service, item);
    auto id = item.is_object() ? json_fields::text(item, "id") : std::string{};
    if (!from || lowered(*from) != lowered(cloud_id) || !m || !m->is_copy || id.empty()) continue;
    if (!is_adoption_of(m->global_id, kind, holder, cloud_id)) continue;
    out.push_back({cloudlet, id, m->global_id});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.global_id < b.global_id; });
  return out;
}

std::vector<std::pair<adopted_copy_sighting, std::string>>
adopted_subnets_in(const std::string& cloudlet, const json& subnets, std::string_view holder,
                   const std::vector<std::string>& subnet_ids) {
  std::vector<std::pair<adopted_copy_sighting, std::string>> out;
  if (!subnets.is_array()) return out;
  for (const auto& item : subnets) {
    auto m = api::read_marker(api::service_type::network, item);
    auto id = item.is_object() ? json_fields::text(item, "id") : std::string{};
    if (!m || !m->is_copy || id.empty()) continue;
    auto candidates = subnet_ids;
    if (auto from = adopted_from(api::service_type::network, item)) candidates.push_back(*from);
    for (const auto& subnet : candidates)
      if (is_adoption_of(m->global_id, storage::resource_kind::subnet, holder, subnet)) {
        out.push_back({{cloudlet, id, m->global_id}, subnet});
        break;
      }
  }
  return out;
}

bool entry_owns_copy(const storage::registry_entry& entry, const adopted_copy_sighting& seen,
                     storage::resource_kind kind, std::string_view holder, std::string_view cloud_id,
                     std::string_view project) {
  if (entry.kind != kind || entry.state != storage::entry_state::bound) return false;
  if (lowered(entry.global_id) != lowered(seen.global_id) || !is_adoption_of(entry.global_id, kind, holder, cloud_id))
    return false;
  if (!project.empty() && entry.project_id != project) return false;
  const auto* copy = entry.copy_on(seen.cloudlet);
  return copy && copy->local_id == seen.local_id;
}

} // namespace fedstack::agent
