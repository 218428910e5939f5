// Server groups follow the boot (agent/rules/server_group_rule.hpp): the
// cloudlets a boot of a group may go to, which groups are the federation's
// copies, and what a delete may remove.

#include <gtest/gtest.h>

#include "agent/rules/server_group_rule.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using regions = std::vector<std::string>;

const regions three{"cloudlet-1", "cloudlet-2", "cloudlet-3"};

std::vector<std::string> dropped(const group_placement& p) {
  std::vector<std::string> out;
  for (const auto& d : p.dropped) out.push_back(d.region);
  return out;
}

TEST(ServerGroupPlacement, WithoutMembersEveryCandidateStaysInTheSchedulersOrder) {
  for (const char* policy : {"affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity"}) {
    auto p = place_for_group(policy, {}, three);
    EXPECT_EQ(p.regions, three) << policy;
    EXPECT_TRUE(p.dropped.empty()) << policy;
    EXPECT_FALSE(p.refusal) << policy;
  }
}

TEST(ServerGroupPlacement, AffinityKeepsOnlyTheMembersCloudlet) {
  auto p = place_for_group("affinity", {"cloudlet-2"}, three);
  EXPECT_EQ(p.regions, regions{"cloudlet-2"});
  EXPECT_EQ(dropped(p), (regions{"cloudlet-1", "cloudlet-3"}));
}

TEST(ServerGroupPlacement, AffinityTriesTheMembersCloudletTheSchedulerDidNotOffer) {
  // Full in the scheduler's view, or not in it yet: only its Nova can keep the group together.
  auto p = place_for_group("affinity", {"cloudlet-3"}, {"cloudlet-1", "cloudlet-2"});
  EXPECT_EQ(p.regions, regions{"cloudlet-3"});
  EXPECT_FALSE(p.refusal);
}

TEST(ServerGroupPlacement, AffinityPinnedAwayFromItsMembersIsRefused) {
  auto p = place_for_group("affinity", {"cloudlet-3"}, {"cloudlet-1"}, "cloudlet-1");
  EXPECT_TRUE(p.regions.empty());
  ASSERT_TRUE(p.refusal);
  EXPECT_NE(p.refusal->find("affinity"), std::string::npos);
}

TEST(ServerGroupPlacement, AntiAffinityDropsCloudletsHoldingMembersWhileOthersRemain) {
  auto p = place_for_group("anti-affinity", {"cloudlet-1"}, three);
  EXPECT_EQ(p.regions, (regions{"cloudlet-2", "cloudlet-3"}));
  EXPECT_EQ(dropped(p), regions{"cloudlet-1"});
  p = place_for_group("anti-affinity", {"cloudlet-1", "cloudlet-3"}, three);
  EXPECT_EQ(p.regions, regions{"cloudlet-2"});
}

TEST(ServerGroupPlacement, AntiAffinityWithAMemberEverywhereLeavesItToEachNova) {
  auto p = place_for_group("anti-affinity", {"cloudlet-1", "cloudlet-2", "cloudlet-3"}, {"cloudlet-3", "cloudlet-1"});
  EXPECT_EQ(p.regions, (regions{"cloudlet-3", "cloudlet-1"}));
  EXPECT_TRUE(p.dropped.empty());
  EXPECT_FALSE(p.refusal);
}

TEST(ServerGroupPlacement, AntiAffinityTriesAMemberlessCloudletTheSchedulerDidNotOfferFirst) {
  auto p = place_for_group("anti-affinity", {"cloudlet-1", "cloudlet-2"}, {"cloudlet-1", "cloudlet-2"}, "", three);
  EXPECT_EQ(p.regions, (regions{"cloudlet-3", "cloudlet-1", "cloudlet-2"}));
  // Pinned: only the zone the user named.
  p = place_for_group("anti-affinity", {"cloudlet-1"}, {"cloudlet-1"}, "cloudlet-1", three);
  EXPECT_EQ(p.regions, regions{"cloudlet-1"});
  // A memberless cloudlet offered: nothing else is added.
  p = place_for_group("anti-affinity", {"cloudlet-1"}, {"cloudlet-1", "cloudlet-2"}, "", three);
  EXPECT_EQ(p.regions, regions{"cloudlet-2"});
}

TEST(ServerGroupPlacement, SoftPoliciesOnlyReorder) {
  auto p = place_for_group("soft-affinity", {"cloudlet-3"}, three);
  EXPECT_EQ(p.regions, (regions{"cloudlet-3", "cloudlet-1", "cloudlet-2"}));
  EXPECT_TRUE(p.dropped.empty());
  p = place_for_group("soft-anti-affinity", {"cloudlet-1"}, three);
  EXPECT_EQ(p.regions, (regions{"cloudlet-2", "cloudlet-3", "cloudlet-1"}));
  EXPECT_TRUE(p.dropped.empty());
}

TEST(ServerGroupPlacement, AnUnknownPolicyIsLeftToTheTargetsNova) {
  EXPECT_EQ(place_for_group("something-new", {"cloudlet-1"}, three).regions, three);
}

TEST(ServerGroupCopies, ACopyIsNamedAfterItsOrigin) {
  auto name = server_group_copy_name("5a1c");
  EXPECT_EQ(name, "fedstack_copy_of=5a1c");
  EXPECT_EQ(server_group_origin_of(json{{"name", name}}), "5a1c");
  EXPECT_FALSE(server_group_origin_of(json{{"name", "web"}}));
  EXPECT_FALSE(server_group_origin_of(json{{"name", "fedstack_copy_of="}}));
  EXPECT_FALSE(shown_in_lists(json{{"name", name}}));
  EXPECT_TRUE(shown_in_lists(json{{"name", "web"}}));
}

TEST(ServerGroupCopies, TheDeleteRemovesOnlyTheOriginsCopiesOfItsProject) {
  json copy{{"name", "fedstack_copy_of=g1"}, {"project_id", "demo"}};
  EXPECT_TRUE(delete_server_group_there(copy, "g1", "demo"));
  EXPECT_FALSE(delete_server_group_there(copy, "g2", "demo"));
  EXPECT_FALSE(delete_server_group_there(copy, "g1", "other"));
  // The user's own group of the same name as the origin, made there by hand: kept.
  EXPECT_FALSE(delete_server_group_there(json{{"name", "web"}, {"project_id", "demo"}}, "g1", "demo"));
}

TEST(ServerGroupPolicy, ReadAtEitherMicroversion) {
  EXPECT_EQ(server_group_policy(json{{"policy", "anti-affinity"}}), "anti-affinity");
  EXPECT_EQ(server_group_policy(json{{"policies", {"affinity"}}}), "affinity");
  EXPECT_EQ(server_group_policy(json::object()), "");
}

TEST(ServerGroupHint, ReadAndPointedAtTheTargetsGroup) {
  json body{{"server", json::object()}, {"os:scheduler_hints", {{"group", "g1"}}}};
  EXPECT_EQ(boot_group_hint(body), "g1");
  set_boot_group_hint(body, "copy-on-2");
  EXPECT_EQ(body["os:scheduler_hints"]["group"], "copy-on-2");
  json old{{"OS-SCH-HNT:scheduler_hints", {{"group", {"g1"}}}}};
  EXPECT_EQ(boot_group_hint(old), "g1");
  set_boot_group_hint(old, "c");
  EXPECT_EQ(old["OS-SCH-HNT:scheduler_hints"]["group"], json::array({"c"}));
  EXPECT_FALSE(boot_group_hint(json{{"os:scheduler_hints", {{"same_host", {"x"}}}}}));
  EXPECT_FALSE(boot_group_hint(json{{"server", json::object()}}));
}

} // namespace
} // namespace fedstack::agent
