#include "api/route_methods.hpp"

namespace fedstack::api::detail {
namespace {

constexpr std::string_view read_only = "GET, HEAD";
constexpr std::string_view every = "GET, HEAD, POST, PUT, PATCH, DELETE";

// Where in a resource a call lands.
enum class depth { collection, collection_action, item, item_action, deeper };

depth depth_of(const route& r) {
  if (r.resource_id.empty())
    return r.action.empty() && r.segments.size() <= 1 ? depth::collection
                                                       : depth::collection_action;
  if (r.action.empty()) return depth::item;
  return r.segments.size() == 3 ? depth::item_action : depth::deeper;
}

std::string_view identity_methods(const route& r) {
  if (r.resource == "tokens") return "GET, HEAD, POST, DELETE";
  if (r.resource == "catalog") return read_only;
  return every; // projects, users, roles, ...: Keystone decides
}

std::string_view image_methods(const route& r, depth d) {
  if (r.resource == "schemas") return read_only;
  if (r.resource != "images") return every;
  if (r.api_version == "v1") {
    switch (d) {
      case depth::collection: return "GET, HEAD, POST";
      case depth::collection_action: return r.action == "detail" ? read_only : every;
      case depth::item: return "GET, HEAD, PUT, DELETE";
      default: return every;
    }
  }
  switch (d) {
    case depth::collection: return "GET, HEAD, POST";
    case depth::item: return "GET, HEAD, PATCH, DELETE";
    case depth::item_action: return r.action == "file" ? "GET, HEAD, PUT" : every;
    default: return every;
  }
}

// Neutron's resources all follow one pattern: POST to create on the collection,
// PUT (never PATCH) to update an item; sub-resources such as tags or router actions vary.
std::string_view network_methods(const route& r, depth d) {
  if (r.resource == "extensions") return read_only;
  switch (d) {
    case depth::collection: return "GET, HEAD, POST";
    case depth::collection_action: return read_only;
    case depth::item: return "GET, HEAD, PUT, DELETE";
    default: return every;
  }
}

std::string_view compute_methods(const route& r, depth d) {
  if (r.resource == "os-hypervisors") return read_only;
  if (r.resource != "servers" && r.resource != "flavors") return every;
  switch (d) {
    case depth::collection: return "GET, HEAD, POST";
    case depth::collection_action: return read_only; // detail
    case depth::item: return "GET, HEAD, PUT, DELETE";
    case depth::item_action: return r.action == "action" ? "POST" : every;
    case depth::deeper: return every;
  }
  return every;
}

// Cinder's volumes and snapshots: create on the collection, PUT an item, actions by POST.
std::string_view volume_methods(const route& r, depth d) {
  if (r.resource != "volumes" && r.resource != "snapshots") return every;
  switch (d) {
    case depth::collection: return "GET, HEAD, POST";
    case depth::collection_action: return read_only; // detail
    case depth::item: return "GET, HEAD, PUT, DELETE";
    case depth::item_action: return r.action == "action" ? "POST" : every;
    case depth::deeper: return every;
  }
  return every;
}

} // namespace

std::string allowed_methods(const route& r) {
  depth d = depth_of(r);
  switch (r.service) {
    case service_type::identity: return std::string(identity_methods(r));
    case service_type::image: return std::string(image_methods(r, d));
    case service_type::network: return std::string(network_methods(r, d));
    case service_type::compute: return std::string(compute_methods(r, d));
    case service_type::volume: return std::string(volume_methods(r, d));
    case service_type::none: break;
  }
  return std::string(every);
}

bool method_in(std::string_view method, std::string_view allow) {
  if (method.empty()) return false;
  while (!allow.empty()) {
    auto comma = allow.find(',');
    auto item = allow.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item == method) return true;
    if (comma == std::string_view::npos) break;
    allow.remove_prefix(comma + 1);
  }
  return false;
}

} // namespace fedstack::api::detail
