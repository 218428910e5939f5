#include "api/list_merge.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <ostream>
#include <random>
#include <set>

namespace fedstack::api {

// Readable failures for vectors of keys (found by ADL).
void PrintTo(const sort_key& key, std::ostream* out) {
  *out << key.field << (key.descending ? " desc" : " asc");
}

namespace {

using nlohmann::json;

json image(const std::string& id, const std::string& created) {
  return json{{"id", id}, {"created_at", created}};
}

std::string at(int second) {
  char text[32];
  std::snprintf(text, sizeof text, "2024-05-01T10:00:%02dZ", second);
  return text;
}

std::vector<std::string> ids(const std::vector<json>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) out.push_back(item.at("id").get<std::string>());
  return out;
}

using strings = std::vector<std::string>;

const std::vector<sort_key> newest_first{{"created_at", true}, {"id", true}};
const std::vector<sort_key> oldest_first{{"created_at", false}, {"id", false}};

// Three clouds whose items interleave by creation time: a holds seconds 9, 6, 3, b 8, 5, 2,
// c 7, 4, 1 (item "aN" was created at second N).
std::vector<cloudlet_page> interleaved(bool descending) {
  std::vector<cloudlet_page> pages{{"a", {}, true}, {"b", {}, true}, {"c", {}, true}};
  for (int s = 9; s >= 1; --s) {
    auto& page = pages[static_cast<std::size_t>((9 - s) % 3)];
    page.items.push_back(image(page.cloudlet + std::to_string(s), at(s)));
  }
  if (!descending)
    for (auto& page : pages) std::reverse(page.items.begin(), page.items.end());
  return pages;
}

TEST(ListMerge, merges_three_clouds_newest_first) {
  auto page = merge_pages(interleaved(true), newest_first, 10);
  EXPECT_EQ(ids(page.items), (strings{"a9", "b8", "c7", "a6", "b5", "c4", "a3", "b2", "c1"}));
  EXPECT_FALSE(page.has_more);
  EXPECT_EQ(page.taken, (std::map<std::string, std::size_t>{{"a", 3}, {"b", 3}, {"c", 3}}));
}

TEST(ListMerge, merges_three_clouds_oldest_first_up_to_limit) {
  auto page = merge_pages(interleaved(false), oldest_first, 4);
  EXPECT_EQ(ids(page.items), (strings{"c1", "b2", "a3", "c4"}));
  EXPECT_TRUE(page.has_more);  // five items were left out
  EXPECT_EQ(page.taken, (std::map<std::string, std::size_t>{{"a", 1}, {"b", 1}, {"c", 2}}));
}

TEST(ListMerge, breaks_ties_by_id) {
  std::vector<cloudlet_page> pages{
      {"a", {image("id-2", at(1)), image("id-5", at(1))}, true},
      {"b", {image("id-1", at(1)), image("id-4", at(1))}, true},
      {"c", {image("id-3", at(1))}, true}};
  EXPECT_EQ(ids(merge_pages(pages, oldest_first, 9).items),
            (strings{"id-1", "id-2", "id-3", "id-4", "id-5"}));
  for (auto& p : pages) std::reverse(p.items.begin(), p.items.end());
  EXPECT_EQ(ids(merge_pages(pages, newest_first, 9).items),
            (strings{"id-5", "id-4", "id-3", "id-2", "id-1"}));
}

// The merge's own order: keys without `id`, ties by cloudlet, then each cloud's order.
const std::vector<sort_key> by_second_newest{{"created_at", true}};
const std::vector<sort_key> by_second_oldest{{"created_at", false}};

TEST(ListMerge, without_id_ties_go_by_cloudlet_then_each_clouds_order) {
  // Given in another order than the cloudlets' names; each in its cloud's (unsorted IDs).
  std::vector<cloudlet_page> pages{
      {"c", {image("id-9", at(1)), image("id-0", at(1))}, true},
      {"a", {image("id-5", at(1)), image("id-2", at(1)), image("id-7", at(2))}, true},
      {"b", {image("id-4", at(0)), image("id-3", at(1))}, true}};
  EXPECT_EQ(ids(merge_pages(pages, by_second_oldest, 9).items),
            (strings{"id-4", "id-5", "id-2", "id-3", "id-9", "id-0", "id-7"}));
  auto order = order_merge(pages, by_second_oldest, 3);
  EXPECT_EQ(order.picks.size(), 3u);
  EXPECT_EQ(order.picks[1].page, 1u);
  EXPECT_EQ(order.picks[1].item, 0u);
  EXPECT_TRUE(order.has_more);
}

TEST(ListMerge, a_marker_on_a_cloudlet_splits_its_ties_by_cloudlet) {
  // The marker: a tied item of cloudlet b. Cloudlet b's page was read by handing b the
  // marker; a and c were read from their start.
  auto marker = image("b-2", at(1));
  std::vector<cloudlet_page> pages{
      {"a", {image("a-1", at(1)), image("a-2", at(1)), image("a-3", at(2))}, true},
      {"b", {image("b-3", at(1)), image("b-4", at(2))}, true},
      {"c", {image("c-0", at(0)), image("c-1", at(1))}, true}};
  auto page = merge_pages(pages, by_second_oldest, 9, merge_marker{&marker, "b", true});
  // a's ties come before the marker; b's page is all after it; c's ties after it.
  EXPECT_EQ(ids(page.items), (strings{"b-3", "c-1", "a-3", "b-4"}));
  // A page of b not read from the marker (global-ID order): its ties are dropped with it.
  pages[1].items.insert(pages[1].items.begin(), {image("b-1", at(1)), image("b-2", at(1))});
  page = merge_pages(pages, by_second_oldest, 9, merge_marker{&marker, "b", false});
  EXPECT_EQ(ids(page.items), (strings{"c-1", "a-3", "b-4"}));
}

TEST(ListMerge, after_drops_items_up_to_the_marker_from_every_cloud) {
  // The marker is a6; b and c do not hold it and answer from their start.
  auto marker = image("a6", at(6));
  auto pages = interleaved(true);
  pages[0].items.erase(pages[0].items.begin(), pages[0].items.begin() + 2);  // a: after a6
  auto page = merge_pages(pages, newest_first, 3, &marker);
  EXPECT_EQ(ids(page.items), (strings{"b5", "c4", "a3"}));
  EXPECT_TRUE(page.has_more);
  EXPECT_EQ(page.taken, (std::map<std::string, std::size_t>{{"a", 1}, {"b", 1}, {"c", 1}}));
}

TEST(ListMerge, after_drops_a_tie_at_or_before_the_marker) {
  // Same second: the id decides which side of the marker an item falls on.
  auto marker = image("id-3", at(1));
  std::vector<cloudlet_page> pages{
      {"a", {image("id-2", at(1)), image("id-3", at(1)), image("id-4", at(1))}, true},
      {"b", {image("id-1", at(1)), image("id-5", at(2))}, true}};
  EXPECT_EQ(ids(merge_pages(pages, oldest_first, 9, &marker).items), (strings{"id-4", "id-5"}));
}

TEST(ListMerge, drops_duplicates_across_clouds) {
  // The same flavor listed by two clouds, and by a third with other values.
  const std::vector<sort_key> by_id{{"id", false}};
  std::vector<cloudlet_page> pages{
      {"a", {json{{"id", "1"}, {"ram", 512}}, json{{"id", "3"}, {"ram", 2048}}}, true},
      {"b", {json{{"id", "1"}, {"ram", 512}}, json{{"id", "2"}, {"ram", 1024}}}, true}};
  auto page = merge_pages(pages, by_id, 9);
  EXPECT_EQ(ids(page.items), (strings{"1", "2", "3"}));
  EXPECT_EQ(page.taken, (std::map<std::string, std::size_t>{{"a", 2}, {"b", 1}}));

  const std::vector<sort_key> by_ram{{"ram", false}, {"id", false}};
  pages.push_back({"c", {json{{"id", "3"}, {"ram", 256}}}, true});
  page = merge_pages(pages, by_ram, 9);
  EXPECT_EQ(ids(page.items), (strings{"3", "1", "2"}));  // the first-sorting copy of "3"
  EXPECT_EQ(page.items[0]["ram"], 256);
}

TEST(ListMerge, drops_a_copy_of_the_marker) {
  auto marker = image("x", at(5));
  std::vector<cloudlet_page> pages{{"a", {image("x", at(5)), image("y", at(4))}, true},
                                   {"b", {image("x", at(7))}, true}};  // a stale copy
  EXPECT_EQ(ids(merge_pages(pages, newest_first, 9, &marker).items), (strings{"y"}));
}

TEST(ListMerge, has_more_when_a_cloud_is_not_exhausted) {
  auto pages = interleaved(true);
  EXPECT_FALSE(merge_pages(pages, newest_first, 9).has_more);  // exactly limit, all exhausted
  EXPECT_TRUE(merge_pages(pages, newest_first, 8).has_more);   // one left out
  pages[2].exhausted = false;  // c may hold more after c1, which was taken
  auto page = merge_pages(pages, newest_first, 20);
  EXPECT_EQ(page.items.size(), 9u);
  EXPECT_TRUE(page.has_more);
}

TEST(ListMerge, no_more_when_only_duplicates_are_left) {
  std::vector<cloudlet_page> pages{{"a", {image("x", at(2)), image("y", at(1))}, true},
                                   {"b", {image("y", at(1))}, true}};
  auto page = merge_pages(pages, newest_first, 2);
  EXPECT_EQ(ids(page.items), (strings{"x", "y"}));
  EXPECT_FALSE(page.has_more);
}

TEST(ListMerge, limit_zero_takes_nothing) {
  auto page = merge_pages(interleaved(true), newest_first, 0);
  EXPECT_TRUE(page.items.empty());
  EXPECT_TRUE(page.has_more);
  EXPECT_EQ(page.taken, (std::map<std::string, std::size_t>{{"a", 0}, {"b", 0}, {"c", 0}}));
  std::vector<cloudlet_page> empty{{"a", {}, true}};
  EXPECT_FALSE(merge_pages(empty, newest_first, 0).has_more);
}

TEST(ListMerge, empty_pages) {
  EXPECT_TRUE(merge_pages({}, newest_first, 5).items.empty());
  EXPECT_FALSE(merge_pages({}, newest_first, 5).has_more);
  std::vector<cloudlet_page> pages{{"a", {}, true}, {"b", {image("b1", at(1))}, true}};
  auto page = merge_pages(pages, newest_first, 5);
  EXPECT_EQ(ids(page.items), (strings{"b1"}));
  EXPECT_FALSE(page.has_more);
  EXPECT_EQ(page.taken, (std::map<std::string, std::size_t>{{"a", 0}, {"b", 1}}));
  pages[0].exhausted = false;  // a answered nothing but may not be done
  EXPECT_TRUE(merge_pages(pages, newest_first, 5).has_more);
}

TEST(ListMerge, a_page_out_of_order_still_merges_in_key_order) {
  std::vector<cloudlet_page> pages{{"a", {image("a1", at(1)), image("a3", at(3))}, true},
                                   {"b", {image("b2", at(2))}, true}};
  EXPECT_EQ(ids(merge_pages(pages, newest_first, 9).items), (strings{"a3", "b2", "a1"}));
}

TEST(ListMergeCompare, orders_values_by_type) {
  const std::vector<sort_key> asc{{"v", false}};
  const std::vector<sort_key> desc{{"v", true}};
  auto cmp = [&](json a, json b, const std::vector<sort_key>& keys) {
    return compare_items(json{{"v", a}}, json{{"v", b}}, keys);
  };
  EXPECT_LT(cmp(2, 10, asc), 0);  // numerically, not as text
  EXPECT_LT(cmp(-5, 3u, asc), 0);
  EXPECT_LT(cmp(1.5, 2, asc), 0);
  EXPECT_EQ(cmp(2.0, 2, asc), 0);
  EXPECT_GT(cmp(18446744073709551615u, 9223372036854775807, asc), 0);
  EXPECT_LT(cmp("B", "a", asc), 0);  // bytewise
  EXPECT_LT(cmp("2024-05-01T09:59:59Z", "2024-05-01T10:00:00Z", asc), 0);
  EXPECT_LT(cmp(false, true, asc), 0);
  EXPECT_LT(cmp(nullptr, false, asc), 0);
  EXPECT_LT(cmp(true, 0, asc), 0);
  EXPECT_LT(cmp(1e9, "0", asc), 0);
  EXPECT_LT(cmp("z", json::array(), asc), 0);
  EXPECT_LT(cmp(json::array({1, 2}), json::array({1, 3}), asc), 0);
  EXPECT_GT(cmp(nullptr, "x", desc), 0);  // descending puts null last
  EXPECT_GT(cmp(2, 10, desc), 0);
  // A missing field is null.
  EXPECT_LT(compare_items(json::object(), json{{"v", 0}}, asc), 0);
  EXPECT_EQ(compare_items(json::object(), json{{"v", nullptr}}, asc), 0);
}

TEST(ListMergeCompare, later_keys_break_ties) {
  const std::vector<sort_key> keys{{"name", false}, {"size", true}, {"id", false}};
  json a{{"name", "n"}, {"size", 5}, {"id", "a"}};
  json b{{"name", "n"}, {"size", 5}, {"id", "b"}};
  json c{{"name", "n"}, {"size", 9}, {"id", "c"}};
  EXPECT_LT(compare_items(a, b, keys), 0);
  EXPECT_LT(compare_items(c, a, keys), 0);
  EXPECT_EQ(compare_items(a, a, keys), 0);
}

// Paging through random items with limit L, each cloud answering its first L items after
// the marker, visits every item once, in the global order.
TEST(ListMergeProperty, paging_visits_every_item_once_in_order) {
  const std::vector<sort_key> keys{{"size", false}, {"name", true}, {"id", false}};
  const char* names[] = {"alpha", "beta", "gamma"};
  for (unsigned seed = 1; seed <= 12; ++seed) {
    std::mt19937 rng(seed);
    for (std::size_t clouds : {1u, 2u, 3u, 5u, 8u}) {
      // Items with many ties on size and name, some sizes missing or null.
      std::vector<std::vector<json>> per_cloud(clouds);
      std::vector<json> all;
      int count = std::uniform_int_distribution<int>(0, 60)(rng);
      for (int i = 0; i < count; ++i) {
        json item{{"id", "id-" + std::to_string(1000 + i)}, {"name", names[rng() % 3]}};
        if (auto size = rng() % 6; size < 4) item["size"] = size;
        else if (size == 4) item["size"] = nullptr;
        per_cloud[rng() % clouds].push_back(item);
        if (rng() % 8 == 0) per_cloud[rng() % clouds].push_back(item);  // listed twice
        all.push_back(item);
      }
      auto before = [&](const json& a, const json& b) { return compare_items(a, b, keys) < 0; };
      std::sort(all.begin(), all.end(), before);
      for (auto& items : per_cloud) {
        std::sort(items.begin(), items.end(), before);
        items.erase(std::unique(items.begin(), items.end()), items.end());
      }

      for (std::size_t limit : {1u, 2u, 3u, 7u, 50u}) {
        SCOPED_TRACE("seed " + std::to_string(seed) + " clouds " + std::to_string(clouds) +
                     " limit " + std::to_string(limit));
        std::vector<json> visited;
        std::optional<json> marker;
        for (int round = 0;; ++round) {
          ASSERT_LT(round, 200);
          std::vector<cloudlet_page> pages;
          for (std::size_t c = 0; c < clouds; ++c) {
            const auto& items = per_cloud[c];
            auto first = items.begin();
            if (marker)
              first = std::upper_bound(items.begin(), items.end(), *marker, before);
            auto remaining = static_cast<std::size_t>(items.end() - first);
            auto n = std::min(limit, remaining);
            auto last = first + static_cast<std::ptrdiff_t>(n);
            pages.push_back({"c" + std::to_string(c), {first, last}, n == remaining});
          }
          auto page = merge_pages(pages, keys, limit, marker ? &*marker : nullptr);
          auto expected_end = std::min(all.size(), visited.size() + limit);
          ASSERT_EQ(page.items,
                    std::vector<json>(all.begin() + static_cast<std::ptrdiff_t>(visited.size()),
                                      all.begin() + static_cast<std::ptrdiff_t>(expected_end)));
          visited.insert(visited.end(), page.items.begin(), page.items.end());
          if (!page.has_more) break;
          if (!page.items.empty()) marker = page.items.back();
        }
        EXPECT_EQ(visited, all);
      }
    }
  }
}

TEST(ListMergeSort, image_defaults_to_newest_first) {
  auto sort = parse_list_sort(service_type::image, "images", "");
  ASSERT_TRUE(sort.ok());
  EXPECT_EQ(sort.keys, (std::vector<sort_key>{{"created_at", true}, {"id", true}}));
  EXPECT_EQ(parse_list_sort(service_type::image, "images", "limit=3&status=active").keys,
            sort.keys);
}

TEST(ListMergeSort, image_classic_pairs) {
  auto keys = [](std::string_view q) {
    return parse_list_sort(service_type::image, "images", q).keys;
  };
  // One direction applies to every key and to the appended tie-breakers.
  EXPECT_EQ(keys("sort_key=name&sort_key=size&sort_dir=asc"),
            (std::vector<sort_key>{{"name", false}, {"size", false}, {"created_at", false},
                                   {"id", false}}));
  EXPECT_EQ(keys("sort_key=name&sort_dir=asc&sort_key=size&sort_dir=desc"),
            (std::vector<sort_key>{{"name", false}, {"size", true}, {"created_at", true},
                                   {"id", true}}));
  EXPECT_EQ(keys("sort_key=name"),
            (std::vector<sort_key>{{"name", true}, {"created_at", true}, {"id", true}}));
  EXPECT_EQ(keys("sort_dir=asc"), (std::vector<sort_key>{{"created_at", false}, {"id", false}}));
  EXPECT_EQ(keys("sort_key=id&sort_dir=asc"),
            (std::vector<sort_key>{{"id", false}, {"created_at", false}}));
}

TEST(ListMergeSort, image_sort_parameter) {
  auto keys = [](std::string_view q) {
    return parse_list_sort(service_type::image, "images", q).keys;
  };
  EXPECT_EQ(keys("sort=name:asc,size"),
            (std::vector<sort_key>{{"name", false}, {"size", true}, {"created_at", true},
                                   {"id", true}}));
  EXPECT_EQ(keys("sort=name%3Aasc"),
            (std::vector<sort_key>{{"name", false}, {"created_at", false}, {"id", false}}));
  EXPECT_EQ(keys("sort=%20updated_at%20:%20desc"),
            (std::vector<sort_key>{{"updated_at", true}, {"created_at", true}, {"id", true}}));
}

TEST(ListMergeSort, image_rejects_malformed_sorts) {
  for (const char* query : {"sort=name&sort_key=size", "sort=name:up", "sort=:asc",
                            "sort=name,,size", "sort_dir=asc&sort_dir=desc",
                            "sort_key=a&sort_key=b&sort_key=c&sort_dir=asc&sort_dir=desc",
                            "sort_key=name&sort_dir=ASC", "sort_key="}) {
    auto sort = parse_list_sort(service_type::image, "images", query);
    EXPECT_FALSE(sort.ok()) << query;
    EXPECT_TRUE(sort.keys.empty()) << query;
  }
  EXPECT_EQ(parse_list_sort(service_type::image, "images", "sort=x&sort_dir=asc").error,
            "Old and new sorting syntax cannot be combined");
}

TEST(ListMergeSort, servers) {
  auto keys = [](std::string_view q) {
    return parse_list_sort(service_type::compute, "servers", q).keys;
  };
  EXPECT_EQ(keys(""), (std::vector<sort_key>{{"created", true}, {"id", true}}));
  // Database columns become body fields; missing directions take the first one.
  EXPECT_EQ(keys("sort_key=display_name"),
            (std::vector<sort_key>{{"name", true}, {"created", true}, {"id", true}}));
  EXPECT_EQ(keys("sort_key=display_name&sort_dir=asc&sort_key=host"),
            (std::vector<sort_key>{{"name", false}, {"OS-EXT-SRV-ATTR:host", false},
                                   {"created", false}, {"id", false}}));
  EXPECT_EQ(keys("sort_key=updated_at&sort_dir=asc&sort_key=uuid&sort_dir=desc"),
            (std::vector<sort_key>{{"updated", false}, {"id", true}, {"created", false}}));
  // Ignored keys go with their direction.
  EXPECT_EQ(keys("sort_key=vcpus&sort_dir=asc&sort_key=key_name&sort_dir=desc"),
            (std::vector<sort_key>{{"key_name", true}, {"created", true}, {"id", true}}));
  EXPECT_EQ(keys("sort_key=flavor_x&sort_dir=asc"),  // unknown keys pass through
            (std::vector<sort_key>{{"flavor_x", false}, {"created", false}, {"id", false}}));
  for (const char* query : {"sort_dir=up", "sort_key=name&sort_dir=asc&sort_dir=desc",
                            "sort_key=%20"})
    EXPECT_FALSE(parse_list_sort(service_type::compute, "servers", query).ok()) << query;
}

TEST(ListMergeSort, whether_the_client_sorts_by_id) {
  auto by_id = [](service_type service, std::string_view resource, std::string_view q) {
    auto sort = parse_list_sort(service, resource, q);
    EXPECT_TRUE(sort.ok()) << q;
    return sort.client_sorts_by_id;
  };
  EXPECT_FALSE(by_id(service_type::image, "images", ""));
  EXPECT_FALSE(by_id(service_type::image, "images", "sort_key=name"));
  EXPECT_TRUE(by_id(service_type::image, "images", "sort_key=id"));
  EXPECT_TRUE(by_id(service_type::image, "images", "sort=name:asc,id:desc"));
  EXPECT_FALSE(by_id(service_type::compute, "servers", ""));
  EXPECT_TRUE(by_id(service_type::compute, "servers", "sort_key=uuid"));
  EXPECT_FALSE(by_id(service_type::compute, "servers", "sort_key=id"));   // Nova's internal id: dropped
  EXPECT_TRUE(by_id(service_type::compute, "flavors", ""));               // flavorid
  EXPECT_FALSE(by_id(service_type::compute, "flavors", "sort_key=memory_mb"));
  EXPECT_FALSE(by_id(service_type::compute, "images", ""));
  EXPECT_FALSE(by_id(service_type::network, "ports", ""));
  EXPECT_TRUE(by_id(service_type::network, "ports", "sort_key=id&sort_dir=asc"));
  EXPECT_FALSE(by_id(service_type::volume, "volumes", "sort=name"));
  EXPECT_TRUE(by_id(service_type::volume, "volumes", "sort=id:asc"));
}

// Tempest's test_snapshot_list_param_sort_name_asc sorts by Cinder's column display_name.
TEST(ListMergeSort, volume_columns_become_body_fields) {
  auto keys = [](std::string_view resource, std::string_view q) {
    return parse_list_sort(service_type::volume, resource, q).keys;
  };
  EXPECT_EQ(keys("snapshots", "sort_key=display_name&sort_dir=asc"),
            (std::vector<sort_key>{{"name", false}, {"created_at", false}, {"id", false}}));
  EXPECT_EQ(keys("volumes", "sort=display_description:desc,size:asc"),
            (std::vector<sort_key>{{"description", true}, {"size", false}, {"created_at", true}, {"id", true}}));
}

TEST(ListMergeSort, flavors) {
  auto keys = [](std::string_view q) {
    return parse_list_sort(service_type::compute, "flavors", q).keys;
  };
  EXPECT_EQ(keys(""), (std::vector<sort_key>{{"id", false}}));
  EXPECT_EQ(keys("sort_key=memory_mb&sort_dir=desc"),
            (std::vector<sort_key>{{"ram", true}, {"id", true}}));
  EXPECT_EQ(keys("sort_key=name&sort_key=vcpus"),  // one key: the last
            (std::vector<sort_key>{{"vcpus", false}, {"id", false}}));
  EXPECT_FALSE(parse_list_sort(service_type::compute, "flavors", "sort_dir=up").ok());
}

TEST(ListMergeSort, network) {
  auto keys = [](std::string_view q) {
    return parse_list_sort(service_type::network, "networks", q).keys;
  };
  EXPECT_EQ(keys(""), (std::vector<sort_key>{{"id", false}}));
  EXPECT_EQ(keys("limit=5"), (std::vector<sort_key>{{"id", false}}));
  // The id tie-breaker is ascending whatever the other keys are.
  EXPECT_EQ(keys("sort_key=name&sort_dir=desc&sort_key=status&sort_dir=asc"),
            (std::vector<sort_key>{{"name", true}, {"status", false}, {"id", false}}));
  EXPECT_EQ(keys("sort_key=id&sort_dir=desc"), (std::vector<sort_key>{{"id", true}}));
  EXPECT_EQ(keys("sort_key=&sort_dir="), (std::vector<sort_key>{{"id", false}}));  // ignored
  EXPECT_EQ(parse_list_sort(service_type::network, "ports", "sort_key=name").error,
            "The number of sort_keys and sort_dirs must be same");
  EXPECT_EQ(parse_list_sort(service_type::network, "ports", "sort_key=name&sort_dir=up").error,
            "['up'] is invalid value for sort_dirs, valid value is 'asc' and 'desc'");
}

TEST(ListMergeLinks, next_query_keeps_parameters_and_replaces_the_marker) {
  EXPECT_EQ(next_query("", "m1"), "marker=m1");
  EXPECT_EQ(next_query("limit=2&status=ACTIVE&status=BUILD", "m1"),
            "limit=2&status=ACTIVE&status=BUILD&marker=m1");
  EXPECT_EQ(next_query("marker=old&limit=2", "m1"), "marker=m1&limit=2");
  EXPECT_EQ(next_query("a=1&marker=x&b=2&marker=y", "m1"), "a=1&marker=m1&b=2");
  EXPECT_EQ(next_query("name=my%20vm", "a b/c"), "name=my%20vm&marker=a%20b%2Fc");
  EXPECT_EQ(first_query("limit=2&marker=x&sort=name:asc"), "limit=2&sort=name%3Aasc");
}

merged_page page_ending_with(const std::string& id, bool has_more) {
  return merged_page{{image("first", at(2)), image(id, at(1))}, has_more, {}};
}

TEST(ListMergeLinks, glance_links_are_relative) {
  json body{{"images", json::array()}};
  set_list_links(body, service_type::image, "images", "http://agent:8080/image", "/v2/images",
                 "limit=2&marker=m0", page_ending_with("m2", true));
  EXPECT_EQ(body["first"], "/v2/images?limit=2");
  EXPECT_EQ(body["next"], "/v2/images?limit=2&marker=m2");
  set_list_links(body, service_type::image, "images", "http://agent:8080/image", "/v2/images",
                 "", page_ending_with("m2", false));
  EXPECT_EQ(body["first"], "/v2/images");
  EXPECT_FALSE(body.contains("next"));
}

TEST(ListMergeLinks, nova_links_are_absolute_under_the_collection_key) {
  json body{{"servers", json::array()}};
  set_list_links(body, service_type::compute, "servers", "http://agent:8080/compute/",
                 "/v2.1/servers/detail", "limit=2&status=ACTIVE", page_ending_with("s2", true));
  EXPECT_EQ(body["servers_links"],
            json::parse(R"([{"rel": "next", "href":
              "http://agent:8080/compute/v2.1/servers/detail?limit=2&status=ACTIVE&marker=s2"}])"));
  set_list_links(body, service_type::compute, "servers", "http://agent:8080/compute",
                 "/v2.1/servers/detail", "limit=3", page_ending_with("s2", false));
  EXPECT_FALSE(body.contains("servers_links"));

  json flavors{{"flavors", json::array()}};
  set_list_links(flavors, service_type::compute, "flavors", "http://agent:8080/compute",
                 "/v2.1/flavors", "", page_ending_with("f2", true));
  EXPECT_EQ(flavors["flavors_links"][0]["href"],
            "http://agent:8080/compute/v2.1/flavors?marker=f2");
}

// nova/api/openstack/common.py and cinder/api/common.py, `_get_collection_links`:
// a page holding `limit` items links to the next, even when that one is empty.
TEST(ListMergeLinks, nova_and_cinder_link_a_full_page_even_when_nothing_follows) {
  for (auto [service, collection] : {std::pair{service_type::compute, "servers"},
                                     std::pair{service_type::volume, "volumes"}}) {
    json body{{collection, json::array()}};
    set_list_links(body, service, collection, "http://agent:8080/x", "/v3/p/" + std::string(collection),
                   "limit=2", page_ending_with("last", false));
    ASSERT_TRUE(body.contains(std::string(collection) + "_links")) << collection;
    EXPECT_EQ(body[std::string(collection) + "_links"][0]["href"],
              "http://agent:8080/x/v3/p/" + std::string(collection) + "?limit=2&marker=last");
    set_list_links(body, service, collection, "http://agent:8080/x", "/v3/p/" + std::string(collection), "",
                   page_ending_with("last", false));
    EXPECT_FALSE(body.contains(std::string(collection) + "_links")) << "no limit: no link";
  }
}

TEST(ListMergeLinks, neutron_links_only_with_a_limit) {
  json body{{"networks", json::array()}};
  set_list_links(body, service_type::network, "networks", "http://agent:8080/network",
                 "/v2.0/networks", "", page_ending_with("n2", true));
  EXPECT_FALSE(body.contains("networks_links"));
  set_list_links(body, service_type::network, "networks", "http://agent:8080/network",
                 "/v2.0/networks", "limit=0", page_ending_with("n2", true));
  EXPECT_FALSE(body.contains("networks_links"));
  set_list_links(body, service_type::network, "networks", "http://agent:8080/network",
                 "/v2.0/networks", "limit=2&sort_key=name&sort_dir=asc",
                 page_ending_with("n2", true));
  EXPECT_EQ(body["networks_links"][0]["rel"], "next");
  EXPECT_EQ(body["networks_links"][0]["href"],
            "http://agent:8080/network/v2.0/networks?limit=2&sort_key=name&sort_dir=asc&marker=n2");
}

} // namespace
} // namespace fedstack::api
