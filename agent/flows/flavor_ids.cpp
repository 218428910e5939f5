#include "agent/flows/flavor_ids.hpp"

#include <map>

#include <spdlog/spdlog.h>

#include "agent/flows/copies.hpp"
#include "agent/flows/federation.hpp"
#include "agent/flows/flavors.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/percent.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// The servers of an answer, wherever they are in it.
std::vector<json*> servers_in(json& doc) {
  std::vector<json*> servers;
  if (!doc.is_object()) return servers;
  if (auto one = doc.find("server"); one != doc.end() && one->is_object()) servers.push_back(&*one);
  if (auto many = doc.find("servers"); many != doc.end() && many->is_array())
    for (auto& s : *many)
      if (s.is_object()) servers.push_back(&s);
  return servers;
}

/// The flavor ID a server shows, when it shows one (below 2.47).
std::string flavor_id_of(const json& server) {
  auto flavor = server.find("flavor");
  if (flavor == server.end() || !flavor->is_object()) return {};
  auto id = flavor->find("id");
  return id != flavor->end() && id->is_string() ? id->get<std::string>() : std::string{};
}

/// This cloudlet's flavor equal to `from`'s `foreign_id`: `foreign_id` itself when
/// none is, nullopt when that cannot be told (a cloud did not answer).
http::awaitable<std::optional<std::string>> own_equal(request& r, const cloudlet_endpoints& from,
                                                      const std::string& foreign_id) {
  if (auto known = r.context.flavor_aliases.find(from.region, foreign_id)) co_return known;
  auto headers = client_call_headers(r);
  std::optional<std::string> own;
  bool ok = false;   // both clouds answered
  try {
    auto shown = co_await call_cloudlet(r.context, from, api::service_type::compute, bhttp::verb::get,
                                        "/v2.1/flavors/" + api::percent_encode_segment(foreign_id), headers);
    auto doc = json::parse(shown.body, nullptr, false);
    if (shown.status != 200 || !doc.is_object() || !doc.contains("flavor")) co_return std::nullopt;
    own = co_await flavor_like_on(r, doc["flavor"], r.context.cloudlet);
    // None here: the ID the federation's flavor list shows for it (flavors.hpp).
    if (!own) own = co_await federation_flavor_id(r, doc["flavor"]);
    ok = true;
  } catch (const std::exception& e) {
    // Only the flavor's ID in the answer is at stake: the answer goes out as the cloud gave it.
    spdlog::info("{} flavor {} of {}: no equal flavor found here: {}", r.request_id, foreign_id,
                 from.region, e.what());
  }
  // With no equal anywhere the answer could tell, the foreign ID is kept;
  // either is remembered, so that lists do not ask again on every page (a
  // flavor made here later shows up after a restart).
  if (!own && ok) own = foreign_id;
  if (own) r.context.flavor_aliases.learn(from.region, foreign_id, *own);
  co_return own;
}

/// A link's "/flavors/<from>" made "/flavors/<to>".
void replace_in_link(json& href, const std::string& from, const std::string& to) {
  if (!href.is_string()) return;
  auto text = href.get<std::string>();
  auto needle = "/flavors/" + from;
  auto at = text.find(needle);
  if (at == std::string::npos) return;
  text.replace(at, needle.size(), "/flavors/" + to);
  href = std::move(text);
}

} // namespace

http::awaitable<void> show_own_flavor_ids(request& r, const cloudlet_endpoints& from, json& doc) {
  if (from.region == r.context.cloudlet.region) co_return;
  auto servers = servers_in(doc);
  std::map<std::string, std::optional<std::string>> own_of;
  for (auto* server : servers) {
    auto foreign = flavor_id_of(*server);
    if (foreign.empty() || own_of.count(foreign)) continue;
    own_of[foreign] = co_await own_equal(r, from, foreign);
  }
  for (auto* server : servers) {
    auto foreign = flavor_id_of(*server);
    if (foreign.empty() || !own_of[foreign] || *own_of[foreign] == foreign) continue;
    const auto& own = *own_of[foreign];
    auto& flavor = (*server)["flavor"];
    flavor["id"] = own;
    if (auto links = flavor.find("links"); links != flavor.end() && links->is_array())
      for (auto& link : *links)
        if (link.is_object() && link.contains("href")) replace_in_link(link["href"], foreign, own);
  }
}

} // namespace fedstack::agent
