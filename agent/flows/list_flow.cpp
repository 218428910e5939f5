// Lists across every cloudlet, as one list: each cloudlet is asked in parallel
// (under --list-deadline-ms) for the page after the marker, its IDs become
// global, copies made for boots are hidden, and a k-way merge on the sort key
// yields the page (api/list_merge.hpp; Nova cells v2's multi_cell_list does the
// same across its cells). A cloudlet that failed or missed the deadline is
// named in the X-Fedstack-Unreachable header and in the log; its items are
// missing from that answer, never silently.

#include <atomic>
#include <memory>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/flows/federation.hpp"
#include "agent/flows/flavor_ids.hpp"
#include "agent/flows/marker_search.hpp"
#include "agent/flows/owner_lookup.hpp"
#include "agent/services/registry_client.hpp"
#include "agent/rules/resource_kinds.hpp"
#include "agent/flows/request.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/json_uuids.hpp"
#include "api/list_merge.hpp"
#include "api/query.hpp"
#include "api/urls.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// The most items one cloud is asked for in one call, and the most a client's
/// page holds: a larger `limit` is lowered to it, as Nova's max_limit and
/// Glance's api_limit_max do.
constexpr std::uint64_t cloud_page_max = 1000;
/// Items read from one cloud for one list page, at most. A cloud is read from
/// its start (it cannot be handed a global marker), so this is also how deep a
/// client can page into one cloud's items, and a group of ties longer than it
/// is cut (logged). Beyond the first call, pages are cloud_page_max long, so
/// this takes at most 11 calls.
constexpr std::uint64_t max_items_per_cloud = 10 * cloud_page_max;

/// The page size a list gets without `limit`: Glance's limit_param_default;
/// Nova's max_limit; Neutron lists everything.
std::optional<std::uint64_t> default_limit(api::service_type service) {
  if (service == api::service_type::image) return 25;
  if (service == api::service_type::compute) return 1000;
  return std::nullopt;
}

/// What one cloud answered.
struct cloud_items {
  bool ok = false;
  std::string error;
  bool timed_out = false;
  std::vector<json> items;   // raw, cloud IDs
  bool exhausted = true;
};

/// How to ask one cloud.
struct cloud_query {
  cloudlet_endpoints cloudlet;
  api::service_type service;
  std::string path;            // upstream path, e.g. /v2.1/servers/detail
  std::string collection;
  api::query_string query;     // filters translated, no marker or limit
  std::optional<std::uint64_t> page;   // items in the first call, nullopt: all
  /// The list's marker item (global IDs), if any, and the keys without the
  /// final ID tie-breaker.
  std::optional<json> after;
  std::vector<api::sort_key> keys_without_id;
  std::uint64_t wanted = 0;
};

/// Reads pages from one cloud until it has `wanted` items past the marker and
/// the group of items tied with the last of them (on every key but the ID) is
/// complete. The cloud breaks ties by its own IDs, the merge by global IDs, so
/// a page cut inside a tie group could skip or repeat items. Runs outside the
/// request: copies only. Stops before its next call once `abandoned` is set
/// (the client left or the list's deadline passed).
http::awaitable<void> read_cloud(agent_context* context, bhttp::fields headers, cloud_query q,
                                 std::shared_ptr<cloud_items> out,
                                 std::shared_ptr<std::atomic<bool>> abandoned) {
  try {
    std::string marker;
    std::uint64_t past_marker = 0;
    std::optional<json> boundary;
    for (int page = 0;; ++page) {
      if (*abandoned) {
        out->error = "abandoned: the client left or the deadline passed";
        co_return;
      }
      if (out->items.size() >= max_items_per_cloud) {
        spdlog::warn("list of {} on {}: stopped after {} items in {} calls, before the marker or "
                     "inside a group of items tied on every sort key but the ID",
                     q.collection, q.cloudlet.region, out->items.size(), page);
        break;
      }
      // The first call asks for what the page needs; later ones (to reach the
      // marker or finish a tie group) for as much as a cloud gives at once.
      auto page_size = q.page;
      if (page_size && page > 0) page_size = cloud_page_max;
      auto query = q.query;
      if (page_size) query.set_limit(*page_size);
      if (!marker.empty()) query.set_marker(marker);
      auto target = q.path;
      if (!query.empty()) target += "?" + query.encode();
      auto answer = co_await call_cloudlet(*context, q.cloudlet, q.service, bhttp::verb::get,
                                           target, headers);
      if (answer.status != 200) {
        out->error = "HTTP " + std::to_string(answer.status);
        co_return;
      }
      auto doc = json::parse(answer.body, nullptr, false);
      if (!doc.is_object() || !doc.contains(q.collection) || !doc[q.collection].is_array()) {
        out->error = "not a list of " + q.collection;
        co_return;
      }
      auto& items = doc[q.collection];
      bool exhausted = !page_size || items.size() < *page_size;
      for (auto& item : items) {
        if (!q.after || api::compare_items(item, *q.after, q.keys_without_id) > 0)
          if (++past_marker == q.wanted) boundary = item;
        out->items.push_back(std::move(item));
      }
      out->exhausted = exhausted;
      if (exhausted || out->items.empty()) break;
      if (boundary && api::compare_items(out->items.back(), *boundary, q.keys_without_id) != 0) break;
      const auto& last = out->items.back();
      if (!last.contains("id") || !last["id"].is_string()) break;
      marker = last["id"].get<std::string>();
    }
    out->ok = true;
  } catch (const upstream_failure& e) {
    out->error = e.what();
    out->timed_out = e.status == 504;
  } catch (const std::exception& e) {
    out->error = e.what();
  }
}

/// The marker item as the client knows it (global IDs), from the cloudlet
/// holding it; nullopt when there is no such item.
struct marker_item {
  json item;
  std::string cloudlet;
  std::string local_id;
};

/// A marker item as the client sees it: IDs global, links the agent's.
http::awaitable<marker_item> for_client(request& r, const cloudlet_endpoints& c, const json& cloud_item,
                                        const std::string& local_id) {
  auto doc = cloud_item;
  auto uuids = api::collect_json_uuids(doc);
  auto to_global = co_await ids_to_global(r, c.region, r.route.service, &doc, uuids);
  rewrite_json_for_client(r, c, r.route.service, doc, to_global);
  co_return marker_item{std::move(doc), c.region, local_id};
}

/// The marker item found by the marker it carries on the clouds, for a global
/// ID the owner's registry cannot place: the owner is gone (its resources are
/// still listed, under the IDs their markers give them), or the entry is
/// another project's (an admin's Glance list shows every project's images).
http::awaitable<std::optional<marker_item>> find_marker_on_clouds(request& r, const std::string& marker,
                                                                  const std::string& why) {
  auto kind = kind_of(r.route);
  if (!kind) co_return std::nullopt;
  auto found = co_await find_unplaced(r, *kind, marker, why);
  if (!found) co_return std::nullopt;
  co_return co_await for_client(r, found->cloudlet, found->item, found->local_id);
}

http::awaitable<std::optional<marker_item>> find_marker(request& r, const std::string& marker,
                                                        const std::string& item_path) {
  std::string cloudlet = r.context.cloudlet.region;
  std::string local = marker;
  if (api::global_id_owner(marker)) {
    auto answer = co_await ask_owner(r, marker);
    auto target = target_of(answer, id_use::list_marker, false);
    if (target.kind != target_kind::primary) co_return co_await find_marker_on_clouds(r, marker, target.why);
    cloudlet = target.cloudlet;
    local = target.local_id;
  }
  auto c = find_cloudlet(r.context, cloudlet);
  if (!c) co_return std::nullopt;
  auto answer = co_await call_cloudlet(r.context, *c, r.route.service, bhttp::verb::get,
                                       item_path + "/" + local, client_call_headers(r));
  if (answer.status != 200) co_return std::nullopt;
  auto doc = json::parse(answer.body, nullptr, false);
  auto singular = r.route.resource.substr(0, r.route.resource.size() - 1);
  if (doc.is_object() && doc.contains(singular)) doc = doc[singular];
  if (!doc.is_object()) co_return std::nullopt;
  co_return co_await for_client(r, *c, doc, local);
}

/// A page's items for the client: copies dropped, IDs global, links the agent's.
http::awaitable<std::vector<json>> translate_items(request& r, const cloudlet_endpoints& c,
                                                   const std::string& collection,
                                                   std::vector<json> raw) {
  auto service = r.route.service;
  json doc = json::object();
  doc[collection] = json::array();
  for (auto& item : raw) {
    auto m = api::read_marker(service, item);
    if (m && m->is_copy) continue;
    doc[collection].push_back(std::move(item));
  }
  auto uuids = api::collect_json_uuids(doc);
  auto to_global = co_await ids_to_global(r, c.region, service, &doc, uuids);
  rewrite_json_for_client(r, c, service, doc, to_global);
  if (service == api::service_type::compute) co_await show_own_flavor_ids(r, c, doc);
  std::vector<json> items;
  for (auto& item : doc[collection]) {
    if (service == api::service_type::compute && item.contains("OS-EXT-AZ:availability_zone"))
      item["OS-EXT-AZ:availability_zone"] = c.region;
    items.push_back(std::move(item));
  }
  co_return items;
}

/// One cloudlet's zones: whether its compute API answered, and (detail) the
/// hosts of its zones other than Nova's "internal" one.
struct zone_answer {
  bool available = false;
  json hosts = nullptr;
};

http::awaitable<void> check_zone(agent_context* context, bhttp::fields headers, cloudlet_endpoints c,
                                 std::string path, std::shared_ptr<zone_answer> out) {
  try {
    auto answer = co_await call_cloudlet(*context, c, api::service_type::compute, bhttp::verb::get,
                                         path, headers);
    out->available = answer.status == 200;
    auto doc = json::parse(answer.body, nullptr, false);
    if (!out->available || !doc.is_object()) co_return;
    for (const auto& zone : doc.value("availabilityZoneInfo", json::array())) {
      if (!zone.is_object() || zone.value("zoneName", std::string{}) == "internal") continue;
      if (!zone.contains("hosts") || !zone["hosts"].is_object()) continue;
      if (!out->hosts.is_object()) out->hosts = json::object();
      out->hosts.update(zone["hosts"]);
    }
  } catch (const std::exception&) {
    out->available = false;
  }
}

/// The answer to a list: the merged items (trimmed for Nova's summary list)
/// and the links to the next page in the service's shape. The items are moved
/// out of `merged` (after the links, which read the last one's ID).
json page_body(const request& r, api::merged_page& merged, bool summary) {
  const auto& route = r.route;
  json body = json::object();
  if (route.service == api::service_type::image) body["schema"] = "/v2/schemas/images";
  api::set_list_links(body, route.service, route.resource,
                      api::agent_service_root(route.service, r.context.base_url),
                      route.upstream_path, route.query, merged);
  json items = json::array();
  for (auto& item : merged.items) {
    if (!summary) {
      items.push_back(std::move(item));
      continue;
    }
    json brief = json::object();
    for (const char* key : {"id", "name", "links"})
      if (item.contains(key)) brief[key] = std::move(item[key]);
    items.push_back(std::move(brief));
  }
  body[route.resource] = std::move(items);
  return body;
}

/// Each cloudlet is one availability zone, named by its region.
std::string zone_list_body(const std::vector<cloudlet_endpoints>& cloudlets,
                           const std::vector<std::shared_ptr<zone_answer>>& answers,
                           const std::vector<bool>& done) {
  json zones = json::array();
  for (std::size_t i = 0; i < cloudlets.size(); ++i) {
    json zone = json::object();
    zone["zoneName"] = cloudlets[i].region;
    zone["zoneState"] = json{{"available", done[i] && answers[i]->available}};
    zone["hosts"] = done[i] ? answers[i]->hosts : json(nullptr);
    zones.push_back(std::move(zone));
  }
  json body = json::object();
  body["availabilityZoneInfo"] = std::move(zones);
  return body.dump();
}

} // namespace

http::awaitable<void> handle_list(request& r) {
  const auto& route = r.route;
  auto service = route.service;
  const auto& collection = route.resource;
  auto sort = api::parse_list_sort(service, collection, route.query);
  if (!sort.ok()) co_return co_await send_error(r, 400, sort.error);
  auto query = api::query_string::parse(route.query);
  auto limit_param = query.limit();
  if (limit_param.present && !limit_param.valid)
    co_return co_await send_error(r, 400, "Invalid limit: it must be a non-negative integer.");
  std::optional<std::uint64_t> limit =
    limit_param.present ? std::optional{limit_param.value} : default_limit(service);
  if (limit) limit = std::min(*limit, cloud_page_max);
  auto marker = query.marker();
  query.remove("marker");
  query.remove("limit");

  // Nova's summary list has no fields to sort or mark by: ask for details, trim after.
  bool summary = service == api::service_type::compute && route.action.empty();
  auto list_path = route.upstream_path;
  auto item_path = route.upstream_path;
  if (service == api::service_type::compute) item_path = "/v2.1/servers";
  if (summary) list_path += "/detail";

  std::optional<marker_item> after;
  if (marker) {
    after = co_await find_marker(r, *marker, item_path);
    if (!after) co_return co_await send_error(r, 400, "marker [" + *marker + "] not found");
  }
  auto keys_without_id = sort.keys;
  if (!keys_without_id.empty() && keys_without_id.back().field == "id") keys_without_id.pop_back();

  auto headers = client_call_headers(r);
  auto cloudlets = all_cloudlets(r.context);
  auto filters = query.encode();
  // Set when the client leaves or the deadline passes: the cloud reads stop.
  auto abandoned = std::make_shared<std::atomic<bool>>(false);
  std::vector<std::shared_ptr<cloud_items>> results;
  std::vector<std::function<http::awaitable<void>()>> tasks;
  std::vector<std::string> skipped;
  for (const auto& c : cloudlets) {
    auto result = std::make_shared<cloud_items>();
    results.push_back(result);
    // Filters that name a resource without a copy on this cloudlet match nothing there.
    std::vector<std::string_view> texts;
    texts.push_back(filters);
    auto to_local = co_await ids_to_local(r, c.region, texts);
    bool unmatched = false;
    auto local_filters = api::rewrite_uuids(filters, [&](std::string_view id) -> std::optional<std::string> {
      auto it = to_local.find(std::string(id));
      if (it != to_local.end()) return it->second;
      if (api::global_id_owner(id)) unmatched = true;
      return std::nullopt;
    });
    if (unmatched) {
      result->ok = true;
      continue;
    }
    cloud_query q;
    q.cloudlet = c;
    q.service = service;
    q.path = list_path;
    q.collection = collection;
    q.query = api::query_string::parse(local_filters);
    if (limit) q.page = std::min<std::uint64_t>(*limit + 1, cloud_page_max);
    q.wanted = limit ? *limit + 1 : 0;
    if (after) q.after = after->item;
    q.keys_without_id = keys_without_id;
    tasks.push_back([context = &r.context, headers, q, result, abandoned]() {
      return read_cloud(context, headers, q, result, abandoned);
    });
  }
  auto deadline = std::chrono::milliseconds{r.context.options.list_deadline_ms};
  // Tasks were made only for cloudlets not settled above; map them back.
  std::vector<std::size_t> task_of;
  for (std::size_t i = 0; i < results.size(); ++i)
    if (!results[i]->ok) task_of.push_back(i);
  r.exchange.on_client_gone([abandoned] { *abandoned = true; });
  auto done = co_await run_all(std::move(tasks), deadline);
  r.exchange.stop_watching_client();
  *abandoned = true;
  if (r.exchange.client_gone()) {
    spdlog::info("{} list of {}: the client left; its cloud reads were stopped", r.request_id, collection);
    co_return;
  }

  std::vector<api::cloudlet_page> pages;
  std::vector<std::string> unreachable;
  bool all_timed_out = true;
  for (std::size_t t = 0; t < task_of.size(); ++t) {
    const auto& c = cloudlets[task_of[t]];
    auto& result = *results[task_of[t]];
    if (!done[t] || !result.ok) {
      all_timed_out = all_timed_out && (!done[t] || result.timed_out);
      unreachable.push_back(c.region);
      spdlog::warn("{} list of {}: cloudlet {} {}", r.request_id, collection, c.region,
                   done[t] ? "failed: " + result.error : "missed the deadline");
      continue;
    }
    api::cloudlet_page page;
    page.cloudlet = c.region;
    page.exhausted = result.exhausted;
    page.items = co_await translate_items(r, c, collection, std::move(result.items));
    pages.push_back(std::move(page));
  }
  if (pages.empty() && !task_of.empty()) {
    if (all_timed_out) co_return co_await send_error(r, 504, "No cloudlet answered the list in time.");
    co_return co_await send_error(r, 503, "No cloudlet could answer the list.");
  }

  auto merged = api::merge_pages(std::move(pages), sort.keys, limit.value_or(std::numeric_limits<std::size_t>::max()),
                                 after ? &after->item : nullptr);
  auto body = page_body(r, merged, summary);
  bhttp::fields extra;
  if (!unreachable.empty()) {
    std::string names;
    for (const auto& u : unreachable) names += (names.empty() ? "" : ",") + u;
    extra.set("X-Fedstack-Unreachable", names);
  }
  auto text = body.dump();
  co_await send_json(r, 200, std::move(text), &extra);
}

http::awaitable<void> handle_zone_list(request& r) {
  auto cloudlets = all_cloudlets(r.context);
  auto headers = client_call_headers(r);
  auto path = "/v2.1/os-availability-zone" + std::string(r.route.resource_id == "detail" ? "/detail" : "");
  std::vector<std::shared_ptr<zone_answer>> answers;
  std::vector<std::function<http::awaitable<void>()>> tasks;
  for (const auto& c : cloudlets) {
    auto answer = std::make_shared<zone_answer>();
    answers.push_back(answer);
    tasks.push_back([context = &r.context, headers, c, path, answer]() {
      return check_zone(context, headers, c, path, answer);
    });
  }
  auto done = co_await run_all(std::move(tasks), std::chrono::milliseconds{r.context.options.list_deadline_ms});
  auto text = zone_list_body(cloudlets, answers, done);
  co_await send_json(r, 200, std::move(text));
}

} // namespace fedstack::agent
