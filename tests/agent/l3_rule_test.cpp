// The decisions about floating IPs, routers and external networks (agent/rules/l3_rule.hpp).
#include "agent/rules/l3_rule.hpp"

#include <gtest/gtest.h>

#include "api/global_id.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

json external(const std::string& id, const std::string& name) {
  return json{{"id", id}, {"name", name}, {"router:external", true}, {"tags", json::array()}};
}

TEST(ExternalNetworkId, IsTheSameForTheSameNameAndNamesItsKind) {
  auto id = external_network_id("public");
  EXPECT_EQ(id, external_network_id("public"));
  EXPECT_NE(id, external_network_id("public2"));
  EXPECT_TRUE(api::is_uuid(id));
  EXPECT_TRUE(is_external_network_id(id));
  // Neither a cloud's ID (version 4) nor a federation global ID (version 8).
  EXPECT_FALSE(is_external_network_id("f41c2887-41bd-43d6-85a8-aaac0b0b383d"));
  EXPECT_FALSE(is_external_network_id("1f0c2a77-5e1b-8d4e-9a3c-7f0000011283"));
  EXPECT_FALSE(api::global_id_owner(id));
}

TEST(ExternalNetworks, OnlyAnOperatorsExternalNetworkCounts) {
  EXPECT_TRUE(is_operator_external(external("a", "public")));
  auto internal = external("a", "net");
  internal["router:external"] = false;
  EXPECT_FALSE(is_operator_external(internal));
  // Made through the federation: it has its own global ID and stays what it is.
  auto marked = external("a", "public");
  marked["tags"] = json::array({"fedstack_gid=1f0c2a77-5e1b-8d4e-9a3c-7f0000011283"});
  EXPECT_FALSE(is_operator_external(marked));
}

TEST(ExternalNetworks, SameNamedOnesAreOneEntryUnderTheirFederationId) {
  std::vector<json> one{external("c1-public", "public"), json{{"id", "n1"}, {"name", "net"}}};
  std::vector<json> two{external("c2-public", "public"), external("c2-other", "other")};
  std::vector<json> three{external("c3-public", "public")};
  std::vector<std::vector<json>*> pages{&one, &two, &three};
  merge_external_networks(pages);
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(one[0]["id"], external_network_id("public"));
  EXPECT_EQ(one[1]["id"], "n1");
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0]["id"], external_network_id("other"));
  EXPECT_TRUE(three.empty());
}

TEST(FloatingIpHome, ThePortsCloudletElseTheAgentsOwn) {
  EXPECT_EQ(floating_ip_home(std::string("cloudlet-3"), "cloudlet-2"), "cloudlet-3");
  EXPECT_EQ(floating_ip_home(std::nullopt, "cloudlet-2"), "cloudlet-2");
}

TEST(Association, OnlyAFreshFederationAddressMoves) {
  floating_ip_facts fresh{true, false, false, true};
  EXPECT_EQ(decide_association(fresh, "cloudlet-3").step, association_step::relocate);

  auto tenant = fresh;
  tenant.federation_made = false;
  auto associated = fresh;
  associated.associated = true;
  auto used = fresh;
  used.ever_associated = true;
  auto nowhere = fresh;
  nowhere.external_there = false;
  for (const auto& facts : {tenant, associated, used, nowhere}) {
    auto decision = decide_association(facts, "cloudlet-3");
    EXPECT_EQ(decision.step, association_step::refuse);
    EXPECT_FALSE(decision.reason.empty());
  }
  EXPECT_NE(decide_association(nowhere, "cloudlet-3").reason.find("cloudlet-3"), std::string::npos);
}

TEST(RouterCopies, WhereTheSubnetIsAndTheRouterIsNot) {
  EXPECT_EQ(router_copy_targets({"cloudlet-1", "cloudlet-3"}, {"cloudlet-2"}),
            (std::vector<std::string>{"cloudlet-1", "cloudlet-3"}));
  EXPECT_EQ(router_copy_targets({"cloudlet-1", "cloudlet-3"}, {"cloudlet-1", "cloudlet-3"}),
            std::vector<std::string>{});
  EXPECT_EQ(router_copy_targets({"cloudlet-2", "cloudlet-2"}, {"cloudlet-1"}),
            std::vector<std::string>{"cloudlet-2"});
}

} // namespace
} // namespace fedstack::agent
