// Server groups follow the boot (agent/flows/server_groups.hpp,
// rules/server_group_rule.hpp): through the agent's handler against fake
// clouds running the simulator's Nova. Affinity and anti-affinity across
// cloudlets, the copy a boot on another cloudlet gets, the group shown once
// with the federation's server IDs as members, and the delete that removes
// the federation's copies and nothing the user made by hand.

#include <gtest/gtest.h>

#include "agent/rules/server_group_rule.hpp"
#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;

class ServerGroupFlow : public ::testing::Test {
protected:
  void SetUp() override {
    image_ = h.registry().new_global_id();
    std::vector<storage::cloud_copy> copies;
    for (const auto& c : h.clouds().cloudlets()) {
      json fields{{"name", "cirros"}};
      fields[std::string(copies.empty() ? api::gid_key : api::copy_of_key)] = image_;
      copies.push_back({c.region, h.clouds().seed_image(c.region, h.demo_token(), fields)});
    }
    h.record(resource_kind::image, h.clouds().demo_project_id(), copies, "cirros", image_);
  }

  /// A group made through the agent; its ID as the client gets it.
  std::string make_group(const std::string& policy, const std::string& token = {}) {
    auto made = h.send(bhttp::verb::post, "/compute/v2.1/os-server-groups",
                       {{"server_group", {{"name", "web"}, {"policies", {policy}}}}}, token);
    EXPECT_EQ(made.status, 200u) << made.body;
    return json::parse(made.body)["server_group"].value("id", std::string{});
  }

  std::string flavor_id(const std::string& region, const std::string& name) {
    auto listed = h.clouds().direct(region, api::service_type::compute, bhttp::verb::get, "/v2.1/flavors",
                                    h.demo_token());
    auto doc = json::parse(listed.body);
    for (const auto& f : doc.at("flavors"))
      if (f.value("name", std::string{}) == name) return f.value("id", std::string{});
    return {};
  }

  /// A boot into `group`; the server's global ID (empty when refused).
  std::string boot_into(const std::string& group, unsigned expected = 202) {
    json server{{"name", "vm"}, {"imageRef", image_}, {"flavorRef", flavor_id("cloudlet-1", "m1.tiny")}};
    auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                         json{{"server", server}, {"os:scheduler_hints", {{"group", group}}}});
    EXPECT_EQ(answer.status, expected) << answer.body;
    if (answer.status != 202) return {};
    return json::parse(answer.body)["server"].value("id", std::string{});
  }

  /// The cloudlet the registry places server `id` on.
  std::string cloudlet_of(const std::string& id) {
    for (const auto& e : h.registry().entries())
      if (e.global_id == id && !e.copies.empty()) return e.copies.front().cloudlet;
    return {};
  }

  /// The demo project's groups on `region`, as its Nova lists them.
  json groups_on(const std::string& region, const std::string& token = {}) {
    auto listed = h.clouds().direct(region, api::service_type::compute, bhttp::verb::get, "/v2.1/os-server-groups",
                                    token.empty() ? h.demo_token() : token);
    return json::parse(listed.body)["server_groups"];
  }

  json copies_on(const std::string& region, const std::string& origin) {
    json out = json::array();
    for (const auto& g : groups_on(region))
      if (g.value("name", std::string{}) == server_group_copy_name(origin)) out.push_back(g);
    return out;
  }

  flow_harness h;
  std::string image_;
};

TEST_F(ServerGroupFlow, AntiAffinitySpreadsOverCloudletsAndTheTargetGetsACopy) {
  auto group = make_group("anti-affinity");
  ASSERT_EQ(groups_on("cloudlet-1").size(), 1u) << "made on the agent's own cloudlet";
  // The scheduler prefers cloudlet-1 every time; the group's rule spreads the boots.
  h.placement().place_on("cloudlet-1", {"cloudlet-2", "cloudlet-3"});
  auto first = boot_into(group);
  h.clouds().clear_log();
  auto second = boot_into(group);
  auto third = boot_into(group);
  // Set aside before any attempt: not tried there and refused by that Nova's hosts.
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-1", bhttp::verb::post, "/v2.1/servers").empty());
  EXPECT_EQ(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers").size(), 1u);
  EXPECT_EQ(cloudlet_of(first), "cloudlet-1");
  EXPECT_EQ(cloudlet_of(second), "cloudlet-2");
  EXPECT_EQ(cloudlet_of(third), "cloudlet-3");
  for (const char* region : {"cloudlet-2", "cloudlet-3"}) {
    auto copies = copies_on(region, group);
    ASSERT_EQ(copies.size(), 1u) << region;
    EXPECT_EQ(server_group_policy(copies[0]), "anti-affinity");
    EXPECT_EQ(copies[0]["members"].size(), 1u) << "the boot there named the copy in its hint";
  }
  // Every cloudlet holds a member now: each Nova's own anti-affinity decides
  // between its hosts. The fake clouds have one host each, so every Nova
  // finds no valid host, and no server is left anywhere.
  json server{{"name", "vm"}, {"imageRef", image_}, {"flavorRef", flavor_id("cloudlet-1", "m1.tiny")}};
  auto refused = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                        json{{"server", server}, {"os:scheduler_hints", {{"group", group}}}});
  EXPECT_NE(refused.status, 202u);
  EXPECT_NE(refused.body.find("No valid host"), std::string::npos) << refused.body;
  for (const char* region : {"cloudlet-1", "cloudlet-2", "cloudlet-3"})
    EXPECT_EQ(h.clouds().items(region, "servers").size(), 1u) << region;

  // Shown once, with the federation's server IDs as members.
  auto shown = h.send(bhttp::verb::get, "/compute/v2.1/os-server-groups/" + group);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  auto members = json::parse(shown.body)["server_group"]["members"];
  std::set<std::string> got(members.begin(), members.end());
  EXPECT_EQ(got, (std::set<std::string>{first, second, third}));
  auto listed = h.send(bhttp::verb::get, "/compute/v2.1/os-server-groups");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  auto groups = json::parse(listed.body)["server_groups"];
  ASSERT_EQ(groups.size(), 1u) << "copies are not listed";
  EXPECT_EQ(groups[0]["id"], group);
  EXPECT_EQ(groups[0]["members"].size(), 3u);
}

TEST_F(ServerGroupFlow, AntiAffinityTriesACloudletTheSchedulerDidNotOfferBeforeOneWithAMember) {
  auto group = make_group("anti-affinity");
  // The scheduler's view holds cloudlet-1 only (the others' reports not heard yet).
  h.placement().place_on("cloudlet-1");
  auto first = boot_into(group);
  auto second = boot_into(group);
  EXPECT_EQ(cloudlet_of(first), "cloudlet-1");
  EXPECT_NE(cloudlet_of(second), "cloudlet-1") << "spread over cloudlets first";
  EXPECT_FALSE(cloudlet_of(second).empty());
}

TEST_F(ServerGroupFlow, AffinityKeepsTheBootsOnTheCloudletOfTheMembers) {
  auto group = make_group("affinity");
  h.placement().place_on("cloudlet-2");
  auto first = boot_into(group);
  EXPECT_EQ(cloudlet_of(first), "cloudlet-2");
  ASSERT_EQ(copies_on("cloudlet-2", group).size(), 1u);
  // The scheduler now prefers others; affinity keeps the group on cloudlet-2,
  // even when the scheduler did not offer it.
  h.placement().place_on("cloudlet-3", {"cloudlet-1"});
  auto second = boot_into(group);
  EXPECT_EQ(cloudlet_of(second), "cloudlet-2");
  EXPECT_EQ(copies_on("cloudlet-2", group).size(), 1u) << "the copy is reused";
  EXPECT_TRUE(copies_on("cloudlet-3", group).empty());
  EXPECT_TRUE(copies_on("cloudlet-1", group).empty());
}

TEST_F(ServerGroupFlow, AffinityPinnedAwayFromItsMembersIsRefused) {
  auto group = make_group("affinity");
  h.placement().place_on("cloudlet-2");
  boot_into(group);
  json server{{"name", "vm"}, {"imageRef", image_}, {"flavorRef", flavor_id("cloudlet-1", "m1.tiny")},
              {"availability_zone", "cloudlet-3"}};
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                       json{{"server", server}, {"os:scheduler_hints", {{"group", group}}}});
  EXPECT_EQ(answer.status, 400u) << answer.body;
  EXPECT_EQ(h.clouds().items("cloudlet-3", "servers").size(), 0u);
}

TEST_F(ServerGroupFlow, TheDeleteRemovesTheFederationsCopiesAndNothingTheUserMade) {
  auto group = make_group("anti-affinity");
  h.placement().place_on("cloudlet-2");
  auto server = boot_into(group);
  ASSERT_EQ(copies_on("cloudlet-2", group).size(), 1u);
  // The user's own group of the same name on cloudlet-3, made by hand.
  auto mine = h.clouds().direct("cloudlet-3", api::service_type::compute, bhttp::verb::post,
                                "/v2.1/os-server-groups", h.demo_token(),
                                {{"server_group", {{"name", "web"}, {"policy", "anti-affinity"}}}});
  ASSERT_EQ(mine.status, 200u) << mine.body;
  auto gone = h.send(bhttp::verb::delete_, "/compute/v2.1/os-server-groups/" + group);
  EXPECT_EQ(gone.status, 204u) << gone.body;
  EXPECT_TRUE(groups_on("cloudlet-1").empty());
  EXPECT_TRUE(groups_on("cloudlet-2").empty()) << "the copy went with its origin";
  ASSERT_EQ(groups_on("cloudlet-3").size(), 1u) << "the user's own group is kept";
  EXPECT_EQ(groups_on("cloudlet-3")[0]["name"], "web");
  EXPECT_EQ(h.send(bhttp::verb::get, "/compute/v2.1/os-server-groups/" + group).status, 404u);
}

TEST_F(ServerGroupFlow, AnotherProjectNeitherSeesNorDeletesTheGroup) {
  auto group = make_group("affinity", h.admin_token());
  EXPECT_EQ(h.send(bhttp::verb::get, "/compute/v2.1/os-server-groups/" + group).status, 404u);
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/compute/v2.1/os-server-groups/" + group).status, 404u);
  auto listed = h.send(bhttp::verb::get, "/compute/v2.1/os-server-groups");
  EXPECT_TRUE(json::parse(listed.body)["server_groups"].empty()) << listed.body;
  EXPECT_EQ(groups_on("cloudlet-1", h.admin_token()).size(), 1u) << "still there";
  // Demo's boot naming it is not given a copy of the admin's group.
  h.placement().place_on("cloudlet-2");
  boot_into(group, 400);
  EXPECT_TRUE(groups_on("cloudlet-2", h.admin_token()).empty());
}

TEST_F(ServerGroupFlow, AGroupMadeThroughAnotherAgentIsShownAndDeletedThroughThisOne) {
  // Made on cloudlet-2 directly, as agent 2 would have: this agent finds it there.
  auto made = h.clouds().direct("cloudlet-2", api::service_type::compute, bhttp::verb::post,
                                "/v2.1/os-server-groups", h.demo_token(),
                                {{"server_group", {{"name", "db"}, {"policy", "affinity"}}}});
  ASSERT_EQ(made.status, 200u);
  auto group = json::parse(made.body)["server_group"].value("id", std::string{});
  h.placement().place_on("cloudlet-1");
  auto server = boot_into(group);
  EXPECT_EQ(cloudlet_of(server), "cloudlet-1") << "no member yet: anywhere";
  ASSERT_EQ(copies_on("cloudlet-1", group).size(), 1u);
  auto shown = h.send(bhttp::verb::get, "/compute/v2.1/os-server-groups/" + group);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body)["server_group"]["members"], json::array({server}));
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/compute/v2.1/os-server-groups/" + group).status, 204u);
  EXPECT_TRUE(groups_on("cloudlet-1").empty());
  EXPECT_TRUE(groups_on("cloudlet-2").empty());
}

} // namespace
} // namespace fedstack::agent::testing
