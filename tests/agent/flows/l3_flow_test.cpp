// Floating IPs and routers anywhere, and the operators' same-named external
// networks as one (agent/flows/l3.hpp, rules/l3_rule.hpp): through the agent's
// handler (own cloudlet: cloudlet-1) against fake clouds running the
// simulator's Neutron, each with the operator's `public` made on it directly.

#include <algorithm>

#include <gtest/gtest.h>

#include "agent/rules/l3_rule.hpp"
#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;

class L3Flow : public ::testing::Test {
protected:
  void SetUp() override {
    for (int n = 1; n <= 3; ++n) {
      auto region = "cloudlet-" + std::to_string(n);
      auto net = direct(region, bhttp::verb::post, "/v2.0/networks",
                        {{"network", {{"name", "public"}, {"router:external", true}}}}, admin());
      public_ids[region] = net.at("network").at("id");
      direct(region, bhttp::verb::post, "/v2.0/subnets",
             {{"subnet", {{"network_id", public_ids[region]}, {"cidr", "172.24." + std::to_string(3 + n) + ".0/24"},
                          {"enable_dhcp", false}}}},
             admin());
    }
  }

  std::string admin() { return h.clouds().admin_token(); }
  std::string demo() { return h.clouds().demo_token(); }

  json direct(const std::string& region, bhttp::verb method, const std::string& path, const json& body,
              const std::string& token, unsigned expected = 0) {
    auto answer = h.clouds().direct(region, api::service_type::network, method, path, token, body);
    if (expected) EXPECT_EQ(answer.status, expected) << path << ": " << answer.body;
    else EXPECT_LT(answer.status, 300u) << path << ": " << answer.body;
    return answer.body.empty() ? json() : json::parse(answer.body);
  }

  /// demo's network, subnet (10.9.n.0/24) and port on `region`, made there directly, and a router of
  /// demo's there linking them to `region`'s public. Returns {subnet, port}.
  std::pair<std::string, std::string> reachable_port(const std::string& region) {
    auto net = direct(region, bhttp::verb::post, "/v2.0/networks", {{"network", {{"name", "n"}}}}, demo());
    auto net_id = net.at("network").at("id").get<std::string>();
    auto subnet = direct(region, bhttp::verb::post, "/v2.0/subnets",
                         {{"subnet", {{"network_id", net_id}, {"cidr", "10.9." + region.substr(9) + ".0/24"}}}}, demo());
    auto subnet_id = subnet.at("subnet").at("id").get<std::string>();
    auto port = direct(region, bhttp::verb::post, "/v2.0/ports", {{"port", {{"network_id", net_id}}}}, demo());
    auto router = direct(region, bhttp::verb::post, "/v2.0/routers",
                         {{"router", {{"name", "r"}, {"external_gateway_info", {{"network_id", public_ids[region]}}}}}},
                         demo());
    direct(region, bhttp::verb::put, "/v2.0/routers/" + router.at("router").at("id").get<std::string>() +
                                        "/add_router_interface",
           {{"subnet_id", subnet_id}}, demo());
    return {subnet_id, port.at("port").at("id").get<std::string>()};
  }

  /// Floating IP `id` associated through the agent with `port` on cloudlet-3: it
  /// answers the floating IP moved there under its ID (empty when it did not).
  json move_to_cloudlet_3(const std::string& id, const std::string& port) {
    auto moved = h.send(bhttp::verb::put, "/network/v2.0/floatingips/" + id, {{"floatingip", {{"port_id", port}}}});
    EXPECT_EQ(moved.status, 200u) << moved.body;
    if (moved.status != 200u) return json::object();
    auto now = json::parse(moved.body).at("floatingip");
    EXPECT_EQ(now.at("id"), id);
    EXPECT_TRUE(in(now, "172.24.6.")) << now;
    EXPECT_EQ(now.at("port_id"), port);
    EXPECT_EQ(now.at("floating_network_id"), public_fid);
    return now;
  }

  /// An association of floating IP `id` with `port` through the agent.
  captured_response associate(const std::string& id, const std::string& port) {
    return h.send(bhttp::verb::put, "/network/v2.0/floatingips/" + id, {{"floatingip", {{"port_id", port}}}});
  }

  json fips_on(const std::string& region) {
    return direct(region, bhttp::verb::get, "/v2.0/floatingips", nullptr, admin()).at("floatingips");
  }

  static bool in(const json& fip, const std::string& prefix) {
    return fip.at("floating_ip_address").get<std::string>().rfind(prefix, 0) == 0;
  }

  flow_harness h;
  std::map<std::string, std::string> public_ids;
  const std::string public_fid = external_network_id("public");
};

TEST_F(L3Flow, SameNamedExternalNetworksAreOneNetworkThatNoAgentChanges) {
  auto listed = h.send(bhttp::verb::get, "/network/v2.0/networks?router:external=True");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  auto networks = json::parse(listed.body).at("networks");
  ASSERT_EQ(networks.size(), 1u) << networks;
  EXPECT_EQ(networks[0].at("id"), public_fid);

  auto shown = h.send(bhttp::verb::get, "/network/v2.0/networks/" + public_fid);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("network").at("name"), "public");

  // Not even the admin changes or deletes it through the federation.
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/network/v2.0/networks/" + public_fid, nullptr, h.admin_token()).status, 403u);
  EXPECT_EQ(h.send(bhttp::verb::put, "/network/v2.0/networks/" + public_fid, {{"network", {{"name", "x"}}}},
                   h.admin_token()).status, 403u);
  for (const auto& [region, id] : public_ids)
    EXPECT_EQ(direct(region, bhttp::verb::get, "/v2.0/networks/" + id, nullptr, admin()).at("network").at("name"),
              "public");
}

// Tempest's routers send an empty gateway: it names no network, so nothing is mapped
// (Neutron refuses a network_id of "" as not a UUID).
TEST_F(L3Flow, ARouterWithAnEmptyGatewayIsMadeWithoutOne) {
  auto made = h.send(bhttp::verb::post, "/network/v2.0/routers",
                     {{"router", {{"name", "r"}, {"external_gateway_info", json::object()}}}});
  ASSERT_EQ(made.status, 201u) << made.body;
  auto router = json::parse(made.body).at("router");
  EXPECT_TRUE(router.at("external_gateway_info").is_null()) << router;
  auto there = direct("cloudlet-1", bhttp::verb::get, "/v2.0/routers", nullptr, admin()).at("routers");
  ASSERT_EQ(there.size(), 1u);
  EXPECT_TRUE(there[0].at("external_gateway_info").is_null());
}

TEST_F(L3Flow, PagesOfNetworksAreFullWhereADuplicateExternalNetworkIsDroppedAndItsIdIsAMarker) {
  // demo's networks on the agent's cloudlet, made there directly; each cloudlet has its public.
  for (const char* name : {"a-net", "b-net", "y-net", "z-net"})
    direct("cloudlet-1", bhttp::verb::post, "/v2.0/networks", {{"network", {{"name", name}}}}, demo());
  // One item a page, by name: every page full, public once, under its federation ID (a marker too).
  std::vector<std::string> names;
  std::string marker;
  for (int page = 0; page < 8; ++page) {
    auto answer = h.send(bhttp::verb::get, "/network/v2.0/networks?sort_key=name&sort_dir=asc&limit=1" +
                                             (marker.empty() ? std::string{} : "&marker=" + marker));
    ASSERT_EQ(answer.status, 200u) << "after " << marker << ": " << answer.body;
    auto doc = json::parse(answer.body);
    auto items = doc.at("networks");
    if (items.empty()) break;
    ASSERT_EQ(items.size(), 1u) << items;
    names.push_back(items[0].at("name"));
    marker = items[0].at("id");
    if (names.back() == "public") {
      EXPECT_EQ(marker, public_fid);
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"a-net", "b-net", "public", "y-net", "z-net"}));
}

TEST_F(L3Flow, AFloatingIpForAPortIsAllocatedOnThePortsCloudlet) {
  auto [subnet, port] = reachable_port("cloudlet-3");
  auto made = h.send(bhttp::verb::post, "/network/v2.0/floatingips",
                     {{"floatingip", {{"floating_network_id", public_fid}, {"port_id", port}}}});
  ASSERT_EQ(made.status, 201u) << made.body;
  auto fip = json::parse(made.body).at("floatingip");
  EXPECT_TRUE(api::global_id_owner(fip.at("id").get<std::string>()));
  EXPECT_EQ(fip.at("floating_network_id"), public_fid);
  EXPECT_TRUE(in(fip, "172.24.6.")) << fip;
  EXPECT_EQ(fip.at("port_id"), port);
  EXPECT_EQ(fips_on("cloudlet-1").size(), 0u);
  ASSERT_EQ(fips_on("cloudlet-3").size(), 1u);

  // Shown and listed once, under its global ID, by its external network's federation ID.
  auto listed = h.send(bhttp::verb::get, "/network/v2.0/floatingips");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  auto items = json::parse(listed.body).at("floatingips");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("id"), fip.at("id"));
  EXPECT_EQ(items[0].at("floating_network_id"), public_fid);

  EXPECT_EQ(h.send(bhttp::verb::delete_, "/network/v2.0/floatingips/" + fip.at("id").get<std::string>()).status, 204u);
  EXPECT_EQ(fips_on("cloudlet-3").size(), 0u);
}

TEST_F(L3Flow, AFreshFloatingIpMovesToThePortsCloudletUnderItsId) {
  auto [subnet, port] = reachable_port("cloudlet-3");
  auto made = h.send(bhttp::verb::post, "/network/v2.0/floatingips", {{"floatingip", {{"floating_network_id", public_fid}}}});
  ASSERT_EQ(made.status, 201u) << made.body;
  auto fip = json::parse(made.body).at("floatingip");
  auto id = fip.at("id").get<std::string>();
  EXPECT_TRUE(in(fip, "172.24.4.")) << fip;   // the agent's own cloudlet-1
  ASSERT_EQ(fips_on("cloudlet-1").size(), 1u);

  ASSERT_FALSE(move_to_cloudlet_3(id, port).empty());
  EXPECT_EQ(fips_on("cloudlet-1").size(), 0u) << "the unused address on cloudlet-1 was not released";
  auto there = fips_on("cloudlet-3");
  ASSERT_EQ(there.size(), 1u);
  auto tags = there[0].at("tags");
  EXPECT_NE(std::find(tags.begin(), tags.end(), std::string(fip_used_tag)), tags.end()) << tags;
  auto entry = h.registry().entry(id);
  ASSERT_TRUE(entry);
  ASSERT_EQ(entry->copies.size(), 1u);
  EXPECT_EQ(entry->copies[0].cloudlet, "cloudlet-3");
  EXPECT_EQ(h.send(bhttp::verb::get, "/network/v2.0/floatingips/" + id).status, 200u);
}

/// A fresh floating IP of `project` made on `region` directly with `token`, marked with a
/// global ID of another agent's node and recorded there (as if made through that agent).
storage::registry_entry another_agents_fip(flow_harness& h, const std::string& region, const std::string& network,
                                           const std::string& token, const std::string& project) {
  auto made = h.clouds().direct(region, api::service_type::network, bhttp::verb::post, "/v2.0/floatingips", token,
                                {{"floatingip", {{"floating_network_id", network}}}});
  EXPECT_EQ(made.status, 201u) << made.body;
  auto local = json::parse(made.body).at("floatingip").at("id").get<std::string>();
  storage::registry_entry entry;
  entry.kind = resource_kind::floating_ip;
  entry.global_id = api::make_global_id({"10.0.0.2", 4790}).value();
  entry.project_id = project;
  entry.state = storage::entry_state::bound;
  entry.copies = {{region, local}};
  EXPECT_EQ(h.clouds().direct(region, api::service_type::network, bhttp::verb::put,
                              "/v2.0/floatingips/" + local + "/tags", token,
                              {{"tags", {api::marker_tag({entry.global_id, false, {}})}}}).status, 200u);
  h.registry().seed_at_another_agent(entry);
  return entry;
}

TEST_F(L3Flow, AFloatingIpAnotherAgentRecordsMovesAndIsFreedAndDeletedThroughThisOne) {
  auto [subnet, port] = reachable_port("cloudlet-3");
  auto entry = another_agents_fip(h, "cloudlet-2", public_ids["cloudlet-2"], demo(), h.clouds().demo_project_id());
  const auto& id = entry.global_id;
  ASSERT_FALSE(move_to_cloudlet_3(id, port).empty());
  EXPECT_EQ(fips_on("cloudlet-2").size(), 0u) << "the old address was not released";
  ASSERT_EQ(fips_on("cloudlet-3").size(), 1u);
  auto calls = h.registry().call_log();
  EXPECT_NE(std::find(calls.begin(), calls.end(), "rebind"), calls.end()) << "rebound at its owner";
  ASSERT_EQ(h.registry().entry(id)->copies, (std::vector<storage::cloud_copy>{{"cloudlet-3", fips_on("cloudlet-3")[0].at("id")}}));

  // Freed and deleted through this agent too.
  auto freed = h.send(bhttp::verb::put, "/network/v2.0/floatingips/" + id, {{"floatingip", {{"port_id", nullptr}}}});
  ASSERT_EQ(freed.status, 200u) << freed.body;
  EXPECT_TRUE(json::parse(freed.body).at("floatingip").at("port_id").is_null());
  EXPECT_TRUE(fips_on("cloudlet-3")[0].at("port_id").is_null());
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/network/v2.0/floatingips/" + id).status, 204u);
  EXPECT_EQ(fips_on("cloudlet-3").size(), 0u);
}

TEST_F(L3Flow, AMoveItsOwnerDoesNotTakeLeavesTheFloatingIpWhereItWas) {
  auto [subnet, port] = reachable_port("cloudlet-3");
  auto entry = another_agents_fip(h, "cloudlet-2", public_ids["cloudlet-2"], demo(), h.clouds().demo_project_id());
  h.registry().refuse_rebinds(true);
  auto refused = h.send(bhttp::verb::put, "/network/v2.0/floatingips/" + entry.global_id,
                        {{"floatingip", {{"port_id", port}}}});
  EXPECT_EQ(refused.status, 409u) << refused.body;
  EXPECT_EQ(fips_on("cloudlet-3").size(), 0u) << "the unrecorded new one is released";
  ASSERT_EQ(fips_on("cloudlet-2").size(), 1u);
  EXPECT_EQ(h.registry().entry(entry.global_id)->copies, entry.copies);
}

// Two clients move one floating IP at once, through two agents: the second comes
// to its owner while the first is on its way there. The owner takes only the move
// that still names the address it replaces: one address is left, recorded and
// associated as the winner asked; the loser's new one is released, not left marked.
TEST_F(L3Flow, TwoMovesOfOneFloatingIpAtOnceLeaveOneAddressAndReleaseTheLosers) {
  auto [subnet2, port2] = reachable_port("cloudlet-2");
  auto [subnet3, port3] = reachable_port("cloudlet-3");
  auto entry = another_agents_fip(h, "cloudlet-1", public_ids["cloudlet-1"], demo(), h.clouds().demo_project_id());
  const auto& id = entry.global_id;
  captured_response first;
  h.registry().before_next_rebind([&] { first = associate(id, port2); });
  auto later = associate(id, port3);
  EXPECT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(later.status, 409u) << later.body;
  EXPECT_EQ(fips_on("cloudlet-3").size(), 0u) << "the loser's new address was left";
  EXPECT_EQ(fips_on("cloudlet-1").size(), 0u) << "the replaced address was not released";
  auto there = fips_on("cloudlet-2");
  ASSERT_EQ(there.size(), 1u);
  EXPECT_EQ(there[0].at("port_id"), port2);
  EXPECT_EQ(h.registry().entry(id)->copies,
            (std::vector<storage::cloud_copy>{{"cloudlet-2", there[0].at("id").get<std::string>()}}));
}

// The owner recorded the move but its answer was lost: asked again, it answers
// the entry, and the mover finishes (the old address released, the client answered).
TEST_F(L3Flow, AMoveWhoseAnswerIsLostFinishesWhenTheOwnerSaysItWasRecorded) {
  auto [subnet, port] = reachable_port("cloudlet-3");
  auto entry = another_agents_fip(h, "cloudlet-2", public_ids["cloudlet-2"], demo(), h.clouds().demo_project_id());
  h.registry().lose_answers({"rebind"});
  ASSERT_FALSE(move_to_cloudlet_3(entry.global_id, port).empty());
  EXPECT_EQ(fips_on("cloudlet-2").size(), 0u) << "the old address was not released";
  auto there = fips_on("cloudlet-3");
  ASSERT_EQ(there.size(), 1u);
  EXPECT_EQ(h.registry().entry(entry.global_id)->copies,
            (std::vector<storage::cloud_copy>{{"cloudlet-3", there[0].at("id").get<std::string>()}}));
}

// The move never reached the owner, and another came first meanwhile: asked again,
// the owner refuses the stale move, and its new address is released.
TEST_F(L3Flow, AMoveLostOnItsWayThatAnotherOvertookReleasesItsAddress) {
  auto [subnet2, port2] = reachable_port("cloudlet-2");
  auto [subnet3, port3] = reachable_port("cloudlet-3");
  auto entry = another_agents_fip(h, "cloudlet-1", public_ids["cloudlet-1"], demo(), h.clouds().demo_project_id());
  const auto& id = entry.global_id;
  captured_response other;
  h.registry().before_next_rebind([&] {
    other = associate(id, port2);
    h.registry().fail_next("rebind");
  });
  auto lost = associate(id, port3);
  EXPECT_EQ(other.status, 200u) << other.body;
  EXPECT_EQ(lost.status, 409u) << lost.body;
  EXPECT_EQ(fips_on("cloudlet-3").size(), 0u) << "the unrecorded new address was left";
  ASSERT_EQ(fips_on("cloudlet-2").size(), 1u);
  EXPECT_EQ(h.registry().entry(id)->copies.front().cloudlet, "cloudlet-2");
}

// The owner does not answer at all: a clear 503, the recorded address kept; the new
// one stays for a repeat, which (the owner back) records it rather than making another.
TEST_F(L3Flow, AMoveItsOwnerNeverAnswersKeepsTheRecordedAddressAndARepeatFinishesIt) {
  auto [subnet, port] = reachable_port("cloudlet-3");
  auto entry = another_agents_fip(h, "cloudlet-2", public_ids["cloudlet-2"], demo(), h.clouds().demo_project_id());
  h.registry().set_unavailable(true, {"rebind"});
  auto unknown = associate(entry.global_id, port);
  EXPECT_EQ(unknown.status, 503u) << unknown.body;
  EXPECT_NE(unknown.body.find("could not be confirmed"), std::string::npos) << unknown.body;
  ASSERT_EQ(fips_on("cloudlet-2").size(), 1u) << "the recorded address was released";
  EXPECT_EQ(h.registry().entry(entry.global_id)->copies, entry.copies);
  ASSERT_EQ(fips_on("cloudlet-3").size(), 1u);
  auto left = fips_on("cloudlet-3")[0].at("id").get<std::string>();

  h.registry().set_unavailable(false);
  ASSERT_FALSE(move_to_cloudlet_3(entry.global_id, port).empty());
  EXPECT_EQ(fips_on("cloudlet-2").size(), 0u);
  auto there = fips_on("cloudlet-3");
  ASSERT_EQ(there.size(), 1u) << "the repeat made another address";
  EXPECT_EQ(h.registry().entry(entry.global_id)->copies, (std::vector<storage::cloud_copy>{{"cloudlet-3", left}}));
}

TEST_F(L3Flow, AnotherProjectsFloatingIpIsNeitherMovedNorSeen) {
  // The admin project's floating IP, recorded at another agent; demo's port on cloudlet-3.
  auto [subnet, port] = reachable_port("cloudlet-3");
  auto theirs = another_agents_fip(h, "cloudlet-2", public_ids["cloudlet-2"], admin(), h.clouds().admin_project_id());
  auto answer = h.send(bhttp::verb::put, "/network/v2.0/floatingips/" + theirs.global_id,
                       {{"floatingip", {{"port_id", port}}}});
  EXPECT_EQ(answer.status, 404u) << answer.body;
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/network/v2.0/floatingips/" + theirs.global_id).status, 404u);
  EXPECT_EQ(fips_on("cloudlet-3").size(), 0u);
  ASSERT_EQ(fips_on("cloudlet-2").size(), 1u);
  EXPECT_TRUE(fips_on("cloudlet-2")[0].at("port_id").is_null());
  EXPECT_EQ(h.registry().entry(theirs.global_id)->copies, theirs.copies);
}

TEST_F(L3Flow, AnAddressOnceAssociatedIsNeverMoved) {
  auto [subnet1, port1] = reachable_port("cloudlet-1");
  auto [subnet3, port3] = reachable_port("cloudlet-3");
  auto made = h.send(bhttp::verb::post, "/network/v2.0/floatingips",
                     {{"floatingip", {{"floating_network_id", public_fid}, {"port_id", port1}}}});
  ASSERT_EQ(made.status, 201u) << made.body;
  auto id = json::parse(made.body).at("floatingip").at("id").get<std::string>();
  // Associated through the agent (marked), then freed.
  ASSERT_EQ(h.send(bhttp::verb::put, "/network/v2.0/floatingips/" + id, {{"floatingip", {{"port_id", nullptr}}}}).status,
            200u);
  ASSERT_EQ(h.send(bhttp::verb::put, "/network/v2.0/floatingips/" + id, {{"floatingip", {{"port_id", port1}}}}).status,
            200u);
  ASSERT_EQ(h.send(bhttp::verb::put, "/network/v2.0/floatingips/" + id, {{"floatingip", {{"port_id", nullptr}}}}).status,
            200u);
  auto refused = h.send(bhttp::verb::put, "/network/v2.0/floatingips/" + id, {{"floatingip", {{"port_id", port3}}}});
  EXPECT_EQ(refused.status, 409u) << refused.body;
  EXPECT_NE(refused.body.find("associated before"), std::string::npos) << refused.body;
  ASSERT_EQ(fips_on("cloudlet-1").size(), 1u);
  EXPECT_TRUE(in(fips_on("cloudlet-1")[0], "172.24.4."));
  EXPECT_EQ(fips_on("cloudlet-3").size(), 0u);
}

TEST_F(L3Flow, ARouterFollowsItsSubnetToEveryCloudletHoldingIt) {
  // demo's subnet with its primary on cloudlet-1 and a copy on cloudlet-3, as a boot there leaves it.
  std::map<std::string, std::string> subnets;
  for (std::string region : {"cloudlet-1", "cloudlet-3"}) {
    auto net = direct(region, bhttp::verb::post, "/v2.0/networks", {{"network", {{"name", "n"}}}}, demo());
    auto subnet = direct(region, bhttp::verb::post, "/v2.0/subnets",
                         {{"subnet", {{"network_id", net.at("network").at("id")}, {"cidr", "10.7.0.0/24"}}}}, demo());
    subnets[region] = subnet.at("subnet").at("id");
  }
  auto subnet = h.record(resource_kind::subnet, h.clouds().demo_project_id(),
                         {{"cloudlet-1", subnets["cloudlet-1"]}, {"cloudlet-3", subnets["cloudlet-3"]}}, "s");

  auto made = h.send(bhttp::verb::post, "/network/v2.0/routers",
                     {{"router", {{"name", "fr"}, {"external_gateway_info", {{"network_id", public_fid}}}}}});
  ASSERT_EQ(made.status, 201u) << made.body;
  auto router = json::parse(made.body).at("router");
  auto id = router.at("id").get<std::string>();
  EXPECT_EQ(router.at("external_gateway_info").at("network_id"), public_fid);

  auto added = h.send(bhttp::verb::put, "/network/v2.0/routers/" + id + "/add_router_interface",
                      {{"subnet_id", subnet.global_id}});
  ASSERT_EQ(added.status, 200u) << added.body;
  EXPECT_EQ(json::parse(added.body).at("subnet_id"), subnet.global_id);
  auto copies = direct("cloudlet-3", bhttp::verb::get, "/v2.0/routers", nullptr, admin()).at("routers");
  ASSERT_EQ(copies.size(), 1u);
  auto tags = copies[0].at("tags");
  EXPECT_NE(std::find(tags.begin(), tags.end(), "fedstack_copy_of=" + id), tags.end()) << tags;
  EXPECT_EQ(copies[0].at("external_gateway_info").at("network_id"), public_ids["cloudlet-3"]);
  EXPECT_EQ(direct("cloudlet-2", bhttp::verb::get, "/v2.0/routers", nullptr, admin()).at("routers").size(), 0u);
  for (std::string region : {"cloudlet-1", "cloudlet-3"}) {
    auto ports = direct(region, bhttp::verb::get, "/v2.0/ports?device_owner=network:router_interface", nullptr, admin());
    EXPECT_EQ(ports.at("ports").size(), 1u) << region;
  }
  // Listed once, the copy hidden.
  auto listed = json::parse(h.send(bhttp::verb::get, "/network/v2.0/routers").body).at("routers");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("id"), id);

  auto removed = h.send(bhttp::verb::put, "/network/v2.0/routers/" + id + "/remove_router_interface",
                        {{"subnet_id", subnet.global_id}});
  ASSERT_EQ(removed.status, 200u) << removed.body;
  for (std::string region : {"cloudlet-1", "cloudlet-3"}) {
    auto ports = direct(region, bhttp::verb::get, "/v2.0/ports?device_owner=network:router_interface", nullptr, admin());
    EXPECT_EQ(ports.at("ports").size(), 0u) << region;
  }
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/network/v2.0/routers/" + id).status, 204u);
  for (std::string region : {"cloudlet-1", "cloudlet-3"})
    EXPECT_EQ(direct(region, bhttp::verb::get, "/v2.0/routers", nullptr, admin()).at("routers").size(), 0u) << region;
  for (const auto& [region, pid] : public_ids)
    EXPECT_EQ(direct(region, bhttp::verb::get, "/v2.0/networks/" + pid, nullptr, admin()).at("network").at("name"),
              "public");
}

TEST_F(L3Flow, ARouterFollowsItsSubnetToTheCloudletABootCopiesItToLater) {
  // demo's network and subnet made through the agent (on cloudlet-1), linked to public by the
  // federation's router, and by a router demo made on cloudlet-1's Neutron directly.
  auto net = h.send(bhttp::verb::post, "/network/v2.0/networks", {{"network", {{"name", "n"}}}});
  ASSERT_EQ(net.status, 201u) << net.body;
  auto network_id = json::parse(net.body).at("network").at("id").get<std::string>();
  auto sub = h.send(bhttp::verb::post, "/network/v2.0/subnets",
                    {{"subnet", {{"network_id", network_id}, {"cidr", "10.8.0.0/24"}, {"ip_version", 4}}}});
  ASSERT_EQ(sub.status, 201u) << sub.body;
  auto subnet_id = json::parse(sub.body).at("subnet").at("id").get<std::string>();
  auto made = h.send(bhttp::verb::post, "/network/v2.0/routers",
                     {{"router", {{"name", "fr"}, {"external_gateway_info", {{"network_id", public_fid}}}}}});
  ASSERT_EQ(made.status, 201u) << made.body;
  auto router_id = json::parse(made.body).at("router").at("id").get<std::string>();
  ASSERT_EQ(h.send(bhttp::verb::put, "/network/v2.0/routers/" + router_id + "/add_router_interface",
                   {{"subnet_id", subnet_id}})
                .status,
            200u);
  auto subnet_here = h.registry().entry(subnet_id)->copies.front().local_id;
  auto tenants = direct("cloudlet-1", bhttp::verb::post, "/v2.0/routers", {{"router", {{"name", "own"}}}}, demo());
  direct("cloudlet-1", bhttp::verb::post, "/v2.0/ports",
         {{"port", {{"network_id", h.registry().entry(network_id)->copies.front().local_id},
                    {"device_owner", "network:router_interface"},
                    {"device_id", tenants.at("router").at("id")},
                    {"fixed_ips", {{{"subnet_id", subnet_here}}}}}}},
         demo());
  ASSERT_EQ(direct("cloudlet-3", bhttp::verb::get, "/v2.0/routers", nullptr, admin()).at("routers").size(), 0u);

  // A boot on cloudlet-3 copies the network there; the image already has its copy there.
  auto image_id = h.registry().new_global_id();
  std::vector<storage::cloud_copy> copies;
  for (const std::string region : {"cloudlet-1", "cloudlet-3"}) {
    json fields{{"name", "cirros"}};
    fields[std::string(region == "cloudlet-1" ? api::gid_key : api::copy_of_key)] = image_id;
    copies.push_back({region, h.clouds().seed_image(region, demo(), fields)});
  }
  h.record(resource_kind::image, h.clouds().demo_project_id(), copies, "cirros", image_id);
  auto flavors = json::parse(h.clouds()
                                 .direct("cloudlet-1", api::service_type::compute, bhttp::verb::get, "/v2.1/flavors",
                                         demo())
                                 .body);
  h.placement().place_on("cloudlet-3");
  auto booted = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                       {{"server", {{"name", "vm"},
                                    {"imageRef", image_id},
                                    {"flavorRef", flavors.at("flavors").at(0).at("id")},
                                    {"networks", {{{"uuid", network_id}}}}}}});
  ASSERT_EQ(booted.status, 202u) << booted.body;

  // The federation's router, and only it, is on cloudlet-3: marked as a copy, its gateway on
  // cloudlet-3's public, its interface on the subnet's copy there.
  auto subnet_entry = h.registry().entry(subnet_id);   // named: copy_on points into it
  const auto* subnet_there = subnet_entry->copy_on("cloudlet-3");
  ASSERT_NE(subnet_there, nullptr);
  auto routers = direct("cloudlet-3", bhttp::verb::get, "/v2.0/routers", nullptr, admin()).at("routers");
  ASSERT_EQ(routers.size(), 1u) << routers;
  auto tags = routers[0].at("tags");
  EXPECT_NE(std::find(tags.begin(), tags.end(), "fedstack_copy_of=" + router_id), tags.end()) << tags;
  EXPECT_EQ(routers[0].at("external_gateway_info").at("network_id"), public_ids["cloudlet-3"]);
  auto router_entry = h.registry().entry(router_id);
  const auto* router_there = router_entry->copy_on("cloudlet-3");
  ASSERT_NE(router_there, nullptr) << "the copy is recorded on the router's entry";
  EXPECT_EQ(router_there->local_id, routers[0].at("id"));
  auto ports = direct("cloudlet-3", bhttp::verb::get, "/v2.0/ports?device_owner=network:router_interface", nullptr,
                      admin())
                 .at("ports");
  ASSERT_EQ(ports.size(), 1u) << ports;
  EXPECT_EQ(ports[0].at("device_id"), routers[0].at("id"));
  EXPECT_EQ(ports[0].at("fixed_ips").at(0).at("subnet_id"), subnet_there->local_id);

  // The router's interfaces and copies go as for any router of the federation.
  ASSERT_EQ(h.send(bhttp::verb::put, "/network/v2.0/routers/" + router_id + "/remove_router_interface",
                   {{"subnet_id", subnet_id}})
                .status,
            200u);
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/network/v2.0/routers/" + router_id).status, 204u);
  EXPECT_EQ(direct("cloudlet-3", bhttp::verb::get, "/v2.0/routers", nullptr, admin()).at("routers").size(), 0u);
  EXPECT_EQ(direct("cloudlet-1", bhttp::verb::get, "/v2.0/routers", nullptr, admin()).at("routers").size(), 1u)
      << "demo's own router stays";
}

} // namespace
} // namespace fedstack::agent::testing
