// Flavors are the federation's (agent/rules/flavor_rule.hpp): one flavor per
// name and shape over every cloudlet, the ID shown, conflicts named, paging.

#include <gtest/gtest.h>

#include "agent/rules/flavor_rule.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

json flavor(const std::string& id, const std::string& name, int ram = 512, int vcpus = 1, int disk = 1,
            bool is_public = true) {
  return {{"id", id}, {"name", name}, {"ram", ram}, {"vcpus", vcpus}, {"disk", disk}, {"swap", ""},
          {"OS-FLV-EXT-DATA:ephemeral", 0}, {"os-flavor-access:is_public", is_public}};
}

std::vector<std::string> ids(const std::vector<json>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.at("id"));
  return out;
}

TEST(FlavorShape, NameAndEveryShapeFieldMakeOneFlavor) {
  auto a = flavor("a", "m1.tiny");
  EXPECT_TRUE(same_flavor(a, flavor("b", "m1.tiny"))) << "the ID does not matter";
  auto zero_swap = flavor("b", "m1.tiny");
  zero_swap["swap"] = 0;   // microversion 2.75 shows none as 0, before as ""
  EXPECT_TRUE(same_flavor(a, zero_swap));
  EXPECT_FALSE(same_flavor(a, flavor("b", "m1.other")));
  EXPECT_FALSE(same_flavor(a, flavor("b", "m1.tiny", 1024)));
  EXPECT_FALSE(same_flavor(a, flavor("b", "m1.tiny", 512, 2)));
  EXPECT_FALSE(same_flavor(a, flavor("b", "m1.tiny", 512, 1, 2)));
  EXPECT_FALSE(same_flavor(a, flavor("b", "m1.tiny", 512, 1, 1, false)));
  for (const char* key : {"swap", "OS-FLV-EXT-DATA:ephemeral"}) {
    auto other = flavor("b", "m1.tiny");
    other[key] = 1;
    EXPECT_FALSE(same_flavor(a, other)) << key;
  }
}

TEST(FlavorMerge, EqualFlavorsOfSeveralCloudletsAreOneUnderTheOwnCloudletsId) {
  std::vector<cloudlet_flavors> answers{
    {"cloudlet-1", json::array({flavor("t1", "m1.tiny"), flavor("s1", "m1.small", 2048)})},
    {"cloudlet-2", json::array({flavor("t2", "m1.tiny"), flavor("x2", "only-on-2", 256)})},
    {"cloudlet-3", json::array({flavor("t3", "m1.tiny"), flavor("x3", "only-on-2", 256)})}};
  for (const auto& own : {"cloudlet-1", "cloudlet-2", "cloudlet-3"}) {
    auto merged = merge_flavors(answers, own);
    ASSERT_EQ(merged.flavors.size(), 3u) << own;
    EXPECT_TRUE(merged.conflicts.empty());
    auto tiny = std::find_if(merged.flavors.begin(), merged.flavors.end(),
                             [](const auto& f) { return f.name() == "m1.tiny"; });
    EXPECT_EQ(tiny->id(), std::string("t") + own[9]) << "the own cloudlet's ID";
    EXPECT_EQ(tiny->members.size(), 3u);
    EXPECT_EQ(tiny->members.front().region, own) << "the shown member first";
  }
  // Not on the own cloudlet: the first cloudlet by region name that holds it.
  auto through_1 = merge_flavors(answers, "cloudlet-1");
  EXPECT_NE(flavor_holding(through_1, "cloudlet-3", "x3"), nullptr);
  EXPECT_EQ(flavor_holding(through_1, "cloudlet-3", "x3")->id(), "x2");
  auto through_3 = merge_flavors(answers, "cloudlet-3");
  EXPECT_EQ(flavor_holding(through_3, "cloudlet-2", "x2")->id(), "x3");
}

TEST(FlavorMerge, ANameWithTwoShapesIsTwoFlavorsAndAConflict) {
  std::vector<cloudlet_flavors> answers{
    {"cloudlet-2", json::array({flavor("f2", "fed.small", 256)})},
    {"cloudlet-1", json::array({flavor("f1", "fed.small", 256)})},
    {"cloudlet-3", json::array({flavor("f3", "fed.small", 1024)})}};
  auto merged = merge_flavors(answers, "cloudlet-1");
  ASSERT_EQ(merged.flavors.size(), 2u);
  EXPECT_EQ(merged.flavors[0].id(), "f1");
  EXPECT_EQ(merged.flavors[0].members.size(), 2u);
  EXPECT_EQ(merged.flavors[1].id(), "f3");
  EXPECT_EQ(merged.conflicts, std::vector<std::string>{"fed.small"});
  EXPECT_EQ(conflicts_header({"a b", "c,d"}), "a%20b,c%2Cd");
}

TEST(FlavorMerge, OneIdShownForTwoFlavorsIsAConflictToo) {
  std::vector<cloudlet_flavors> answers{{"cloudlet-1", json::array({flavor("1", "m1.tiny")})},
                                        {"cloudlet-2", json::array({flavor("1", "other", 64)})}};
  auto merged = merge_flavors(answers, "cloudlet-1");
  EXPECT_EQ(merged.flavors.size(), 2u);
  EXPECT_EQ(merged.conflicts, std::vector<std::string>{"1"});
}

TEST(FlavorPaging, SortsByIdPagesByMarkerOfAnyMemberAndSaysWhenFull) {
  std::vector<cloudlet_flavors> answers{
    {"cloudlet-1", json::array({flavor("b", "two", 2048), flavor("d", "four", 4096)})},
    {"cloudlet-2", json::array({flavor("a", "one", 1024), flavor("c", "three", 512), flavor("z", "four", 4096)})}};
  auto merged = merge_flavors(answers, "cloudlet-1");
  auto q = read_flavor_page_query(api::query_string::parse("limit=2"));
  ASSERT_TRUE(q.error.empty());
  auto first = page_of(merged, q);
  EXPECT_EQ(ids(first.items), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(first.full);
  q.marker = "b";
  auto second = page_of(merged, q);
  EXPECT_EQ(ids(second.items), (std::vector<std::string>{"c", "d"}));
  q.marker = "z";   // cloudlet-2's ID of the flavor shown as "d"
  auto last = page_of(merged, q);
  EXPECT_TRUE(last.items.empty());
  EXPECT_FALSE(last.full);
  q.marker = "nope";
  EXPECT_TRUE(page_of(merged, q).marker_missing);

  auto by_ram = read_flavor_page_query(api::query_string::parse("sort_key=memory_mb&sort_dir=desc"));
  ASSERT_TRUE(by_ram.error.empty());
  EXPECT_EQ(ids(page_of(merged, by_ram).items), (std::vector<std::string>{"d", "b", "a", "c"}));
  EXPECT_FALSE(read_flavor_page_query(api::query_string::parse("sort_key=bogus")).error.empty());
  EXPECT_FALSE(read_flavor_page_query(api::query_string::parse("sort_dir=up")).error.empty());
  EXPECT_FALSE(read_flavor_page_query(api::query_string::parse("limit=x")).error.empty());
  EXPECT_EQ(read_flavor_page_query(api::query_string::parse("limit=5000")).limit, 1000u) << "Nova's max_limit";
  EXPECT_EQ(cloud_filters(api::query_string::parse("limit=2&minRam=512&is_public=None&marker=x&minDisk=1")).encode(),
            "minRam=512&is_public=None&minDisk=1");
}

TEST(FlavorCreate, ANameOrIdAnyCloudletHoldsIsRefusedAsNovaRefusesIt) {
  std::vector<cloudlet_flavors> answers{{"cloudlet-2", json::array({flavor("f2", "fed.small")})}};
  auto merged = merge_flavors(answers, "cloudlet-1");
  EXPECT_EQ(create_clash(merged, {{"name", "fed.small"}, {"ram", 1}}), "Flavor with name fed.small already exists.");
  EXPECT_EQ(create_clash(merged, {{"name", "new"}, {"id", "f2"}}), "Flavor with ID f2 already exists.");
  EXPECT_EQ(create_clash(merged, {{"name", "new"}, {"id", "auto"}}), std::nullopt);
  EXPECT_EQ(create_clash(merged, {{"name", "new"}}), std::nullopt);
}

TEST(FlavorChange, ReachesEveryEqualFlavorAndNoOtherShape) {
  std::vector<cloudlet_flavors> answers{
    {"cloudlet-1", json::array({flavor("f1", "fed.small", 256)})},
    {"cloudlet-2", json::array({flavor("f2", "fed.small", 256), flavor("g2", "other", 256)})},
    {"cloudlet-3", json::array({flavor("f3", "fed.small", 1024)})},
    {"cloudlet-4", json::array({flavor("f4", "fed.small", 256, 1, 1, false)})}};
  auto equal = equal_flavors(answers, flavor("f1", "fed.small", 256), "cloudlet-1");
  EXPECT_EQ(equal, (std::vector<flavor_member>{{"cloudlet-2", "f2"}})) << "not another shape, not a private one";
  EXPECT_EQ(shown_id({{"cloudlet-3", "c"}, {"cloudlet-2", "b"}}, "cloudlet-1"), "b");
  EXPECT_EQ(shown_id({{"cloudlet-3", "c"}, {"cloudlet-2", "b"}}, "cloudlet-3"), "c");
  EXPECT_EQ(shown_id({}, "cloudlet-3"), std::nullopt);
}

TEST(FlavorList, BriefItemsKeepIdNameLinksAndDescription) {
  auto item = flavor("a", "one");
  item["links"] = json::array();
  item["description"] = nullptr;
  EXPECT_EQ(brief_flavor(item), (json{{"id", "a"}, {"name", "one"}, {"links", json::array()}, {"description", nullptr}}));
}

} // namespace
} // namespace fedstack::agent
