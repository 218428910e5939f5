#include "agent/flows/flavors.hpp"

#include <memory>

#include <spdlog/spdlog.h>

#include "agent/flows/ask_every.hpp"
#include "agent/flows/federation.hpp"
#include "agent/rules/flavor_rule.hpp"
#include "agent/rules/list_paging.hpp"
#include "agent/rules/operator_sums.hpp"
#include "agent/services/service_session.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/list_merge.hpp"
#include "api/percent.hpp"
#include "api/query.hpp"
#include "api/urls.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// Every cloudlet's flavor list (detail) under `filters`, links made the agent's.
struct gathered_lists {
  asked calls;
  std::vector<cloudlet_flavors> lists;   // the cloudlets that answered 200
  std::vector<std::string> unreachable;  // those that did not answer, or not with a list
};

http::awaitable<gathered_lists> gather_lists(request& r, const api::query_string& filters,
                                             const bhttp::fields& headers) {
  auto target = "/v2.1/flavors/detail" + (filters.empty() ? std::string{} : "?" + filters.encode());
  gathered_lists out;
  out.calls = co_await ask_all(r, all_cloudlets(r.context), api::service_type::compute, target, headers);
  for (std::size_t i = 0; i < out.calls.cloudlets.size(); ++i) {
    const auto& c = out.calls.cloudlets[i];
    const auto& a = *out.calls.answers[i];
    auto doc = out.calls.ok(i) && a.response.status == 200 ? json::parse(a.response.body, nullptr, false) : json();
    if (!doc.is_object() || !doc.contains("flavors") || !doc["flavors"].is_array()) {
      if (!out.calls.ok(i) || a.response.status >= 500) out.unreachable.push_back(c.region);
      spdlog::info("{} flavors of {}: {}", r.request_id, c.region,
                   !out.calls.done[i] ? "missed the deadline"
                   : a.answered       ? "answered " + std::to_string(a.response.status)
                                      : "failed: " + a.error);
      continue;
    }
    std::map<std::string, std::string> none;
    rewrite_json_for_client(r, c, api::service_type::compute, doc["flavors"], none);
    out.lists.push_back({c.region, std::move(doc["flavors"])});
  }
  co_return out;
}

/// The filters that show an admin every flavor, private ones included (Nova's is_public=None).
api::query_string all_flavors() {
  api::query_string q;
  q.add("is_public", "None");
  return q;
}

void set_header_list(bhttp::fields& headers, const char* name, const std::vector<std::string>& values,
                     bool encode = false) {
  if (values.empty()) return;
  headers.set(name, encode ? conflicts_header(values) : unreachable_header(values));
}

/// `GET /flavors[/detail]`: the union of every cloudlet's flavors, one per name and shape.
http::awaitable<void> list_flavors(request& r) {
  auto query = api::query_string::parse(r.route.query);
  auto paging = read_flavor_page_query(query);
  if (!paging.error.empty()) co_return co_await send_error(r, 400, paging.error);
  auto gathered = co_await gather_lists(r, cloud_filters(query), client_call_headers(r));
  // Every cloudlet refusing the query (a malformed is_public) gets Nova's refusal.
  bool answered = co_await answered_without_a_view(r, gathered.calls, gathered.lists.empty(), "No cloudlet answered.");
  if (answered) co_return;
  auto merged = merge_flavors(gathered.lists, r.context.cloudlet.region);
  if (!merged.conflicts.empty())
    spdlog::warn("{} flavors held with more than one shape or ID: {}", r.request_id,
                 conflicts_header(merged.conflicts));
  auto page = page_of(merged, paging);
  if (page.marker_missing) co_return co_await send_error(r, 400, "marker [" + *paging.marker + "] not found");
  bool detail = r.route.action == "detail";
  json items = json::array();
  for (auto& item : page.items) items.push_back(detail ? std::move(item) : brief_flavor(item));
  json body = json::object();
  std::string last = page.full ? items.back().value("id", std::string{}) : std::string{};
  body["flavors"] = std::move(items);
  if (!last.empty())
    api::set_next_link(body, "flavors", api::agent_service_root(api::service_type::compute, r.context.base_url),
                       r.route.upstream_path, r.route.query, last);
  bhttp::fields extra;
  set_header_list(extra, "X-Fedstack-Unreachable", gathered.unreachable);
  set_header_list(extra, "X-Fedstack-Flavor-Conflicts", merged.conflicts, true);
  co_await send_json(r, 200, body.dump(), &extra);
}

/// `POST /flavors`: made on this agent's cloudlet, unless a cloudlet already
/// holds the name or the ID (one Nova refuses both with 409: so does the
/// federation). Only an admin's create is checked: Nova refuses the others.
http::awaitable<void> create_flavor(request& r, std::string body) {
  auto doc = json::parse(body, nullptr, false);
  bhttp::fields extra;
  if (r.identity && r.identity->is_admin && doc.is_object() && doc.contains("flavor") && doc["flavor"].is_object()) {
    auto gathered = co_await gather_lists(r, all_flavors(), client_call_headers(r));
    auto merged = merge_flavors(gathered.lists, r.context.cloudlet.region);
    if (auto clash = create_clash(merged, doc["flavor"])) co_return co_await send_error(r, 409, *clash);
    set_header_list(extra, "X-Fedstack-Unreachable", gathered.unreachable);
  }
  const auto& own = r.context.cloudlet;
  auto answer = co_await call_cloudlet(r.context, own, api::service_type::compute, bhttp::verb::post,
                                       r.route.upstream_path, client_call_headers(r), body);
  for (const auto& f : extra) answer.headers.set(f.name_string(), f.value());
  std::map<std::string, std::string> none;
  auto text = rewrite_for_client(r, own, api::service_type::compute, answer.body, none);
  co_await send_upstream_response(r, answer, std::move(text));
}

/// The route's upstream path with the flavor's ID replaced by `id` (another cloudlet's).
std::optional<std::string> path_for(const request& r, const std::string& id) {
  auto prefix = "/" + r.route.api_version + "/flavors/" + api::percent_encode_segment(r.route.resource_id);
  const auto& path = r.route.upstream_path;
  if (path.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  auto rest = path.substr(prefix.size());
  if (!rest.empty() && rest.front() != '/') return std::nullopt;
  return "/" + r.route.api_version + "/flavors/" + api::percent_encode_segment(id) + rest +
         (r.route.query.empty() ? "" : "?" + r.route.query);
}

/// The change the client made on `home` made on every other cloudlet's flavor
/// of the same name and shape; the cloudlets it did not reach.
http::awaitable<std::vector<std::string>> change_equal_flavors(request& r, const located_flavor& home,
                                                               const std::string& body) {
  auto headers = client_call_headers(r);
  auto gathered = co_await gather_lists(r, all_flavors(), headers);
  std::vector<std::string> not_synced = gathered.unreachable;
  std::vector<equal_item> items;
  for (const auto& m : equal_flavors(gathered.lists, home.flavor, home.cloudlet.region)) items.push_back({m.region, m.id});
  auto missed = co_await spread_change(r, api::service_type::compute, items,
                                       [&r](const std::string& id) { return path_for(r, id); }, &change_in_step,
                                       headers, body, "flavor " + home.flavor.value("name", std::string{}));
  not_synced.insert(not_synced.end(), missed.begin(), missed.end());
  co_return not_synced;
}

/// A call about one flavor: to the cloudlet that holds it; a change that
/// cloudlet accepted then reaches the same flavor on every other cloudlet.
http::awaitable<void> one_flavor(request& r, std::string body) {
  std::vector<std::string> unreachable;
  auto home = co_await locate_flavor(r, r.route.resource_id, &unreachable);
  bhttp::fields extra;
  set_header_list(extra, "X-Fedstack-Unreachable", unreachable);
  if (!home) co_return co_await send_error(r, 404, "Flavor " + r.route.resource_id + " could not be found.", &extra);
  r.target = home->cloudlet;
  r.upstream = endpoint_of(home->cloudlet, api::service_type::compute).to_string();
  auto method = r.header().method();
  std::map<std::string, std::string> none;
  if (method == bhttp::verb::get && r.route.action.empty()) {
    // The flavor itself: as the locating GET answered it.
    auto text = rewrite_for_client(r, home->cloudlet, api::service_type::compute, home->answer.body, none);
    for (const auto& f : extra) home->answer.headers.set(f.name_string(), f.value());
    co_return co_await send_upstream_response(r, home->answer, std::move(text));
  }
  auto target = r.route.upstream_path + (r.route.query.empty() ? "" : "?" + r.route.query);
  auto answer = co_await call_cloudlet(r.context, home->cloudlet, api::service_type::compute, method, target,
                                       client_call_headers(r), body);
  bool change = method != bhttp::verb::get && method != bhttp::verb::head;
  if (change && answer.status >= 200 && answer.status < 300) {
    auto not_synced = co_await change_equal_flavors(r, *home, body);
    set_header_list(extra, "X-Fedstack-Not-Synced", not_synced);
  }
  for (const auto& f : extra) answer.headers.set(f.name_string(), f.value());
  auto text = rewrite_for_client(r, home->cloudlet, api::service_type::compute, answer.body, none);
  co_await send_upstream_response(r, answer, std::move(text));
}

} // namespace

http::awaitable<std::optional<located_flavor>> locate_flavor(request& r, const std::string& id,
                                                             std::vector<std::string>* unreachable) {
  auto headers = client_call_headers(r);
  auto target = "/v2.1/flavors/" + api::percent_encode_segment(id);
  auto read = [](const http::response& answer) -> std::optional<json> {
    if (answer.status != 200) return std::nullopt;
    auto doc = json::parse(answer.body, nullptr, false);
    if (!doc.is_object() || !doc.contains("flavor") || !doc["flavor"].is_object()) return std::nullopt;
    return doc["flavor"];
  };
  const auto& own = r.context.cloudlet;
  std::vector<cloudlet_endpoints> others;
  for (auto& c : all_cloudlets(r.context))
    if (c.region != own.region) others.push_back(std::move(c));
  try {
    auto here = co_await call_cloudlet(r.context, own, api::service_type::compute, bhttp::verb::get, target, headers);
    if (auto flavor = read(here)) co_return located_flavor{own, std::move(*flavor), std::move(here)};
    if (here.status >= 500 && unreachable) unreachable->push_back(own.region);
  } catch (const upstream_failure& e) {
    spdlog::info("{} flavor {} on {}: {}", r.request_id, id, own.region, e.what());
    if (unreachable) unreachable->push_back(own.region);
  }
  auto calls = co_await ask_all(r, std::move(others), api::service_type::compute, target, headers);
  std::optional<located_flavor> found;
  for (std::size_t i = 0; i < calls.cloudlets.size(); ++i) {   // own first, then by region name
    if (!calls.ok(i) || calls.answers[i]->response.status >= 500) {
      if (unreachable) unreachable->push_back(calls.cloudlets[i].region);
      continue;
    }
    if (found) continue;
    if (auto flavor = read(calls.answers[i]->response))
      found = located_flavor{calls.cloudlets[i], std::move(*flavor), std::move(calls.answers[i]->response)};
  }
  co_return found;
}

http::awaitable<std::optional<std::string>> federation_flavor_id(request& r, const json& flavor) {
  auto gathered = co_await gather_lists(r, all_flavors(), client_call_headers(r));
  if (gathered.lists.empty()) co_return std::nullopt;
  co_return shown_id(equal_flavors(gathered.lists, flavor, {}), r.context.cloudlet.region);
}

http::awaitable<void> share_flavor_access(request& r, const json& flavor, const std::string& from_region,
                                          const cloudlet_endpoints& to, const std::string& id_there) {
  if (shape_of(flavor).is_public || !r.context.session) co_return;
  auto from = find_cloudlet(r.context, from_region);
  if (!from) co_return;
  auto headers = client_call_headers(r);
  try {
    headers.set("X-Auth-Token", co_await r.context.session->token());
    auto id = flavor.value("id", std::string{});
    auto listed = co_await call_cloudlet(r.context, *from, api::service_type::compute, bhttp::verb::get,
                                         "/v2.1/flavors/" + api::percent_encode_segment(id) + "/os-flavor-access",
                                         headers);
    auto doc = json::parse(listed.body, nullptr, false);
    if (listed.status != 200 || !doc.is_object() || !doc.contains("flavor_access")) {
      spdlog::warn("{} the access list of flavor {} on {} answered {}", r.request_id, id, from_region, listed.status);
      co_return;
    }
    for (const auto& entry : doc["flavor_access"]) {
      auto tenant = entry.is_object() ? entry.value("tenant_id", std::string{}) : std::string{};
      if (tenant.empty()) continue;
      json add = {{"addTenantAccess", {{"tenant", tenant}}}};
      auto added = co_await call_cloudlet(r.context, to, api::service_type::compute, bhttp::verb::post,
                                          "/v2.1/flavors/" + api::percent_encode_segment(id_there) + "/action",
                                          headers, add.dump());
      // 409: that project has it already.
      if (added.status != 200 && added.status != 409)
        spdlog::warn("{} giving project {} flavor {} on {} answered {}", r.request_id, tenant, id_there, to.region,
                     added.status);
    }
  } catch (const std::exception& e) {
    spdlog::warn("{} the access of flavor {} on {}: {}", r.request_id, id_there, to.region, e.what());
  }
}

http::awaitable<void> handle_flavor(request& r, std::string body) {
  const auto& route = r.route;
  auto method = r.header().method();
  if (route.resource_id.empty()) {
    if (method == bhttp::verb::get && (route.action.empty() || route.action == "detail"))
      co_return co_await list_flavors(r);
    if (method == bhttp::verb::post && route.action.empty()) co_return co_await create_flavor(r, std::move(body));
    co_return co_await send_error(r, 405, "The method is not allowed for this resource.");
  }
  co_await one_flavor(r, std::move(body));
}

} // namespace fedstack::agent
