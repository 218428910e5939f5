// Lists across every cloudlet, as one list: each cloudlet is asked in parallel
// (under --list-deadline-ms) for the page after the marker (how far each is
// read: the paging rule of rules/list_paging.hpp), its IDs become
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
#include "agent/flows/l3.hpp"
#include "agent/rules/l3_rule.hpp"
#include "agent/flows/marker_search.hpp"
#include "agent/flows/owner_lookup.hpp"
#include "agent/services/registry_client.hpp"
#include "agent/rules/resource_kinds.hpp"
#include "agent/flows/request.hpp"
#include "agent/rules/admin_scope.hpp"
#include "agent/rules/list_paging.hpp"
#include "agent/rules/operator_sums.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/json_uuids.hpp"
#include "api/list_merge.hpp"
#include "api/query.hpp"
#include "api/urls.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// What one cloud answered.
struct cloud_items {
  bool ok = false;
  std::string error;
  bool timed_out = false;
  std::vector<json> items;   // raw, cloud IDs
  bool exhausted = true;
  unsigned status = 0;       // a refusal's status (non-200), 0 when it did not answer
  std::string refusal;       // and its body, as the cloud gave it
};

/// How to ask one cloud.
struct cloud_query {
  cloudlet_endpoints cloudlet;
  api::service_type service;
  std::string path;            // upstream path, e.g. /v2.1/servers/detail
  std::string collection;
  api::query_string query;     // filters translated, no marker or limit
  cloud_read_plan plan;
};

/// Reads pages from one cloud as the paging rule says (rules/list_paging.hpp).
/// Runs outside the request: copies only. Stops before its next call once
/// `abandoned` is set (the client left or the list's deadline passed).
http::awaitable<void> read_cloud(agent_context* context, bhttp::fields headers, cloud_query q,
                                 std::shared_ptr<cloud_items> out,
                                 std::shared_ptr<std::atomic<bool>> abandoned) {
  try {
    auto step = first_cloud_step(q.plan);
    for (int calls = 0;; ++calls) {
      if (*abandoned) {
        out->error = "abandoned: the client left or the deadline passed";
        co_return;
      }
      if (step.next == cloud_step::action::capped) {
        spdlog::warn("list of {} on {}: stopped after {} items in {} calls, before the marker or "
                     "inside a group of items tied on every sort key but the ID",
                     q.collection, q.cloudlet.region, out->items.size(), calls);
        break;
      }
      auto query = q.query;
      if (step.call.limit) query.set_limit(*step.call.limit);
      if (!step.call.marker.empty()) query.set_marker(step.call.marker);
      auto target = q.path;
      if (!query.empty()) target += "?" + query.encode();
      auto answer = co_await call_cloudlet(*context, q.cloudlet, q.service, bhttp::verb::get,
                                           target, headers);
      if (answer.status != 200) {
        out->error = "HTTP " + std::to_string(answer.status);
        out->status = answer.status;
        out->refusal = std::move(answer.body);
        co_return;
      }
      auto doc = json::parse(answer.body, nullptr, false);
      if (!doc.is_object() || !doc.contains(q.collection) || !doc[q.collection].is_array()) {
        out->error = "not a list of " + q.collection;
        co_return;
      }
      auto& items = doc[q.collection];
      out->exhausted = exhausts_cloud(step.call, items.size());
      for (auto& item : items) out->items.push_back(std::move(item));
      step = next_cloud_step(q.plan, out->items, out->exhausted);
      if (step.next == cloud_step::action::done) break;
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
  auto kind = recorded_kind_of(r.route);
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
  // Operators' external networks are shown by their federation IDs (rules/l3_rule.hpp).
  if (service == api::service_type::network && collection == "networks") learn_external_items(r, c, doc[collection]);
  if (service == api::service_type::network && (collection == "floatingips" || collection == "routers"))
    co_await external_networks_on(r, c);
  auto uuids = api::collect_json_uuids(doc);
  // An admin's list (all_tenants, Glance's every image) holds other projects' items:
  // their records translate them too.
  std::vector<std::string> others;
  if (r.identity->is_admin) others = other_projects_named(doc[collection], r.identity->project_id);
  std::map<std::string, std::string> none;
  auto to_global = co_await ids_to_global(r, c.region, service, &doc, uuids, none, others);
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
  unsigned status = 0;      // the cloud's, 0 without an answer
  std::string refusal;      // a 403's body (the detail list is admin-only by Nova's policy)
};

http::awaitable<void> check_zone(agent_context* context, bhttp::fields headers, cloudlet_endpoints c,
                                 std::string path, std::shared_ptr<zone_answer> out) {
  try {
    auto answer = co_await call_cloudlet(*context, c, api::service_type::compute, bhttp::verb::get,
                                         path, headers);
    out->available = answer.status == 200;
    out->status = answer.status;
    if (answer.status == 403) out->refusal = answer.body;
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

/// One cloud's read for a list page: the query, and where its answer lands.
struct cloud_read {
  cloud_query query;
  std::shared_ptr<cloud_items> result = std::make_shared<cloud_items>();
};

/// The reads of one list page, one per cloudlet whose filters can match there
/// (a filter naming a resource without a copy on a cloudlet matches nothing there).
http::awaitable<std::vector<cloud_read>> plan_reads(request& r, const list_request& list,
                                                    const cloud_read_plan& plan) {
  std::vector<cloud_read> reads;
  for (const auto& c : all_cloudlets(r.context)) {
    std::vector<std::string_view> texts;   // named: GCC 12 and initializer lists across co_await
    texts.push_back(list.filters);
    auto to_local = co_await ids_to_local(r, c.region, texts);
    auto filters = filters_on_cloudlet(list.filters, to_local);
    if (!filters) continue;
    cloud_read read;
    read.query = {c, r.route.service, list.list_path, r.route.resource, api::query_string::parse(*filters), plan};
    reads.push_back(std::move(read));
  }
  co_return reads;
}

/// Runs the reads in parallel under --list-deadline-ms: which finished in
/// time. The reads stop when the client leaves or the deadline passes.
http::awaitable<std::vector<bool>> run_reads(request& r, const std::vector<cloud_read>& reads) {
  auto headers = client_call_headers(r);
  auto abandoned = std::make_shared<std::atomic<bool>>(false);
  std::vector<std::function<http::awaitable<void>()>> tasks;
  for (const auto& read : reads)
    tasks.push_back([context = &r.context, headers, q = read.query, result = read.result, abandoned]() {
      return read_cloud(context, headers, q, result, abandoned);
    });
  r.exchange.on_client_gone([abandoned] { *abandoned = true; });
  auto done = co_await run_all(std::move(tasks), std::chrono::milliseconds{r.context.options.list_deadline_ms});
  r.exchange.stop_watching_client();
  *abandoned = true;
  co_return done;
}

/// The clouds' answers as the merge takes them (IDs global, copies dropped),
/// and the clouds that gave none.
struct list_answers {
  std::vector<api::cloudlet_page> pages;
  std::vector<std::string> unreachable;
  bool all_timed_out = true;   // every failure a timeout or a missed deadline
  std::vector<cloudlet_reply> replies;   // each read's answer, for a refusal to relay
};

http::awaitable<list_answers> gather_pages(request& r, std::vector<cloud_read>& reads,
                                           const std::vector<bool>& done) {
  list_answers out;
  for (const auto& read : reads)
    out.replies.push_back({read.result->status != 0 || read.result->ok, read.result->ok ? 200u : read.result->status});
  for (std::size_t t = 0; t < reads.size(); ++t) {
    const auto& c = reads[t].query.cloudlet;
    auto& result = *reads[t].result;
    if (!done[t] || !result.ok) {
      out.all_timed_out = out.all_timed_out && (!done[t] || result.timed_out);
      out.unreachable.push_back(c.region);
      spdlog::warn("{} list of {}: cloudlet {} {}", r.request_id, r.route.resource, c.region,
                   done[t] ? "failed: " + result.error : "missed the deadline");
      continue;
    }
    api::cloudlet_page page;
    page.cloudlet = c.region;
    page.exhausted = result.exhausted;
    page.items = co_await translate_items(r, c, r.route.resource, std::move(result.items));
    out.pages.push_back(std::move(page));
  }
  co_return out;
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
  auto list = read_list_request(r.route);
  if (!list.error.empty()) co_return co_await send_error(r, 400, list.error);
  std::optional<marker_item> after;
  if (list.marker) {
    after = co_await find_marker(r, *list.marker, list.item_path);
    if (!after) co_return co_await send_error(r, 400, "marker [" + *list.marker + "] not found");
  }
  const json* after_item = after ? &after->item : nullptr;
  auto plan = plan_cloud_read(list.limit, list.keys, after_item);
  auto reads = co_await plan_reads(r, list, plan);
  auto done = co_await run_reads(r, reads);
  if (r.exchange.client_gone()) {
    spdlog::info("{} list of {}: the client left; its cloud reads were stopped", r.request_id, r.route.resource);
    co_return;
  }
  auto answers = co_await gather_pages(r, reads, done);
  if (r.route.service == api::service_type::network && r.route.resource == "networks") {
    std::vector<std::vector<json>*> pages;
    for (auto& page : answers.pages) pages.push_back(&page.items);
    merge_external_networks(pages);
  }
  // Every cloud refused the list (a non-admin's all_tenants: Nova's 403): the client's error, as Nova gave it.
  if (auto outcome = decide_view(answers.replies, {}); outcome.what == view_outcome::kind::relay) {
    const auto& refused = *reads[outcome.relay_index].result;
    co_return co_await send_json(r, refused.status, refused.refusal);
  }
  if (auto failure = failed_list(reads.size(), answers.pages.size(), answers.all_timed_out))
    co_return co_await send_error(r, failure->status, failure->message);
  auto merged = api::merge_pages(std::move(answers.pages), list.keys,
                                 list.limit.value_or(std::numeric_limits<std::size_t>::max()), after_item);
  auto text = page_body(r, merged, list.summary).dump();
  bhttp::fields extra;
  if (!answers.unreachable.empty()) extra.set("X-Fedstack-Unreachable", unreachable_header(answers.unreachable));
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
  // Nova refuses the detail list to non-admins (403, its policy): when every cloud
  // that answered refused, so does the agent, rather than show every zone down.
  bool refused = false, other = false;
  std::string refusal;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (!done[i] || answers[i]->status == 0) continue;
    if (answers[i]->status == 403) {
      refused = true;
      refusal = answers[i]->refusal;
    } else {
      other = true;
    }
  }
  if (refused && !other) {
    auto doc = json::parse(refusal, nullptr, false);
    auto message = doc.is_object() && doc.contains("forbidden") && doc["forbidden"].is_object()
                     ? doc["forbidden"].value("message", std::string{})
                     : std::string{};
    if (message.empty()) message = "Policy doesn't allow os_compute_api:os-availability-zone:detail to be performed.";
    co_return co_await send_error(r, 403, message);
  }
  auto text = zone_list_body(cloudlets, answers, done);
  co_await send_json(r, 200, std::move(text));
}

} // namespace fedstack::agent
