#include "agent/rules/lifecycle_rule.hpp"

#include <algorithm>
#include <cstdlib>

#include "agent/rules/marker_guard.hpp"
#include "api/global_id.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using boost::beast::http::verb;

/// The one key of a server action body ({"resize": {...}}), empty otherwise.
std::string action_name(const json& body) {
  if (!body.is_object() || body.size() != 1) return {};
  return body.begin().key();
}

/// The Neutron kinds the federation records and marks with tags.
bool is_neutron_item(const api::route& route) {
  return route.service == api::service_type::network && !route.resource_id.empty() &&
         (route.resource == "networks" || route.resource == "subnets" || route.resource == "ports" ||
          route.resource == "floatingips" || route.resource == "routers");
}

/// Cinder's items whose metadata carries the marker.
bool is_cinder_item(const api::route& route) {
  return route.service == api::service_type::volume && !route.resource_id.empty() &&
         (route.resource == "volumes" || route.resource == "snapshots" || route.resource == "backups");
}

/// `{"volume": ...}` for "volumes".
std::string singular_of(const std::string& collection) { return collection.substr(0, collection.size() - 1); }

long count_of(const json& value) {
  if (value.is_number_integer()) return value.get<long>();
  if (value.is_string()) return std::strtol(value.get_ref<const std::string&>().c_str(), nullptr, 10);
  return 1;
}

} // namespace

lifecycle_step lifecycle_step_of(const api::route& route, verb method, const json& body) {
  if (is_neutron_item(route) && route.action == "tags" && route.sub_id.empty()) {
    if (method == verb::put) return lifecycle_step::replace_tags;
    if (method == verb::delete_) return lifecycle_step::delete_tags;
    if (method == verb::get) return lifecycle_step::read_tags;
    return lifecycle_step::none;
  }
  if (is_cinder_item(route) && method == verb::put && route.sub_id.empty()) {
    // PUT .../metadata replaces it all; so does an update whose body holds metadata (Cinder's db volume_update).
    if (route.action == "metadata") return lifecycle_step::replace_metadata;
    auto wrapper = singular_of(route.resource);
    if (route.action.empty() && body.is_object() && body.contains(wrapper) && body[wrapper].is_object() &&
        body[wrapper].contains("metadata"))
      return lifecycle_step::replace_metadata;
    return lifecycle_step::none;
  }
  if (route.service != api::service_type::compute || route.resource != "servers" || route.resource_id.empty())
    return lifecycle_step::none;
  if (route.action == "metadata" && route.sub_id.empty() && method == verb::put)
    return lifecycle_step::replace_metadata;
  if (route.action != "action" || method != verb::post) return lifecycle_step::none;
  auto name = action_name(body);
  if (name == "resize") return lifecycle_step::resize;
  if (name == "rebuild") return lifecycle_step::rebuild;
  if (name == "createImage") return lifecycle_step::create_image;
  if (name == "unshelve") return lifecycle_step::unshelve;
  return lifecycle_step::none;
}

bool reads_deleted_server(const api::route& route, verb method) {
  return method == verb::get && route.service == api::service_type::compute && route.resource == "servers" &&
         !route.resource_id.empty() && (route.action.empty() || route.action == "os-instance-actions");
}

bool may_follow_deleted(const std::string& owner_project, const std::string& caller_project, bool is_admin) {
  return is_admin || (!owner_project.empty() && owner_project == caller_project);
}

std::string id_of_ref(const json& ref) {
  if (!ref.is_string()) return {};
  const auto& text = ref.get_ref<const std::string&>();
  auto slash = text.find_last_of('/');
  return slash == std::string::npos ? text : text.substr(slash + 1);
}

bool is_marker_tag(const std::string& tag) { return is_reserved_name(tag); }

bool is_marker_key(const std::string& key) { return is_reserved_name(key); }

json client_tags(const json& tags) {
  json out = json::array();
  if (!tags.is_array()) return out;
  for (const auto& tag : tags)
    if (!tag.is_string() || !is_marker_tag(tag)) out.push_back(tag);
  return out;
}

std::optional<std::vector<std::string>> tags_to_put(const json& client, const std::vector<std::string>& current) {
  if (!client.is_object() || !client.contains("tags") || !client["tags"].is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& tag : client["tags"]) {
    if (!tag.is_string()) return std::nullopt;
    const auto& text = tag.get_ref<const std::string&>();
    if (!is_marker_tag(text) && std::find(out.begin(), out.end(), text) == out.end()) out.push_back(text);
  }
  for (const auto& tag : current)
    if (is_marker_tag(tag) && std::find(out.begin(), out.end(), tag) == out.end()) out.push_back(tag);
  return out;
}

std::optional<json> metadata_to_put(const json& client, const json& current) {
  if (!client.is_object() || !client.contains("metadata") || !client["metadata"].is_object()) return std::nullopt;
  json out = json::object();
  for (const auto& [key, value] : client["metadata"].items())
    if (!is_marker_key(key)) out[key] = value;
  if (current.is_object())
    for (const auto& [key, value] : current.items())
      if (is_marker_key(key)) out[key] = value;
  return out;
}

json* replaced_metadata(json& body, const api::route& route) {
  json* holder = nullptr;
  if (route.action == "metadata" && route.sub_id.empty()) holder = &body;
  else if (route.action == "action" && body.is_object() && body.contains("rebuild")) holder = &body["rebuild"];
  else if (route.action.empty() && body.is_object() && body.contains(singular_of(route.resource)))
    holder = &body[singular_of(route.resource)];
  if (!holder || !holder->is_object() || !holder->contains("metadata") || !(*holder)["metadata"].is_object())
    return nullptr;
  return &(*holder)["metadata"];
}

std::optional<std::string> refuse_unshelve_zone(const json& body, const std::string& region,
                                                const std::string& server_id) {
  if (!body.is_object() || !body.contains("unshelve")) return std::nullopt;
  const auto& args = body["unshelve"];
  if (!args.is_object() || !args.contains("availability_zone")) return std::nullopt;
  const auto& zone = args["availability_zone"];
  if (!zone.is_string() || zone == region) return std::nullopt;
  return "Server " + server_id + " is shelved on cloudlet " + region + "; unshelving it into availability zone " +
         zone.get<std::string>() + " would move it to another cloudlet, which this federation does not do. "
         "Unshelve it without a zone, or with " + region + ".";
}

std::optional<std::string> snapshot_image_id(const json& body, const std::string& location) {
  if (body.is_object() && body.contains("image_id") && body["image_id"].is_string())
    return body["image_id"].get<std::string>();
  auto id = id_of_ref(json(location));
  if (api::is_uuid(id)) return id;
  return std::nullopt;
}

long requested_servers(const json& server) {
  if (!server.is_object()) return 1;
  long min = server.contains("min_count") ? count_of(server["min_count"]) : 1;
  long max = server.contains("max_count") ? count_of(server["max_count"]) : min;
  return std::max({1L, min, max});
}

} // namespace fedstack::agent
