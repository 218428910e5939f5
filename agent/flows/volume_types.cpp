#include "agent/flows/volume_types.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "agent/flows/ask_every.hpp"
#include "agent/flows/federation.hpp"
#include "agent/rules/list_paging.hpp"
#include "agent/rules/operator_sums.hpp"
#include "agent/rules/volume_rule.hpp"
#include "agent/rules/volume_type_rule.hpp"
#include "agent/services/cloudlets.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/percent.hpp"
#include "api/query.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// The cloudlets with Block Storage, the agent's own first, then by region name.
std::vector<cloudlet_endpoints> cinder_cloudlets(request& r) {
  std::vector<cloudlet_endpoints> out;
  for (auto& c : all_cloudlets(r.context))
    if (!c.volume.host.empty()) out.push_back(std::move(c));
  std::vector<std::string> regions;
  for (const auto& c : out) regions.push_back(c.region);
  auto order = preference_order(regions, r.context.cloudlet.region);
  std::sort(out.begin(), out.end(), [&](const cloudlet_endpoints& a, const cloudlet_endpoints& b) {
    return std::find(order.begin(), order.end(), a.region) < std::find(order.begin(), order.end(), b.region);
  });
  return out;
}

/// Cinder's `/types` for the route's project (none from microversion 3.67 on).
std::string types_root(const request& r) {
  return r.route.project_id.empty() ? "/v3/types" : "/v3/" + r.route.project_id + "/types";
}

/// Every Cinder's type list under `filters`.
struct gathered_types {
  asked calls;
  std::vector<cloudlet_types> lists;     // the cloudlets that answered 200
  std::vector<std::string> unreachable;  // those that did not answer, or not with a list
};

http::awaitable<gathered_types> gather_types(request& r, const api::query_string& filters) {
  auto target = types_root(r) + (filters.empty() ? std::string{} : "?" + filters.encode());
  gathered_types out;
  out.calls = co_await ask_all(r, cinder_cloudlets(r), api::service_type::volume, target, client_call_headers(r));
  for (std::size_t i = 0; i < out.calls.cloudlets.size(); ++i) {
    const auto& c = out.calls.cloudlets[i];
    const auto& a = *out.calls.answers[i];
    auto doc = out.calls.ok(i) && a.response.status == 200 ? json::parse(a.response.body, nullptr, false) : json();
    if (!doc.is_object() || !doc.contains("volume_types") || !doc["volume_types"].is_array()) {
      if (!out.calls.ok(i) || a.response.status >= 500) out.unreachable.push_back(c.region);
      spdlog::info("{} volume types of {}: {}", r.request_id, c.region,
                   !out.calls.done[i] ? "missed the deadline"
                   : a.answered       ? "answered " + std::to_string(a.response.status)
                                      : "failed: " + a.error);
      continue;
    }
    out.lists.push_back({c.region, std::move(doc["volume_types"])});
  }
  co_return out;
}

/// Every type the caller may see: an admin's private ones too (Cinder's is_public=None).
http::awaitable<gathered_types> gather_all_types(request& r) {
  api::query_string q;
  q.add("is_public", "None");
  co_return co_await gather_types(r, q);
}

void set_regions_header(bhttp::fields& headers, const char* name, const std::vector<std::string>& regions) {
  if (!regions.empty()) headers.set(name, unreachable_header(regions));
}

/// `GET /types`: the union of every Cinder's types, one per name and visibility.
http::awaitable<void> list_types(request& r) {
  auto query = api::query_string::parse(r.route.query);
  auto gathered = co_await gather_types(r, type_filters(query));
  bool answered = co_await answered_without_a_view(r, gathered.calls, gathered.lists.empty(),
                                                   "No cloudlet with Block Storage answered.");
  if (answered) co_return;
  auto merged = merge_types(gathered.lists, r.context.cloudlet.region);
  if (!merged.conflicts.empty())
    spdlog::warn("{} volume type names held public and private: {}", r.request_id,
                 conflicts_header(merged.conflicts));
  auto page = page_of_types(merged, query);
  if (!page.error.empty()) co_return co_await send_error(r, 400, page.error);
  if (page.marker_missing)
    co_return co_await send_error(r, 404, "Marker " + query.marker().value_or("") + " could not be found.");
  json body = {{"volume_types", std::move(page.items)}};
  bhttp::fields extra;
  set_regions_header(extra, "X-Fedstack-Unreachable", gathered.unreachable);
  if (!merged.conflicts.empty()) extra.set("X-Fedstack-Volume-Type-Conflicts", conflicts_header(merged.conflicts));
  co_await send_json(r, 200, body.dump(), &extra);
}

/// A type as the Cinder that holds it shows it to the client.
struct located_type {
  cloudlet_endpoints cloudlet;
  json type;               // the "volume_type" object of its GET
  http::response answer;   // that GET's answer
};

/// The type `id` (or `default`) where the client can see it: the agent's own
/// cloudlet first, then the first other by region name that shows it.
http::awaitable<std::optional<located_type>> locate_type(request& r, const std::string& id,
                                                         std::vector<std::string>& unreachable) {
  auto target = types_root(r) + "/" + api::percent_encode_segment(id);
  auto calls = co_await ask_all(r, cinder_cloudlets(r), api::service_type::volume, target, client_call_headers(r));
  std::optional<located_type> found;
  for (std::size_t i = 0; i < calls.cloudlets.size(); ++i) {
    if (!calls.ok(i) || calls.answers[i]->response.status >= 500) {
      unreachable.push_back(calls.cloudlets[i].region);
      continue;
    }
    auto& answer = calls.answers[i]->response;
    auto doc = answer.status == 200 ? json::parse(answer.body, nullptr, false) : json();
    if (found || !doc.is_object() || !doc.contains("volume_type") || !doc["volume_type"].is_object()) continue;
    found = located_type{calls.cloudlets[i], std::move(doc["volume_type"]), std::move(answer)};
  }
  co_return found;
}

/// The route's upstream path (and query) about type `id` instead of the client's.
std::optional<std::string> path_for(const request& r, const std::string& id) {
  auto prefix = types_root(r) + "/" + api::percent_encode_segment(r.route.resource_id);
  const auto& path = r.route.upstream_path;
  if (path.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  auto rest = path.substr(prefix.size());
  if (!rest.empty() && rest.front() != '/') return std::nullopt;
  return types_root(r) + "/" + api::percent_encode_segment(id) + rest +
         (r.route.query.empty() ? "" : "?" + r.route.query);
}

/// `method path` with the client's token and `body` on each of `members`; the regions it did not reach.
http::awaitable<std::vector<std::string>> spread(request& r, const std::vector<type_member>& members,
                                                 const std::string& body) {
  std::vector<equal_item> items;
  for (const auto& m : members) items.push_back({m.region, m.id});
  co_return co_await spread_change(r, api::service_type::volume, items,
                                   [&r](const std::string& id) { return path_for(r, id); }, &change_in_step,
                                   client_call_headers(r), body, "volume type");
}

/// A call about one type: to the Cinder that shows it; a change it accepted
/// then reaches every other cloudlet's equal type, found before the change (a
/// rename or a visibility change makes them unequal).
http::awaitable<void> one_type(request& r, std::string body) {
  std::vector<std::string> unreachable;
  auto home = co_await locate_type(r, r.route.resource_id, unreachable);
  bhttp::fields extra;
  set_regions_header(extra, "X-Fedstack-Unreachable", unreachable);
  if (!home)
    co_return co_await send_error(r, 404, "Volume type " + r.route.resource_id + " could not be found.", &extra);
  r.target = home->cloudlet;
  r.upstream = endpoint_of(home->cloudlet, api::service_type::volume).to_string();
  auto method = r.header().method();
  if (method == bhttp::verb::get && r.route.action.empty()) {
    for (const auto& f : extra) home->answer.headers.set(f.name_string(), f.value());
    co_return co_await send_upstream_response(r, home->answer, home->answer.body);
  }
  bool change = method != bhttp::verb::get && method != bhttp::verb::head;
  std::vector<type_member> others;
  if (change) {
    auto gathered = co_await gather_all_types(r);
    others = equal_types(gathered.lists, home->type, home->cloudlet.region);
  }
  auto home_id = home->type.value("id", r.route.resource_id);
  auto target = path_for(r, home_id).value_or(r.route.upstream_path);
  auto answer = co_await call_cloudlet(r.context, home->cloudlet, api::service_type::volume, method, target,
                                       client_call_headers(r), body);
  if (change && answer.status >= 200 && answer.status < 300) {
    auto not_synced = co_await spread(r, others, body);
    set_regions_header(extra, "X-Fedstack-Not-Synced", not_synced);
  }
  for (const auto& f : extra) answer.headers.set(f.name_string(), f.value());
  co_await send_upstream_response(r, answer, answer.body);
}

/// `POST /types`: an admin's create is checked against every Cinder's types
/// (one Cinder's 409 for a name held) and made on every cloudlet with Block
/// Storage that lacks it, the own cloudlet first; any other create goes to the
/// first Cinder as it came (its policy answers).
http::awaitable<void> create_type(request& r, std::string body) {
  auto doc = json::parse(body, nullptr, false);
  auto cloudlets = cinder_cloudlets(r);
  if (cloudlets.empty()) co_return co_await send_error(r, 503, "No cloudlet of the federation has Block Storage.");
  std::vector<std::string> regions{cloudlets.front().region};
  std::vector<type_member> held;
  bhttp::fields extra;
  bool admin = r.identity && r.identity->is_admin;
  if (admin && doc.is_object() && doc.contains("volume_type") && doc["volume_type"].is_object()) {
    auto gathered = co_await gather_all_types(r);
    auto plan = plan_type_create(gathered.lists, doc["volume_type"], r.context.cloudlet.region);
    if (plan.clash) co_return co_await send_error(r, 409, *plan.clash);
    regions = std::move(plan.regions);
    held = equal_types(gathered.lists, doc["volume_type"], {});
    set_regions_header(extra, "X-Fedstack-Unreachable", gathered.unreachable);
  }
  std::optional<http::response> first;
  std::vector<std::string> not_synced;
  for (const auto& region : regions) {
    auto c = find_cloudlet(r.context, region);
    if (!c) continue;
    try {
      auto answer = co_await call_cloudlet(r.context, *c, api::service_type::volume, bhttp::verb::post,
                                           r.route.upstream_path, client_call_headers(r), body);
      if (!first && (answer.status < 200 || answer.status >= 300)) co_return co_await send_upstream_response(r, answer, answer.body);
      auto made = json::parse(answer.body, nullptr, false);
      if (answer.status >= 200 && answer.status < 300 && made.is_object() && made.contains("volume_type")) {
        held.push_back({region, made["volume_type"].value("id", std::string{})});
        if (!first) first = std::move(answer);
        continue;
      }
      spdlog::warn("{} volume type create on {} answered {}", r.request_id, region, answer.status);
    } catch (const upstream_failure& e) {
      if (!first) throw;
      spdlog::warn("{} volume type create on {}: {}", r.request_id, region, e.what());
    }
    not_synced.push_back(region);
  }
  if (!first) co_return co_await send_error(r, 503, "No cloudlet with Block Storage could be reached.");
  // The answer names the type by the ID the federation shows for it.
  auto made = json::parse(first->body, nullptr, false);
  if (auto shown = shown_id(held, r.context.cloudlet.region)) made["volume_type"]["id"] = *shown;
  set_regions_header(extra, "X-Fedstack-Not-Synced", not_synced);
  for (const auto& f : extra) first->headers.set(f.name_string(), f.value());
  co_await send_upstream_response(r, *first, made.dump());
}

} // namespace

http::awaitable<void> handle_volume_type(request& r, std::string body) {
  auto method = r.header().method();
  if (r.route.resource_id.empty()) {
    if (method == bhttp::verb::get && r.route.action.empty()) co_return co_await list_types(r);
    if (method == bhttp::verb::post && r.route.action.empty()) co_return co_await create_type(r, std::move(body));
    co_return co_await send_error(r, 405, "The method is not allowed for this resource.");
  }
  co_await one_type(r, std::move(body));
}

http::awaitable<std::optional<volume_placement>> place_typed_volume_create(request& r, storage::resource_kind kind,
                                                                           json& doc) {
  auto needs = read_volume_create(kind, doc);
  bool pinned = !needs.pinned_zone.empty() || !needs.source_id.empty();
  auto placed = co_await place_volume_create(r, kind, doc);
  if (kind != storage::resource_kind::volume || placed.refusal) co_return placed;
  auto& volume = doc["volume"];
  auto ref = volume.contains("volume_type") && volume["volume_type"].is_string()
               ? volume["volume_type"].get<std::string>()
               : std::string{};
  if (ref.empty()) co_return placed;   // each Cinder's default type
  auto gathered = co_await gather_all_types(r);
  auto choice = type_for_volume(merge_types(gathered.lists, r.context.cloudlet.region), ref);
  if (choice.status) {
    co_await send_error(r, choice.status, choice.message);
    co_return std::nullopt;
  }
  std::vector<std::string> regions;
  for (const auto& c : placed.cloudlets) regions.push_back(c.region);
  regions = candidates_with_type(regions, choice.regions, pinned);
  if (regions.empty()) {
    placed.refusal = "Invalid input received: Volume type " + ref + " is not on cloudlet " +
                     placed.cloudlets.front().region + ".";
    co_return placed;
  }
  placed.cloudlets.clear();
  for (const auto& region : regions)
    if (auto c = find_cloudlet(r.context, region)) placed.cloudlets.push_back(*c);
  volume["volume_type"] = choice.name;   // each Cinder finds its own type of that name
  spdlog::info("{} volume type {} ({}) held on {} of the candidates", r.request_id, ref, choice.name,
               placed.cloudlets.size());
  co_return placed;
}

} // namespace fedstack::agent
