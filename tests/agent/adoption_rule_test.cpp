// One adoption for the federation (agent/rules/adoption_rule.hpp): the derived
// global ID of an adoption, the copies found by their adopted-from marker and
// checked against their entry, and what of a network PUT reaches its copies
// (agent/rules/direct_network_rule.hpp, network_copy_put) or a subnet PUT (subnet_copy_put).

#include <gtest/gtest.h>

#include "agent/rules/adoption_rule.hpp"
#include "agent/rules/direct_network_rule.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::resource_kind;
using svc = api::service_type;

const api::node_address agent1{"10.0.0.1", 4790};
const api::node_address agent3{"10.0.0.3", 4790};
const std::string upload = "0b6f3f4c-5f1c-4b5e-9c39-2f4b7f9f2d11";

std::string gid(const api::node_address& owner, resource_kind kind = resource_kind::image,
                const std::string& holder = "cloudlet-2", const std::string& id = upload) {
  return adopted_global_id(owner, kind, holder, id).value();
}

json image_copy(const std::string& id, const std::string& copy_of, const std::string& from) {
  json image{{"id", id}, {"name", "mine"}, {std::string(api::copy_of_key), copy_of}};
  if (!from.empty()) image[std::string(adopted_from_key)] = from;
  return image;
}

TEST(AdoptionRule, AnAdoptionsGlobalIdIsTheSameForEveryCallAndNamesItsOwner) {
  auto id = gid(agent1);
  EXPECT_EQ(id, gid(agent1)) << "every call, every process";
  auto owner = api::global_id_owner(id);
  ASSERT_TRUE(owner) << id << " is a global ID";
  EXPECT_EQ(owner->host, "10.0.0.1");
  EXPECT_EQ(owner->port, 4790);
  EXPECT_NE(id, gid(agent3)) << "each agent's own";
  EXPECT_NE(id, gid(agent1, resource_kind::network)) << "of its kind";
  EXPECT_NE(id, gid(agent1, resource_kind::image, "cloudlet-1")) << "of its holder";
  EXPECT_NE(id, gid(agent1, resource_kind::image, "cloudlet-2", api::make_uuid())) << "of its item";
  EXPECT_FALSE(adopted_global_id({"not-an-ip", 1}, resource_kind::image, "cloudlet-2", upload));
}

TEST(AdoptionRule, OnlyADerivedGlobalIdIsAnAdoptionOfTheItem) {
  EXPECT_TRUE(is_adoption_of(gid(agent3), resource_kind::image, "cloudlet-2", upload));
  EXPECT_FALSE(is_adoption_of(gid(agent3), resource_kind::image, "cloudlet-1", upload)) << "another holder";
  EXPECT_FALSE(is_adoption_of(gid(agent3), resource_kind::network, "cloudlet-2", upload)) << "another kind";
  EXPECT_FALSE(is_adoption_of(gid(agent3), resource_kind::image, "cloudlet-2", api::make_uuid())) << "another item";
  EXPECT_FALSE(is_adoption_of(api::make_global_id(agent3).value(), resource_kind::image, "cloudlet-2", upload))
    << "a random global ID (a recorded resource's)";
  EXPECT_FALSE(is_adoption_of(upload, resource_kind::image, "cloudlet-2", upload)) << "no global ID";
  std::vector<std::string> regions{"cloudlet-1", "cloudlet-2", "cloudlet-3"};
  EXPECT_EQ(adoption_holder(gid(agent3), resource_kind::image, upload, regions), "cloudlet-2");
  EXPECT_FALSE(adoption_holder(api::make_global_id(agent3).value(), resource_kind::image, upload, regions));
}

TEST(AdoptionRule, CopiesMarkedAsMadeFromTheImageAreTheAdoptionsOnlyWithADerivedGlobalId) {
  auto genuine = gid(agent1);
  json items = json::array({
    image_copy("c-genuine", genuine, upload),
    image_copy("c-forged", api::make_global_id(agent1).value(), upload),   // a global ID of no adoption
    image_copy("c-other", gid(agent1, resource_kind::image, "cloudlet-2", api::make_uuid()), upload),
    image_copy("c-unmarked", genuine, ""),
    json{{"id", "primary"}, {std::string(api::gid_key), genuine}, {std::string(adopted_from_key), upload}},
  });
  auto found = adopted_copies_in(svc::image, resource_kind::image, "cloudlet-3", items, "cloudlet-2", upload);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].local_id, "c-genuine");
  EXPECT_EQ(found[0].cloudlet, "cloudlet-3");
  EXPECT_EQ(found[0].global_id, genuine);
  EXPECT_TRUE(adopted_copies_in(svc::image, resource_kind::image, "cloudlet-3", items, "cloudlet-1", upload).empty())
    << "made from another holder's image";
}

TEST(AdoptionRule, NeutronCopiesCarryTheirMarkersAsTags) {
  auto genuine = gid(agent1, resource_kind::network);
  json network{{"id", "n-copy"},
               {"tags", json::array({api::marker_tag({genuine, true, {}}), adopted_from_tag(upload), "mine"})}};
  EXPECT_EQ(adopted_from(svc::network, network), upload);
  EXPECT_LE(adopted_from_tag(upload).size(), 60u) << "Neutron's tag limit";
  auto found = adopted_copies_in(svc::network, resource_kind::network, "cloudlet-3", json::array({network}),
                                 "cloudlet-2", upload);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].local_id, "n-copy");
  EXPECT_FALSE(adopted_from(svc::network, json{{"tags", json::array({"mine"})}}));
}

TEST(AdoptionRule, AnEntryOwnsOnlyTheCopyItListsUnderTheImagesProject) {
  storage::registry_entry entry;
  entry.kind = resource_kind::image;
  entry.global_id = gid(agent1);
  entry.project_id = "demo";
  entry.state = storage::entry_state::bound;
  entry.copies.push_back({"cloudlet-3", "c-genuine"});
  adopted_copy_sighting seen{"cloudlet-3", "c-genuine", entry.global_id};
  EXPECT_TRUE(entry_owns_copy(entry, seen, resource_kind::image, "cloudlet-2", upload, "demo"));
  EXPECT_TRUE(entry_owns_copy(entry, seen, resource_kind::image, "cloudlet-2", upload, "")) << "any project";
  EXPECT_FALSE(entry_owns_copy(entry, seen, resource_kind::image, "cloudlet-2", upload, "admin"))
    << "another project's boot never uses demo's copy";
  adopted_copy_sighting forged{"cloudlet-3", "c-forged", entry.global_id};
  EXPECT_FALSE(entry_owns_copy(entry, forged, resource_kind::image, "cloudlet-2", upload, ""))
    << "a copy marked with the entry's ID that it does not list";
  auto recorded = entry;   // a recorded image's entry, named by a planted marker
  recorded.global_id = api::make_global_id(agent1).value();
  adopted_copy_sighting planted{"cloudlet-3", "c-genuine", recorded.global_id};
  EXPECT_FALSE(entry_owns_copy(recorded, planted, resource_kind::image, "cloudlet-2", upload, ""));
  auto reserved = entry;
  reserved.state = storage::entry_state::reserved;
  EXPECT_FALSE(entry_owns_copy(reserved, seen, resource_kind::image, "cloudlet-2", upload, ""));
}

TEST(AdoptionRule, SubnetCopiesOnANetworkCopyAreTheAdoptionsOfTheNetworksSubnets) {
  auto subnet = api::make_uuid(), other = api::make_uuid();
  json subnets = json::array({
    {{"id", "s-genuine"}, {"tags", json::array({api::marker_tag({gid(agent3, resource_kind::subnet, "cloudlet-2", subnet), true, {}})})}},
    {{"id", "s-other"}, {"tags", json::array({api::marker_tag({gid(agent3, resource_kind::subnet, "cloudlet-2", other), true, {}})})}},
    {{"id", "s-tenant"}, {"tags", json::array()}},
  });
  auto found = adopted_subnets_in("cloudlet-3", subnets, "cloudlet-2", {subnet});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].first.local_id, "s-genuine");
  EXPECT_EQ(found[0].second, subnet);
}

TEST(AdoptionRule, ASubnetCopyNamesItsSubnetByItsTagOnceTheHolderListsNone) {
  auto subnet = api::make_uuid(), other = api::make_uuid();
  auto tags = [](const std::string& global_id, const std::string& from) {
    return json::array({api::marker_tag({global_id, true, {}}), adopted_from_tag(from)});
  };
  json subnets = json::array({
    {{"id", "s-genuine"}, {"tags", tags(gid(agent3, resource_kind::subnet, "cloudlet-2", subnet), subnet)}},
    // The genuine adoption of `subnet`, tagged as made from another: no adoption of what it names.
    {{"id", "s-retagged"}, {"tags", tags(gid(agent3, resource_kind::subnet, "cloudlet-2", subnet), other)}},
    {{"id", "s-elsewhere"}, {"tags", tags(gid(agent3, resource_kind::subnet, "cloudlet-1", other), other)}},
  });
  auto found = adopted_subnets_in("cloudlet-3", subnets, "cloudlet-2", {});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].first.local_id, "s-genuine");
  EXPECT_EQ(found[0].second, subnet);
}

TEST(AdoptionRule, ANetworkPutReachesItsCopiesWithWhatTheyShowAsTheNetwork) {
  auto put = network_copy_put(json{{"network", {{"name", "renamed"}, {"shared", true}, {"admin_state_up", false},
                                                {"provider:segmentation_id", 7}, {"qos_policy_id", "q"}}}});
  EXPECT_EQ(put, (json{{"network", {{"name", "renamed"}, {"shared", true}, {"admin_state_up", false}}}}));
  EXPECT_TRUE(network_copy_put(json{{"network", {{"qos_policy_id", "q"}}}}).is_null()) << "one cloud's own IDs";
  EXPECT_TRUE(network_copy_put(json{{"name", "x"}}).is_null());
  EXPECT_TRUE(network_copy_put(json("text")).is_null());
}

TEST(AdoptionRule, ASubnetPutReachesItsCopiesWithWhatTheyAreMadeWith) {
  auto put = subnet_copy_put(json{{"subnet", {{"name", "renamed"}, {"dns_nameservers", {"10.0.0.53"}},
                                              {"allocation_pools", json::array()}, {"gateway_ip", nullptr},
                                              {"segment_id", "s"}, {"service_types", json::array()}}}});
  EXPECT_EQ(put, (json{{"subnet", {{"name", "renamed"}, {"dns_nameservers", {"10.0.0.53"}},
                                   {"allocation_pools", json::array()}, {"gateway_ip", nullptr}}}}));
  EXPECT_TRUE(subnet_copy_put(json{{"subnet", {{"segment_id", "s"}}}}).is_null()) << "one cloud's own IDs";
  EXPECT_TRUE(subnet_copy_put(json{{"network", {{"name", "x"}}}}).is_null());
}

} // namespace
} // namespace fedstack::agent
