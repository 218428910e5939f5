// Networks made on a cloud directly (docs/federation.md, "Networks made on a
// cloud directly"): the holder of a cloud ID, which networks are adopted, the
// adopted entries, and the reconciler against them.

#include <gtest/gtest.h>

#include "agent/rules/direct_network_rule.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::resource_kind;

json network(std::string id, std::string project = "demo-project") {
  return {{"id", std::move(id)}, {"name", "direct"}, {"project_id", project}, {"tenant_id", project},
          {"shared", false}, {"router:external", false}, {"tags", json::array()}};
}

TEST(DirectNetworkRule, TheHolderIsTheOwnCloudletElseTheOneThatShowsIt) {
  EXPECT_FALSE(choose_network_holder({}, "cloudlet-1").cloudlet) << "shown nowhere: unknown, goes unchanged";
  EXPECT_TRUE(choose_network_holder({}, "cloudlet-1").conflict.empty());
  auto one = choose_network_holder({{"cloudlet-2", network("n")}}, "cloudlet-1");
  EXPECT_EQ(one.cloudlet, "cloudlet-2");
  auto own = choose_network_holder({{"cloudlet-3", network("n")}, {"cloudlet-1", network("n")}}, "cloudlet-1");
  EXPECT_EQ(own.cloudlet, "cloudlet-1") << "this agent's cloudlet, whatever the others hold";
  auto two = choose_network_holder({{"cloudlet-3", network("n")}, {"cloudlet-2", network("n")}}, "cloudlet-1");
  EXPECT_FALSE(two.cloudlet) << "two networks under one ID: never one picked silently";
  EXPECT_NE(two.conflict.find("cloudlet-2"), std::string::npos) << two.conflict;
  EXPECT_NE(two.conflict.find("cloudlet-3"), std::string::npos) << two.conflict;
}

TEST(DirectNetworkRule, OnlyATenantsOrSharedNetworkWithoutAMarkerIsAdopted) {
  EXPECT_EQ(why_not_adoptable(network("n")), "");
  auto shared = network("n", "admin-project");
  shared["shared"] = true;
  EXPECT_EQ(why_not_adoptable(shared), "") << "an admin's shared network";
  auto external = network("n");
  external["router:external"] = true;
  EXPECT_NE(why_not_adoptable(external), "") << "external networks are matched by name, never copied";
  auto recorded = network("n");
  recorded["tags"] = json::array({api::marker_tag({"g", false, {}})});
  EXPECT_NE(why_not_adoptable(recorded), "") << "the federation's own network named by its cloud ID";
  auto copy = network("n");
  copy["tags"] = json::array({api::marker_tag({"g", true, {}})});
  EXPECT_NE(why_not_adoptable(copy), "") << "a copy";
  auto future = network("n");
  future["tags"] = json::array({"x", "fedstack_something_later=1"});
  EXPECT_NE(why_not_adoptable(future), "") << "any tag of the federation's";
  auto plain_tags = network("n");
  plain_tags["tags"] = json::array({"prod", "blue"});
  EXPECT_EQ(why_not_adoptable(plain_tags), "");
  auto ownerless = network("n");
  ownerless.erase("project_id");
  ownerless.erase("tenant_id");
  EXPECT_NE(why_not_adoptable(ownerless), "") << "no project to record it under";
  EXPECT_NE(why_not_adoptable(json::object()), "");
}

TEST(DirectNetworkRule, AnAdoptedNetworksEntryIsUnderItsProjectAndNeverListsTheNetwork) {
  auto gid = *api::make_global_id({"127.0.0.1", 4790});
  for (auto kind : {resource_kind::network, resource_kind::subnet}) {
    auto made = adopt_neutron_item(kind, gid, "cloudlet-2", network("net-2", "admin-project"), 42);
    ASSERT_TRUE(made);
    const auto& [record, entry] = *made;
    EXPECT_EQ(entry.kind, kind);
    EXPECT_EQ(entry.project_id, "admin-project") << "the project its cloud names, not the booting one";
    EXPECT_EQ(entry.state, storage::entry_state::bound);
    EXPECT_TRUE(entry.copies.empty()) << "the network itself is never in it";
    EXPECT_FALSE(entry.attempt);
    EXPECT_EQ(record.global_id, gid);
    EXPECT_EQ(record.cloudlet, "cloudlet-2");
    EXPECT_EQ(record.local_id, "net-2");
    auto back = decode_adopted(encode_adopted(record));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->local_id, "net-2");
  }
  auto ownerless = network("n");
  ownerless.erase("project_id");
  ownerless.erase("tenant_id");
  EXPECT_FALSE(adopt_neutron_item(resource_kind::network, gid, "cloudlet-2", ownerless, 0));
  EXPECT_EQ(adopted_neutron_key(resource_kind::network, "abc"), "adopted/network/abc");
  EXPECT_EQ(adopted_neutron_key(resource_kind::subnet, "abc"), "adopted/subnet/abc");
  EXPECT_NE(adopted_neutron_key(resource_kind::network, "abc"), adopted_image_key("abc"));
}

TEST(DirectNetworkRule, TheReconcilerNeverReachesAnAdoptedNetworkEvenWithAForgedMarker) {
  // A tenant may put any tag on its own network straight on Neutron, a marker
  // and a token too. No create attempt is made for an adopted entry's global ID
  // on the network's cloudlet, and a record that named it would hold a token
  // the tenant never saw: the reclaim rule deletes nothing; the orphan sweep
  // (which never deletes) finds no entry that names the network.
  auto gid = *api::make_global_id({"127.0.0.1", 4790});
  const std::string forged = "00112233445566778899aabbccddeeff";
  auto [record, entry] = *adopt_neutron_item(resource_kind::network, gid, "cloudlet-2", network("net-2"), 0);
  entry.copies.push_back({"cloudlet-3", "copy-3"});
  std::vector<marked_item> found{{"net-2", api::marker{gid, false, forged}, "demo-project", false}};
  storage::abandoned_attempt of_gid{"ffeeddccbbaa99887766554433221100", resource_kind::network, gid, "demo-project",
                                    "cloudlet-2", 0};
  auto decided = decide_reclaim(of_gid, found, entry, 1'000'000, 1'000, 60'000);
  EXPECT_NE(decided.action, reclaim_action::delete_one) << decided.reason;
  EXPECT_EQ(decided.action, reclaim_action::forget) << decided.reason;
  EXPECT_FALSE(entry_explains(entry, "cloudlet-2", "net-2")) << "the entry never names the network";
  EXPECT_TRUE(entry_explains(entry, "cloudlet-3", "copy-3")) << "its copies are the federation's";
}

} // namespace
} // namespace fedstack::agent
