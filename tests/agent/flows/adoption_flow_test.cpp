// One adoption for the federation, through the agent's handler (docs/federation.md,
// "One adoption for the federation"): another agent's adoption of an image or
// network made on a cloud directly, found through its copies' markers on the
// target cloud and checked against its entry, reused by this agent's boots and
// deleted with the image or network through this agent; a PUT of an adopted
// network reaching every adoption's copies. Hostile: forged markers, a planted
// record, another project's entry, the holder refusing, an admin acting for demo.

#include <chrono>

#include <gtest/gtest.h>

#include "agent/rules/adoption_rule.hpp"
#include "agent/rules/direct_image_rule.hpp"
#include "agent/rules/direct_network_rule.hpp"
#include "agent/services/service_session.hpp"
#include "api/global_id.hpp"
#include "api/uuid.hpp"
#include "storage/unix_time.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;
using svc = api::service_type;

/// The agent through which the adoptions these tests start from were made (this one is 10.0.0.1:4790).
const api::node_address agent3{"10.0.0.3", 4790};

class AdoptionFlow : public ::testing::Test {
protected:
  AdoptionFlow() : session(agent_options{}, h.clouds().keystone()) {
    // The agent's service user is an admin: it searches every project's copies and copies others' items.
    session.use_token(h.admin_token(), std::chrono::system_clock::now() + std::chrono::hours{1});
    h.context().session = &session;
    cirros = h.clouds().seed_image("cloudlet-3", h.admin_token(), {{"name", "cirros"}, {"visibility", "public"}});
  }

  std::string demo_project() { return h.clouds().demo_project_id(); }
  std::string admin_project() { return h.clouds().admin_project_id(); }

  std::string flavor_id() {
    auto listed = h.clouds().direct("cloudlet-1", svc::compute, bhttp::verb::get, "/v2.1/flavors", h.demo_token());
    auto doc = json::parse(listed.body);
    for (const auto& f : doc.at("flavors"))
      if (f.value("name", std::string{}) == "m1.tiny") return f.value("id", std::string{});
    return {};
  }

  captured_response boot_image(const std::string& image, const std::string& on, const std::string& token = {}) {
    h.placement().place_on(on);
    json body{{"server", {{"name", "vm"}, {"imageRef", image}, {"flavorRef", flavor_id()}}}};
    return h.send(bhttp::verb::post, "/compute/v2.1/servers", body, token);
  }

  captured_response boot_network(const std::string& network, const std::string& on) {
    h.placement().place_on(on);
    json server{{"name", "vm"}, {"imageRef", cirros}, {"flavorRef", flavor_id()},
                {"networks", json::array({{{"uuid", network}}})}};
    return h.send(bhttp::verb::post, "/compute/v2.1/servers", {{"server", server}});
  }

  std::vector<std::string> booted(const std::string& region, bool network = false) {
    std::vector<std::string> out;
    for (const auto& call : h.clouds().calls_to(region, bhttp::verb::post, "/v2.1/servers")) {
      auto server = json::parse(call.body).at("server");
      out.push_back(network ? server.at("networks").at(0).at("uuid").get<std::string>()
                            : server.at("imageRef").get<std::string>());
    }
    return out;
  }

  json image_on(const std::string& region, const std::string& id) {
    auto shown = h.clouds().direct(region, svc::image, bhttp::verb::get, "/v2/images/" + id, h.admin_token());
    return shown.status == 200 ? json::parse(shown.body) : json();
  }

  json neutron_item(const std::string& region, const std::string& collection, const std::string& id) {
    for (const auto& item : h.clouds().items(region, collection))
      if (item.value("id", std::string{}) == id) return item;
    return json();
  }

  std::string derived(resource_kind kind, const std::string& holder, const std::string& id,
                      const api::node_address& owner = agent3) {
    return adopted_global_id(owner, kind, holder, id).value();
  }

  /// Another agent's entry of the copies of an item, as its owner keeps it.
  storage::registry_entry seed_adoption(resource_kind kind, const std::string& global_id, const std::string& project,
                                        std::vector<storage::cloud_copy> copies) {
    storage::registry_entry entry;
    entry.kind = kind;
    entry.global_id = global_id;
    entry.project_id = project;
    entry.state = storage::entry_state::bound;
    entry.created_unix_ms = now_unix_ms();
    entry.copies = std::move(copies);
    h.registry().seed_at_another_agent(entry);
    return entry;
  }

  /// An image on `region` marked as a copy of `global_id` made from `from` (as the federation marks one).
  std::string marked_image(const std::string& region, const std::string& token, const std::string& global_id,
                           const std::string& from, json fields = json::object()) {
    if (!fields.contains("name")) fields["name"] = "forged";   // not equal to the upload: no equal image
    fields[std::string(api::copy_of_key)] = global_id;
    fields[std::string(adopted_from_key)] = from;
    return h.clouds().seed_image(region, token, fields);
  }

  /// A demo upload on cloudlet-2, and agent 3's adoption of it with a copy on each of `regions`.
  /// The upload was renamed since (an adopted image's changes stay on it): its copies are no
  /// equal image of it, so only the adoption can name them.
  std::pair<std::string, storage::registry_entry> adopted_upload(const std::vector<std::string>& regions) {
    auto upload = h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "mine"}});
    auto gid = derived(resource_kind::image, "cloudlet-2", upload);
    std::vector<storage::cloud_copy> copies;
    for (const auto& region : regions)
      copies.push_back({region, marked_image(region, h.demo_token(), gid, upload, {{"name", "mine before"}})});
    return {upload, seed_adoption(resource_kind::image, gid, demo_project(), copies)};
  }

  std::string neutron_create(const std::string& region, const std::string& collection, json fields,
                             const std::string& token) {
    auto singular = collection.substr(0, collection.size() - 1);
    auto made = h.clouds().direct(region, svc::network, bhttp::verb::post, "/v2.0/" + collection, token,
                                  {{singular, fields}});
    EXPECT_EQ(made.status, 201u) << made.body;
    return json::parse(made.body).at(singular).at("id").get<std::string>();
  }

  void tag(const std::string& region, const std::string& collection, const std::string& id,
           const std::vector<std::string>& tags, const std::string& token) {
    auto put = h.clouds().direct(region, svc::network, bhttp::verb::put, "/v2.0/" + collection + "/" + id + "/tags",
                                 token, {{"tags", tags}});
    EXPECT_EQ(put.status, 200u) << put.body;
  }

  /// Demo's network with one subnet made on cloudlet-2 directly, and agent 3's adoption of
  /// both with their copies on cloudlet-3 (tagged as the federation tags them).
  struct adopted_net {
    std::string network, subnet, network_copy, subnet_copy;
    storage::registry_entry entry, subnet_entry;
  };
  adopted_net adopted_network() {
    adopted_net out;
    out.network = neutron_create("cloudlet-2", "networks", {{"name", "direct-net"}}, h.demo_token());
    out.subnet = neutron_create("cloudlet-2", "subnets",
                                {{"network_id", out.network}, {"cidr", "10.7.0.0/24"}, {"ip_version", 4}},
                                h.demo_token());
    auto gid = derived(resource_kind::network, "cloudlet-2", out.network);
    auto sub_gid = derived(resource_kind::subnet, "cloudlet-2", out.subnet);
    out.network_copy = neutron_create("cloudlet-3", "networks", {{"name", "direct-net"}}, h.demo_token());
    tag("cloudlet-3", "networks", out.network_copy,
        {api::marker_tag({gid, true, {}}), adopted_from_tag(out.network)}, h.demo_token());
    out.subnet_copy = neutron_create("cloudlet-3", "subnets",
                                     {{"network_id", out.network_copy}, {"cidr", "10.7.0.0/24"}, {"ip_version", 4}},
                                     h.demo_token());
    tag("cloudlet-3", "subnets", out.subnet_copy,
        {api::marker_tag({sub_gid, true, {}}), adopted_from_tag(out.subnet)}, h.demo_token());
    out.entry = seed_adoption(resource_kind::network, gid, demo_project(), {{"cloudlet-3", out.network_copy}});
    out.subnet_entry = seed_adoption(resource_kind::subnet, sub_gid, demo_project(), {{"cloudlet-3", out.subnet_copy}});
    return out;
  }

  /// The entries this agent itself recorded but its servers' (adoptions: its own global IDs).
  std::size_t own_adoptions() {
    std::size_t n = 0;
    for (const auto& entry : h.registry().entries())
      if (auto owner = api::global_id_owner(entry.global_id);
          owner && owner->host == "10.0.0.1" && entry.kind != resource_kind::server)
        ++n;
    return n;
  }

  flow_harness h;
  service_session session;
  std::string cirros;   // the operator's image on cloudlet-3, for network boots
};

// --- one adoption: another agent's copy is reused ---

TEST_F(AdoptionFlow, ABootThroughThisAgentUsesTheCopyAnotherAgentMadeOfTheSameUpload) {
  auto [upload, entry] = adopted_upload({"cloudlet-3"});
  auto answer = boot_image(upload, "cloudlet-3");
  ASSERT_EQ(answer.status, 202u) << answer.body;
  EXPECT_EQ(booted("cloudlet-3"), (std::vector<std::string>{entry.copies[0].local_id})) << "agent 3's copy";
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images").empty()) << "no second copy";
  EXPECT_EQ(own_adoptions(), 0u) << "adopted once, for the federation";
}

TEST_F(AdoptionFlow, TheAdminsBootOfDemosUploadUsesTheCopyAnotherAgentMadeForDemo) {
  auto [upload, entry] = adopted_upload({"cloudlet-3"});
  ASSERT_EQ(boot_image(upload, "cloudlet-3", h.admin_token()).status, 202u);
  EXPECT_EQ(booted("cloudlet-3"), (std::vector<std::string>{entry.copies[0].local_id}));
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images").empty());
}

TEST_F(AdoptionFlow, AForgedMarkerIsNeitherBootedNorDeleted) {
  auto upload = h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "mine"}});
  auto gid = derived(resource_kind::image, "cloudlet-2", upload);
  // Demo's own image marked as a copy of agent 3's adoption, which does not list it.
  auto forged = marked_image("cloudlet-3", h.demo_token(), gid, upload);
  seed_adoption(resource_kind::image, gid, demo_project(), {});
  // Marked with a global ID of no adoption of it (a recorded image's).
  auto random = marked_image("cloudlet-3", h.demo_token(), api::make_global_id(agent3).value(), upload);
  boot_image(upload, "cloudlet-3");
  for (const auto& ref : booted("cloudlet-3")) {
    EXPECT_NE(ref, forged);
    EXPECT_NE(ref, random);
  }
  EXPECT_EQ(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images").size(), 1u) << "a copy of its own";
  ASSERT_EQ(h.send(bhttp::verb::delete_, "/image/v2/images/" + upload).status, 204u);
  EXPECT_FALSE(image_on("cloudlet-3", forged).is_null()) << "a forged marker deletes nothing";
  EXPECT_FALSE(image_on("cloudlet-3", random).is_null());
}

TEST_F(AdoptionFlow, AnEntryOfAnotherProjectIsNotUsedForABoot) {
  auto upload = h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "mine"}});
  // An adoption's ID and a copy it lists, but under the admin's project, not the one demo's upload names.
  auto gid = derived(resource_kind::image, "cloudlet-2", upload);
  auto admins = marked_image("cloudlet-3", h.admin_token(), gid, upload, {{"visibility", "public"}});
  seed_adoption(resource_kind::image, gid, admin_project(), {{"cloudlet-3", admins}});
  boot_image(upload, "cloudlet-3");
  for (const auto& ref : booted("cloudlet-3")) EXPECT_NE(ref, admins);
  EXPECT_EQ(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images").size(), 1u) << "a copy of its own";
}

// --- deletes through any agent ---

TEST_F(AdoptionFlow, ADeleteThroughThisAgentRemovesAnotherAgentsCopiesOnceTheHolderDeletedIt) {
  auto [upload, entry] = adopted_upload({"cloudlet-3", "cloudlet-1"});
  auto deleted = h.send(bhttp::verb::delete_, "/image/v2/images/" + upload);
  ASSERT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_TRUE(image_on("cloudlet-2", upload).is_null()) << "demo deleted its upload";
  for (const auto& copy : entry.copies) EXPECT_TRUE(image_on(copy.cloudlet, copy.local_id).is_null()) << copy.cloudlet;
  EXPECT_FALSE(h.registry().entry(entry.global_id)) << "agent 3's entry forgotten";
  // Boots of the gone image use no copy.
  h.clouds().clear_log();
  boot_image(upload, "cloudlet-3");
  for (const auto& ref : booted("cloudlet-3"))
    for (const auto& copy : entry.copies) EXPECT_NE(ref, copy.local_id);
}

TEST_F(AdoptionFlow, ARepeatedDeleteOfTheGoneUploadReachesACopyLeftTheFirstTime) {
  auto [upload, entry] = adopted_upload({"cloudlet-3"});
  h.clouds().set_down("cloudlet-3");
  ASSERT_EQ(h.send(bhttp::verb::delete_, "/image/v2/images/" + upload).status, 204u);
  EXPECT_TRUE(h.registry().entry(entry.global_id)) << "kept while its copy could not be deleted";
  h.clouds().set_down("cloudlet-3", false);
  h.clouds().clear_log();
  auto again = h.send(bhttp::verb::delete_, "/image/v2/images/" + upload);
  EXPECT_EQ(again.status, 404u) << "the holder's answer: " << again.body;
  EXPECT_EQ(h.clouds().calls_to("cloudlet-2", bhttp::verb::delete_, "/v2/images/" + upload).size(), 1u)
    << "asked of the holder its adoption names";
  EXPECT_TRUE(image_on("cloudlet-3", entry.copies[0].local_id).is_null());
  EXPECT_FALSE(h.registry().entry(entry.global_id));
}

TEST_F(AdoptionFlow, AForgedCopyNamingARealAdoptionDoesNotHideItsCopiesFromADelete) {
  auto [upload, entry] = adopted_upload({"cloudlet-3"});
  // Demo's own image on cloudlet-1 (listed before cloudlet-3) marked with agent 3's real adoption.
  auto forged = marked_image("cloudlet-1", h.demo_token(), entry.global_id, upload);
  ASSERT_EQ(h.send(bhttp::verb::delete_, "/image/v2/images/" + upload).status, 204u);
  EXPECT_TRUE(image_on("cloudlet-3", entry.copies[0].local_id).is_null()) << "agent 3's copy still found";
  EXPECT_FALSE(h.registry().entry(entry.global_id));
  EXPECT_FALSE(image_on("cloudlet-1", forged).is_null()) << "the forgery deletes nothing";
}

TEST_F(AdoptionFlow, TwoAdoptionsMadeAtOnceLeaveNoCopyNobodyCanDelete) {
  // Agent 3 and this agent adopted the upload at once: each made its entry and a copy on cloudlet-3.
  auto [upload, theirs] = adopted_upload({"cloudlet-3"});
  auto own_gid = derived(resource_kind::image, "cloudlet-2", upload, {"10.0.0.1", 4790});
  auto mine = marked_image("cloudlet-3", h.demo_token(), own_gid, upload, {{"name", "mine before"}});
  h.record(resource_kind::image, demo_project(), {{"cloudlet-3", mine}}, "", own_gid);
  // Later boots use one of them; neither is copied again.
  ASSERT_EQ(boot_image(upload, "cloudlet-3").status, 202u);
  ASSERT_EQ(booted("cloudlet-3").size(), 1u);
  EXPECT_TRUE(booted("cloudlet-3")[0] == mine || booted("cloudlet-3")[0] == theirs.copies[0].local_id);
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images").empty());
  // A delete through this agent finds both and deletes both.
  ASSERT_EQ(h.send(bhttp::verb::delete_, "/image/v2/images/" + upload).status, 204u);
  EXPECT_TRUE(image_on("cloudlet-3", mine).is_null());
  EXPECT_TRUE(image_on("cloudlet-3", theirs.copies[0].local_id).is_null());
  EXPECT_FALSE(h.registry().entry(own_gid));
  EXPECT_FALSE(h.registry().entry(theirs.global_id));
}

TEST_F(AdoptionFlow, TheHoldersRefusalDeletesNoCopy) {
  auto cirros2 = h.clouds().seed_image("cloudlet-2", h.admin_token(), {{"name", "other"}, {"visibility", "public"}});
  auto gid = derived(resource_kind::image, "cloudlet-2", cirros2);
  auto copy = marked_image("cloudlet-3", h.admin_token(), gid, cirros2, {{"visibility", "public"}});
  seed_adoption(resource_kind::image, gid, admin_project(), {{"cloudlet-3", copy}});
  auto refused = h.send(bhttp::verb::delete_, "/image/v2/images/" + cirros2);
  EXPECT_EQ(refused.status, 403u) << "Glance's answer to demo: " << refused.body;
  EXPECT_FALSE(image_on("cloudlet-3", copy).is_null());
  EXPECT_TRUE(h.registry().entry(gid));
  for (const auto& call : h.clouds().calls_to("cloudlet-3", bhttp::verb::delete_, "/v2/images"))
    ADD_FAILURE() << "a DELETE reached the copy: " << call.target;
}

TEST_F(AdoptionFlow, TheAdminDeletingDemosUploadRemovesTheCopiesAnotherAgentMade) {
  auto [upload, entry] = adopted_upload({"cloudlet-3"});
  auto deleted = h.send(bhttp::verb::delete_, "/image/v2/images/" + upload, nullptr, h.admin_token());
  ASSERT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_TRUE(image_on("cloudlet-3", entry.copies[0].local_id).is_null());
  EXPECT_FALSE(h.registry().entry(entry.global_id));
}

TEST_F(AdoptionFlow, ARecordPlantedBesideTheRegistryNamesNothing) {
  auto upload = h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "mine"}});
  // A recorded image of demo's, with a copy on cloudlet-3; a record beside the registry names its entry.
  auto recorded = h.record(resource_kind::image, demo_project(), {});
  auto copy = h.clouds().seed_image("cloudlet-3", h.demo_token(),
                                    {{"name", "recorded"}, {std::string(api::copy_of_key), recorded.global_id}});
  recorded.copies = {{"cloudlet-1", "primary-elsewhere"}, {"cloudlet-3", copy}};
  h.registry().seed(recorded);
  h.run([&]() -> http::awaitable<void> {
    std::string key = adopted_image_key(upload);
    std::string value = encode_adopted({recorded.global_id, demo_project(), "cloudlet-2", upload});
    co_await h.registry().put_meta(key, value);
  });
  ASSERT_EQ(h.send(bhttp::verb::delete_, "/image/v2/images/" + upload).status, 204u);
  EXPECT_FALSE(image_on("cloudlet-3", copy).is_null()) << "the recorded image's copy stays";
  EXPECT_TRUE(h.registry().entry(recorded.global_id));
}

// --- networks ---

TEST_F(AdoptionFlow, ABootThroughThisAgentUsesTheNetworkCopyAnotherAgentMade) {
  auto net = adopted_network();
  auto answer = boot_network(net.network, "cloudlet-3");
  ASSERT_EQ(answer.status, 202u) << answer.body;
  EXPECT_EQ(booted("cloudlet-3", true), (std::vector<std::string>{net.network_copy}));
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.0/networks").empty()) << "no second copy";
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.0/subnets").empty())
    << "its subnet's copy is agent 3's too";
  EXPECT_EQ(own_adoptions(), 0u);
}

TEST_F(AdoptionFlow, ANetworkDeleteThroughThisAgentRemovesAnotherAgentsCopiesAndItsSubnetsEntries) {
  auto net = adopted_network();
  // A tenant's network on cloudlet-3 tagged as a copy of agent 3's adoption, which does not list it.
  auto forged = neutron_create("cloudlet-3", "networks", {{"name", "forged"}}, h.demo_token());
  tag("cloudlet-3", "networks", forged, {api::marker_tag({net.entry.global_id, true, {}}), adopted_from_tag(net.network)},
      h.demo_token());
  auto deleted = h.send(bhttp::verb::delete_, "/network/v2.0/networks/" + net.network);
  ASSERT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_TRUE(neutron_item("cloudlet-2", "networks", net.network).is_null());
  EXPECT_TRUE(neutron_item("cloudlet-3", "networks", net.network_copy).is_null()) << "agent 3's copy";
  EXPECT_FALSE(h.registry().entry(net.entry.global_id));
  EXPECT_FALSE(h.registry().entry(net.subnet_entry.global_id)) << "the subnet's entry goes with it";
  EXPECT_FALSE(neutron_item("cloudlet-3", "networks", forged).is_null()) << "a forged tag deletes nothing";
}

TEST_F(AdoptionFlow, ANetworkPutReachesEveryAdoptionsCopiesBeforeItsHolder) {
  auto net = adopted_network();
  auto renamed = h.send(bhttp::verb::put, "/network/v2.0/networks/" + net.network,
                        {{"network", {{"name", "renamed"}, {"description", "mine"}}}});
  ASSERT_EQ(renamed.status, 200u) << renamed.body;
  EXPECT_EQ(neutron_item("cloudlet-2", "networks", net.network).at("name"), "renamed");
  auto copy = neutron_item("cloudlet-3", "networks", net.network_copy);
  EXPECT_EQ(copy.at("name"), "renamed") << "agent 3's copy shows what the network shows";
  EXPECT_EQ(copy.at("description"), "mine");
  auto tags = copy.at("tags");
  EXPECT_NE(std::find(tags.begin(), tags.end(), adopted_from_tag(net.network)), tags.end()) << "markers kept";
}

TEST_F(AdoptionFlow, ANetworkPutACopyRefusesLeavesTheHolderAsItWas) {
  // The admin's shared network, copied by agent 3 for the admin's project; demo may not rename it.
  auto network = neutron_create("cloudlet-2", "networks", {{"name", "shared"}, {"shared", true}}, h.admin_token());
  auto gid = derived(resource_kind::network, "cloudlet-2", network);
  auto copy = neutron_create("cloudlet-3", "networks", {{"name", "shared"}, {"shared", true}}, h.admin_token());
  tag("cloudlet-3", "networks", copy, {api::marker_tag({gid, true, {}}), adopted_from_tag(network)}, h.admin_token());
  seed_adoption(resource_kind::network, gid, admin_project(), {{"cloudlet-3", copy}});
  auto refused = h.send(bhttp::verb::put, "/network/v2.0/networks/" + network, {{"network", {{"name", "taken"}}}});
  EXPECT_GE(refused.status, 400u) << refused.body;
  EXPECT_EQ(neutron_item("cloudlet-2", "networks", network).at("name"), "shared");
  EXPECT_EQ(neutron_item("cloudlet-3", "networks", copy).at("name"), "shared");
  // The admin's rename reaches both.
  auto renamed = h.send(bhttp::verb::put, "/network/v2.0/networks/" + network, {{"network", {{"name", "ours"}}}},
                        h.admin_token());
  ASSERT_EQ(renamed.status, 200u) << renamed.body;
  EXPECT_EQ(neutron_item("cloudlet-3", "networks", copy).at("name"), "ours");
}

// --- while the holder cannot answer ---

TEST_F(AdoptionFlow, WhileTheHolderIsDownDemoBootsOnTheCopyAnotherAgentMadeAndOnlyDemo) {
  auto [upload, entry] = adopted_upload({"cloudlet-3"});
  // Demo's own image on cloudlet-1 marked with agent 3's adoption, which does not list it.
  auto forged = marked_image("cloudlet-1", h.demo_token(), entry.global_id, upload);
  h.clouds().set_down("cloudlet-2");
  auto answer = boot_image(upload, "cloudlet-3");
  ASSERT_EQ(answer.status, 202u) << answer.body;
  EXPECT_EQ(booted("cloudlet-3"), (std::vector<std::string>{entry.copies[0].local_id})) << "agent 3's copy";
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images").empty());
  EXPECT_FALSE(image_on("cloudlet-1", forged).is_null()) << "a forgery naming the adoption hides it not";
  // Another project may use it only as the holder allows: not while it cannot say.
  h.clouds().clear_log();
  boot_image(upload, "cloudlet-3", h.admin_token());
  for (const auto& ref : booted("cloudlet-3")) EXPECT_NE(ref, entry.copies[0].local_id);
}

TEST_F(AdoptionFlow, AHolderThatAnswersThatTheImageIsGoneLetsNoCopyStandInForIt) {
  auto [upload, entry] = adopted_upload({"cloudlet-3"});
  ASSERT_EQ(h.clouds().direct("cloudlet-2", svc::image, bhttp::verb::delete_, "/v2/images/" + upload,
                              h.demo_token()).status, 204u);
  h.clouds().set_down("cloudlet-1");   // a cloudlet down, not the holder
  boot_image(upload, "cloudlet-3");
  for (const auto& ref : booted("cloudlet-3")) EXPECT_NE(ref, entry.copies[0].local_id);
}

TEST_F(AdoptionFlow, WhileTheHolderIsDownDemoBootsOnTheNetworkCopyAnotherAgentMade) {
  auto net = adopted_network();
  h.clouds().set_down("cloudlet-2");
  auto answer = boot_network(net.network, "cloudlet-3");
  ASSERT_EQ(answer.status, 202u) << answer.body;
  EXPECT_EQ(booted("cloudlet-3", true), (std::vector<std::string>{net.network_copy}));
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.0/networks").empty()) << "no copy made";
}

// --- a network's delete takes its subnets' adoptions ---

TEST_F(AdoptionFlow, ARepeatedNetworkDeleteAfterItsHolderDeletedItForgetsItsSubnetsEntries) {
  auto net = adopted_network();
  auto other = adopted_network();   // another of demo's networks, adopted with its subnet
  // Demo's subnet on the copy tagged as the other network's subnet copy, which its entry does not list.
  auto forged = neutron_create("cloudlet-3", "subnets",
                               {{"network_id", net.network_copy}, {"cidr", "10.6.0.0/24"}, {"ip_version", 4}},
                               h.demo_token());
  tag("cloudlet-3", "subnets", forged,
      {api::marker_tag({other.subnet_entry.global_id, true, {}}), adopted_from_tag(other.subnet)}, h.demo_token());
  // The first delete while the copies' cloudlet is down: the holder deletes the network, nothing else goes.
  h.clouds().set_down("cloudlet-3");
  ASSERT_EQ(h.send(bhttp::verb::delete_, "/network/v2.0/networks/" + net.network).status, 204u);
  EXPECT_TRUE(h.registry().entry(net.subnet_entry.global_id));
  h.clouds().set_down("cloudlet-3", false);
  auto again = h.send(bhttp::verb::delete_, "/network/v2.0/networks/" + net.network);
  EXPECT_EQ(again.status, 404u) << "the holder's answer: " << again.body;
  EXPECT_TRUE(neutron_item("cloudlet-3", "networks", net.network_copy).is_null());
  EXPECT_FALSE(h.registry().entry(net.entry.global_id));
  EXPECT_FALSE(h.registry().entry(net.subnet_entry.global_id)) << "read from its copy's tag, not from the holder";
  EXPECT_TRUE(h.registry().entry(other.subnet_entry.global_id)) << "a forged tag names no adoption of it";
  EXPECT_FALSE(neutron_item("cloudlet-3", "subnets", other.subnet_copy).is_null());
}

TEST_F(AdoptionFlow, ANetworkDeleteByItsAdoptionsGlobalIdForgetsItsSubnetsEntries) {
  auto net = adopted_network();
  auto other = adopted_network();
  auto forged = neutron_create("cloudlet-3", "subnets",
                               {{"network_id", net.network_copy}, {"cidr", "10.6.0.0/24"}, {"ip_version", 4}},
                               h.demo_token());
  tag("cloudlet-3", "subnets", forged,
      {api::marker_tag({other.subnet_entry.global_id, true, {}}), adopted_from_tag(other.subnet)}, h.demo_token());
  // A second adoption of the subnet (agent 4's) with one copy on this network's copy and one on cloudlet-1.
  auto gid4 = derived(resource_kind::subnet, "cloudlet-2", net.subnet, {"10.0.0.4", 4790});
  auto on_copy = neutron_create("cloudlet-3", "subnets",
                                {{"network_id", net.network_copy}, {"cidr", "10.5.0.0/24"}, {"ip_version", 4}},
                                h.demo_token());
  tag("cloudlet-3", "subnets", on_copy, {api::marker_tag({gid4, true, {}}), adopted_from_tag(net.subnet)},
      h.demo_token());
  auto elsewhere_net = neutron_create("cloudlet-1", "networks", {{"name", "elsewhere"}}, h.demo_token());
  auto elsewhere = neutron_create("cloudlet-1", "subnets",
                                  {{"network_id", elsewhere_net}, {"cidr", "10.5.0.0/24"}, {"ip_version", 4}},
                                  h.demo_token());
  seed_adoption(resource_kind::subnet, gid4, demo_project(), {{"cloudlet-3", on_copy}, {"cloudlet-1", elsewhere}});
  auto deleted = h.send(bhttp::verb::delete_, "/network/v2.0/networks/" + net.entry.global_id);
  ASSERT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_TRUE(neutron_item("cloudlet-3", "networks", net.network_copy).is_null()) << "the adoption's copy";
  EXPECT_FALSE(h.registry().entry(net.entry.global_id));
  EXPECT_FALSE(h.registry().entry(net.subnet_entry.global_id)) << "its subnet's adoption goes with it";
  EXPECT_FALSE(neutron_item("cloudlet-2", "networks", net.network).is_null()) << "the network itself stays";
  EXPECT_FALSE(neutron_item("cloudlet-2", "subnets", net.subnet).is_null());
  EXPECT_TRUE(h.registry().entry(other.subnet_entry.global_id)) << "a forged tag names no adoption of it";
  EXPECT_TRUE(h.registry().entry(gid4)) << "an adoption with a copy elsewhere stays";
  EXPECT_FALSE(neutron_item("cloudlet-1", "subnets", elsewhere).is_null());
}

// --- changes and deletes by cloud ID reaching every adoption's copies ---

TEST_F(AdoptionFlow, ASubnetPutByItsCloudIdReachesEveryAdoptionsCopyBeforeItsHolder) {
  auto net = adopted_network();
  // Demo's own subnet on cloudlet-3 tagged as agent 3's copy of the subnet, which its entry does not list.
  auto forged = neutron_create("cloudlet-3", "subnets",
                               {{"network_id", net.network_copy}, {"cidr", "10.8.0.0/24"}, {"ip_version", 4},
                                {"name", "forged"}}, h.demo_token());
  tag("cloudlet-3", "subnets", forged, {api::marker_tag({net.subnet_entry.global_id, true, {}}),
                                        adopted_from_tag(net.subnet)}, h.demo_token());
  // Through this agent, whose cloudlet-1 does not hold the subnet.
  auto renamed = h.send(bhttp::verb::put, "/network/v2.0/subnets/" + net.subnet,
                        {{"subnet", {{"name", "renamed"}, {"dns_nameservers", {"10.7.0.53"}}}}});
  ASSERT_EQ(renamed.status, 200u) << renamed.body;
  EXPECT_EQ(neutron_item("cloudlet-2", "subnets", net.subnet).at("name"), "renamed");
  auto copy = neutron_item("cloudlet-3", "subnets", net.subnet_copy);
  EXPECT_EQ(copy.at("name"), "renamed") << "agent 3's copy shows what the subnet shows";
  EXPECT_EQ(copy.at("dns_nameservers"), json::array({"10.7.0.53"}));
  auto tags = copy.at("tags");
  EXPECT_NE(std::find(tags.begin(), tags.end(), adopted_from_tag(net.subnet)), tags.end()) << "markers kept";
  EXPECT_EQ(neutron_item("cloudlet-3", "subnets", forged).at("name"), "forged") << "a forged tag changes nothing";
}

TEST_F(AdoptionFlow, ASubnetPutACopyRefusesLeavesTheHolderAsItWas) {
  // Demo's subnet on cloudlet-2; an adoption of it listing a subnet that is the admin's (on the
  // admin's shared network on cloudlet-3, so demo sees it): Neutron refuses demo that copy.
  auto network = neutron_create("cloudlet-2", "networks", {{"name", "mine"}}, h.demo_token());
  auto subnet = neutron_create("cloudlet-2", "subnets",
                               {{"network_id", network}, {"cidr", "10.9.0.0/24"}, {"ip_version", 4}, {"name", "s"}},
                               h.demo_token());
  auto gid = derived(resource_kind::subnet, "cloudlet-2", subnet);
  auto shared = neutron_create("cloudlet-3", "networks", {{"name", "shared"}, {"shared", true}}, h.admin_token());
  auto admins = neutron_create("cloudlet-3", "subnets",
                               {{"network_id", shared}, {"cidr", "10.9.0.0/24"}, {"ip_version", 4}, {"name", "s"}},
                               h.admin_token());
  tag("cloudlet-3", "subnets", admins, {api::marker_tag({gid, true, {}}), adopted_from_tag(subnet)}, h.admin_token());
  seed_adoption(resource_kind::subnet, gid, demo_project(), {{"cloudlet-3", admins}});
  auto refused = h.send(bhttp::verb::put, "/network/v2.0/subnets/" + subnet, {{"subnet", {{"name", "t"}}}});
  EXPECT_EQ(refused.status, 403u) << refused.body;
  EXPECT_EQ(neutron_item("cloudlet-2", "subnets", subnet).at("name"), "s") << "the holder is left as it was";
  EXPECT_EQ(neutron_item("cloudlet-3", "subnets", admins).at("name"), "s");
}

TEST_F(AdoptionFlow, ASubnetDeleteByItsCloudIdRemovesEveryAdoptionsCopyAndEntry) {
  auto net = adopted_network();
  auto deleted = h.send(bhttp::verb::delete_, "/network/v2.0/subnets/" + net.subnet);
  ASSERT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_TRUE(neutron_item("cloudlet-2", "subnets", net.subnet).is_null());
  EXPECT_TRUE(neutron_item("cloudlet-3", "subnets", net.subnet_copy).is_null()) << "agent 3's copy";
  EXPECT_FALSE(h.registry().entry(net.subnet_entry.global_id));
  EXPECT_FALSE(neutron_item("cloudlet-3", "networks", net.network_copy).is_null()) << "the network's copy stays";
}

TEST_F(AdoptionFlow, AnImagePatchByItsCloudIdReachesEveryAdoptionsCopyBeforeItsHolder) {
  auto [upload, entry] = adopted_upload({"cloudlet-3"});
  // Demo's own image on cloudlet-1 marked as agent 3's copy of the upload, which its entry does not list.
  auto forged = marked_image("cloudlet-1", h.demo_token(), entry.global_id, upload);
  bhttp::fields json_patch;
  json_patch.set(bhttp::field::content_type, "application/openstack-images-v2.1-json-patch");
  json ops = json::array({{{"op", "replace"}, {"path", "/name"}, {"value", "patched"}},
                          {{"op", "add"}, {"path", "/os_distro"}, {"value", "cirros"}}});
  auto patched = h.send(bhttp::verb::patch, "/image/v2/images/" + upload, ops, {}, json_patch);
  ASSERT_EQ(patched.status, 200u) << patched.body;
  EXPECT_EQ(image_on("cloudlet-2", upload).at("name"), "patched");
  auto copy = image_on("cloudlet-3", entry.copies[0].local_id);
  EXPECT_EQ(copy.at("name"), "patched") << "agent 3's copy shows what the upload shows";
  EXPECT_EQ(copy.value("os_distro", ""), "cirros");
  EXPECT_EQ(copy.value(std::string(adopted_from_key), ""), upload) << "markers kept";
  EXPECT_EQ(image_on("cloudlet-1", forged).at("name"), "forged") << "a forged marker changes nothing";
  EXPECT_FALSE(image_on("cloudlet-1", forged).contains("os_distro"));
}

TEST_F(AdoptionFlow, AnImagePatchACopyRefusesLeavesTheHolderAsItWas) {
  // Demo's upload; an adoption of it listing the admin's public image on cloudlet-3: Glance refuses demo that copy.
  auto upload = h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "mine"}});
  auto gid = derived(resource_kind::image, "cloudlet-2", upload);
  auto admins = marked_image("cloudlet-3", h.admin_token(), gid, upload, {{"name", "ops"}, {"visibility", "public"}});
  seed_adoption(resource_kind::image, gid, demo_project(), {{"cloudlet-3", admins}});
  bhttp::fields json_patch;
  json_patch.set(bhttp::field::content_type, "application/openstack-images-v2.1-json-patch");
  json ops = json::array({{{"op", "replace"}, {"path", "/name"}, {"value", "taken"}}});
  auto refused = h.send(bhttp::verb::patch, "/image/v2/images/" + upload, ops, {}, json_patch);
  EXPECT_EQ(refused.status, 403u) << "Glance refuses demo the admin's image: " << refused.body;
  EXPECT_EQ(image_on("cloudlet-2", upload).at("name"), "mine") << "the holder is left as it was";
  EXPECT_EQ(image_on("cloudlet-3", admins).at("name"), "ops");
}

} // namespace
} // namespace fedstack::agent::testing
