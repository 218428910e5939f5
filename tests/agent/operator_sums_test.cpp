// The operator views' combinations (agent/rules/operator_sums.hpp) and what
// an admin's call reaches across projects (agent/rules/admin_scope.hpp).

#include <gtest/gtest.h>

#include "agent/rules/admin_scope.hpp"
#include "agent/rules/operator_sums.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

TEST(OperatorSums, EveryHypervisorStatisticSums) {
  json one = {{"count", 1}, {"vcpus", 64}, {"memory_mb", 65536}, {"running_vms", 2}, {"free_ram_mb", 60000},
              {"disk_available_least", 10}};
  json two = {{"count", 2}, {"vcpus", 8}, {"memory_mb", 1024}, {"running_vms", 0}, {"free_ram_mb", 1024},
              {"disk_available_least", 5}};
  auto sum = sum_hypervisor_statistics({one, two});
  EXPECT_EQ(sum, (json{{"count", 3}, {"vcpus", 72}, {"memory_mb", 66560}, {"running_vms", 2},
                       {"free_ram_mb", 61024}, {"disk_available_least", 15}}));
}

TEST(OperatorSums, LimitsOfCountedKindsSumAndPerRequestMaximaTakeTheMinimum) {
  EXPECT_EQ(limit_combination("maxTotalCores"), combine::sum);
  EXPECT_EQ(limit_combination("maxTotalRAMSize"), combine::sum);
  EXPECT_EQ(limit_combination("totalInstancesUsed"), combine::sum);
  EXPECT_EQ(limit_combination("totalFloatingIpsUsed"), combine::sum);
  EXPECT_EQ(limit_combination("maxServerMeta"), combine::minimum);
  EXPECT_EQ(limit_combination("maxPersonalitySize"), combine::minimum);
  EXPECT_EQ(limit_combination("maxTotalKeypairs"), combine::minimum) << "keypairs are copied to every cloudlet";
  EXPECT_EQ(limit_combination("maxSecurityGroups"), combine::minimum);
  EXPECT_EQ(limit_combination("totalSecurityGroupsUsed"), combine::maximum);
  EXPECT_EQ(limit_combination("totalServerGroupsUsed"), combine::maximum);
  EXPECT_EQ(limit_combination("somethingElse"), combine::first);

  json a = {{"maxTotalCores", 20},  {"totalCoresUsed", 3}, {"maxServerMeta", 128}, {"maxTotalInstances", 10},
            {"totalServerGroupsUsed", 1}};
  json b = {{"maxTotalCores", 40},  {"totalCoresUsed", 5}, {"maxServerMeta", 64}, {"maxTotalInstances", -1},
            {"totalServerGroupsUsed", 2}};
  auto combined = combine_objects({a, b}, limit_combination);
  EXPECT_EQ(combined["maxTotalCores"], 60);
  EXPECT_EQ(combined["totalCoresUsed"], 8);
  EXPECT_EQ(combined["maxServerMeta"], 64);
  EXPECT_EQ(combined["maxTotalInstances"], -1) << "unlimited on one cloudlet: unlimited in the federation";
  EXPECT_EQ(combined["totalServerGroupsUsed"], 2);
}

TEST(OperatorSums, UnlimitedIsMinusOneInEveryCombination) {
  EXPECT_EQ(combine_values(combine::sum, {json(5), json(-1)}), -1);
  EXPECT_EQ(combine_values(combine::maximum, {json(5), json(-1)}), -1);
  EXPECT_EQ(combine_values(combine::minimum, {json(-1), json(7), json(9)}), 7) << "a limit beats no limit";
  EXPECT_EQ(combine_values(combine::minimum, {json(-1), json(-1)}), -1);
  EXPECT_EQ(combine_values(combine::sum, {json("x"), json(2)}), "x") << "not a number: the first answer's";
}

TEST(OperatorSums, AFieldOnlySomeCloudletsShowCombinesOverThose) {
  // Below microversion 2.36 Nova shows network limits; a cloudlet of another release may not.
  auto combined = combine_objects({json{{"maxTotalFloatingIps", 10}}, json{{"totalCoresUsed", 2}}},
                                  limit_combination);
  EXPECT_EQ(combined, (json{{"maxTotalFloatingIps", 10}, {"totalCoresUsed", 2}}));
}

TEST(OperatorSums, QuotaSetsSumCountedKindsAndDetailCombinesEachPart) {
  EXPECT_EQ(quota_combination("instances"), combine::sum);
  EXPECT_EQ(quota_combination("ram"), combine::sum);
  EXPECT_EQ(quota_combination("key_pairs"), combine::minimum);
  EXPECT_EQ(quota_combination("metadata_items"), combine::minimum);
  EXPECT_EQ(quota_combination("id"), combine::first);
  json a = {{"id", "p"}, {"cores", {{"in_use", 2}, {"limit", 20}, {"reserved", 0}}},
            {"key_pairs", {{"in_use", 1}, {"limit", 100}, {"reserved", 0}}}};
  json b = {{"id", "p"}, {"cores", {{"in_use", 4}, {"limit", 10}, {"reserved", 1}}},
            {"key_pairs", {{"in_use", 1}, {"limit", 50}, {"reserved", 0}}}};
  auto combined = combine_objects({a, b}, quota_combination);
  EXPECT_EQ(combined["id"], "p");
  EXPECT_EQ(combined["cores"], (json{{"in_use", 6}, {"limit", 30}, {"reserved", 1}}));
  EXPECT_EQ(combined["key_pairs"], (json{{"in_use", 1}, {"limit", 50}, {"reserved", 0}}))
    << "a copied kind: the same keypair on both cloudlets counts once";
}

TEST(OperatorSums, NeutronQuotasSumWhatEachNeutronHoldsAndTakeTheSmallestOfCopiedKinds) {
  for (const char* summed : {"port", "floatingip", "router", "subnetpool", "rbac_policy"})
    EXPECT_EQ(network_quota_combination(summed), combine::sum) << summed;
  for (const char* copied : {"network", "subnet", "security_group", "security_group_rule"})
    EXPECT_EQ(network_quota_combination(copied), combine::minimum) << copied;
  json a = {{"port", 500}, {"network", 100}, {"floatingip", -1}};
  json b = {{"port", 100}, {"network", 20}, {"floatingip", 50}};
  EXPECT_EQ(combine_objects({a, b}, network_quota_combination),
            (json{{"port", 600}, {"network", 20}, {"floatingip", -1}}));
  // The details name the use `used` (Neutron's), not Nova's `in_use`.
  json da = {{"port", {{"used", 3}, {"limit", 500}, {"reserved", 0}}},
             {"network", {{"used", 2}, {"limit", 100}, {"reserved", 0}}}};
  json db = {{"port", {{"used", 1}, {"limit", 100}, {"reserved", 0}}},
             {"network", {{"used", 1}, {"limit", 20}, {"reserved", 0}}}};
  auto details = combine_objects({da, db}, network_quota_combination);
  EXPECT_EQ(details["port"], (json{{"used", 4}, {"limit", 600}, {"reserved", 0}}));
  EXPECT_EQ(details["network"], (json{{"used", 2}, {"limit", 20}, {"reserved", 0}}))
    << "a copied network counts on each cloudlet that holds it: the fullest one's use";
}

TEST(OperatorSums, IntegerHypervisorIdsBecomeUniqueAndReversibleUuidsStay) {
  json one = json::array({{{"id", 1}, {"service", {{"id", 4}}}}});
  json two = json::array({{{"id", 1}, {"service", {{"id", 4}}}}});
  federate_hypervisor_ids(one, 1);
  federate_hypervisor_ids(two, 2);
  EXPECT_NE(one[0]["id"], two[0]["id"]);
  EXPECT_NE(one[0]["service"]["id"], two[0]["service"]["id"]);
  auto back = split_hypervisor_id(std::to_string(two[0]["id"].get<std::int64_t>()));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->cloudlet_number, 2u);
  EXPECT_EQ(back->id, 1);
  EXPECT_FALSE(split_hypervisor_id("1")) << "a cloud's own ID is not a federation ID";
  EXPECT_FALSE(split_hypervisor_id("12x"));

  json uuids = json::array({{{"id", "50887f6e-6983-4bca-a3ec-457f900a4b60"}}});
  federate_hypervisor_ids(uuids, 3);
  EXPECT_EQ(uuids[0]["id"], "50887f6e-6983-4bca-a3ec-457f900a4b60");
}

TEST(OperatorSums, AViewCombinesWhenOneAnsweredRelaysARefusalElseFails) {
  using k = view_outcome::kind;
  EXPECT_EQ(decide_view({{true, 503}, {true, 200}, {false, 0}}, {false, false, true}).what, k::combine);
  auto refused = decide_view({{false, 0}, {true, 403}, {true, 403}}, {false, false, false});
  EXPECT_EQ(refused.what, k::relay);
  EXPECT_EQ(refused.relay_index, 1u);
  auto failed = decide_view({{false, 0}, {true, 500}}, {true, false});
  EXPECT_EQ(failed.what, k::failed);
  EXPECT_EQ(failed.status, 503u);
  EXPECT_EQ(decide_view({{false, 0}, {false, 0}}, {true, true}).status, 504u);
}

TEST(AdminScope, TheOtherProjectsItemsNameEachOnceAndNeverTheCallers) {
  json items = json::array({{{"id", "a"}, {"tenant_id", "demo"}},
                            {{"id", "b"}, {"tenant_id", "admin"}},
                            {{"id", "c"}, {"project_id", "alt"}, {"tenant_id", "alt"}},
                            {{"id", "d"}, {"owner", "demo"}},
                            {{"id", "e"}, {"tenant_id", 5}}});
  EXPECT_EQ(other_projects_named(items, "admin"), (std::vector<std::string>{"alt", "demo"}));
  EXPECT_TRUE(other_projects_named(json::object(), "admin").empty());
}

TEST(AdminScope, OnlyAnAdminsMarkerSearchAsksForEveryProject) {
  EXPECT_TRUE(search_all_projects(true));
  EXPECT_FALSE(search_all_projects(false));
}

} // namespace
} // namespace fedstack::agent
