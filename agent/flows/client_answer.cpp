#include "agent/flows/client_answer.hpp"

#include <nlohmann/json.hpp>

#include "agent/flows/federation.hpp"
#include "agent/flows/flavor_ids.hpp"
#include "api/global_id.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// A server shows the cloudlet it lives on as its availability zone.
void set_zones(json& doc, const std::string& region) {
  if (!doc.is_object()) return;
  for (const char* key : {"server", "servers"}) {
    auto it = doc.find(key);
    if (it == doc.end()) continue;
    auto set_zone = [&](json& server) {
      if (server.is_object() && server.contains("OS-EXT-AZ:availability_zone"))
        server["OS-EXT-AZ:availability_zone"] = region;
    };
    if (it->is_array()) for (auto& s : *it) set_zone(s);
    else set_zone(*it);
  }
}

} // namespace

http::awaitable<std::string> translate_answer(request& r, const cloudlet_endpoints& from, http::response& answer,
                                              const std::map<std::string, std::string>& known) {
  auto service = r.route.service;
  auto uuids = api::collect_uuids(answer.body);
  auto location = std::string(answer.headers[bhttp::field::location]);
  for (auto& id : api::collect_uuids(location)) uuids.push_back(std::move(id));
  std::map<std::string, std::string> none;
  if (uuids.empty() && answer.body.find(api::gid_key) == std::string::npos &&
      answer.body.find(api::copy_of_key) == std::string::npos) {
    // Names no resource and carries no marker (a schema, a flavor): its bytes
    // pass unchanged but for its links; no JSON work.
    rewrite_location(r, from, service, answer.headers, none);
    co_return rewrite_for_client(r, from, service, answer.body, none);
  }
  auto doc = json::parse(answer.body, nullptr, false);
  bool is_json = !doc.is_discarded() && doc.is_structured();
  auto to_global = co_await ids_to_global(r, from.region, service, is_json ? &doc : nullptr, uuids, known);
  if (is_json && service == api::service_type::compute) set_zones(doc, from.region);
  rewrite_location(r, from, service, answer.headers, to_global);
  if (!is_json) co_return rewrite_for_client(r, from, service, answer.body, to_global);
  rewrite_json_for_client(r, from, service, doc, to_global);
  if (service == api::service_type::compute) co_await show_own_flavor_ids(r, from, doc);
  co_return doc.dump();
}

} // namespace fedstack::agent
