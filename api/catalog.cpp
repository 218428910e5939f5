#include "api/catalog.hpp"

#include "api/service.hpp"
#include "api/urls.hpp"
#include "api/uuid.hpp"

#include <array>
#include <cstdint>
#include <set>

namespace fedstack::api {
namespace {

using nlohmann::json;

constexpr std::array<service_type, 4> proxied = {service_type::identity, service_type::compute,
                                                 service_type::image, service_type::network};
constexpr std::array<std::string_view, 3> interfaces = {"public", "internal", "admin"};

std::string_view default_name(service_type s) {
  switch (s) {
    case service_type::identity: return "keystone";
    case service_type::image: return "glance";
    case service_type::network: return "neutron";
    case service_type::compute: return "nova";
    case service_type::volume: return "cinderv3";
    case service_type::none: break;
  }
  return "";
}

std::uint64_t fnv1a(std::string_view text, std::uint64_t hash) {
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string string_field(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string endpoint_region(const json& endpoint) {
  auto region = string_field(endpoint, "region_id");
  return region.empty() ? string_field(endpoint, "region") : region;
}

// The catalog array of a token body or a catalog body; Json is json or const json.
template <class Json>
Json* catalog_of(Json& body) {
  if (!body.is_object()) return nullptr;
  auto token = body.find("token");
  Json* holder = token != body.end() && token->is_object() ? &*token : &body;
  auto catalog = holder->find("catalog");
  return catalog != holder->end() && catalog->is_array() ? &*catalog : nullptr;
}

json agent_service(service_type s, const json* original, const std::set<std::string>& regions,
                   std::string_view agent_base, std::string type = {}, std::string url = {}) {
  if (type.empty()) type = std::string(to_string(s));
  std::string name = original ? string_field(*original, "name") : std::string();
  if (name.empty()) name = std::string(default_name(s));
  json endpoints = json::array();
  if (url.empty()) url = agent_endpoint_url(s, agent_base);
  for (const auto& region : regions) {
    for (auto interface : interfaces) {
      endpoints.push_back({{"id", stable_hex_id("fedstack:endpoint:" + type + ":" +
                                                std::string(interface) + ":" + region)},
                           {"interface", interface},
                           {"region_id", region},
                           {"region", region},
                           {"url", url}});
    }
  }
  return {{"endpoints", std::move(endpoints)},
          {"id", stable_hex_id("fedstack:service:" + type)},
          {"type", type},
          {"name", name}};
}

// The project a Block Storage URL names: the token's project, else the last segment of
// the original endpoint's URL when it is a project ID (a `/v3/auth/catalog` body has no
// token; Keystone substituted the project there).
std::string volume_project(const json& body, const json* original) {
  auto token = body.find("token");
  if (token != body.end() && token->is_object()) {
    auto project = token->find("project");
    if (project != token->end() && project->is_object()) return string_field(*project, "id");
    return {};
  }
  if (!original) return {};
  auto endpoints = original->find("endpoints");
  if (endpoints == original->end() || !endpoints->is_array()) return {};
  for (const auto& endpoint : *endpoints) {
    if (!endpoint.is_object()) continue;
    auto url = string_field(endpoint, "url");
    auto last = url.substr(url.rfind('/') + 1);
    if (is_hex_id(last)) return last;
  }
  return {};
}

} // namespace

std::string stable_hex_id(std::string_view text) {
  static constexpr char digits[] = "0123456789abcdef";
  // Two different offset bases give 128 bits; collisions do not matter for a handful of IDs.
  std::uint64_t parts[2] = {fnv1a(text, 0xcbf29ce484222325ULL), fnv1a(text, 0x84222325cbf29ce4ULL)};
  std::string out;
  for (auto part : parts)
    for (int shift = 60; shift >= 0; shift -= 4) out.push_back(digits[(part >> shift) & 0xf]);
  return out;
}

bool rewrite_catalog(json& body, std::string_view agent_base_url, std::string_view region) {
  if (!body.is_object()) return false;
  bool has_token = body.contains("token") && body["token"].is_object();
  json* catalog = catalog_of(body);
  if (!catalog) return has_token; // unscoped token or ?nocatalog: nothing to rewrite

  std::set<std::string> regions;
  if (!region.empty()) regions.insert(std::string(region));
  std::array<const json*, proxied.size()> originals{};
  const json* volume = nullptr;
  for (const auto& service : *catalog) {
    if (!service.is_object()) continue;
    auto type = service_from_string(string_field(service, "type"));
    if (!type) continue;
    if (*type == service_type::volume && !volume) volume = &service;
    for (std::size_t i = 0; i < proxied.size(); ++i)
      if (proxied[i] == *type && !originals[i]) originals[i] = &service;
    auto endpoints = service.find("endpoints");
    if (endpoints == service.end() || !endpoints->is_array()) continue;
    for (const auto& endpoint : *endpoints)
      if (endpoint.is_object() && !endpoint_region(endpoint).empty())
        regions.insert(endpoint_region(endpoint));
  }

  json rewritten = json::array();
  for (std::size_t i = 0; i < proxied.size(); ++i)
    rewritten.push_back(agent_service(proxied[i], originals[i], regions, agent_base_url));
  if (volume) {
    // Both names of Block Storage v3, at devstack's path on the agent with the project.
    auto url = agent_endpoint_url(service_type::volume, agent_base_url);
    auto project = volume_project(body, volume);
    if (!project.empty()) url += "/" + project;
    for (const char* type : {"volumev3", "block-storage"})
      rewritten.push_back(agent_service(service_type::volume, volume, regions, agent_base_url, type, url));
  }
  *catalog = std::move(rewritten);
  return true;
}

const json* find_catalog(const json& body) {
  if (body.is_array()) return &body;
  return catalog_of(body);
}

std::optional<std::string> find_endpoint_url(const json& body, std::string_view service_type,
                                             std::string_view interface,
                                             std::string_view region) {
  const json* catalog = find_catalog(body);
  if (!catalog) return std::nullopt;
  for (const auto& service : *catalog) {
    if (!service.is_object() || string_field(service, "type") != service_type) continue;
    auto endpoints = service.find("endpoints");
    if (endpoints == service.end() || !endpoints->is_array()) continue;
    for (const auto& endpoint : *endpoints) {
      if (!endpoint.is_object() || string_field(endpoint, "interface") != interface) continue;
      if (!region.empty() && string_field(endpoint, "region_id") != region &&
          string_field(endpoint, "region") != region)
        continue;
      auto url = string_field(endpoint, "url");
      if (!url.empty()) return url;
    }
  }
  return std::nullopt;
}

} // namespace fedstack::api
