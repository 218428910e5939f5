#pragma once
// Which API collections the registry records, and how their creates answer.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/route.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// The registry kind of a route's collection, if its items are recorded.
inline std::optional<storage::resource_kind> kind_of(const api::route& route) {
  const auto& c = route.resource;
  using storage::resource_kind;
  if (route.service == api::service_type::image && c == "images") return resource_kind::image;
  if (route.service == api::service_type::network) {
    if (c == "networks") return resource_kind::network;
    if (c == "subnets") return resource_kind::subnet;
    if (c == "ports") return resource_kind::port;
    if (c == "floatingips") return resource_kind::floating_ip;
    if (c == "routers") return resource_kind::router;
  }
  if (route.service == api::service_type::compute && c == "servers") return resource_kind::server;
  if (route.service == api::service_type::volume) {
    if (c == "volumes") return resource_kind::volume;
    if (c == "snapshots") return resource_kind::volume_snapshot;
    if (c == "backups") return resource_kind::volume_backup;
  }
  return std::nullopt;
}

/// The registry kind of the resource a route's item names: kind_of's, and
/// Nova's image proxy (`/v2.1/images/{id}`), whose items are Glance's images
/// (Nova asks its Glance with the caller's token).
inline std::optional<storage::resource_kind> recorded_kind_of(const api::route& route) {
  if (auto kind = kind_of(route)) return kind;
  if (route.service == api::service_type::compute && route.resource == "images") return storage::resource_kind::image;
  return std::nullopt;
}

/// The ID of the resource a create returned, from `{"network": {"id": ...}}`
/// or Glance's bare `{"id": ...}`.
inline std::optional<std::string> created_id(const nlohmann::json& body, std::string_view collection) {
  if (!body.is_object()) return std::nullopt;
  if (body.contains("id") && body["id"].is_string()) return body["id"].get<std::string>();
  auto singular = std::string(collection.substr(0, collection.size() - 1));
  if (body.contains(singular) && body[singular].is_object()) {
    const auto& item = body[singular];
    if (item.contains("id") && item["id"].is_string()) return item["id"].get<std::string>();
  }
  return std::nullopt;
}

/// The created resource's name, for the registry entry.
inline std::string created_name(const nlohmann::json& body, std::string_view collection) {
  auto singular = std::string(collection.substr(0, collection.size() - 1));
  const auto& item = body.contains(singular) ? body[singular] : body;
  if (item.is_object() && item.contains("name") && item["name"].is_string())
    return item["name"].get<std::string>();
  return {};
}

} // namespace fedstack::agent
