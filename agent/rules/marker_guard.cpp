#include "agent/rules/marker_guard.hpp"

#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using boost::beast::http::verb;
using api::service_type;

marker_guard_answer refused(const std::string& what, const std::string& name) {
  return {400, what + " '" + name + "' is reserved: names starting with '" + std::string(reserved_prefix) +
                 "' hold the federation's markers and cannot be set, changed or removed through this API."};
}

/// The first reserved key of a JSON object.
std::optional<std::string> reserved_key(const json& object) {
  if (!object.is_object()) return std::nullopt;
  for (const auto& [key, value] : object.items())
    if (is_reserved_name(key)) return key;
  return std::nullopt;
}

/// The first reserved key of `holder[field]` (a wrapper's metadata).
std::optional<std::string> reserved_in(const json& holder, const char* field) {
  if (!holder.is_object() || !holder.contains(field)) return std::nullopt;
  return reserved_key(holder[field]);
}

/// A Neutron resource body: reserved tags, or a pending marker in its description.
std::optional<marker_guard_answer> neutron_item(const json& item) {
  if (!item.is_object()) return std::nullopt;
  if (item.contains("tags") && item["tags"].is_array())
    for (const auto& tag : item["tags"])
      if (tag.is_string() && is_reserved_name(tag.get_ref<const std::string&>())) return refused("Tag", tag);
  if (item.contains("description") && item["description"].is_string() &&
      api::pending_token(item["description"].get_ref<const std::string&>()))
    return refused("Description", item["description"]);
  return std::nullopt;
}

/// Neutron: a create (one item or a bulk list), an update, tags replaced or one tag.
std::optional<marker_guard_answer> guard_network(const api::route& route, verb method, const json& body) {
  if (route.action == "tags" && !route.sub_id.empty() && is_reserved_name(route.sub_id)) {
    if (method == verb::get || method == verb::head)
      return marker_guard_answer{404, "Tag " + route.sub_id + " could not be found for " + route.resource + " " +
                                        route.resource_id + "."};
    return refused("Tag", route.sub_id);
  }
  if (method == verb::put && route.action == "tags" && body.is_object() && body.contains("tags"))
    return neutron_item(json{{"tags", body["tags"]}});
  if ((method != verb::post && method != verb::put) || !route.action.empty() || !body.is_object())
    return std::nullopt;
  for (const auto& [key, value] : body.items()) {
    if (value.is_array()) {
      for (const auto& item : value)
        if (auto answer = neutron_item(item)) return answer;
    } else if (auto answer = neutron_item(value)) {
      return answer;
    }
  }
  return std::nullopt;
}

/// Nova servers and Cinder volumes, snapshots and backups: metadata in a
/// create, an update, an action, a metadata call, or one key's path.
std::optional<marker_guard_answer> guard_metadata(const api::route& route, verb method, const json& body,
                                                  const char* wrapper, const std::string& not_found) {
  bool item = !route.resource_id.empty();
  if (route.action == "metadata" && !route.sub_id.empty()) {
    if (!is_reserved_name(route.sub_id)) {
      if (auto key = reserved_in(body, "meta")) return refused("Metadata key", *key);
      return std::nullopt;
    }
    if (method == verb::get || method == verb::head) return marker_guard_answer{404, not_found};
    return refused("Metadata key", route.sub_id);
  }
  std::optional<std::string> key;
  if (route.action == "metadata" && (method == verb::post || method == verb::put)) key = reserved_in(body, "metadata");
  if (!item && method == verb::post && body.is_object() && body.contains(wrapper))
    key = reserved_in(body[wrapper], "metadata");
  if (item && route.action.empty() && method == verb::put && body.is_object() && body.contains(wrapper))
    key = reserved_in(body[wrapper], "metadata");
  // Nova's rebuild replaces the server's metadata; createImage's becomes the snapshot's properties.
  if (item && route.action == "action" && method == verb::post && body.is_object())
    for (const char* action : {"rebuild", "createImage"})
      if (!key && body.contains(action)) key = reserved_in(body[action], "metadata");
  if (key) return refused("Metadata key", *key);
  return std::nullopt;
}

/// Glance: properties in a create, a JSON patch's paths (RFC 6902: `path`, and `from` of move and copy).
std::optional<marker_guard_answer> guard_image(const api::route& route, verb method, const json& body) {
  if (route.resource != "images" || !route.action.empty()) return std::nullopt;
  if (method == verb::post && route.resource_id.empty()) {
    if (auto key = reserved_key(body)) return refused("Property", *key);
    return std::nullopt;
  }
  if (method != verb::patch || !body.is_array()) return std::nullopt;
  for (const auto& op : body) {
    if (!op.is_object()) continue;
    for (const char* field : {"path", "from"}) {
      if (!op.contains(field) || !op[field].is_string()) continue;
      auto name = op[field].get<std::string>();
      if (!name.empty() && name[0] == '/') name.erase(0, 1);
      if (is_reserved_name(name)) return refused("Property", name);
    }
  }
  return std::nullopt;
}

} // namespace

bool is_reserved_name(std::string_view name) { return name.rfind(reserved_prefix, 0) == 0; }

std::optional<marker_guard_answer> guard_markers(const api::route& route, verb method, const json& body) {
  switch (route.service) {
    case service_type::network: return guard_network(route, method, body);
    case service_type::image: return guard_image(route, method, body);
    case service_type::compute:
      if (route.resource == "servers") return guard_metadata(route, method, body, "server", "Metadata item was not found");
      if (route.resource == "os-server-groups" && method == verb::post && body.is_object() &&
          body.contains("server_group") && body["server_group"].is_object()) {
        auto name = body["server_group"].value("name", json());
        if (name.is_string() && is_reserved_name(name.get_ref<const std::string&>())) return refused("Server group name", name);
      }
      return std::nullopt;
    case service_type::volume: {
      // Cinder's VolumeMetadataNotFound and its snapshot and backup equivalents.
      auto not_found = "The " + route.resource.substr(0, route.resource.size() - 1) + " " + route.resource_id +
                       " has no metadata with key " + route.sub_id + ".";
      if (route.resource == "volumes") return guard_metadata(route, method, body, "volume", not_found);
      if (route.resource == "snapshots") return guard_metadata(route, method, body, "snapshot", not_found);
      if (route.resource == "backups") return guard_metadata(route, method, body, "backup", not_found);
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

} // namespace fedstack::agent
