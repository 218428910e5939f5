#include "api/versions.hpp"

#include "api/urls.hpp"

namespace fedstack::api {
namespace {

using nlohmann::json;

json self_link(const std::string& href) { return json::array({{{"rel", "self"}, {"href", href}}}); }

// Keystone v3 and its `updated` date as Zed reports them.
json identity_version(std::string_view agent_base) {
  return {{"id", "v3.14"},
          {"status", "stable"},
          {"updated", "2020-04-07T00:00:00Z"},
          {"links", self_link(agent_endpoint_url(service_type::identity, agent_base) + "/")},
          {"media-types",
           json::array({{{"base", "application/json"},
                         {"type", "application/vnd.openstack.identity-v3+json"}}})}};
}

json compute_version(std::string_view agent_base, const microversion_range& range, bool legacy_v2,
                     bool with_media) {
  auto root = agent_service_root(service_type::compute, agent_base);
  json version = {{"id", legacy_v2 ? "v2.0" : "v2.1"},
                  {"status", legacy_v2 ? "SUPPORTED" : "CURRENT"},
                  {"version", legacy_v2 ? std::string() : to_string(range.max)},
                  {"min_version", legacy_v2 ? std::string() : to_string(range.min)},
                  {"updated", legacy_v2 ? "2011-01-21T11:33:21Z" : "2013-07-23T11:33:21Z"},
                  {"links", self_link(root + (legacy_v2 ? "/v2/" : "/v2.1/"))}};
  if (with_media) {
    version["links"].push_back(
        {{"rel", "describedby"}, {"type", "text/html"}, {"href", "http://docs.openstack.org/"}});
    version["media-types"] = json::array(
        {{{"base", "application/json"},
          {"type", legacy_v2 ? "application/vnd.openstack.compute+json;version=2"
                             : "application/vnd.openstack.compute+json;version=2.1"}}});
  }
  return version;
}

// Cinder's one version (its versions.py `_MIN_API_VERSION`.."_MAX_API_VERSION").
json volume_version(std::string_view agent_base, const microversion_range& range) {
  auto href = agent_service_root(service_type::volume, agent_base) + "/v3/";
  json links = json::array();
  links.push_back({{"rel", "describedby"}, {"type", "text/html"}, {"href", "https://docs.openstack.org/"}});
  links.push_back(self_link(href)[0]);
  return {{"id", "v3.0"},
          {"status", "CURRENT"},
          {"version", to_string(range.max)},
          {"min_version", to_string(range.min)},
          {"updated", "2016-02-08T12:20:21Z"},
          {"links", std::move(links)},
          {"media-types",
           json::array({{{"base", "application/json"},
                         {"type", "application/vnd.openstack.volume+json;version=3"}}})}};
}

} // namespace

document volume_version_list(std::string_view agent_base, const microversion_range& range, bool multiple_choices) {
  document doc;
  doc.status = multiple_choices ? 300 : 200;
  doc.body = {{"versions", json::array({volume_version(agent_base, range)})}};
  return doc;
}

document identity_version_list(std::string_view agent_base) {
  document doc;
  doc.status = 300;
  doc.body = {{"versions", {{"values", json::array({identity_version(agent_base)})}}}};
  doc.headers.emplace_back("Location", agent_endpoint_url(service_type::identity, agent_base) + "/");
  return doc;
}

document identity_version_doc(std::string_view agent_base) {
  document doc;
  doc.body = {{"version", identity_version(agent_base)}};
  return doc;
}

document image_version_list(std::string_view agent_base, bool multiple_choices) {
  // Glance Zed lists these minor versions (no 2.8, 2.10-2.13), newest first.
  static constexpr int minors[] = {16, 15, 14, 9, 7, 6, 5, 4, 3, 2, 1, 0};
  auto href = agent_service_root(service_type::image, agent_base) + "/v2/";
  json versions = json::array();
  for (int minor : minors)
    versions.push_back({{"id", "v2." + std::to_string(minor)},
                        {"status", minor == minors[0] ? "CURRENT" : "SUPPORTED"},
                        {"links", self_link(href)}});
  document doc;
  doc.status = multiple_choices ? 300 : 200;
  doc.body = {{"versions", std::move(versions)}};
  return doc;
}

document network_version_list(std::string_view agent_base) {
  auto href = agent_service_root(service_type::network, agent_base) + "/v2.0/";
  document doc;
  doc.body = {{"versions",
               json::array({{{"id", "v2.0"}, {"status", "CURRENT"}, {"links", self_link(href)}}})}};
  return doc;
}

document network_resources_doc(std::string_view agent_base) {
  static constexpr std::pair<const char*, const char*> resources[] = {
      {"network", "networks"}, {"subnet", "subnets"}, {"subnetpool", "subnetpools"},
      {"port", "ports"}};
  auto base = agent_service_root(service_type::network, agent_base) + "/v2.0/";
  json list = json::array();
  for (const auto& [name, collection] : resources)
    list.push_back({{"name", name},
                    {"collection", collection},
                    {"links", self_link(base + collection)}});
  document doc;
  doc.body = {{"resources", std::move(list)}};
  return doc;
}

document compute_version_list(std::string_view agent_base, const microversion_range& range) {
  document doc;
  doc.body = {{"versions", json::array({compute_version(agent_base, range, true, false),
                                        compute_version(agent_base, range, false, false)})}};
  return doc;
}

document compute_version_doc(std::string_view agent_base, const microversion_range& range,
                             bool legacy_v2) {
  document doc;
  doc.body = {{"version", compute_version(agent_base, range, legacy_v2, true)}};
  return doc;
}

std::optional<document> version_document(const route& r, std::string_view agent_base,
                                         const microversion_range& compute_range,
                                         const microversion_range& volume_range) {
  bool list = r.kind == route_kind::version_list;
  if (!list && r.kind != route_kind::version_doc) return std::nullopt;
  switch (r.service) {
    case service_type::identity:
      return list ? identity_version_list(agent_base) : identity_version_doc(agent_base);
    case service_type::image:
      if (list) return image_version_list(agent_base, r.upstream_path != "/versions");
      return std::nullopt;
    case service_type::network:
      return list ? network_version_list(agent_base) : network_resources_doc(agent_base);
    case service_type::compute:
      return list ? compute_version_list(agent_base, compute_range)
                  : compute_version_doc(agent_base, compute_range, r.api_version == "v2");
    case service_type::volume:
      return volume_version_list(agent_base, volume_range, list);
    case service_type::none: break;
  }
  return std::nullopt;
}

} // namespace fedstack::api
