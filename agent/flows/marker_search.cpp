#include "agent/flows/marker_search.hpp"

#include "agent/flows/federation.hpp"
#include "agent/rules/backup_rule.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/percent.hpp"
#include "api/urls.hpp"

namespace fedstack::agent {

using json = nlohmann::json;
using storage::resource_kind;

namespace {

/// A snapshot the agent recorded names the server it was taken of
/// (lifecycle.cpp, create_image); an inherited marker names another or none.
bool is_recorded_snapshot(const json& image) {
  auto server = image.find("instance_uuid");
  auto of = image.find(std::string(api::snapshot_of_key));
  return server != image.end() && server->is_string() && of != image.end() && *of == *server;
}

} // namespace

std::optional<marker_search> search_for_marker(resource_kind kind, const std::string& global_id,
                                               bool all_projects) {
  auto tag = api::percent_encode(api::marker_tag({global_id, false, {}}));
  switch (kind) {
    case resource_kind::image:
      return marker_search{api::service_type::image,
                           "/v2/images?" + std::string(api::gid_key) + "=" + api::percent_encode(global_id),
                           "images"};
    case resource_kind::server:
      return marker_search{api::service_type::compute,
                           std::string("/v2.1/servers/detail") + (all_projects ? "?all_tenants=1" : ""),
                           "servers"};
    case resource_kind::network:
      return marker_search{api::service_type::network, "/v2.0/networks?tags=" + tag, "networks"};
    case resource_kind::subnet:
      return marker_search{api::service_type::network, "/v2.0/subnets?tags=" + tag, "subnets"};
    case resource_kind::port:
      return marker_search{api::service_type::network, "/v2.0/ports?tags=" + tag, "ports"};
    case resource_kind::floating_ip:
      return marker_search{api::service_type::network, "/v2.0/floatingips?tags=" + tag, "floatingips"};
    case resource_kind::router:
      return marker_search{api::service_type::network, "/v2.0/routers?tags=" + tag, "routers"};
    // Cinder filters on metadata (`metadata={"k": "v"}`, percent-encoded JSON).
    case resource_kind::volume:
    case resource_kind::volume_snapshot: {
      std::string collection = kind == resource_kind::volume ? "volumes" : "snapshots";
      auto filter = api::percent_encode("{\"" + std::string(api::gid_key) + "\": \"" + global_id + "\"}");
      return marker_search{api::service_type::volume,
                           "/v3/" + collection + "/detail?metadata=" + filter + (all_projects ? "&all_tenants=1" : ""),
                           collection};
    }
    // Cinder filters backups on name, status and volume_id only (resource_filters.json), and shows
    // their metadata from 3.43 (rules/backup_rule.hpp): the whole detail list is read there.
    case resource_kind::volume_backup:
      return marker_search{api::service_type::volume,
                           std::string("/v3/backups/detail") + (all_projects ? "?all_tenants=1" : ""), "backups"};
    default:
      return std::nullopt;
  }
}

std::string next_page(api::service_type service, const std::string& collection, const json& doc) {
  if (!doc.is_object()) return {};
  if (service == api::service_type::image) {
    // Glance's next link is "/v2/images?marker=..." relative to its root.
    auto next = doc.value("next", json());
    return next.is_string() ? api::next_page_path(next.get<std::string>()) : std::string{};
  }
  auto root = service == api::service_type::compute  ? std::string_view("/v2.1/")
              : service == api::service_type::volume ? std::string_view("/v3/")
                                                     : std::string_view("/v2.0/");
  auto links = doc.value(collection + "_links", json::array());
  if (!links.is_array()) return {};
  for (const auto& link : links) {
    if (!link.is_object() || link.value("rel", std::string{}) != "next") continue;
    auto href = link.value("href", std::string{});
    auto at = href.find(root);
    return at == std::string::npos ? std::string{} : api::next_page_path(href.substr(at));
  }
  return {};
}

http::awaitable<std::vector<json>> list_marked_on(agent_context& context, const bhttp::fields& headers,
                                                  const cloudlet_endpoints& c, resource_kind kind,
                                                  const std::string& global_id, bool all_projects) {
  std::vector<json> found;
  auto search = search_for_marker(kind, global_id, all_projects);
  if (!search) co_return found;
  auto list_headers = headers;
  // Cinder shows a backup's metadata from 3.43 (rules/backup_rule.hpp).
  if (kind == resource_kind::volume_backup)
    list_headers.set("OpenStack-API-Version", api::volume_api_version_header(backup_metadata_version));
  std::size_t pages = 0;
  for (auto path = search->path; !path.empty();) {
    if (++pages > max_marker_pages)
      throw upstream_failure(503, c.region + " lists more than " + std::to_string(max_marker_pages) + " pages of " +
                                    search->collection);
    auto answer = co_await call_cloudlet(context, c, search->service, bhttp::verb::get, path, list_headers);
    if (answer.status != 200)
      throw upstream_failure(503, c.region + " answered " + std::to_string(answer.status) + " to a list of " +
                                    search->collection);
    auto doc = json::parse(answer.body, nullptr, false);
    if (!doc.is_object() || !doc.contains(search->collection) || !doc[search->collection].is_array())
      throw upstream_failure(503, c.region + " answered a list of " + search->collection + " without one");
    for (auto& item : doc[search->collection]) {
      auto m = api::read_marker(search->service, item);
      // A server of a boot of several is found by its own ID or by the boot's.
      if (m && (m->global_id == global_id || m->shared_id == global_id) && item.contains("id") && item["id"].is_string())
        found.push_back(std::move(item));
    }
    path = next_page(search->service, search->collection, doc);
  }
  co_return found;
}

http::awaitable<std::optional<marked_resource>> find_marked_primary(agent_context& context,
                                                                     const bhttp::fields& headers,
                                                                     resource_kind kind,
                                                                     const std::string& global_id,
                                                                     bool all_projects,
                                                                     const std::set<std::string>& abandoned_tokens,
                                                                     recorded_snapshots snapshots) {
  auto search = search_for_marker(kind, global_id, all_projects);
  if (!search) co_return std::nullopt;
  std::string silent;
  for (const auto& c : all_cloudlets(context)) {
    std::vector<json> items;
    try {
      items = co_await list_marked_on(context, headers, c, kind, global_id, all_projects);
    } catch (const upstream_failure& e) {
      silent = c.region + ": " + e.what();
      continue;
    }
    for (auto& item : items) {
      auto marked = to_marked_item(search->service, item);
      if (!marked || marked->marker.is_copy) continue;
      if (marked->derived_image && !(snapshots == recorded_snapshots::accept && is_recorded_snapshot(item))) continue;
      if (!marked->marker.attempt.empty() && abandoned_tokens.contains(marked->marker.attempt)) continue;
      co_return marked_resource{c, std::move(item), std::move(marked->local_id)};
    }
  }
  if (!silent.empty()) throw upstream_failure(503, "cannot look for " + global_id + " on " + silent);
  co_return std::nullopt;
}

} // namespace fedstack::agent
