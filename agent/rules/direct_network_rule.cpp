#include "agent/rules/direct_network_rule.hpp"

#include "agent/rules/json_text.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

std::string text_of(const json& item, const char* key) {
  return item.is_object() ? json_fields::text(item, key) : std::string{};
}

/// Any tag of the federation's, whatever follows the prefix (marker_guard.hpp's rule).
bool carries_federation_tag(const json& item) {
  auto tags = item.find("tags");
  if (tags == item.end() || !tags->is_array()) return false;
  for (const auto& tag : *tags)
    if (tag.is_string() && tag.get_ref<const std::string&>().rfind("fedstack_", 0) == 0) return true;
  return false;
}

} // namespace

network_holder choose_network_holder(const std::vector<network_sighting>& shown, const std::string& own) {
  network_holder out;
  for (const auto& s : shown)
    if (s.cloudlet == own) {
      out.cloudlet = own;
      return out;
    }
  if (shown.size() == 1) out.cloudlet = shown.front().cloudlet;
  else if (shown.size() > 1)
    out.conflict = "Network " + text_of(shown[0].network, "id") + " names different networks on " +
                   shown[0].cloudlet + " and " + shown[1].cloudlet + ".";
  return out;
}

std::string why_not_adoptable(const json& network) {
  if (!network.is_object() || text_of(network, "id").empty()) return "no network";
  auto external = network.find("router:external");
  if (external != network.end() && external->is_boolean() && external->get<bool>()) return "an external network";
  if (carries_federation_tag(network) || api::read_marker(api::service_type::network, network))
    return "a network carrying a marker of the federation";
  if (owner_project(network).empty()) return "a network whose cloud names no project";
  return {};
}

json network_copy_put(const json& body) {
  static const char* const reach[] = {"name", "description", "admin_state_up", "shared", "port_security_enabled",
                                      "mtu", "dns_domain"};
  if (!body.is_object() || !body.contains("network") || !body["network"].is_object()) return nullptr;
  json fields = json::object();
  for (const char* key : reach)
    if (body["network"].contains(key)) fields[key] = body["network"][key];
  if (fields.empty()) return nullptr;
  return json{{"network", std::move(fields)}};
}

std::optional<std::pair<adopted_record, storage::registry_entry>>
adopt_neutron_item(storage::resource_kind kind, const std::string& global_id, const std::string& cloudlet,
                   const json& item, std::int64_t now_unix_ms) {
  // An adopted image's entry (its project read as owner_project reads Neutron's), of the item's kind.
  auto made = adopt_image(global_id, cloudlet, item, now_unix_ms);
  if (made) made->second.kind = kind;
  return made;
}

std::string adopted_neutron_key(storage::resource_kind kind, const std::string& cloud_id) {
  return "adopted/" + std::string(storage::to_string(kind)) + "/" + cloud_id;
}

} // namespace fedstack::agent
