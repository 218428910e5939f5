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
  EXPECT_EQ(list.keys, (std::vector<sort_key>{{"name", false}, {"created_at", false}, {"id", false}}));
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

const std::vector<sort_key> by_name{{"name", false}, {"id", false}};

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
  EXPECT_EQ(plan.keys_without_id, (std::vector<sort_key>{{"name", false}}));
  EXPECT_FALSE(plan.after);
  EXPECT_EQ(first_cloud_step(plan).call, (cloud_call{3, ""}));

  auto big = plan_cloud_read(cloud_page_max, by_name, nullptr);
  EXPECT_EQ(big.first_call, cloud_page_max);
  EXPECT_EQ(big.wanted, cloud_page_max + 1);

  auto all = plan_cloud_read(std::nullopt, by_name, nullptr);
  EXPECT_EQ(all.first_call, std::nullopt);
  EXPECT_EQ(all.wanted, 0u);
  EXPECT_EQ(first_cloud_step(all).call, (cloud_call{std::nullopt, ""}));
}

TEST(CloudReads, a_short_answer_or_one_without_limit_exhausts_the_cloud) {
  EXPECT_TRUE(exhausts_cloud({3, ""}, 2));
  EXPECT_FALSE(exhausts_cloud({3, ""}, 3));
  EXPECT_TRUE(exhausts_cloud({std::nullopt, ""}, 500));
}

TEST(CloudReads, enough_items_and_a_complete_tie_group_end_the_reads) {
  auto plan = plan_cloud_read(2, by_name, nullptr);   // wants 3
  auto read = items({{"l1", "a"}, {"l2", "b"}, {"l3", "c"}});
  EXPECT_EQ(next_cloud_step(plan, read, false).next, action::call);   // c's tie group may go on
  read.push_back(item("l4", "d"));
  EXPECT_EQ(next_cloud_step(plan, read, false).next, action::done);
}

TEST(CloudReads, a_tie_group_straddling_cloud_pages_is_read_to_its_end) {
  auto plan = plan_cloud_read(1, by_name, nullptr);   // wants 2, asks 2 at first
  auto read = items({{"l1", "a"}, {"l2", "b"}});
  auto step = next_cloud_step(plan, read, false);
  ASSERT_EQ(step.next, action::call);
  // Later calls ask for a full page after the cloud's own last ID.
  EXPECT_EQ(step.call, (cloud_call{cloud_page_max, "l2"}));
  for (auto* id : {"l3", "l4", "l5"}) read.push_back(item(id, "b"));
  EXPECT_EQ(next_cloud_step(plan, read, false).next, action::call);   // still "b" at the end
  read.push_back(item("l6", "c"));
  EXPECT_EQ(next_cloud_step(plan, read, false).next, action::done);
}

TEST(CloudReads, an_exhausted_or_empty_cloud_is_done) {
  auto plan = plan_cloud_read(1, by_name, nullptr);
  EXPECT_EQ(next_cloud_step(plan, items({{"l1", "b"}, {"l2", "b"}}), true).next, action::done);
  EXPECT_EQ(next_cloud_step(plan, {}, true).next, action::done);
  EXPECT_EQ(next_cloud_step(plan, {}, false).next, action::done);
}

TEST(CloudReads, items_up_to_and_tied_with_the_marker_do_not_count) {
  // The marker sits in the middle of the "b" group: its ties may come before or
  // after it in the merge, so none of them counts toward the page.
  json marker = item(gid_a, "b");
  auto plan = plan_cloud_read(1, by_name, &marker);   // wants 2 past the marker
  auto read = items({{"l1", "a"}, {"l2", "b"}});
  EXPECT_EQ(next_cloud_step(plan, read, false).next, action::call);
  read.push_back(item("l3", "b"));
  read.push_back(item("l4", "c"));
  EXPECT_EQ(next_cloud_step(plan, read, false).next, action::call);   // one past the marker
  read.push_back(item("l5", "d"));
  EXPECT_EQ(next_cloud_step(plan, read, false).next, action::call);   // d's group may go on
  read.push_back(item("l6", "e"));
  EXPECT_EQ(next_cloud_step(plan, read, false).next, action::done);
}

TEST(CloudReads, a_marker_no_cloud_holds_still_bounds_the_reads) {
  json gone = item(gid_b, "bb");   // deleted since the client saw it: sorts between b and c
  auto plan = plan_cloud_read(0, by_name, &gone);   // wants 1 past it
  EXPECT_EQ(next_cloud_step(plan, items({{"l1", "a"}}), false).next, action::call);
  EXPECT_EQ(next_cloud_step(plan, items({{"l1", "a"}, {"l2", "c"}}), false).next, action::call);
  EXPECT_EQ(next_cloud_step(plan, items({{"l1", "a"}, {"l2", "c"}, {"l3", "d"}}), false).next, action::done);
}

TEST(CloudReads, an_item_without_a_string_id_ends_the_reads) {
  auto plan = plan_cloud_read(1, by_name, nullptr);
  std::vector<json> read{item("l1", "a"), json{{"id", 2}, {"name", "a"}}};
  EXPECT_EQ(next_cloud_step(plan, read, false).next, action::done);
}

TEST(CloudReads, reads_stop_at_the_per_cloud_cap) {
  auto plan = plan_cloud_read(0, by_name, nullptr);   // one item at first, then full pages
  std::vector<json> read;
  read.push_back(item("l0", "tie"));
  int calls = 1;
  for (auto step = next_cloud_step(plan, read, false); step.next == action::call;
       step = next_cloud_step(plan, read, false)) {
    ASSERT_EQ(step.call.limit, cloud_page_max);
    for (std::uint64_t i = 0; i < cloud_page_max; ++i)
      read.push_back(item("l" + std::to_string(read.size()), "tie"));
    ++calls;
  }
  EXPECT_EQ(next_cloud_step(plan, read, false).next, action::capped);
  EXPECT_EQ(read.size(), 1 + 10 * cloud_page_max);
  EXPECT_EQ(calls, 11);   // as the cap's comment promises
}

// ---- pages a client walks through ----------------------------------------------------------

/// A cloud: its items with its own IDs, served in its own order after its own marker.
struct cloud {
  std::string region;
  std::vector<json> items;          // cloud IDs
  std::map<std::string, std::string> to_global;
  std::vector<cloud_call> calls;

  void sort(const std::vector<sort_key>& keys) {
    std::sort(items.begin(), items.end(),
              [&](const json& a, const json& b) { return api::compare_items(a, b, keys) < 0; });
  }
  std::vector<json> answer(const cloud_call& call) {
    calls.push_back(call);
    auto first = items.begin();
    if (!call.marker.empty())
      first = std::find_if(items.begin(), items.end(), [&](const json& i) { return i["id"] == call.marker; }) + 1;
    auto remaining = static_cast<std::uint64_t>(items.end() - first);
    auto n = call.limit ? std::min(*call.limit, remaining) : remaining;
    return {first, first + static_cast<std::ptrdiff_t>(n)};
  }
  json global(json item) const {
    item["id"] = to_global.at(item["id"].get<std::string>());
    return item;
  }
};

/// One cloud's page as the flow reads it: calls until the rule says stop, IDs made global.
api::cloudlet_page read_page(cloud& c, const cloud_read_plan& plan) {
  api::cloudlet_page page;
  page.cloudlet = c.region;
  std::vector<json> read;
  for (auto step = first_cloud_step(plan); step.next == action::call;) {
    auto answer = c.answer(step.call);
    page.exhausted = exhausts_cloud(step.call, answer.size());
    read.insert(read.end(), answer.begin(), answer.end());
    step = next_cloud_step(plan, read, page.exhausted);
  }
  for (const auto& i : read) page.items.push_back(c.global(i));
  return page;
}

/// Every page of the merged list, walked with `limit` by the next markers; the marker item
/// is found among the clouds' items as they are when the page is asked for.
std::vector<json> walk(std::vector<cloud>& clouds, const std::vector<sort_key>& keys, std::uint64_t limit,
                       const std::function<void(const json& marker_item)>& between_pages = {}) {
  std::vector<json> visited;
  std::optional<json> after;
  for (int page = 0;; ++page) {
    EXPECT_LT(page, 500) << "the walk does not end";
    if (page >= 500) break;
    auto plan = plan_cloud_read(limit, keys, after ? &*after : nullptr);
    std::vector<api::cloudlet_page> pages;
    for (auto& c : clouds) pages.push_back(read_page(c, plan));
    auto merged = api::merge_pages(std::move(pages), keys, limit, after ? &*after : nullptr);
    EXPECT_LE(merged.items.size(), limit);
    visited.insert(visited.end(), merged.items.begin(), merged.items.end());
    auto marker = api::next_marker(merged);
    if (marker.empty()) break;
    after = merged.items.back();
    if (between_pages) between_pages(*after);
  }
  return visited;
}

std::vector<std::string> ids(const std::vector<json>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i["id"].get<std::string>());
  return out;
}

/// Every item of the clouds with global IDs, in the merged order, each global ID once.
std::vector<json> federation(const std::vector<cloud>& clouds, const std::vector<sort_key>& keys) {
  std::vector<json> all;
  std::set<std::string> seen;
  for (const auto& c : clouds)
    for (const auto& i : c.items) {
      auto g = c.global(i);
      if (seen.insert(g["id"].get<std::string>()).second) all.push_back(g);
    }
  std::sort(all.begin(), all.end(), [&](const json& a, const json& b) { return api::compare_items(a, b, keys) < 0; });
  return all;
}

// Global IDs that sort in the reverse of the cloud IDs they stand for: a cloud's
// tie order is then the merge's backwards.
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
  std::vector<cloud> clouds{make_cloud("cloudlet-1", one, by_name), make_cloud("cloudlet-2", two, by_name),
                            make_cloud("cloudlet-3", {}, by_name)};
  auto expected = ids(federation(clouds, by_name));
  ASSERT_EQ(expected.size(), 15u);
  for (std::uint64_t limit : {1u, 2u, 3u, 4u, 5u, 14u, 15u, 16u}) {
    SCOPED_TRACE("limit " + std::to_string(limit));
    EXPECT_EQ(ids(walk(clouds, by_name, limit)), expected);
  }
}

TEST(ListPaging, a_cloud_is_read_on_until_the_last_wanted_items_tie_group_has_ended) {
  std::vector<std::pair<int, std::string>> names;
  for (int n = 0; n < 6; ++n) names.push_back({n, n < 2 ? "a" : "b"});
  std::vector<cloud> clouds{make_cloud("cloudlet-1", names, by_name)};
  auto plan = plan_cloud_read(1, by_name, nullptr);
  read_page(clouds[0], plan);
  // The page wants 2 items: the first call brings a, a; the group of a may go
  // on, so the next call asks for a full page after the cloud's last ID, and
  // its first item (b) ends the group.
  const auto& items = clouds[0].items;
  EXPECT_EQ(clouds[0].calls,
            (std::vector<cloud_call>{{2, ""}, {cloud_page_max, items[1]["id"].get<std::string>()}}));

  // After a marker in the group of a, none of a counts: the reads go on to b.
  clouds[0].calls.clear();
  auto marker = clouds[0].global(items[0]);
  read_page(clouds[0], plan_cloud_read(1, by_name, &marker));
  EXPECT_EQ(clouds[0].calls,
            (std::vector<cloud_call>{{2, ""}, {cloud_page_max, items[1]["id"].get<std::string>()}}));
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
  for (std::uint64_t limit : {1u, 2u, 5u})
    EXPECT_EQ(ids(walk(clouds, by_name, limit)), (std::vector<std::string>{reverse_gid(1), reverse_gid(2)}));
}

TEST(ListPaging, a_marker_item_deleted_between_pages_still_marks_the_place) {
  std::vector<std::pair<int, std::string>> names;
  for (int n = 0; n < 8; ++n) names.push_back({n, std::string(1, static_cast<char>('a' + n / 2))});
  std::vector<cloud> clouds{make_cloud("cloudlet-1", names, by_name)};
  auto all = ids(federation(clouds, by_name));
  // The marker item leaves its cloud before the next page is asked for.
  auto visited = walk(clouds, by_name, 2, [&](const json& marker_item) {
    auto& items = clouds[0].items;
    auto local = std::find_if(items.begin(), items.end(),
                              [&](const json& i) { return clouds[0].global(i)["id"] == marker_item["id"]; });
    ASSERT_NE(local, items.end());
    items.erase(local);
  });
  EXPECT_EQ(ids(visited), all);
  EXPECT_EQ(clouds[0].items.size(), 8u - 3u);   // three pages were marked by deleted items
}

TEST(ListPaging, random_ties_across_clouds_walk_every_item_once_in_order) {
  const std::vector<sort_key> keys{{"size", true}, {"name", false}, {"id", false}};
  for (unsigned seed = 1; seed <= 10; ++seed) {
    std::mt19937 rng(seed);
    std::vector<cloud> clouds;
    int count = 0;
    for (int c = 0; c < 4; ++c) {
      cloud cl;
      cl.region = "cloudlet-" + std::to_string(c + 1);
      int n = c == 3 ? 0 : std::uniform_int_distribution<int>(0, 25)(rng);   // the fourth is empty
      for (int i = 0; i < n; ++i, ++count) {
        json it = item(local_id(count), std::string(1, static_cast<char>('a' + rng() % 3)));
        it["size"] = static_cast<int>(rng() % 3);
        cl.items.push_back(it);
        // Cloud IDs and global IDs ordered independently.
        cl.to_global[local_id(count)] = "g" + std::to_string(rng() % 1000000) + "-" + std::to_string(count);
      }
      cl.sort(keys);
      clouds.push_back(std::move(cl));
    }
    auto expected = ids(federation(clouds, keys));
    for (std::uint64_t limit : {1u, 2u, 3u, 7u, 100u}) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " limit " + std::to_string(limit));
      EXPECT_EQ(ids(walk(clouds, keys, limit)), expected);
    }
  }
}

} // namespace
} // namespace fedstack::agent
