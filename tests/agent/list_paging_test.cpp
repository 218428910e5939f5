// The paging rule of merged lists (rules/list_paging.hpp): how far each cloud
// is read for one page, and the pages a client walks through. The clouds here
// are vectors served page by page in the cloud's own order (ties broken by the
// cloud's IDs), and their items are shown under other (global) IDs, so the
// merge breaks ties in another order than the clouds do.

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <ostream>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "agent/rules/list_paging.hpp"
#include "api/global_id.hpp"
#include "api/route.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using api::sort_key;
using action = cloud_step::action;

}  // namespace

// Readable failures (found by ADL).
void PrintTo(const cloud_call& call, std::ostream* out) {
  *out << "{limit " << (call.limit ? std::to_string(*call.limit) : "all") << ", marker \"" << call.marker << "\"}";
}

namespace {

// ---- the list call -------------------------------------------------------------------------

api::route list_route(api::service_type service, std::string resource, std::string query,
                      std::string action = {}) {
  api::route route;
  route.service = service;
  route.resource = resource;
  route.is_collection = true;
  route.action = action;
  route.query = std::move(query);
  route.upstream_path = service == api::service_type::image     ? "/v2/images"
                        : service == api::service_type::network ? "/v2.0/" + resource
                                                                : "/v2.1/servers";
  if (action == "detail") route.upstream_path += "/detail";
  return route;
}

TEST(ListRequest, limits_default_per_service) {
  EXPECT_EQ(read_list_request(list_route(api::service_type::image, "images", "")).limit, 25u);
  EXPECT_EQ(read_list_request(list_route(api::service_type::compute, "servers", "", "detail")).limit, 1000u);
  EXPECT_EQ(read_list_request(list_route(api::service_type::network, "ports", "")).limit, std::nullopt);
  EXPECT_EQ(read_list_request(list_route(api::service_type::network, "ports", "limit=3")).limit, 3u);
}

TEST(ListRequest, a_limit_above_the_cap_is_lowered_to_it) {
  EXPECT_EQ(read_list_request(list_route(api::service_type::image, "images", "limit=5000")).limit, cloud_page_max);
  EXPECT_EQ(read_list_request(list_route(api::service_type::network, "networks", "limit=1001")).limit,
            cloud_page_max);
  EXPECT_EQ(read_list_request(list_route(api::service_type::image, "images", "limit=1000")).limit, cloud_page_max);
}

TEST(ListRequest, malformed_calls_answer_400_with_the_reason) {
  EXPECT_EQ(read_list_request(list_route(api::service_type::image, "images", "limit=-1")).error,
            "Invalid limit: it must be a non-negative integer.");
  EXPECT_EQ(read_list_request(list_route(api::service_type::image, "images", "sort_dir=up")).error,
            "Invalid sort direction: up");
  EXPECT_EQ(read_list_request(list_route(api::service_type::image, "images", "limit=2")).error, "");
}

TEST(ListRequest, filters_lose_marker_and_limit_and_keep_the_rest) {
  auto list = read_list_request(list_route(api::service_type::image, "images",
                                           "name=x&limit=2&marker=abc&sort_key=name&sort_dir=asc"));
  EXPECT_EQ(list.marker, "abc");
  EXPECT_EQ(list.filters, "name=x&sort_key=name&sort_dir=asc");
  // Ties on every key go by the clouds' order: the appended `id` is gone.
  EXPECT_EQ(list.keys, (std::vector<sort_key>{{"name", false}, {"created_at", false}}));
  EXPECT_FALSE(list.by_global_id);
}

TEST(ListRequest, ties_go_by_the_clouds_order_unless_the_client_sorts_by_id) {
  auto read = [](api::service_type service, const char* resource, const char* query, const char* action = "") {
    return read_list_request(list_route(service, resource, query, action));
  };
  auto images = read(api::service_type::image, "images", "");
  EXPECT_EQ(images.keys, (std::vector<sort_key>{{"created_at", true}}));
  EXPECT_FALSE(images.by_global_id);
  auto ports = read(api::service_type::network, "ports", "limit=20");
  EXPECT_EQ(ports.keys, std::vector<sort_key>{});   // Neutron's default order is its IDs: all tie
  EXPECT_FALSE(ports.by_global_id);
  EXPECT_EQ(read(api::service_type::compute, "servers", "", "detail").keys, (std::vector<sort_key>{{"created", true}}));
  // Asked for by ID: the global IDs order the list.
  auto by_id = read(api::service_type::network, "ports", "sort_key=id&sort_dir=desc");
  EXPECT_EQ(by_id.keys, (std::vector<sort_key>{{"id", true}}));
  EXPECT_TRUE(by_id.by_global_id);
  EXPECT_TRUE(read(api::service_type::image, "images", "sort=name:asc,id:asc").by_global_id);
  EXPECT_TRUE(read(api::service_type::compute, "servers", "sort_key=uuid", "detail").by_global_id);
  EXPECT_FALSE(read(api::service_type::compute, "servers", "sort_key=id", "detail").by_global_id)
      << "Nova ignores its internal id as a sort key";
  EXPECT_TRUE(read(api::service_type::compute, "flavors", "", "detail").by_global_id) << "flavorid by default";
  // An operator's external network is listed by several clouds under one ID.
  EXPECT_TRUE(read(api::service_type::network, "networks", "").by_global_id);
}

TEST(ListRequest, a_nova_summary_list_reads_details) {
  auto summary = read_list_request(list_route(api::service_type::compute, "servers", ""));
  EXPECT_TRUE(summary.summary);
  EXPECT_EQ(summary.list_path, "/v2.1/servers/detail");
  EXPECT_EQ(summary.item_path, "/v2.1/servers");
  auto detail = read_list_request(list_route(api::service_type::compute, "servers", "", "detail"));
  EXPECT_FALSE(detail.summary);
  EXPECT_EQ(detail.list_path, "/v2.1/servers/detail");
  EXPECT_EQ(detail.item_path, "/v2.1/servers");
  auto ports = read_list_request(list_route(api::service_type::network, "ports", ""));
  EXPECT_FALSE(ports.summary);
  EXPECT_EQ(ports.list_path, "/v2.0/ports");
  EXPECT_EQ(ports.item_path, "/v2.0/ports");
}

const std::string gid_a = *api::make_global_id({"127.0.0.1", 4790});
const std::string gid_b = *api::make_global_id({"127.0.0.1", 4791});
const std::string local_a = "11111111-1111-4111-8111-111111111111";

TEST(ListRequest, filters_on_a_cloudlet_name_its_copy_or_match_nothing_there) {
  std::string filters = "network_id=" + gid_a;
  EXPECT_EQ(filters_on_cloudlet(filters, {{gid_a, local_a}}), "network_id=" + local_a);
  EXPECT_EQ(filters_on_cloudlet(filters, {{gid_b, local_a}}), std::nullopt);
  // A cloud's own ID is passed as it is: it is not the federation's to judge.
  EXPECT_EQ(filters_on_cloudlet("device_id=" + local_a, {}), "device_id=" + local_a);
  EXPECT_EQ(filters_on_cloudlet("", {}), "");
}

TEST(ListFailure, no_cloud_answered_is_504_when_all_timed_out_else_503) {
  EXPECT_EQ(failed_list(3, 1, true), std::nullopt);
  EXPECT_EQ(failed_list(0, 0, true), std::nullopt);   // no cloud could match the filters: an empty list
  auto timed_out = failed_list(2, 0, true);
  ASSERT_TRUE(timed_out);
  EXPECT_EQ(timed_out->status, 504u);
  EXPECT_EQ(timed_out->message, "No cloudlet answered the list in time.");
  auto failed = failed_list(2, 0, false);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 503u);
  EXPECT_EQ(failed->message, "No cloudlet could answer the list.");
}

TEST(ListFailure, the_unreachable_header_names_the_regions) {
  EXPECT_EQ(unreachable_header({"cloudlet-2"}), "cloudlet-2");
  EXPECT_EQ(unreachable_header({"cloudlet-2", "cloudlet-3"}), "cloudlet-2,cloudlet-3");
}

// ---- one cloud's reads ---------------------------------------------------------------------

// The order by name, ties broken by the clouds (a merge's keys: no `id`), and the same
// order with ties broken by global IDs (a client sorting by name and ID).
const std::vector<sort_key> by_name{{"name", false}};
const std::vector<sort_key> by_name_id{{"name", false}, {"id", false}};

json item(const std::string& id, const std::string& name) { return json{{"id", id}, {"name", name}}; }

std::vector<json> items(std::initializer_list<std::pair<const char*, const char*>> list) {
  std::vector<json> out;
  for (const auto& [id, name] : list) out.push_back(item(id, name));
  return out;
}

TEST(CloudReads, the_plan_asks_for_one_more_than_the_page_up_to_the_cap) {
  auto plan = plan_cloud_read(2, by_name, nullptr);
  EXPECT_EQ(plan.first_call, 3u);
  EXPECT_EQ(plan.wanted, 3u);
  EXPECT_FALSE(plan.by_global_id);
  EXPECT_FALSE(plan.after);
  EXPECT_EQ(first_cloud_step(plan, "cloudlet-1").call, (cloud_call{3, ""}));

  auto by_id = plan_cloud_read(2, by_name_id, nullptr);
  EXPECT_TRUE(by_id.by_global_id);
  EXPECT_EQ(by_id.tie_keys, (std::vector<sort_key>{{"name", false}}));

  auto big = plan_cloud_read(cloud_page_max, by_name, nullptr);
  EXPECT_EQ(big.first_call, cloud_page_max);
  EXPECT_EQ(big.wanted, cloud_page_max + 1);

  auto all = plan_cloud_read(std::nullopt, by_name, nullptr);
  EXPECT_EQ(all.first_call, std::nullopt);
  EXPECT_EQ(all.wanted, 0u);
  EXPECT_EQ(first_cloud_step(all, "cloudlet-1").call, (cloud_call{std::nullopt, ""}));
}

TEST(CloudReads, a_short_answer_or_one_without_limit_exhausts_the_cloud) {
  EXPECT_TRUE(exhausts_cloud({3, ""}, 2));
  EXPECT_FALSE(exhausts_cloud({3, ""}, 3));
  EXPECT_TRUE(exhausts_cloud({std::nullopt, ""}, 500));
}

TEST(CloudReads, in_the_clouds_order_enough_items_end_the_reads_inside_a_tie_group) {
  auto plan = plan_cloud_read(2, by_name, nullptr);   // wants 3
  auto read = items({{"l1", "a"}, {"l2", "b"}, {"l3", "b"}});
  EXPECT_EQ(next_cloud_step(plan, "cloudlet-1", read, false).next, action::done);
  // By global IDs the group of b may go on, and its order is not the cloud's.
  auto by_id = plan_cloud_read(2, by_name_id, nullptr);
  EXPECT_EQ(next_cloud_step(by_id, "cloudlet-1", read, false).next, action::call);
  read.push_back(item("l4", "c"));
  EXPECT_EQ(next_cloud_step(by_id, "cloudlet-1", read, false).next, action::done);
}

TEST(CloudReads, by_global_id_a_tie_group_straddling_cloud_pages_is_read_to_its_end) {
  auto plan = plan_cloud_read(1, by_name_id, nullptr);   // wants 2, asks 2 at first
  auto read = items({{"l1", "a"}, {"l2", "b"}});
  auto step = next_cloud_step(plan, "cloudlet-1", read, false);
  ASSERT_EQ(step.next, action::call);
  // Later calls ask for a full page after the cloud's own last ID.
  EXPECT_EQ(step.call, (cloud_call{cloud_page_max, "l2"}));
  for (auto* id : {"l3", "l4", "l5"}) read.push_back(item(id, "b"));
  EXPECT_EQ(next_cloud_step(plan, "cloudlet-1", read, false).next, action::call);   // still "b" at the end
  read.push_back(item("l6", "c"));
  EXPECT_EQ(next_cloud_step(plan, "cloudlet-1", read, false).next, action::done);
}

TEST(CloudReads, an_exhausted_or_empty_cloud_is_done) {
  for (const auto* keys : {&by_name, &by_name_id}) {
    auto plan = plan_cloud_read(1, *keys, nullptr);
    EXPECT_EQ(next_cloud_step(plan, "c", items({{"l1", "b"}, {"l2", "b"}}), true).next, action::done);
    EXPECT_EQ(next_cloud_step(plan, "c", {}, true).next, action::done);
    EXPECT_EQ(next_cloud_step(plan, "c", {}, false).next, action::done);
  }
}

TEST(CloudReads, the_markers_cloud_is_read_from_the_marker_the_others_from_their_start) {
  json marker = item(gid_a, "b");
  auto plan = plan_cloud_read(1, by_name, &marker, "cloudlet-2", "l7");   // wants 2 past the marker
  EXPECT_EQ(first_cloud_step(plan, "cloudlet-2").call, (cloud_call{2, "l7"}));
  EXPECT_EQ(first_cloud_step(plan, "cloudlet-1").call, (cloud_call{2, ""}));
  EXPECT_EQ(first_cloud_step(plan, "cloudlet-3").call, (cloud_call{2, ""}));
  // The marker's cloud answered what follows the marker: all of it counts, ties too.
  auto after = items({{"l8", "b"}, {"l9", "b"}});
  EXPECT_EQ(next_cloud_step(plan, "cloudlet-2", after, false).next, action::done);
  // On an earlier cloudlet a tie with the marker came before it; on a later one, after it.
  auto read = items({{"l1", "a"}, {"l2", "b"}});
  auto step = next_cloud_step(plan, "cloudlet-1", read, false);
  EXPECT_EQ(step.call, (cloud_call{cloud_page_max, "l2"}));
  EXPECT_EQ(next_cloud_step(plan, "cloudlet-3", read, false).next, action::call);   // one past
  read.push_back(item("l3", "b"));
  EXPECT_EQ(next_cloud_step(plan, "cloudlet-1", read, false).next, action::call);
  EXPECT_EQ(next_cloud_step(plan, "cloudlet-3", read, false).next, action::done);
  read.push_back(item("l4", "c"));
  EXPECT_EQ(next_cloud_step(plan, "cloudlet-1", read, false).next, action::call);   // one past
  read.push_back(item("l5", "c"));
  EXPECT_EQ(next_cloud_step(plan, "cloudlet-1", read, false).next, action::done);
  // What the merge is told agrees.
  auto told = plan.merge_after();
  EXPECT_EQ(told.item, &*plan.after);
  EXPECT_EQ(told.cloudlet, "cloudlet-2");
  EXPECT_TRUE(told.read_after);
  EXPECT_FALSE(plan_cloud_read(1, by_name_id, &marker, "cloudlet-2", "l7").merge_after().read_after);
}

TEST(CloudReads, by_global_id_items_up_to_and_tied_with_the_marker_do_not_count) {
  // The marker sits in the middle of the "b" group: its ties may come before or
  // after it in the merge, so none of them counts toward the page.
  json marker = item(gid_a, "b");
  auto plan = plan_cloud_read(1, by_name_id, &marker, "cloudlet-1", "l2");   // wants 2 past the marker
  EXPECT_EQ(first_cloud_step(plan, "cloudlet-1").call, (cloud_call{2, ""})) << "no cloud knows the order";
  auto read = items({{"l1", "a"}, {"l2", "b"}});
  EXPECT_EQ(next_cloud_step(plan, "cloudlet-1", read, false).next, action::call);
  read.push_back(item("l3", "b"));
  read.push_back(item("l4", "c"));
  EXPECT_EQ(next_cloud_step(plan, "cloudlet-1", read, false).next, action::call);   // one past the marker
  read.push_back(item("l5", "d"));
  EXPECT_EQ(next_cloud_step(plan, "cloudlet-1", read, false).next, action::call);   // d's group may go on
  read.push_back(item("l6", "e"));
  EXPECT_EQ(next_cloud_step(plan, "cloudlet-1", read, false).next, action::done);
}

TEST(CloudReads, copies_the_list_hides_do_not_count) {
  auto plan = plan_cloud_read(1, by_name, nullptr);   // wants 2
  auto read = items({{"l1", "a"}, {"l2", "b"}});
  EXPECT_EQ(next_cloud_step(plan, "c", read, false, {false, false}).next, action::done);
  auto step = next_cloud_step(plan, "c", read, false, {false, true});
  EXPECT_EQ(step.call, (cloud_call{cloud_page_max, "l2"})) << "read on after the copy";
}

TEST(CloudReads, a_marker_no_cloud_holds_still_bounds_the_reads) {
  json gone = item(gid_b, "bb");   // deleted since the client saw it: sorts between b and c
  auto plan = plan_cloud_read(0, by_name_id, &gone);   // wants 1 past it
  EXPECT_EQ(next_cloud_step(plan, "c", items({{"l1", "a"}}), false).next, action::call);
  EXPECT_EQ(next_cloud_step(plan, "c", items({{"l1", "a"}, {"l2", "c"}}), false).next, action::call);
  EXPECT_EQ(next_cloud_step(plan, "c", items({{"l1", "a"}, {"l2", "c"}, {"l3", "d"}}), false).next, action::done);
}

TEST(CloudReads, an_item_without_a_string_id_ends_the_reads) {
  auto plan = plan_cloud_read(1, by_name_id, nullptr);
  std::vector<json> read{item("l1", "a"), json{{"id", 2}, {"name", "a"}}};
  EXPECT_EQ(next_cloud_step(plan, "c", read, false).next, action::done);
}

TEST(CloudReads, reads_stop_at_the_per_cloud_cap) {
  json marker = item(gid_a, "tie");
  auto plan = plan_cloud_read(0, by_name, &marker, "cloudlet-2", "x");   // cloudlet-1: ties come before it
  std::vector<json> read;
  read.push_back(item("l0", "tie"));
  int calls = 1;
  for (auto step = next_cloud_step(plan, "cloudlet-1", read, false); step.next == action::call;
       step = next_cloud_step(plan, "cloudlet-1", read, false)) {
    ASSERT_EQ(step.call.limit, cloud_page_max);
    for (std::uint64_t i = 0; i < cloud_page_max; ++i)
      read.push_back(item("l" + std::to_string(read.size()), "tie"));
    ++calls;
  }
  EXPECT_EQ(next_cloud_step(plan, "cloudlet-1", read, false).next, action::capped);
  EXPECT_EQ(read.size(), 1 + 10 * cloud_page_max);
  EXPECT_EQ(calls, 11);   // as the cap's comment promises
}

// ---- pages a client walks through ----------------------------------------------------------

/// A cloud: its items with its own IDs, served in its own order (the keys, then its own
/// IDs) after its own marker.
struct cloud {
  std::string region;
  std::vector<json> items;          // cloud IDs
  std::map<std::string, std::string> to_global;
  std::vector<cloud_call> calls;

  void sort(std::vector<sort_key> keys) {
    if (std::none_of(keys.begin(), keys.end(), [](const sort_key& k) { return k.field == "id"; }))
      keys.push_back({"id", false});
    std::sort(items.begin(), items.end(),
              [&](const json& a, const json& b) { return api::compare_items(a, b, keys) < 0; });
  }
  std::vector<json> answer(const cloud_call& call) {
    calls.push_back(call);
    auto first = items.begin();
    if (!call.marker.empty()) {
      first = std::find_if(items.begin(), items.end(), [&](const json& i) { return i["id"] == call.marker; });
      EXPECT_NE(first, items.end()) << "a marker the cloud does not hold";
      if (first != items.end()) ++first;
    }
    auto remaining = static_cast<std::uint64_t>(items.end() - first);
    auto n = call.limit ? std::min(*call.limit, remaining) : remaining;
    return {first, first + static_cast<std::ptrdiff_t>(n)};
  }
  json global(json item) const {
    item["id"] = to_global.at(item["id"].get<std::string>());
    return item;
  }
};

/// One cloud's page as the flow reads it: calls until the rule says stop, IDs made
/// global; `locals` gets the cloud IDs, parallel to the page's items.
api::cloudlet_page read_page(cloud& c, const cloud_read_plan& plan, std::vector<std::string>* locals = nullptr) {
  api::cloudlet_page page;
  page.cloudlet = c.region;
  std::vector<json> read;
  for (auto step = first_cloud_step(plan, c.region); step.next == action::call;) {
    auto answer = c.answer(step.call);
    page.exhausted = exhausts_cloud(step.call, answer.size());
    read.insert(read.end(), answer.begin(), answer.end());
    step = next_cloud_step(plan, c.region, read, page.exhausted);
  }
  for (const auto& i : read) {
    page.items.push_back(c.global(i));
    if (locals) locals->push_back(i["id"].get<std::string>());
  }
  return page;
}

/// Every page of the merged list, walked with `limit` by the next markers, each marker
/// placed as the flow places it (its cloudlet and its ID there).
std::vector<json> walk(std::vector<cloud>& clouds, const std::vector<sort_key>& keys, std::uint64_t limit,
                       const std::function<void(const json& marker_item)>& between_pages = {}) {
  std::vector<json> visited;
  std::optional<json> after;
  std::string after_cloudlet, after_local;
  for (int page = 0;; ++page) {
    EXPECT_LT(page, 500) << "the walk does not end";
    if (page >= 500) break;
    auto plan = plan_cloud_read(limit, keys, after ? &*after : nullptr, after_cloudlet, after_local);
    std::vector<api::cloudlet_page> pages;
    std::vector<std::vector<std::string>> locals(clouds.size());
    for (std::size_t c = 0; c < clouds.size(); ++c) pages.push_back(read_page(clouds[c], plan, &locals[c]));
    auto order = api::order_merge(pages, keys, limit, plan.merge_after());
    EXPECT_LE(order.picks.size(), limit);
    for (const auto& pick : order.picks) visited.push_back(pages[pick.page].items[pick.item]);
    if (!order.has_more || order.picks.empty()) break;
    const auto& last = order.picks.back();
    after = pages[last.page].items[last.item];
    after_cloudlet = pages[last.page].cloudlet;
    after_local = locals[last.page][last.item];
    if (between_pages) between_pages(*after);
  }
  return visited;
}

std::vector<std::string> ids(const std::vector<json>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i["id"].get<std::string>());
  return out;
}

/// Every item of the clouds with global IDs, in the merged order (ties by region, then
/// each cloud's order), each global ID once, at its first place.
std::vector<json> federation(const std::vector<cloud>& clouds, const std::vector<sort_key>& keys) {
  std::vector<const cloud*> by_region;
  for (const auto& c : clouds) by_region.push_back(&c);
  std::stable_sort(by_region.begin(), by_region.end(), [](const cloud* a, const cloud* b) { return a->region < b->region; });
  std::vector<json> all;
  for (const auto* c : by_region)
    for (const auto& i : c->items) all.push_back(c->global(i));
  std::stable_sort(all.begin(), all.end(), [&](const json& a, const json& b) { return api::compare_items(a, b, keys) < 0; });
  std::vector<json> once;
  std::set<std::string> seen;
  for (auto& i : all)
    if (seen.insert(i["id"].get<std::string>()).second) once.push_back(std::move(i));
  return once;
}

// Global IDs that sort in the reverse of the cloud IDs they stand for: a cloud's
// tie order is then the global IDs' backwards.
std::string reverse_gid(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "g%05d", 99999 - n);
  return text;
}
std::string local_id(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "l%05d", n);
  return text;
}

cloud make_cloud(std::string region, const std::vector<std::pair<int, std::string>>& numbered_names,
                 const std::vector<sort_key>& keys) {
  cloud c;
  c.region = std::move(region);
  for (const auto& [n, name] : numbered_names) {
    c.items.push_back(item(local_id(n), name));
    c.to_global[local_id(n)] = reverse_gid(n);
  }
  c.sort(keys);
  return c;
}

TEST(ListPaging, tie_groups_straddling_cloud_pages_are_neither_skipped_nor_repeated) {
  // Long tie groups ("b" across both big clouds), broken by the cloud IDs in one
  // order and by the global IDs in the other.
  std::vector<std::pair<int, std::string>> one, two;
  for (int n = 0; n < 7; ++n) one.push_back({n, "b"});
  one.push_back({7, "a"});
  one.push_back({8, "c"});
  for (int n = 10; n < 15; ++n) two.push_back({n, "b"});
  two.push_back({15, "a"});
  for (const auto* keys : {&by_name, &by_name_id}) {
    std::vector<cloud> clouds{make_cloud("cloudlet-2", two, *keys), make_cloud("cloudlet-1", one, *keys),
                              make_cloud("cloudlet-3", {}, *keys)};
    auto expected = ids(federation(clouds, *keys));
    ASSERT_EQ(expected.size(), 15u);
    for (std::uint64_t limit : {1u, 2u, 3u, 4u, 5u, 14u, 15u, 16u}) {
      SCOPED_TRACE("limit " + std::to_string(limit) + (keys == &by_name ? " cloud order" : " global IDs"));
      EXPECT_EQ(ids(walk(clouds, *keys, limit)), expected);
    }
  }
}

TEST(ListPaging, in_the_clouds_order_a_page_of_a_big_tied_cloud_is_one_call) {
  // Neutron's default: every port ties (no key but the ID); a page of 20 of 1,000.
  std::vector<std::pair<int, std::string>> names;
  for (int n = 0; n < 1000; ++n) names.push_back({n, "same"});
  const std::vector<sort_key> none;
  std::vector<cloud> clouds{make_cloud("cloudlet-1", names, none)};
  auto& c = clouds[0];
  std::vector<std::string> locals;
  auto first = read_page(c, plan_cloud_read(20, none, nullptr), &locals);
  EXPECT_EQ(c.calls, (std::vector<cloud_call>{{21, ""}}));
  // The next page: the marker's cloud is handed the 20th item's own ID, once.
  c.calls.clear();
  read_page(c, plan_cloud_read(20, none, &first.items[19], "cloudlet-1", locals[19]));
  EXPECT_EQ(c.calls, (std::vector<cloud_call>{{21, locals[19]}}));
  // By global IDs the whole tie group is read: 21, then the rest in pages of 1,000.
  c.calls.clear();
  const std::vector<sort_key> by_id{{"id", false}};
  read_page(c, plan_cloud_read(20, by_id, nullptr));
  EXPECT_EQ(c.calls, (std::vector<cloud_call>{{21, ""}, {cloud_page_max, c.items[20]["id"].get<std::string>()}}));
}

TEST(ListPaging, empty_clouds_give_an_empty_list_on_one_page) {
  std::vector<cloud> clouds{make_cloud("cloudlet-1", {}, by_name), make_cloud("cloudlet-2", {}, by_name)};
  EXPECT_EQ(walk(clouds, by_name, 3), std::vector<json>{});
  EXPECT_EQ(clouds[0].calls, (std::vector<cloud_call>{{4, ""}}));
}

TEST(ListPaging, a_copy_listed_by_two_clouds_appears_once) {
  auto one = make_cloud("cloudlet-1", {{1, "a"}, {2, "b"}}, by_name);
  auto two = make_cloud("cloudlet-2", {{3, "b"}}, by_name);
  two.to_global[local_id(3)] = reverse_gid(2);   // cloudlet-2 holds item 2 too, under its own ID
  std::vector<cloud> clouds{one, two};
  for (const auto* keys : {&by_name, &by_name_id})
    for (std::uint64_t limit : {1u, 2u, 5u})
      EXPECT_EQ(ids(walk(clouds, *keys, limit)), (std::vector<std::string>{reverse_gid(1), reverse_gid(2)}));
}

TEST(ListPaging, by_global_id_a_marker_item_deleted_between_pages_still_marks_the_place) {
  std::vector<std::pair<int, std::string>> names;
  for (int n = 0; n < 8; ++n) names.push_back({n, std::string(1, static_cast<char>('a' + n / 2))});
  std::vector<cloud> clouds{make_cloud("cloudlet-1", names, by_name_id)};
  auto all = ids(federation(clouds, by_name_id));
  // The marker item leaves its cloud before the next page is asked for.
  auto visited = walk(clouds, by_name_id, 2, [&](const json& marker_item) {
    auto& items = clouds[0].items;
    auto local = std::find_if(items.begin(), items.end(),
                              [&](const json& i) { return clouds[0].global(i)["id"] == marker_item["id"]; });
    ASSERT_NE(local, items.end());
    items.erase(local);
  });
  EXPECT_EQ(ids(visited), all);
  EXPECT_EQ(clouds[0].items.size(), 8u - 3u);   // three pages were marked by deleted items
}

// Property: over many generated federations (1-4 clouds, heavy ties on two keys, cloud
// and global IDs ordered independently, some clouds empty) and random page sizes, the
// pages walked by their markers list every item once, in the merged order, in both modes.
TEST(ListPaging, random_ties_across_clouds_walk_every_item_once_in_order) {
  const std::vector<sort_key> cloud_order{{"size", true}, {"name", false}};
  const std::vector<sort_key> global_order{{"size", true}, {"name", false}, {"id", false}};
  std::size_t walks = 0, items_seen = 0;
  for (unsigned seed = 1; seed <= 60; ++seed) {
    std::mt19937 rng(seed);
    std::vector<cloud> clouds;
    int count = 0;
    auto n_clouds = std::uniform_int_distribution<int>(1, 4)(rng);
    int heavy = std::uniform_int_distribution<int>(1, 3)(rng);   // distinct names: 1 is all ties
    for (int c = 0; c < n_clouds; ++c) {
      cloud cl;
      cl.region = "cloudlet-" + std::to_string(rng() % 9);   // regions in any order, not read order
      cl.region += "-" + std::to_string(c);
      int n = rng() % 5 == 0 ? 0 : std::uniform_int_distribution<int>(0, 40)(rng);
      for (int i = 0; i < n; ++i, ++count) {
        json it = item(local_id(count), std::string(1, static_cast<char>('a' + rng() % heavy)));
        it["size"] = static_cast<int>(rng() % 2);
        cl.items.push_back(it);
        cl.to_global[local_id(count)] = "g" + std::to_string(rng() % 1000000) + "-" + std::to_string(count);
      }
      clouds.push_back(std::move(cl));
    }
    for (const auto* keys : {&cloud_order, &global_order}) {
      for (auto& cl : clouds) cl.sort(*keys);
      auto expected = ids(federation(clouds, *keys));
      std::vector<std::uint64_t> limits{1, 100};
      for (int k = 0; k < 4; ++k) limits.push_back(std::uniform_int_distribution<std::uint64_t>(1, 30)(rng));
      for (auto limit : limits) {
        SCOPED_TRACE("seed " + std::to_string(seed) + " limit " + std::to_string(limit) +
                     (keys == &cloud_order ? " cloud order" : " global IDs"));
        auto walked = ids(walk(clouds, *keys, limit));
        EXPECT_EQ(walked, expected);
        ++walks;
        items_seen += walked.size();
      }
    }
  }
  EXPECT_EQ(walks, 60u * 2 * 6);
  EXPECT_GT(items_seen, 10000u);   // the walks were not trivially short
}

} // namespace
} // namespace fedstack::agent
