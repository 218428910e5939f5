// The security group rules (agent/rules/security_group_rule.hpp): which group
// a boot's name stands for, when a target's group is used, copied or refused,
// and what brings a copy's rules in step.

#include <gtest/gtest.h>

#include "agent/rules/security_group_rule.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

json rule(const std::string& id, const std::string& group, json extra = json::object()) {
  json r{{"id", id}, {"security_group_id", group}, {"direction", "ingress"}, {"ethertype", "IPv4"},
         {"protocol", nullptr}, {"port_range_min", nullptr}, {"port_range_max", nullptr},
         {"remote_ip_prefix", nullptr}, {"remote_group_id", nullptr}};
  r.update(extra);
  return r;
}

json group(const std::string& id, std::vector<json> rules, json tags = json::array()) {
  return json{{"id", id}, {"name", "web"}, {"project_id", "p1"}, {"security_group_rules", rules}, {"tags", tags}};
}

TEST(SecurityGroupRule, ACopyIsMarkedByATagNamingItsOrigin) {
  auto tag = security_group_copy_tag("0b5f3c52-1b5e-4a3b-9a5c-1e2f3a4b5c6d");
  EXPECT_LE(tag.size(), 60u) << "Neutron's tag limit";
  EXPECT_EQ(security_group_origin_of(group("g2", {}, json::array({"other", tag}))),
            "0b5f3c52-1b5e-4a3b-9a5c-1e2f3a4b5c6d");
  EXPECT_FALSE(security_group_origin_of(group("g1", {})));
  EXPECT_FALSE(security_group_origin_of(json{{"id", "g1"}}));
}

TEST(SecurityGroupRule, ABootsNameStandsForTheGroupOfItsOwnProjectOnly) {
  json listed{{"security_groups", json::array({
                 {{"id", "a"}, {"name", "web"}, {"project_id", "other"}},
                 {{"id", "b"}, {"name", "web"}, {"project_id", "p1"}},
                 {{"id", "c"}, {"name", "db"}, {"project_id", "p1"}}})}};
  auto found = group_of_project(listed, "p1", "web");
  ASSERT_TRUE(found);
  EXPECT_EQ((*found)["id"], "b");
  EXPECT_FALSE(group_of_project(listed, "p2", "web")) << "another project's group is never taken";
  listed["security_groups"].push_back({{"id", "d"}, {"name", "web"}, {"tenant_id", "p1"}});
  EXPECT_FALSE(group_of_project(listed, "p1", "web")) << "several of that name: Nova judges";
  EXPECT_FALSE(group_of_project(json::object(), "p1", "web"));
}

TEST(SecurityGroupRule, DefaultIsMappedByNameNotCopied) {
  EXPECT_FALSE(copied_for_boot("default"));
  EXPECT_TRUE(copied_for_boot("web"));
}

TEST(SecurityGroupRule, TheTargetsGroupIsUsedOnlyWhenItIsTheOriginsCopy) {
  EXPECT_EQ(group_step_for({}, "o").what, group_step::copy);
  auto copy = group("c", {}, json::array({security_group_copy_tag("o")}));
  auto step = group_step_for({copy}, "o");
  EXPECT_EQ(step.what, group_step::use);
  EXPECT_EQ(step.id, "c");
  EXPECT_EQ(group_step_for({group("o", {})}, "o").what, group_step::use) << "the origin itself";
  EXPECT_EQ(group_step_for({group("u", {})}, "o").what, group_step::refuse) << "the user's own group";
  EXPECT_EQ(group_step_for({group("c2", {}, json::array({security_group_copy_tag("x")}))}, "o").what,
            group_step::refuse) << "a copy of another group";
  EXPECT_EQ(group_step_for({copy, group("u", {})}, "o").what, group_step::refuse) << "two of that name";
}

TEST(SecurityGroupRule, ASyncAddsWhatIsMissingAndRemovesWhatIsNotInTheSource) {
  auto ssh = json{{"protocol", "tcp"}, {"port_range_min", 22}, {"port_range_max", 22}, {"remote_ip_prefix", "0.0.0.0/0"}};
  auto http = json{{"protocol", "tcp"}, {"port_range_min", 80}, {"port_range_max", 80}};
  auto egress = json{{"direction", "egress"}};
  auto source = group("s", {rule("s1", "s", ssh), rule("s2", "s", egress), rule("s3", "s", {{"remote_group_id", "s"}}),
                            rule("s4", "s", {{"remote_group_id", "elsewhere"}})});
  auto copy = group("c", {rule("c1", "c", egress), rule("c2", "c", http)});
  auto plan = plan_rule_sync(source, copy);
  EXPECT_EQ(plan.to_delete, std::vector<std::string>{"c2"});
  ASSERT_EQ(plan.to_add.size(), 2u);
  EXPECT_EQ(plan.to_add[0]["port_range_min"], 22);
  EXPECT_EQ(plan.to_add[0]["remote_ip_prefix"], "0.0.0.0/0");
  EXPECT_FALSE(plan.to_add[0].contains("id"));
  EXPECT_FALSE(plan.to_add[0].contains("security_group_id"));
  EXPECT_EQ(plan.to_add[1]["remote_group_id"], "c") << "a rule naming its own group names the copy there";
  EXPECT_EQ(plan.skipped, 1u) << "another group as remote is not copied";

  auto in_step = group("c", {rule("c1", "c", egress), rule("c2", "c", ssh), rule("c3", "c", {{"remote_group_id", "c"}})});
  auto none = plan_rule_sync(source, in_step);
  EXPECT_TRUE(none.to_add.empty());
  EXPECT_TRUE(none.to_delete.empty());
}

TEST(SecurityGroupRule, ARemoteGroupWithACopyThereIsNamedByItsCopy) {
  auto source = group("s", {rule("s1", "s", {{"remote_group_id", "db"}}), rule("s2", "s", {{"remote_group_id", "x"}})});
  EXPECT_EQ(remote_groups_of(source), (std::vector<std::string>{"db", "x"}));
  std::map<std::string, std::string> remotes{{"db", "db-copy"}};
  auto plan = plan_rule_sync(source, group("c", {}), remotes);
  ASSERT_EQ(plan.to_add.size(), 1u);
  EXPECT_EQ(plan.to_add[0]["remote_group_id"], "db-copy") << "the copy's ID on that cloudlet";
  EXPECT_EQ(plan.skipped, 1u) << "a remote without a copy there is left out";

  // In step: nothing to do; a copy's rule naming the copy of a group the source no longer names goes.
  auto in_step = plan_rule_sync(source, group("c", {rule("c1", "c", {{"remote_group_id", "db-copy"}})}), remotes);
  EXPECT_TRUE(in_step.to_add.empty());
  EXPECT_TRUE(in_step.to_delete.empty());
  auto stale = plan_rule_sync(group("s", {}), group("c", {rule("c1", "c", {{"remote_group_id", "db-copy"}}),
                                                         rule("c2", "c", {{"remote_group_id", "users-own"}})}),
                              remotes);
  EXPECT_EQ(stale.to_delete, std::vector<std::string>{"c1"}) << "a rule naming a group it did not map is left alone";
}

TEST(SecurityGroupRule, DuplicateRulesAreMatchedOneForOne) {
  auto source = group("s", {rule("s1", "s")});
  auto copy = group("c", {rule("c1", "c"), rule("c2", "c")});
  auto plan = plan_rule_sync(source, copy);
  EXPECT_EQ(plan.to_delete, std::vector<std::string>{"c2"});
  EXPECT_TRUE(plan.to_add.empty());
}

} // namespace
} // namespace fedstack::agent
