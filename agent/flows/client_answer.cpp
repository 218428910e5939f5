#include "agent/flows/client_answer.hpp"

#include <nlohmann/json.hpp>

#include "agent/flows/federation.hpp"
#include "agent/flows/flavor_ids.hpp"
#include "agent/rules/admin_scope.hpp"
#include "agent/rules/id_free_answer.hpp"
#include "agent/services/cloudlets.hpp"
#include "api/global_id.hpp"
#include "api/rewrite.hpp"
#include "api/urls.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// A server shows the cloudlet it lives on as its availability zone.
/// A cloudlet is an availability zone: Nova's servers and Cinder's volumes show their cloudlet's.
void set_zones(json& doc, const std::string& region, bool volumes) {
  if (!doc.is_object()) return;
  const char* zone = volumes ? "availability_zone" : "OS-EXT-AZ:availability_zone";
  const char* keys[] = {volumes ? "volume" : "server", volumes ? "volumes" : "servers"};
  for (const char* key : keys) {
    auto it = doc.find(key);
    if (it == doc.end()) continue;
    auto set_zone = [&](json& server) {
      if (server.is_object() && server.contains(zone)) server[zone] = region;
    };
    if (it->is_array()) for (auto& s : *it) set_zone(s);
    else set_zone(*it);
  }
}

/// For an admin, the projects other than the admin's that the answer's items
/// name (the item itself, Glance's top level, or a wrapped item or list).
std::vector<std::string> other_projects_of(const request& r, const json& doc) {
  if (!r.identity || !r.identity->is_admin || !doc.is_object()) return {};
  json items = json::array({doc});
  for (const auto& [key, value] : doc.items()) {
    if (value.is_object()) items.push_back(value);
    if (value.is_array())
      for (const auto& item : value) items.push_back(item);
  }
  return other_projects_named(items, r.identity->project_id);
}

} // namespace

http::awaitable<std::string> translate_answer(request& r, const cloudlet_endpoints& from, http::response& answer,
                                              const std::map<std::string, std::string>& known) {
  auto service = r.route.service;
  std::map<std::string, std::string> none;
  if (answer_names_no_resource(r.route)) {
    // A schema or the extension list names no resource (rules/id_free_answer.hpp):
    // not scanned for IDs, which was about 8% of such a GET (docs/performance.md).
    rewrite_location(r, from, service, answer.headers, none);
    co_return api::rewrite_url_prefix(answer.body, root_url(endpoint_of(from, service)),
                                      api::agent_service_root(service, r.context.base_url));
  }
  auto uuids = api::collect_uuids(answer.body);
  auto location = std::string(answer.headers[bhttp::field::location]);
  for (auto& id : api::collect_uuids(location)) uuids.push_back(std::move(id));
  if (uuids.empty() && answer.body.find(api::gid_key) == std::string::npos &&
      answer.body.find(api::copy_of_key) == std::string::npos) {
    // Names no resource and carries no marker (a schema, a flavor): its bytes
    // pass unchanged but for its links; no JSON work.
    rewrite_location(r, from, service, answer.headers, none);
    co_return rewrite_for_client(r, from, service, answer.body, none);
  }
  auto doc = json::parse(answer.body, nullptr, false);
  bool is_json = !doc.is_discarded() && doc.is_structured();
  // An admin's answer about another project's resource: that project's records translate it too.
  auto others = is_json ? other_projects_of(r, doc) : std::vector<std::string>{};
  auto to_global = co_await ids_to_global(r, from.region, service, is_json ? &doc : nullptr, uuids, known, others);
  if (is_json && (service == api::service_type::compute || service == api::service_type::volume))
    set_zones(doc, from.region, service == api::service_type::volume);
  rewrite_location(r, from, service, answer.headers, to_global);
  if (!is_json) co_return rewrite_for_client(r, from, service, answer.body, to_global);
  rewrite_json_for_client(r, from, service, doc, to_global);
  if (service == api::service_type::compute) co_await show_own_flavor_ids(r, from, doc);
  co_return doc.dump();
}

} // namespace fedstack::agent
