// Security groups follow the boot (agent/flows/security_groups.hpp,
// rules/security_group_rule.hpp): through the agent's handler against fake
// clouds running the simulator's Neutron and Nova. The copy a boot elsewhere
// gets (tagged, in the client's project, with the rules), rule changes and
// deletes reaching every copy, and what is never copied, taken or deleted.

#include <algorithm>

#include <gtest/gtest.h>

#include "agent/rules/security_group_rule.hpp"
#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;

class SecurityGroupFlow : public ::testing::Test {
protected:
  /// The groups named `name` on `region`, every project's (as the admin sees them).
  std::vector<json> groups_on(const std::string& region, const std::string& name) {
    auto listed = h.clouds().direct(region, api::service_type::network, bhttp::verb::get, "/v2.0/security-groups",
                                    h.clouds().admin_token());
    EXPECT_EQ(listed.status, 200u) << listed.body;
    std::vector<json> out;
    auto doc = json::parse(listed.body);
    for (const auto& g : doc.at("security_groups"))
      if (g.value("name", std::string{}) == name) out.push_back(g);
    return out;
  }

  /// The TCP ports the group's ingress rules open, sorted.
  static std::vector<int> ports_of(const json& group) {
    std::vector<int> out;
    for (const auto& r : group.at("security_group_rules"))
      if (r.value("direction", std::string{}) == "ingress" && r["port_range_min"].is_number())
        out.push_back(r["port_range_min"].get<int>());
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string make_group_through_agent(const std::string& name) {
    auto made = h.send(bhttp::verb::post, "/network/v2.0/security-groups", {{"security_group", {{"name", name}}}});
    EXPECT_EQ(made.status, 201u) << made.body;
    return json::parse(made.body).at("security_group").at("id").get<std::string>();
  }

  std::string add_rule_through_agent(const std::string& group_id, int port) {
    auto made = h.send(bhttp::verb::post, "/network/v2.0/security-group-rules",
                       {{"security_group_rule", {{"security_group_id", group_id}, {"direction", "ingress"},
                                                 {"protocol", "tcp"}, {"port_range_min", port},
                                                 {"port_range_max", port}}}});
    EXPECT_EQ(made.status, 201u) << made.body;
    return json::parse(made.body).at("security_group_rule").at("id").get<std::string>();
  }

  std::string flavor_id(const std::string& region, const std::string& name) {
    auto listed = h.clouds().direct(region, api::service_type::compute, bhttp::verb::get, "/v2.1/flavors",
                                    h.demo_token());
    auto doc = json::parse(listed.body);   // named: a range over a temporary's member dangles
    for (const auto& f : doc.at("flavors"))
      if (f.value("name", std::string{}) == name) return f.value("id", std::string{});
    ADD_FAILURE() << "no flavor " << name << " on " << region;
    return {};
  }

  /// A boot naming `groups`, by the user of `token` in `project`, of an image every cloudlet holds.
  captured_response boot_with_groups(std::vector<std::string> groups, const std::string& token = {},
                                     const std::string& project = {}) {
    auto who = token.empty() ? h.demo_token() : token;
    auto global_id = h.registry().new_global_id();
    std::vector<storage::cloud_copy> copies;
    for (const auto& c : h.clouds().cloudlets()) {
      json fields{{"name", "cirros"}};
      fields[std::string(copies.empty() ? api::gid_key : api::copy_of_key)] = global_id;
      copies.push_back({c.region, h.clouds().seed_image(c.region, who, fields)});
    }
    h.record(resource_kind::image, project.empty() ? h.clouds().demo_project_id() : project, copies, "cirros",
             global_id);
    json names = json::array();
    for (const auto& g : groups) names.push_back({{"name", g}});
    json server{{"name", "vm"}, {"imageRef", global_id}, {"flavorRef", flavor_id("cloudlet-1", "m1.tiny")},
                {"security_groups", names}};
    return h.send(bhttp::verb::post, "/compute/v2.1/servers", json{{"server", server}}, token);
  }

  std::size_t servers_on(const std::string& region) { return h.clouds().items(region, "servers").size(); }

  flow_harness h;
};

TEST_F(SecurityGroupFlow, ABootPlacedElsewhereGetsATaggedCopyOfItsGroupWithItsRules) {
  auto web = make_group_through_agent("web");
  add_rule_through_agent(web, 22);
  h.placement().place_on("cloudlet-2");
  auto answer = boot_with_groups({"web"});
  ASSERT_EQ(answer.status, 202u) << answer.body;
  EXPECT_EQ(servers_on("cloudlet-2"), 1u);
  auto there = groups_on("cloudlet-2", "web");
  ASSERT_EQ(there.size(), 1u);
  EXPECT_EQ(security_group_origin_of(there[0]), web) << "marked as a copy of the group the user made";
  EXPECT_EQ(there[0].at("project_id"), h.clouds().demo_project_id());
  EXPECT_EQ(ports_of(there[0]), std::vector<int>{22});
  EXPECT_TRUE(groups_on("cloudlet-3", "web").empty()) << "only where the boot went";

  // The agent's list shows the group once; a second boot there makes nothing more.
  auto listed = h.send(bhttp::verb::get, "/network/v2.0/security-groups?name=web");
  ASSERT_EQ(listed.status, 200u);
  EXPECT_EQ(json::parse(listed.body).at("security_groups").size(), 1u);
  h.clouds().clear_log();
  ASSERT_EQ(boot_with_groups({"web"}).status, 202u);
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.0/security-groups").empty());
  EXPECT_EQ(groups_on("cloudlet-2", "web").size(), 1u);
}

TEST_F(SecurityGroupFlow, GroupsNamedByTheirIdsAsTheCliSendsThemAreNamedByNameOnTheTarget) {
  // The openstack CLI resolves --security-group and sends the group's ID as its "name".
  auto web = make_group_through_agent("web");
  add_rule_through_agent(web, 22);
  auto listed = h.send(bhttp::verb::get, "/network/v2.0/security-groups?name=default");
  auto defaults = json::parse(listed.body).at("security_groups");
  ASSERT_EQ(defaults.size(), 1u) << listed.body;
  auto default_id = defaults[0].at("id").get<std::string>();
  h.placement().place_on("cloudlet-2");
  auto answer = boot_with_groups({web, default_id});
  ASSERT_EQ(answer.status, 202u) << answer.body;
  auto there = groups_on("cloudlet-2", "web");
  ASSERT_EQ(there.size(), 1u);
  EXPECT_EQ(security_group_origin_of(there[0]), web);
  EXPECT_EQ(ports_of(there[0]), std::vector<int>{22});
  auto sent = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(json::parse(sent[0].body)["server"]["security_groups"],
            json::parse(R"([{"name": "web"}, {"name": "default"}])"))
    << "cloudlet-1's IDs mean nothing on cloudlet-2";
  EXPECT_EQ(servers_on("cloudlet-2"), 1u);
}

TEST_F(SecurityGroupFlow, RulesAddedOrRemovedThroughTheAgentReachEveryCopy) {
  auto web = make_group_through_agent("web");
  auto ssh = add_rule_through_agent(web, 22);
  h.placement().place_on("cloudlet-2");
  ASSERT_EQ(boot_with_groups({"web"}).status, 202u);
  h.placement().place_on("cloudlet-3");
  ASSERT_EQ(boot_with_groups({"web"}).status, 202u);

  add_rule_through_agent(web, 80);
  for (const char* region : {"cloudlet-2", "cloudlet-3"})
    EXPECT_EQ(ports_of(groups_on(region, "web").at(0)), (std::vector<int>{22, 80})) << region;
  auto gone = h.send(bhttp::verb::delete_, "/network/v2.0/security-group-rules/" + ssh);
  EXPECT_EQ(gone.status, 204u) << gone.body;
  for (const char* region : {"cloudlet-1", "cloudlet-2", "cloudlet-3"})
    EXPECT_EQ(ports_of(groups_on(region, "web").at(0)), std::vector<int>{80}) << region;
}

TEST_F(SecurityGroupFlow, ARuleAddedToACopyHereReachesItsOriginElsewhereInTheSameProjectOnly) {
  // As through agent 2 in the end-to-end test: this agent's cloudlet holds the copy.
  auto make = [&](const std::string& region, const std::string& token) {
    auto made = h.clouds().direct(region, api::service_type::network, bhttp::verb::post, "/v2.0/security-groups",
                                  token, {{"security_group", {{"name", "web"}}}});
    EXPECT_EQ(made.status, 201u) << made.body;
    return json::parse(made.body).at("security_group").at("id").get<std::string>();
  };
  auto tag = [&](const std::string& region, const std::string& id, const std::string& origin,
                 const std::string& token) {
    auto tagged = h.clouds().direct(region, api::service_type::network, bhttp::verb::put,
                                    "/v2.0/security-groups/" + id + "/tags", token,
                                    {{"tags", {security_group_copy_tag(origin)}}});
    EXPECT_EQ(tagged.status, 200u) << tagged.body;
  };
  auto origin = make("cloudlet-2", h.demo_token());
  auto copy = make("cloudlet-1", h.demo_token());
  tag("cloudlet-1", copy, origin, h.demo_token());
  // Another project's group that claims the same origin on cloudlet-3: never touched.
  auto stranger = make("cloudlet-3", h.admin_token());
  tag("cloudlet-3", stranger, origin, h.admin_token());

  add_rule_through_agent(copy, 443);
  for (const char* region : {"cloudlet-1", "cloudlet-2"}) {
    auto groups = groups_on(region, "web");
    ASSERT_EQ(groups.size(), 1u) << region;
    EXPECT_EQ(ports_of(groups[0]), std::vector<int>{443}) << region;
  }
  EXPECT_TRUE(ports_of(groups_on("cloudlet-3", "web").at(0)).empty()) << "another project's group";
}

TEST_F(SecurityGroupFlow, AGroupAddedToAServerElsewhereIsCopiedThereAndNamedByName) {
  // Tempest's test_rescued_vm_add_remove_security_group: a group made here, then
  // added to and removed from a server the scheduler put on another cloudlet.
  auto web = make_group_through_agent("web");
  add_rule_through_agent(web, 22);
  h.placement().place_on("cloudlet-2");
  auto booted = boot_with_groups({});
  ASSERT_EQ(booted.status, 202u) << booted.body;
  auto server = json::parse(booted.body).at("server").at("id").get<std::string>();
  auto local = h.clouds().items("cloudlet-2", "servers").at(0).at("id").get<std::string>();
  auto action_sent = [&] {   // the one action cloudlet-2's Nova got since the log was cleared
    auto sent = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers/" + local + "/action");
    EXPECT_EQ(sent.size(), 1u);
    return sent.empty() ? json() : json::parse(sent.back().body);
  };
  h.clouds().clear_log();

  auto added = h.send(bhttp::verb::post, "/compute/v2.1/servers/" + server + "/action",
                      {{"addSecurityGroup", {{"name", "web"}}}});
  ASSERT_EQ(added.status, 202u) << added.body;
  auto there = groups_on("cloudlet-2", "web");
  ASSERT_EQ(there.size(), 1u);
  EXPECT_EQ(security_group_origin_of(there[0]), web) << "marked as a copy of the group the user made";
  EXPECT_EQ(ports_of(there[0]), std::vector<int>{22});
  EXPECT_TRUE(groups_on("cloudlet-3", "web").empty()) << "only where the server is";
  EXPECT_EQ(action_sent(), json::parse(R"({"addSecurityGroup": {"name": "web"}})"));

  // By its ID here, as the openstack CLI names it: cloudlet-2's Nova gets the name.
  h.clouds().clear_log();
  auto removed = h.send(bhttp::verb::post, "/compute/v2.1/servers/" + server + "/action",
                        {{"removeSecurityGroup", {{"name", web}}}});
  ASSERT_EQ(removed.status, 202u) << removed.body << " (Nova answers 404 for a group the server does not have)";
  EXPECT_EQ(action_sent(), json::parse(R"({"removeSecurityGroup": {"name": "web"}})"));
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.0/security-groups").empty())
    << "a remove copies nothing";

  // A name that is not the client's group here: cloudlet-2's Nova answers for it.
  auto unknown = h.send(bhttp::verb::post, "/compute/v2.1/servers/" + server + "/action",
                        {{"addSecurityGroup", {{"name", "nosuch"}}}});
  EXPECT_EQ(unknown.status, 404u) << unknown.body;
}

TEST_F(SecurityGroupFlow, ADeleteThroughTheAgentTakesItsCopiesAndNothingTheFederationDidNotMake) {
  auto web = make_group_through_agent("web");
  h.placement().place_on("cloudlet-2");
  ASSERT_EQ(boot_with_groups({"web"}).status, 202u);
  // The server holds the copy; once it is gone, the group can go.
  auto server = h.clouds().items("cloudlet-2", "servers").at(0).at("id").get<std::string>();
  h.clouds().direct("cloudlet-2", api::service_type::compute, bhttp::verb::delete_, "/v2.1/servers/" + server,
                    h.demo_token());
  // The user's own group of that name on cloudlet-3, made there directly.
  ASSERT_EQ(h.clouds().direct("cloudlet-3", api::service_type::network, bhttp::verb::post, "/v2.0/security-groups",
                              h.demo_token(), {{"security_group", {{"name", "web"}}}}).status, 201u);
  auto gone = h.send(bhttp::verb::delete_, "/network/v2.0/security-groups/" + web);
  EXPECT_EQ(gone.status, 204u) << gone.body;
  EXPECT_TRUE(groups_on("cloudlet-1", "web").empty());
  EXPECT_TRUE(groups_on("cloudlet-2", "web").empty()) << "the copy went with it";
  EXPECT_EQ(groups_on("cloudlet-3", "web").size(), 1u) << "the user's own group is kept";
}

TEST_F(SecurityGroupFlow, ADeleteThroughNovasProxyTakesItsCopiesToo) {
  // Tempest's compute tests make and delete their groups through Nova's proxy
  // (/os-security-groups, before microversion 2.36).
  auto made = h.send(bhttp::verb::post, "/compute/v2.1/os-security-groups",
                     {{"security_group", {{"name", "web"}, {"description", "d"}}}});
  ASSERT_EQ(made.status, 200u) << made.body;
  auto web = json::parse(made.body).at("security_group").at("id").get<std::string>();
  h.placement().place_on("cloudlet-2");
  ASSERT_EQ(boot_with_groups({"web"}).status, 202u);
  auto server = h.clouds().items("cloudlet-2", "servers").at(0).at("id").get<std::string>();
  h.clouds().direct("cloudlet-2", api::service_type::compute, bhttp::verb::delete_, "/v2.1/servers/" + server,
                    h.demo_token());
  ASSERT_EQ(groups_on("cloudlet-2", "web").size(), 1u) << "the boot copied the group";
  ASSERT_EQ(h.clouds().direct("cloudlet-3", api::service_type::network, bhttp::verb::post, "/v2.0/security-groups",
                              h.demo_token(), {{"security_group", {{"name", "web"}}}}).status, 201u);
  auto gone = h.send(bhttp::verb::delete_, "/compute/v2.1/os-security-groups/" + web);
  EXPECT_EQ(gone.status, 202u) << "Nova's answer: " << gone.body;
  EXPECT_TRUE(groups_on("cloudlet-1", "web").empty());
  EXPECT_TRUE(groups_on("cloudlet-2", "web").empty()) << "the copy went with it";
  EXPECT_EQ(groups_on("cloudlet-3", "web").size(), 1u) << "the user's own group is kept";
}

TEST_F(SecurityGroupFlow, ARuleWhoseRemoteIsACopiedGroupNamesItsCopyOnTheTarget) {
  auto web = make_group_through_agent("web");
  auto db = make_group_through_agent("db");
  // db admits web's members (remote group), as a tenant's two-tier setup does.
  auto made = h.send(bhttp::verb::post, "/network/v2.0/security-group-rules",
                     {{"security_group_rule", {{"security_group_id", db}, {"direction", "ingress"},
                                               {"protocol", "tcp"}, {"port_range_min", 5432},
                                               {"port_range_max", 5432}, {"remote_group_id", web}}}});
  ASSERT_EQ(made.status, 201u) << made.body;
  h.placement().place_on("cloudlet-2");
  // db first: web's copy does not exist yet when db's is made.
  ASSERT_EQ(boot_with_groups({"db", "web"}).status, 202u);
  auto web_copy = groups_on("cloudlet-2", "web");
  auto db_copy = groups_on("cloudlet-2", "db");
  ASSERT_EQ(web_copy.size(), 1u);
  ASSERT_EQ(db_copy.size(), 1u);
  std::vector<std::string> remotes;
  for (const auto& r : db_copy[0].at("security_group_rules"))
    if (r["remote_group_id"].is_string()) remotes.push_back(r["remote_group_id"]);
  EXPECT_EQ(remotes, std::vector<std::string>{web_copy[0].at("id").get<std::string>()})
    << "the rule names web's copy on cloudlet-2, not web's ID on cloudlet-1";
}

TEST_F(SecurityGroupFlow, ARenameThroughTheAgentReachesItsCopiesAndNothingElse) {
  auto web = make_group_through_agent("web");
  h.placement().place_on("cloudlet-2");
  ASSERT_EQ(boot_with_groups({"web"}).status, 202u);
  // The user's own group named "web" on cloudlet-3, made directly: not a copy.
  auto mine = h.clouds().direct("cloudlet-3", api::service_type::network, bhttp::verb::post, "/v2.0/security-groups",
                                h.demo_token(), {{"security_group", {{"name", "web"}}}});
  ASSERT_EQ(mine.status, 201u) << mine.body;
  auto renamed = h.send(bhttp::verb::put, "/network/v2.0/security-groups/" + web,
                        {{"security_group", {{"name", "frontend"}, {"description", "tier 1"}}}});
  ASSERT_EQ(renamed.status, 200u) << renamed.body;
  EXPECT_EQ(groups_on("cloudlet-1", "frontend").size(), 1u);
  auto copy = groups_on("cloudlet-2", "frontend");
  ASSERT_EQ(copy.size(), 1u) << "the copy follows the rename";
  EXPECT_EQ(copy[0]["description"], "tier 1");
  EXPECT_TRUE(groups_on("cloudlet-2", "web").empty());
  EXPECT_EQ(groups_on("cloudlet-3", "web").size(), 1u) << "the user's own group keeps its name";
  // The next boot there finds the renamed copy by its new name.
  ASSERT_EQ(boot_with_groups({"frontend"}).status, 202u);
  EXPECT_EQ(groups_on("cloudlet-2", "frontend").size(), 1u);
}

TEST_F(SecurityGroupFlow, DefaultIsMappedByNameAndNeverCopied) {
  h.placement().place_on("cloudlet-2");
  ASSERT_EQ(boot_with_groups({"default"}).status, 202u);
  EXPECT_EQ(servers_on("cloudlet-2"), 1u);
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.0/security-groups").empty());
  for (const auto& g : groups_on("cloudlet-2", "default")) EXPECT_FALSE(security_group_origin_of(g));
}

TEST_F(SecurityGroupFlow, AUsersOwnSameNamedGroupOnTheTargetIsNotTakenAndTheBootIsRefused) {
  auto web = make_group_through_agent("web");
  add_rule_through_agent(web, 22);
  ASSERT_EQ(h.clouds().direct("cloudlet-2", api::service_type::network, bhttp::verb::post, "/v2.0/security-groups",
                              h.demo_token(), {{"security_group", {{"name", "web"}}}}).status, 201u);
  h.placement().place_on("cloudlet-2");
  auto answer = boot_with_groups({"web"});
  EXPECT_EQ(answer.status, 409u) << answer.body;
  EXPECT_NE(answer.body.find("was not made by the federation"), std::string::npos) << answer.body;
  auto there = groups_on("cloudlet-2", "web");
  ASSERT_EQ(there.size(), 1u);
  EXPECT_FALSE(security_group_origin_of(there[0])) << "the user's group is not marked";
  EXPECT_TRUE(ports_of(there[0]).empty()) << "nor are its rules changed";
  EXPECT_EQ(servers_on("cloudlet-2"), 0u);
}

TEST_F(SecurityGroupFlow, AGroupCopyIsNeverMadeInAnotherProject) {
  // The demo project's group; the admin, who sees every project's groups, boots naming it.
  make_group_through_agent("web");
  h.placement().place_on("cloudlet-2");
  boot_with_groups({"web"}, h.admin_token(), h.clouds().admin_project_id());
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.0/security-groups").empty());
  EXPECT_TRUE(groups_on("cloudlet-2", "web").empty());
}

TEST_F(SecurityGroupFlow, AGroupsTagsThroughTheAgentLeaveOutTheFederations) {
  // A copy on this agent's cloudlet (another agent's boot made it): its tag is the federation's.
  auto made = h.clouds().direct("cloudlet-1", api::service_type::network, bhttp::verb::post, "/v2.0/security-groups",
                                h.demo_token(), {{"security_group", {{"name", "web"}}}});
  ASSERT_EQ(made.status, 201u) << made.body;
  auto id = json::parse(made.body).at("security_group").at("id").get<std::string>();
  json tags{{"tags", {"team-a", "fedstack_sg_copy_of=0d6c4b8e-3f5e-4a53-9d3e-2f1d2b6e0c11"}}};
  ASSERT_EQ(h.clouds().direct("cloudlet-1", api::service_type::network, bhttp::verb::put,
                              "/v2.0/security-groups/" + id + "/tags", h.demo_token(), tags).status, 200u);
  const json only_the_users = json::array({"team-a"});

  auto listed = h.send(bhttp::verb::get, "/network/v2.0/security-groups/" + id + "/tags");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  EXPECT_EQ(json::parse(listed.body).at("tags"), only_the_users);
  auto shown = h.send(bhttp::verb::get, "/network/v2.0/security-groups/" + id);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("security_group").at("tags"), only_the_users);
  auto all = h.send(bhttp::verb::get, "/network/v2.0/security-groups?name=web");
  ASSERT_EQ(all.status, 200u) << all.body;
  auto groups = json::parse(all.body);
  ASSERT_EQ(groups.at("security_groups").size(), 1u);
  EXPECT_EQ(groups["security_groups"][0].at("tags"), only_the_users);
  // The tag is still there for the federation to find the copy by.
  auto direct = h.clouds().direct("cloudlet-1", api::service_type::network, bhttp::verb::get,
                                  "/v2.0/security-groups/" + id + "/tags", h.demo_token());
  EXPECT_EQ(json::parse(direct.body).at("tags").size(), 2u);
}

} // namespace
} // namespace fedstack::agent::testing
