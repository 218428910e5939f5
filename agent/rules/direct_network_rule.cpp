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

namespace {

/// `body`'s `{"<singular>": {...}}` fields of `reach` only; null when none.
template <std::size_t N>
json copy_put(const json& body, const char* singular, const char* const (&reach)[N]) {
  if (!body.is_object() || !body.contains(singular) || !body[singular].is_object()) return nullptr;
  json fields = json::object();
  for (const char* key : reach)
    if (body[singular].contains(key)) fields[key] = body[singular][key];
  if (fields.empty()) return nullptr;
  return json{{singular, std::move(fields)}};
}

} // namespace

json network_copy_put(const json& body) {
  static const char* const reach[] = {"name", "description", "admin_state_up", "shared", "port_security_enabled",
                                      "mtu", "dns_domain"};
  return copy_put(body, "network", reach);
}

json subnet_copy_put(const json& body) {
  // What a subnet's copy is made with (copies.cpp, subnet_copy_fields) but its CIDR and IP version.
  static const char* const reach[] = {"name", "description", "enable_dhcp", "gateway_ip", "allocation_pools",
                                      "dns_nameservers", "host_routes"};
  return copy_put(body, "subnet", reach);
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
