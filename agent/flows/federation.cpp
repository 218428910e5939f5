#include "agent/flows/federation.hpp"

#include <algorithm>
#include <functional>

#include <spdlog/spdlog.h>

#include "agent/flows/visible_entry.hpp"
#include "agent/rules/id_maps.hpp"
#include "agent/services/fan_out.hpp"
#include "agent/services/registry_client.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/json_uuids.hpp"
#include "api/rewrite.hpp"
#include "api/urls.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// A reference from one resource to another that a cloud shows by its own ID
/// (path: the referenced item's, e.g. /v2/images/).
using reference = api::scanned_reference;

/// The references a client follows: the image of a server, the network of a
/// subnet or port, the subnets of a port, the volume of an attachment (Nova's
/// `volumeId`; Cinder's `volume_id`, as a snapshot and a backup name theirs too)
/// and its server (Cinder's `server_id`, the attachment API's `instance`).
void collect_references(const json& doc, api::service_type service, std::vector<reference>& out) {
  if (doc.is_object()) {
    auto add = [&](const char* key, api::service_type of, const char* path) {
      auto it = doc.find(key);
      if (it != doc.end() && it->is_string()) out.push_back({of, path, it->get<std::string>()});
    };
    if (service == api::service_type::compute) {
      add("volumeId", api::service_type::volume, "/v3/volumes/");
      // A server's volumes: `os-extended-volumes:volumes_attached` items' `id`.
      auto attached = doc.find("os-extended-volumes:volumes_attached");
      if (attached != doc.end() && attached->is_array())
        for (const auto& v : *attached)
          if (v.is_object() && v.contains("id") && v["id"].is_string())
            out.push_back({api::service_type::volume, "/v3/volumes/", v["id"].get<std::string>()});
    }
    if (service == api::service_type::volume) {
      add("server_id", api::service_type::compute, "/v2.1/servers/");
      add("instance", api::service_type::compute, "/v2.1/servers/");
      add("volume_id", api::service_type::volume, "/v3/volumes/");
    }
    if (service == api::service_type::compute && doc.contains("image") && doc["image"].is_object()) {
      const auto& image = doc["image"];
      if (image.contains("id") && image["id"].is_string())
        out.push_back({api::service_type::image, "/v2/images/", image["id"].get<std::string>()});
    }
    if (service == api::service_type::network) {
      if (doc.contains("network_id") && doc["network_id"].is_string())
        out.push_back({service, "/v2.0/networks/", doc["network_id"].get<std::string>()});
      if (doc.contains("subnet_id") && doc["subnet_id"].is_string())
        out.push_back({service, "/v2.0/subnets/", doc["subnet_id"].get<std::string>()});
    }
    for (const auto& [key, value] : doc.items())
      if (value.is_structured()) collect_references(value, service, out);
  } else if (doc.is_array()) {
    for (const auto& value : doc) collect_references(value, service, out);
  }
}

/// The global ID in the marker of the item a reference points at, read from its cloud.
http::awaitable<std::optional<std::string>> referenced_global_id(request& r,
                                                                 const cloudlet_endpoints& cloudlet,
                                                                 const reference& ref) {
  auto answer = co_await call_cloudlet(r.context, cloudlet, ref.service, bhttp::verb::get,
                                       ref.path + ref.id, client_call_headers(r));
  if (answer.status != 200) co_return std::nullopt;
  auto doc = json::parse(answer.body, nullptr, false);
  if (!doc.is_object()) co_return std::nullopt;
  // Neutron, Nova and Cinder wrap the item in an object named by its kind; Glance does not.
  if (ref.service != api::service_type::image && doc.size() == 1 && doc.begin()->is_object())
    doc = json(*doc.begin());
  auto m = api::read_marker(ref.service, doc);
  if (!m) co_return std::nullopt;
  // A volume's marker may be a restore's copy of another's (own_markers_on).
  if (ref.service == api::service_type::volume && !m->is_copy) {
    std::vector<marked_id> read{marked_id{ref.id, m->global_id, false}};
    auto own = co_await own_markers_on(r, cloudlet.region, read);
    if (own.empty()) co_return std::nullopt;
  }
  co_return m->global_id;
}

} // namespace

http::awaitable<std::vector<marked_id>> own_markers_on(request& r, const std::string& cloudlet,
                                                       const std::vector<marked_id>& markers) {
  looked_up_entries entries;
  std::vector<std::string> to_ask;
  for (const auto& m : markers) {
    if (m.is_copy || entries.count(m.global_id)) continue;
    entries.emplace(m.global_id, std::nullopt);   // no owner to have an entry, until one answers
    if (api::global_id_owner(m.global_id)) to_ask.push_back(m.global_id);
  }
  // Each owner asked at once: a page of volumes costs one round trip to the owners, not one per item.
  std::vector<std::function<http::awaitable<void>()>> asks;
  for (const auto& id : to_ask)
    asks.push_back([&r, &entries, &cloudlet, id]() -> http::awaitable<void> {
      try {
        entries[id] = co_await r.context.registry->get_any_project(id);
      } catch (const registry_unavailable& e) {
        entries.erase(id);   // taken as it is (own_markers keeps a marker it has no answer for)
        spdlog::info("{} marker {} on {}: its owner cannot be asked ({}); taken as it is", r.request_id, id,
                     cloudlet, e.what());
      }
    });
  co_await run_all_to_end(std::move(asks));
  auto own = own_markers(markers, entries, cloudlet);
  if (own.size() == markers.size()) co_return own;
  for (const auto& m : markers)
    if (std::none_of(own.begin(), own.end(), [&](const marked_id& o) { return o.local_id == m.local_id && o.global_id == m.global_id; }))
      r.context.aliases.forget(cloudlet, m.local_id, m.global_id);
  spdlog::info("{} {} of {} markers on {} name another item (copied by the cloud): shown by their cloud IDs",
                 r.request_id, markers.size() - own.size(), markers.size(), cloudlet);
  co_return own;
}

bhttp::fields client_call_headers(const request& r) {
  bhttp::fields headers;
  headers.set("X-Auth-Token", r.header()["X-Auth-Token"]);
  headers.set("X-Openstack-Request-Id", r.request_id);
  headers.set(bhttp::field::accept, "application/json");
  headers.set(bhttp::field::content_type, "application/json");
  for (const char* name : {"OpenStack-API-Version", "X-OpenStack-Nova-API-Version"})
    if (auto v = r.header()[name]; !v.empty()) headers.set(name, v);
  return headers;
}


http::awaitable<std::map<std::string, std::string>>
ids_to_local(request& r, const std::string& cloudlet, const std::vector<std::string_view>& texts,
             const std::map<std::string, std::string>& known) {
  std::map<std::string, storage::registry_entry> entries;
  for (const auto& id : global_ids_to_look_up(texts, known))
    if (auto entry = co_await visible_entry(r, id))
      entries.emplace(id, std::move(*entry));
  auto mapping = global_to_local(known, entries, cloudlet);
  for (const auto& [global, entry] : entries)
    if (auto it = mapping.find(global); it != mapping.end() && !known.count(global))
      r.context.aliases.learn(cloudlet, it->second, global);
  co_return mapping;
}

/// ids_to_global's work once the markers are known; the references are read
/// from `body`, else taken from `scanned`, only when an ID is still unknown.
static http::awaitable<std::map<std::string, std::string>>
to_global(request& r, const std::string& cloudlet, api::service_type service, json* body,
          global_id_sources& sources, const std::vector<std::string>& local_ids,
          const std::vector<std::string>& other_projects, const std::vector<reference>& scanned) {
  auto& context = r.context;
  if (service == api::service_type::volume && !sources.markers.empty())
    sources.markers = co_await own_markers_on(r, cloudlet, sources.markers);
  for (const auto& m : sources.markers) context.aliases.learn(cloudlet, m.local_id, m.global_id);
  // One map, grown in local_to_global's order of precedence (markers over what was
  // known, over the registry's answers in the order asked, over the aliases).
  auto known = local_to_global(sources);
  auto unknown = ids_needing_registry(local_ids, known);
  if (!unknown.empty()) {
    sources.registry = co_await context.registry->to_global(r.identity->project_id, cloudlet, unknown);
    for (const auto& m : sources.registry) known.emplace(m.local_id, m.global_id);
    for (const auto& project : other_projects) {
      auto still = ids_needing_registry(unknown, known);
      if (still.empty()) break;
      auto more = co_await context.registry->to_global(project, cloudlet, still);
      for (const auto& m : more) known.emplace(m.local_id, m.global_id);
    }
    for (const auto& id : unknown)
      if (!known.count(id))
        if (auto alias = context.aliases.find(cloudlet, id)) known.emplace(id, std::move(*alias));
  }
  // What is still unknown and referenced (a copy another agent made): its marker says.
  std::vector<reference> references;
  if (body && !unknown.empty()) collect_references(*body, service, references);
  if (!body && !unknown.empty()) references = scanned;
  std::optional<cloudlet_endpoints> where;
  for (const auto& ref : references) {
    if (known.count(ref.id) || !api::is_uuid(ref.id)) continue;
    if (!where) where = find_cloudlet(context, cloudlet);
    if (!where) break;
    auto global = co_await referenced_global_id(r, *where, ref);
    if (!global) continue;
    context.aliases.learn(cloudlet, ref.id, *global);
    known.emplace(ref.id, std::move(*global));
  }
  co_return known;
}

http::awaitable<std::map<std::string, std::string>>
ids_to_global(request& r, const std::string& cloudlet, api::service_type service, json* body,
              const std::vector<std::string>& local_ids, const std::map<std::string, std::string>& seed,
              const std::vector<std::string>& other_projects) {
  global_id_sources sources;
  sources.known = seed;
  if (body) sources.markers = take_markers(*body, service);
  std::vector<reference> none;
  co_return co_await to_global(r, cloudlet, service, body, sources, local_ids, other_projects, none);
}

http::awaitable<std::map<std::string, std::string>>
ids_to_global_scanned(request& r, const std::string& cloudlet, api::service_type service,
                      const std::vector<marked_id>& markers,
                      const std::vector<api::scanned_reference>& references,
                      const std::vector<std::string>& local_ids,
                      const std::vector<std::string>& other_projects) {
  global_id_sources sources;
  sources.markers = markers;
  co_return co_await to_global(r, cloudlet, service, nullptr, sources, local_ids, other_projects, references);
}

std::string rewrite_for_client(const request& r, const cloudlet_endpoints& cloudlet,
                               api::service_type service, std::string_view text,
                               const std::map<std::string, std::string>& to_global) {
  auto out = api::rewrite_uuids(text, lookup_in(to_global));
  return api::rewrite_url_prefix(out, root_url(endpoint_of(cloudlet, service)),
                                 api::agent_service_root(service, r.context.base_url));
}

void rewrite_location(const request& r, const cloudlet_endpoints& cloudlet, api::service_type service,
                      bhttp::fields& headers, const std::map<std::string, std::string>& to_global) {
  auto location = headers.find(bhttp::field::location);
  if (location == headers.end()) return;
  // keep_location_on_agent drops it later if it still points elsewhere.
  headers.set(bhttp::field::location, rewrite_for_client(r, cloudlet, service, location->value(), to_global));
}

void rewrite_json_for_client(const request& r, const cloudlet_endpoints& cloudlet,
                             api::service_type service, json& doc,
                             const std::map<std::string, std::string>& to_global) {
  api::rewrite_json_uuids(doc, lookup_in(to_global));
  api::rewrite_json_urls(doc, root_url(endpoint_of(cloudlet, service)),
                         api::agent_service_root(service, r.context.base_url));
}


} // namespace fedstack::agent
