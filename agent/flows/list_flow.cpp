// Lists across every cloudlet, as one list: each cloudlet is asked in parallel
// (under --list-deadline-ms) for the page after the marker (how far each is
// read: the paging rule of rules/list_paging.hpp), its IDs become
// global, copies made for boots are hidden, and a k-way merge on the sort key
// yields the page (api/list_merge.hpp; Nova cells v2's multi_cell_list does the
// same across its cells). No JSON tree is built: each answer is scanned once
// (api/list_scan.hpp), the merge runs on each item's sort keys and ID, and the
// page is written from the clouds' bytes with only what changes rewritten. A cloudlet that failed or missed the deadline is
// named in the X-Fedstack-Unreachable header and in the log; its items are
// missing from that answer, never silently.

#include <algorithm>
#include <atomic>
#include <memory>
#include <set>
#include <unordered_set>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/flows/federation.hpp"
#include "agent/flows/flavor_filter.hpp"
#include "agent/flows/flavor_ids.hpp"
#include "agent/flows/l3.hpp"
#include "agent/rules/l3_rule.hpp"
#include "agent/flows/marker_search.hpp"
#include "agent/flows/owner_lookup.hpp"
#include "agent/services/registry_client.hpp"
#include "agent/rules/resource_kinds.hpp"
#include "agent/flows/request.hpp"
#include "agent/rules/admin_scope.hpp"
#include "agent/rules/backup_rule.hpp"
#include "agent/rules/list_paging.hpp"
#include "agent/rules/operator_sums.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/json_uuids.hpp"
#include "api/list_merge.hpp"
#include "api/list_scan.hpp"
#include "agent/rules/direct_image_rule.hpp"
#include "api/rewrite.hpp"
#include "agent/rules/volume_zone.hpp"
#include "api/query.hpp"
#include "api/urls.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// One answer of a cloud and what the scan found in it (views into `body`).
struct scanned_page {
  std::string body;
  api::list_scan scan;
};

/// What one cloud answered.
struct cloud_items {
  bool ok = false;
  std::string error;
  bool timed_out = false;
  std::vector<std::unique_ptr<scanned_page>> pages;   // stable: the scans point into the bodies
  std::vector<json> keys;    // every item read, copies too: its key fields (cloud IDs), in order
  std::vector<bool> copies;  // parallel to keys: a copy made for a boot, never shown
  bool exhausted = true;
  unsigned status = 0;       // a refusal's status (non-200), 0 when it did not answer
  std::string refusal;       // and its body, as the cloud gave it
};

/// Which members of an item the list reads: the leading `in_keys` of
/// options.wanted go into its key object (the sort fields, `id`, and the
/// project fields an admin's list translates by); `name` and `links` follow,
/// for Nova's summary list.
struct item_fields {
  api::scan_options options;
  std::size_t in_keys = 0;
};

item_fields fields_for(const list_request& list, api::service_type service, const std::string& collection) {
  item_fields f;
  f.options.service = service;
  auto add = [&](const std::string& name) {
    if (std::find(f.options.wanted.begin(), f.options.wanted.end(), name) == f.options.wanted.end())
      f.options.wanted.push_back(name);
  };
  for (const auto& key : list.keys) add(key.field);
  for (const char* name : {"id", "tenant_id", "project_id", "owner"}) add(name);
  // An operator's external network is told by these and shown by its name's federation ID (rules/l3_rule.hpp).
  if (collection == "networks")
    for (const char* name : {"router:external", "name"}) add(name);
  // Equal images of several cloudlets are shown once (rules/direct_image_rule.hpp).
  if (service == api::service_type::image && collection == "images")
    for (const char* name : {"name", "checksum", "os_hash_value", "status"}) add(name);
  f.in_keys = f.options.wanted.size();
  for (const char* name : {"name", "links", "flavor"}) add(name);
  if (service == api::service_type::compute) f.options.replaceable = {"OS-EXT-AZ:availability_zone", "flavor"};
  if (service == api::service_type::volume) f.options.replaceable = {"availability_zone"};   // the cloudlet
  return f;
}

/// A member's value as JSON: a plain string without parsing.
json member_json(std::string_view text, api::byte_span span) {
  auto value = text.substr(span.begin, span.end - span.begin);
  if (value.size() >= 2 && value.front() == '"' && value.find('\\') == std::string_view::npos)
    return json(std::string(value.substr(1, value.size() - 2)));
  return json::parse(value);
}

/// An item's key object: its members among the first `in_keys` wanted, as the cloud wrote them.
json key_object(std::string_view text, const api::list_scan& scan, const api::scanned_item& item,
                const item_fields& fields) {
  json keys = json::object();
  for (auto m = item.members_begin; m < item.members_end; ++m) {
    const auto& member = scan.members[m];
    if (member.slot < fields.in_keys) keys[fields.options.wanted[member.slot]] = member_json(text, member.value);
  }
  return keys;
}

/// How to ask one cloud.
struct cloud_query {
  cloudlet_endpoints cloudlet;
  api::service_type service;
  std::string path;            // upstream path, e.g. /v2.1/servers/detail
  std::string collection;
  api::query_string query;     // filters translated, no marker or limit
  cloud_read_plan plan;
  std::shared_ptr<const item_fields> fields;
  /// A network list on a cloudlet after the first: its operators' external
  /// networks are likely shown from another (show_external_networks_once), so
  /// they do not count toward the page (reading one more is harmless).
  bool externals_elsewhere = false;
};

/// Reads pages from one cloud as the paging rule says (rules/list_paging.hpp).
/// Runs outside the request: copies only. Stops before its next call once
/// `abandoned` is set (the client left or the list's deadline passed).
http::awaitable<void> read_cloud(agent_context* context, bhttp::fields headers, cloud_query q,
                                 std::shared_ptr<cloud_items> out,
                                 std::shared_ptr<std::atomic<bool>> abandoned) {
  try {
    auto step = first_cloud_step(q.plan, q.cloudlet.region);
    auto options = q.fields->options;
    auto root = root_url(endpoint_of(q.cloudlet, q.service));
    options.from_root = root;
    std::vector<bool> hidden;   // parallel to out->keys: items the page will not show
    for (int calls = 0;; ++calls) {
      if (*abandoned) {
        out->error = "abandoned: the client left or the deadline passed";
        co_return;
      }
      if (step.next == cloud_step::action::capped) {
        spdlog::warn("list of {} on {}: stopped after {} items in {} calls, before the marker or "
                     "inside a group of items tied on every sort key but the ID",
                     q.collection, q.cloudlet.region, out->keys.size(), calls);
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
      auto page = std::make_unique<scanned_page>();
      page->body = std::move(answer.body);
      if (!api::scan_list_page(page->body, q.collection, options, page->scan)) {
        out->error = "not a list of " + q.collection;
        co_return;
      }
      out->exhausted = exhausts_cloud(step.call, page->scan.items.size());
      for (const auto& item : page->scan.items) {
        out->keys.push_back(key_object(page->body, page->scan, item, *q.fields));
        out->copies.push_back(item.own && item.own->is_copy);
        hidden.push_back(out->copies.back() ||
                         (q.externals_elsewhere && !item.own && is_operator_external(out->keys.back())));
      }
      out->pages.push_back(std::move(page));
      step = next_cloud_step(q.plan, q.cloudlet.region, out->keys, out->exhausted, hidden);
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
  // An operator's external network by its federation ID: where it is shown from.
  if (r.route.service == api::service_type::network && r.route.resource == "networks" &&
      is_external_network_id(marker)) {
    auto found = co_await find_external_network(r, marker);
    if (!found) co_return std::nullopt;
    co_return co_await for_client(r, found->cloudlet, found->item, found->local_id);
  }
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

/// Where a kept item's text is, and what replaces its members (Nova's zone and flavor).
struct item_source {
  const scanned_page* page = nullptr;
  const api::scanned_item* item = nullptr;
  const std::string* replacements[2] = {nullptr, nullptr};
};

/// One cloudlet's items for the client: copies dropped; their key objects with
/// global IDs (the merge's items) and where each one's text is.
struct translated_cloud {
  api::cloudlet_page page;
  std::vector<item_source> sources;   // parallel to page.items
  std::map<std::string, std::string> to_global;
  api::id_views ids;                  // views into to_global
  std::string from_root, to_root;
  std::string zone;                   // the zone's JSON text (compute)
  std::vector<std::string> flavors;   // replaced flavors' JSON text (compute)
};

/// The translation of one cloudlet's items (IDs global, links the agent's), as
/// rewrite_json_for_client makes it of a parsed document.
http::awaitable<void> translate_items(request& r, const cloudlet_endpoints& c, cloud_items& result,
                                      const item_fields& fields, translated_cloud& out) {
  auto service = r.route.service;
  std::vector<std::string> uuids;
  std::unordered_set<std::string_view> seen;
  std::vector<marked_id> markers;
  std::vector<api::scanned_reference> references;
  std::size_t kept = 0;
  for (const auto& page : result.pages) {
    for (auto id : page->scan.uuids)
      if (seen.insert(id).second) uuids.emplace_back(id);
    for (const auto& m : page->scan.markers) markers.push_back({m.local_id, m.global_id, m.is_copy});
    references.insert(references.end(), page->scan.references.begin(), page->scan.references.end());
  }
  // An admin's list (all_tenants, Glance's every image) holds other projects' items:
  // their records translate them too.
  std::vector<std::string> others;
  if (r.identity->is_admin) {
    // The key objects are lent to the array and given back: not copied.
    json items = json::array();
    for (std::size_t k = 0; k < result.keys.size(); ++k)
      if (!result.copies[k]) items.push_back(std::move(result.keys[k]));
    others = other_projects_named(items, r.identity->project_id);
    for (std::size_t k = 0, i = 0; k < result.keys.size(); ++k)
      if (!result.copies[k]) result.keys[k] = std::move(items[i++]);
  }
  // Operators' external networks are shown by their federation IDs (rules/l3_rule.hpp).
  if (service == api::service_type::network && r.route.resource == "networks") {
    std::size_t n = 0;
    for (const auto& page : result.pages)
      for (const auto& item : page->scan.items) {
        const auto& keys = result.keys[n++];
        auto id = keys.value("id", std::string{});
        bool external = keys.contains("router:external") && keys["router:external"] == true;
        if (external && !item.own && !api::global_id_owner(id))
          r.context.aliases.learn(c.region, id, external_network_id(keys.value("name", std::string{})));
      }
  }
  if (service == api::service_type::network && (r.route.resource == "floatingips" || r.route.resource == "routers"))
    co_await external_networks_on(r, c);
  out.to_global = co_await ids_to_global_scanned(r, c.region, service, markers, references, uuids, others);
  out.ids.reserve(out.to_global.size());
  for (const auto& [local, global] : out.to_global) out.ids.emplace(local, global);
  out.from_root = root_url(endpoint_of(c, service));
  out.to_root = api::agent_service_root(service, r.context.base_url);
  // By the views: no key string made per lookup.
  api::uuid_map lookup = [&ids = out.ids](std::string_view id) -> std::optional<std::string> {
    auto it = ids.find(id);
    if (it == ids.end()) return std::nullopt;
    return std::string(it->second);
  };
  bool compute = service == api::service_type::compute;
  out.zone = json(c.region).dump();
  // Nova's servers from another cloudlet: their flavors as this cloudlet knows them
  // (parsed only then: the agent's own cloudlet's flavors are shown as they are).
  bool foreign_flavors = compute && r.route.resource == "servers" && c.region != r.context.cloudlet.region;
  json servers = json::array();
  std::size_t k = 0;
  for (const auto& page : result.pages) {
    for (const auto& item : page->scan.items) {
      auto& keys = result.keys[k++];   // moved into the merge's page: read once
      if (item.own && item.own->is_copy) continue;
      ++kept;
      api::rewrite_json_uuids(keys, lookup);
      api::rewrite_json_urls(keys, out.from_root, out.to_root);
      item_source source{page.get(), &item, {nullptr, nullptr}};
      if (keys.contains("availability_zone") && service == api::service_type::volume) keys["availability_zone"] = c.region;
      if (compute && keys.contains("OS-EXT-AZ:availability_zone")) keys["OS-EXT-AZ:availability_zone"] = c.region;
      if (foreign_flavors) {
        json server = json::object();
        for (auto m = item.members_begin; m < item.members_end; ++m)
          if (fields.options.wanted[page->scan.members[m].slot] == "flavor") {
            auto flavor = member_json(page->body, page->scan.members[m].value);
            api::rewrite_json_uuids(flavor, lookup);
            api::rewrite_json_urls(flavor, out.from_root, out.to_root);
            server["flavor"] = std::move(flavor);
          }
        servers.push_back(std::move(server));
      }
      out.page.items.push_back(std::move(keys));
      out.sources.push_back(source);
    }
  }
  if (foreign_flavors) {
    json doc = json::object();
    doc["servers"] = servers;
    co_await show_own_flavor_ids(r, c, doc);
    out.flavors.reserve(kept);
    for (std::size_t i = 0; i < kept; ++i) {
      const auto& before = servers[i];
      const auto& after = doc["servers"][i];
      if (after == before || !after.contains("flavor")) continue;
      out.flavors.push_back(after["flavor"].dump());
      if (out.page.items[i].contains("flavor")) out.page.items[i]["flavor"] = after["flavor"];
    }
    std::size_t f = 0;
    for (std::size_t i = 0; i < kept; ++i)
      if (doc["servers"][i] != servers[i] && doc["servers"][i].contains("flavor"))
        out.sources[i].replacements[1] = &out.flavors[f++];
  }
  if (compute || service == api::service_type::volume)
    for (auto& source : out.sources) source.replacements[0] = &out.zone;
  co_return;
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

/// The last member of `item` named `name` (a parser keeps the last), or null.
const api::scanned_member* member_named(const item_source& source, const api::scan_options& options,
                                        std::string_view name) {
  const api::scanned_member* found = nullptr;
  for (auto m = source.item->members_begin; m < source.item->members_end; ++m) {
    const auto& member = source.page->scan.members[m];
    if (options.wanted[member.slot] == name) found = &member;
  }
  return found;
}

/// Appends one item of the page as the client gets it (Nova's summary list:
/// only its `id`, `links` and `name`, in that order, as the tree wrote them).
void write_item(std::string& out, const item_source& source, const translated_cloud& cloud,
                const api::scan_options& options, bool summary) {
  std::string_view text = source.page->body;
  const auto& scan = source.page->scan;
  const auto* edits = scan.edits.data();
  api::write_options o;
  o.ids = &cloud.ids;
  o.from_root = cloud.from_root;
  o.to_root = cloud.to_root;
  o.replacements = source.replacements;
  auto first = edits + source.item->edits_begin, last = edits + source.item->edits_end;
  if (!summary) {
    api::write_span(out, text, source.item->span, first, last, o);
    return;
  }
  out.push_back('{');
  bool comma = false;
  if (text[source.item->span.begin] == '{')
    for (const char* key : {"id", "links", "name"}) {
      const auto* member = member_named(source, options, key);
      if (!member) continue;
      if (comma) out.push_back(',');
      comma = true;
      api::append_json_string(out, key);
      out.push_back(':');
      api::write_span(out, text, member->value, first, last, o);
    }
  out.push_back('}');
}

/// The answer to a list: the page's links in the service's shape (from the
/// last item's ID), and the picked items written from the clouds' text.
std::string page_text(const request& r, api::merged_page& keys, const api::merge_order& order,
                      const std::vector<translated_cloud>& clouds, const api::scan_options& options,
                      bool summary) {
  const auto& route = r.route;
  json body = json::object();
  if (route.service == api::service_type::image) body["schema"] = "/v2/schemas/images";
  api::set_list_links(body, route.service, route.resource,
                      api::agent_service_root(route.service, r.context.base_url),
                      route.upstream_path, route.query, keys, order.picks.size());
  // The items go where a placeholder string is: the envelope is written as the tree wrote it.
  body[route.resource] = "\x01";
  auto envelope = body.dump();
  // Looked for as the collection's member: no other string of the envelope can be it.
  auto key = json(route.resource).dump() + ":";
  const std::string placeholder = key + "\"\\u0001\"";
  auto at = envelope.find(placeholder) + key.size();
  std::size_t size = envelope.size();
  for (const auto& pick : order.picks)
    size += clouds[pick.page].sources[pick.item].item->span.end - clouds[pick.page].sources[pick.item].item->span.begin + 1;
  std::string out;
  out.reserve(size + 64);
  out.append(envelope, 0, at);
  out.push_back('[');
  bool comma = false;
  for (const auto& pick : order.picks) {
    if (comma) out.push_back(',');
    comma = true;
    const auto& cloud = clouds[pick.page];
    write_item(out, cloud.sources[pick.item], cloud, options, summary);
  }
  out.push_back(']');
  out.append(envelope, at + placeholder.size() - key.size());
  return out;
}

/// One cloud's read for a list page: the query, and where its answer lands.
struct cloud_read {
  cloud_query query;
  std::shared_ptr<cloud_items> result = std::make_shared<cloud_items>();
};

/// The reads of one list page, one per cloudlet whose filters can match there
/// (a filter naming a resource without a copy on a cloudlet matches nothing there).
http::awaitable<std::vector<cloud_read>> plan_reads(request& r, const list_request& list,
                                                    const cloud_read_plan& plan,
                                                    const std::shared_ptr<const item_fields>& fields) {
  std::vector<cloud_read> reads;
  auto flavor = co_await filtered_flavor(r, list.filters);   // each cloudlet numbers its own (flavor_filter.hpp)
  for (const auto& c : all_cloudlets(r.context)) {
    std::vector<std::string_view> texts;   // named: GCC 12 and initializer lists across co_await
    texts.push_back(list.filters);
    auto to_local = co_await ids_to_local(r, c.region, texts);
    auto filters = filters_on_cloudlet(list.filters, to_local);
    if (!filters) continue;
    if (flavor) filters = co_await flavor_filter_on(r, *flavor, *filters, c);
    if (!filters) continue;
    if (r.route.service == api::service_type::volume && r.route.resource == "volumes")
      filters = volume_zone_filter(*filters, c.region);
    if (!filters) continue;
    cloud_read read;
    read.query = {c, r.route.service, list.list_path, r.route.resource, api::query_string::parse(*filters), plan,
                  fields, r.route.resource == "networks" && !reads.empty()};
    reads.push_back(std::move(read));
  }
  co_return reads;
}

/// Runs the reads in parallel under --list-deadline-ms: which finished in
/// time. The reads stop when the client leaves or the deadline passes.
http::awaitable<std::vector<bool>> run_reads(request& r, const std::vector<cloud_read>& reads) {
  auto headers = client_call_headers(r);
  // A backup's marker is in its metadata, which Cinder shows from 3.43 (rules/backup_rule.hpp):
  // read below that, a backup another agent made could not be named by its global ID.
  if (r.route.service == api::service_type::volume && r.route.resource == "backups")
    headers.set("OpenStack-API-Version", api::volume_api_version_header(backup_create_version(r.volume_version)));
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
  std::vector<translated_cloud> clouds;
  std::vector<std::string> unreachable;
  bool all_timed_out = true;   // every failure a timeout or a missed deadline
  std::vector<cloudlet_reply> replies;   // each read's answer, for a refusal to relay
};

http::awaitable<list_answers> gather_pages(request& r, std::vector<cloud_read>& reads,
                                           const std::vector<bool>& done, const item_fields& fields) {
  list_answers out;
  for (const auto& read : reads)
    out.replies.push_back({read.result->status != 0 || read.result->ok, read.result->ok ? 200u : read.result->status});
  // Each cloud's translation refers to itself (views, pointers): sized once, never moved.
  std::size_t answered = 0;
  for (std::size_t t = 0; t < reads.size(); ++t) answered += done[t] && reads[t].result->ok ? 1 : 0;
  out.clouds.reserve(answered);
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
    auto& cloud = out.clouds.emplace_back();
    cloud.page.cloudlet = c.region;
    cloud.page.exhausted = result.exhausted;
    co_await translate_items(r, c, result, fields, cloud);
  }
  co_return out;
}

/// Same-named operators' external networks are one network: shown once, from
/// the first cloudlet holding one (their items carry one federation ID by now).
void show_external_networks_once(std::vector<translated_cloud>& clouds) {
  std::set<std::string> seen;
  for (auto& cloud : clouds) {
    std::vector<json> items;
    std::vector<item_source> sources;
    for (std::size_t i = 0; i < cloud.page.items.size(); ++i) {
      auto id = cloud.page.items[i].value("id", std::string{});
      if (is_external_network_id(id) && !seen.insert(id).second) continue;
      items.push_back(std::move(cloud.page.items[i]));
      sources.push_back(cloud.sources[i]);
    }
    cloud.page.items = std::move(items);
    cloud.sources = std::move(sources);
  }
}

/// Equal images (the operator's cirros on every cloudlet) are one image: shown
/// once, this agent's cloudlet's where it holds one, else the first cloudlet's
/// by region name. Folded among the items read for this page.
void show_equal_images_once(std::vector<translated_cloud>& clouds, const std::string& own) {
  // The key objects are lent to the rule and given back: not copied.
  std::vector<std::pair<std::string, std::vector<json>>> read;
  read.reserve(clouds.size());
  for (auto& cloud : clouds) read.emplace_back(cloud.page.cloudlet, std::move(cloud.page.items));
  auto shown = images_shown_once(read, own);
  for (std::size_t c = 0; c < clouds.size(); ++c) {
    auto& cloud = clouds[c];
    auto& lent = read[c].second;
    std::vector<json> items;
    std::vector<item_source> sources;
    items.reserve(lent.size());
    sources.reserve(lent.size());
    for (std::size_t i = 0; i < lent.size(); ++i) {
      if (!shown[c][i]) continue;
      items.push_back(std::move(lent[i]));
      sources.push_back(cloud.sources[i]);
    }
    cloud.page.items = std::move(items);
    cloud.sources = std::move(sources);
  }
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

/// Nova and Neutron refuse an unknown marker (400); Cinder looks it up as an item
/// and answers its NotFound (`_generate_paginate_query`, cinder/db/sqlalchemy/api.py).
unsigned unknown_marker_status(const api::route& route) {
  return route.service == api::service_type::volume ? 404 : 400;
}

std::string unknown_marker_message(const api::route& route, const std::string& marker) {
  if (route.service != api::service_type::volume) return "marker [" + marker + "] not found";
  std::string kind = route.resource == "snapshots" ? "Snapshot" : route.resource == "backups" ? "Backup" : "Volume";
  return kind + " " + marker + " could not be found.";
}

} // namespace

http::awaitable<void> handle_list(request& r) {
  auto list = read_list_request(r.route);
  if (!list.error.empty()) co_return co_await send_error(r, 400, list.error);
  std::optional<marker_item> after;
  if (list.marker) {
    after = co_await find_marker(r, *list.marker, list.item_path);
    if (!after) co_return co_await send_error(r, unknown_marker_status(r.route), unknown_marker_message(r.route, *list.marker));
  }
  const json* after_item = after ? &after->item : nullptr;
  auto plan = after ? plan_cloud_read(list.limit, list.keys, after_item, after->cloudlet, after->local_id)
                    : plan_cloud_read(list.limit, list.keys, nullptr);
  auto fields = std::make_shared<const item_fields>(fields_for(list, r.route.service, r.route.resource));
  auto reads = co_await plan_reads(r, list, plan, fields);
  auto done = co_await run_reads(r, reads);
  if (r.exchange.client_gone()) {
    spdlog::info("{} list of {}: the client left; its cloud reads were stopped", r.request_id, r.route.resource);
    co_return;
  }
  auto answers = co_await gather_pages(r, reads, done, *fields);
  // Every cloud refused the list (a non-admin's all_tenants: Nova's 403): the client's error, as Nova gave it.
  if (auto outcome = decide_view(answers.replies, {}); outcome.what == view_outcome::kind::relay) {
    const auto& refused = *reads[outcome.relay_index].result;
    co_return co_await send_json(r, refused.status, refused.refusal);
  }
  if (auto failure = failed_list(reads.size(), answers.clouds.size(), answers.all_timed_out))
    co_return co_await send_error(r, failure->status, failure->message);
  if (r.route.service == api::service_type::network && r.route.resource == "networks")
    show_external_networks_once(answers.clouds);
  if (r.route.service == api::service_type::image && r.route.resource == "images")
    show_equal_images_once(answers.clouds, r.context.cloudlet.region);
  std::vector<api::cloudlet_page> pages;
  pages.reserve(answers.clouds.size());
  for (auto& cloud : answers.clouds) pages.push_back(std::move(cloud.page));
  auto order = api::order_merge(pages, list.keys, list.limit.value_or(std::numeric_limits<std::size_t>::max()),
                                plan.merge_after());
  // The links read the last picked item's ID.
  api::merged_page keys;
  keys.has_more = order.has_more;
  if (!order.picks.empty()) keys.items.push_back(std::move(pages[order.picks.back().page].items[order.picks.back().item]));
  auto text = page_text(r, keys, order, answers.clouds, fields->options, list.summary);
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
