// The shape of answers through the agent as the real services give them
// (issue 18: Tempest's failures through the agent that were not about where a
// resource lives): the microversion headers on every compute answer the agent
// composes, paths ending in '/', a Neutron create's answer equal to a show
// right after it, bulk Neutron creates, and Nova's image proxy.

#include <set>

#include <gtest/gtest.h>

#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;
using svc = api::service_type;

class ApiShape : public ::testing::Test {
protected:
  flow_harness h;

  std::string demo_project() { return h.clouds().demo_project_id(); }

  /// The calls the flows made to any cloud (not Keystone).
  std::vector<logged_call> cloud_calls() {
    std::vector<logged_call> out;
    for (const auto& c : h.clouds().calls())
      if (c.cloudlet != "keystone") out.push_back(c);
    return out;
  }

  /// Nova's three microversion headers, as `version` ("2.53") gives them.
  static void expect_compute_version(const captured_response& answer, const std::string& version,
                                     const std::string& what) {
    EXPECT_EQ(answer.header("OpenStack-API-Version"), "compute " + version) << what;
    EXPECT_EQ(answer.header("X-OpenStack-Nova-API-Version"), version) << what;
    EXPECT_EQ(answer.header("Vary"), "OpenStack-API-Version, X-OpenStack-Nova-API-Version") << what;
  }

  /// A network made through the agent: its global ID.
  std::string agent_network(const std::string& name) {
    auto made = h.send(bhttp::verb::post, "/network/v2.0/networks", {{"network", {{"name", name}}}});
    EXPECT_EQ(made.status, 201u) << made.body;
    return made.status == 201 ? json::parse(made.body).at("network").at("id").get<std::string>() : std::string{};
  }
};

// --- 1. microversion headers on the compute answers the agent composes ---

TEST_F(ApiShape, MergedServerListsAndZonesCarryTheNegotiatedMicroversion) {
  bhttp::fields v253;
  v253.set("OpenStack-API-Version", "compute 2.53");
  bhttp::fields legacy;
  legacy.set("X-OpenStack-Nova-API-Version", "2.60");
  for (const char* path : {"/compute/v2.1/servers", "/compute/v2.1/servers/detail",
                           "/compute/v2.1/os-availability-zone", "/compute/v2.1/os-availability-zone/detail"}) {
    auto admin = h.admin_token();   // the zone detail list is admin-only
    auto plain = h.send(bhttp::verb::get, path, nullptr, admin);
    ASSERT_EQ(plain.status, 200u) << path << ": " << plain.body;
    expect_compute_version(plain, "2.1", std::string(path) + " without a version asked for is 2.1");
    auto asked = h.send(bhttp::verb::get, path, nullptr, admin, v253);
    ASSERT_EQ(asked.status, 200u) << path << ": " << asked.body;
    expect_compute_version(asked, "2.53", path);
    auto old_header = h.send(bhttp::verb::get, path, nullptr, admin, legacy);
    ASSERT_EQ(old_header.status, 200u) << path;
    expect_compute_version(old_header, "2.60", std::string(path) + " with the legacy header");
  }
}

TEST_F(ApiShape, ComputeErrorsAndAnswersTheAgentMakesCarryThemTooAsNovasFaultsDo) {
  bhttp::fields v253;
  v253.set("OpenStack-API-Version", "compute 2.53");
  // A global ID no registry knows: the agent's own 404.
  auto missing = h.send(bhttp::verb::get, "/compute/v2.1/servers/" + h.registry().new_global_id(), nullptr, {}, v253);
  ASSERT_EQ(missing.status, 404u) << missing.body;
  expect_compute_version(missing, "2.53", "the agent's 404");
  // A bad marker on a merged list: the agent's 400.
  auto bad = h.send(bhttp::verb::get, "/compute/v2.1/servers?marker=" + h.registry().new_global_id(), nullptr, {},
                    v253);
  ASSERT_EQ(bad.status, 400u) << bad.body;
  expect_compute_version(bad, "2.53", "the agent's 400");
  // Other services' answers do not get them.
  auto images = h.send(bhttp::verb::get, "/image/v2/images");
  ASSERT_EQ(images.status, 200u);
  EXPECT_EQ(images.header("X-OpenStack-Nova-API-Version"), "");
}

TEST_F(ApiShape, TheZoneDetailListIsRefusedToNonAdminsAsNovaRefusesIt) {
  auto refused = h.send(bhttp::verb::get, "/compute/v2.1/os-availability-zone/detail");   // the demo user
  EXPECT_EQ(refused.status, 403u) << refused.body;
  expect_compute_version(refused, "2.1", "the agent's 403");
  auto admin = h.send(bhttp::verb::get, "/compute/v2.1/os-availability-zone/detail", nullptr, h.admin_token());
  ASSERT_EQ(admin.status, 200u) << admin.body;
  // The document is kept: a range-for over a member of a temporary would read a destroyed object.
  auto zones = json::parse(admin.body).at("availabilityZoneInfo");
  ASSERT_FALSE(zones.empty());
  for (const auto& zone : zones)
    EXPECT_EQ(zone.at("zoneState").at("available"), true) << zone.dump();
  auto plain = h.send(bhttp::verb::get, "/compute/v2.1/os-availability-zone");
  EXPECT_EQ(plain.status, 200u) << "the plain list is everyone's";
}

TEST_F(ApiShape, ARelayedComputeAnswerKeepsNovasHeaders) {
  bhttp::fields v253;
  v253.set("OpenStack-API-Version", "compute 2.53");
  auto flavors = h.send(bhttp::verb::get, "/compute/v2.1/flavors", nullptr, {}, v253);
  ASSERT_EQ(flavors.status, 200u) << flavors.body;
  expect_compute_version(flavors, "2.53", "relayed from cloudlet-1's Nova");
}

// --- 2. paths that end in '/' ---

TEST_F(ApiShape, GlanceAnswers404ToImagesWithATrailingSlashAndSoDoesTheAgent) {
  auto listed = h.send(bhttp::verb::get, "/image/v2/images/");
  EXPECT_EQ(listed.status, 404u) << "Tempest's test_get_image_null_id: " << listed.body;
  auto deleted = h.send(bhttp::verb::delete_, "/image/v2/images/");
  EXPECT_EQ(deleted.status, 404u) << "Tempest's test_delete_image_null_id: " << deleted.body;
  auto servers = h.send(bhttp::verb::get, "/compute/v2.1/servers/");
  EXPECT_EQ(servers.status, 404u) << "Nova routes with Routes too: " << servers.body;
  EXPECT_TRUE(cloud_calls().empty()) << "nothing was listed or deleted";

  auto networks = h.send(bhttp::verb::get, "/network/v2.0/networks/");
  EXPECT_EQ(networks.status, 200u) << "Neutron (Pecan) lists: " << networks.body;
  EXPECT_TRUE(json::parse(networks.body).contains("networks"));
}

// --- 3. a Neutron create answers what a show right after gives ---

TEST_F(ApiShape, ANeutronCreateAnswersTheResourceAsAShowRightAfterGivesIt) {
  auto network = agent_network("net");
  ASSERT_FALSE(network.empty());
  auto net_shown = h.send(bhttp::verb::get, "/network/v2.0/networks/" + network);
  ASSERT_EQ(net_shown.status, 200u);

  auto subnet = h.send(bhttp::verb::post, "/network/v2.0/subnets",
                       {{"subnet", {{"network_id", network}, {"cidr", "10.9.0.0/24"}, {"ip_version", 4},
                                    {"description", "mine"}}}});
  ASSERT_EQ(subnet.status, 201u) << subnet.body;
  auto port = h.send(bhttp::verb::post, "/network/v2.0/ports",
                     {{"port", {{"network_id", network}, {"name", "p1"}}}});
  ASSERT_EQ(port.status, 201u) << port.body;

  for (const auto& [made, kind] : {std::pair{subnet, "subnet"}, std::pair{port, "port"}}) {
    auto created = json::parse(made.body).at(kind);
    auto shown = h.send(bhttp::verb::get, "/network/v2.0/" + std::string(kind) + "s/" +
                                              created.at("id").get<std::string>());
    ASSERT_EQ(shown.status, 200u) << shown.body;
    auto now = json::parse(shown.body).at(kind);
    EXPECT_EQ(created.at("revision_number"), now.at("revision_number")) << kind;
    EXPECT_EQ(created.at("updated_at"), now.at("updated_at")) << kind;
    EXPECT_EQ(created, now) << kind << ": the create's answer is the resource as shown";
  }
  EXPECT_EQ(json::parse(subnet.body).at("subnet").at("description"), "mine");
}

// --- 4. bulk Neutron creates ---

class BulkCreate : public ApiShape {
protected:
  /// The items of a bulk create's answer, checked to be a 201 with `n` of them.
  std::vector<json> created(const captured_response& answer, const std::string& collection, std::size_t n) {
    EXPECT_EQ(answer.status, 201u) << answer.body;
    if (answer.status != 201) return {};
    auto items = json::parse(answer.body).at(collection).get<std::vector<json>>();
    EXPECT_EQ(items.size(), n);
    return items;
  }

  /// The item on `region`'s cloud that the registry binds `global_id` to.
  json on_cloud(const std::string& region, const std::string& collection, const std::string& global_id) {
    auto entry = h.registry().entry(global_id);
    if (!entry || entry->copies.empty()) return nullptr;
    for (const auto& item : h.clouds().items(region, collection))
      if (item.at("id") == entry->copies.front().local_id) return item;
    return nullptr;
  }
};

TEST_F(BulkCreate, EachPortOfABulkCreateIsRecordedMarkedAndAnsweredUnderItsGlobalId) {
  auto network = agent_network("net");
  auto answer = h.send(bhttp::verb::post, "/network/v2.0/ports",
                       {{"ports", {{{"network_id", network}, {"name", "a"}},
                                   {{"network_id", network}, {"name", "b"}, {"description", "mine"}}}}});
  auto ports = created(answer, "ports", 2);
  ASSERT_EQ(ports.size(), 2u);
  for (const auto& port : h.clouds().items("cloudlet-1", "ports"))
    EXPECT_EQ(answer.body.find(port.at("id").get<std::string>()), std::string::npos) << "no cloud ID leaks";
  EXPECT_EQ(ports[0].at("name"), "a");
  EXPECT_EQ(ports[0].at("description"), "");
  EXPECT_EQ(ports[1].at("description"), "mine") << "the client's description is given back";
  EXPECT_EQ(ports[0].at("network_id"), network) << "the network under its global ID";
  for (const auto& port : ports) {
    auto gid = port.at("id").get<std::string>();
    auto entry = h.registry().entry(gid);
    ASSERT_TRUE(entry.has_value()) << gid;
    EXPECT_EQ(entry->state, storage::entry_state::bound);
    EXPECT_EQ(entry->project_id, demo_project());
    ASSERT_EQ(entry->copies.size(), 1u);
    EXPECT_EQ(entry->copies[0].cloudlet, "cloudlet-1");
    auto item = on_cloud("cloudlet-1", "ports", gid);
    ASSERT_TRUE(item.is_object());
    auto marker = api::read_marker(svc::network, item);
    ASSERT_TRUE(marker.has_value()) << item.dump();
    EXPECT_EQ(marker->global_id, gid) << "marked as the federation's, under the reconciler's rule";
    EXPECT_FALSE(marker->attempt.empty()) << "with its attempt token";
    EXPECT_FALSE(api::pending_token(item.value("description", std::string{}))) << "its pending description is gone";
    auto shown = h.send(bhttp::verb::get, "/network/v2.0/ports/" + gid);
    ASSERT_EQ(shown.status, 200u);
    EXPECT_EQ(json::parse(shown.body).at("port"), port) << "the create answered what a show gives";
  }
  EXPECT_NE(ports[0].at("id"), ports[1].at("id"));
}

TEST_F(BulkCreate, BulkNetworksAreEachRecorded) {
  auto answer = h.send(bhttp::verb::post, "/network/v2.0/networks",
                       {{"networks", {{{"name", "n1"}}, {{"name", "n2"}}, {{"name", "n3"}}}}});
  auto networks = created(answer, "networks", 3);
  for (const auto& network : networks) {
    auto gid = network.at("id").get<std::string>();
    EXPECT_TRUE(api::global_id_owner(gid).has_value()) << gid;
    EXPECT_TRUE(on_cloud("cloudlet-1", "networks", gid).is_object()) << gid;
  }
  auto listed = h.send(bhttp::verb::get, "/network/v2.0/networks");
  EXPECT_EQ(json::parse(listed.body).at("networks").size(), 3u) << "each listed once, under its global ID";
}

TEST_F(BulkCreate, ARefusedBulkCreateLeavesNoReservation) {
  auto network = agent_network("net");
  h.clouds().add_fault(call_fault("cloudlet-1", bhttp::verb::post, "/v2.0/ports", fault_effect::answer, 400));
  auto answer = h.send(bhttp::verb::post, "/network/v2.0/ports",
                       {{"ports", {{{"network_id", network}}, {{"network_id", network}}}}});
  EXPECT_EQ(answer.status, 400u) << answer.body;
  EXPECT_EQ(h.registry().entries().size(), 1u) << "only the network";
  EXPECT_TRUE(h.registry().abandoned_attempts().empty());
}

TEST_F(BulkCreate, AnUnansweredBulkCreateThatMadeThemIsFoundByItsTokensAndBound) {
  auto network = agent_network("net");
  h.clouds().add_fault(
    call_fault("cloudlet-1", bhttp::verb::post, "/v2.0/ports", fault_effect::no_answer_after_making));
  auto answer = h.send(bhttp::verb::post, "/network/v2.0/ports",
                       {{"ports", {{{"network_id", network}, {"name", "a"}}, {{"network_id", network}, {"name", "b"}}}}});
  auto ports = created(answer, "ports", 2);
  for (const auto& port : ports)
    EXPECT_TRUE(on_cloud("cloudlet-1", "ports", port.at("id").get<std::string>()).is_object());
  EXPECT_TRUE(h.registry().abandoned_attempts().empty());
}

TEST_F(BulkCreate, AnUnansweredBulkCreateThatMadeNothingIsRecordedAsAbandoned) {
  auto network = agent_network("net");
  h.clouds().add_fault(call_fault("cloudlet-1", bhttp::verb::post, "/v2.0/ports", fault_effect::no_answer));
  auto answer = h.send(bhttp::verb::post, "/network/v2.0/ports",
                       {{"ports", {{{"network_id", network}}, {{"network_id", network}}}}});
  EXPECT_EQ(answer.status, 504u) << answer.body;
  EXPECT_EQ(h.registry().abandoned_attempts().size(), 2u) << "each item's attempt, for its owner to reclaim";
  EXPECT_EQ(h.registry().entries().size(), 1u) << "no reservation is left but the network's";
}

TEST_F(BulkCreate, PortsOnNetworksOfTwoCloudletsAreRefused) {
  auto here = agent_network("here");
  auto gid = h.registry().new_global_id();
  auto made = h.clouds().direct("cloudlet-2", svc::network, bhttp::verb::post, "/v2.0/networks", h.demo_token(),
                                {{"network", {{"name", "there"}}}});
  auto local = json::parse(made.body).at("network").at("id").get<std::string>();
  h.record(resource_kind::network, demo_project(), {{"cloudlet-2", local}}, "there", gid);
  h.clouds().clear_log();
  auto answer = h.send(bhttp::verb::post, "/network/v2.0/ports",
                       {{"ports", {{{"network_id", here}}, {{"network_id", gid}}}}});
  EXPECT_EQ(answer.status, 400u) << answer.body;
  EXPECT_TRUE(h.clouds().calls_to("", bhttp::verb::post, "/v2.0/ports").empty());
}

// --- 5. Nova's image proxy ---

TEST_F(ApiShape, NovasImageProxyShowsAnotherProjectsPublicImageFromItsCloudlet) {
  // Like Tempest's image_ref: made by the admin, public, its primary on cloudlet-2.
  auto gid = h.registry().new_global_id();
  auto local = h.clouds().seed_image("cloudlet-2", h.admin_token(),
                                     {{"name", "cirros"}, {"visibility", "public"}, {std::string(api::gid_key), gid}});
  h.record(resource_kind::image, h.clouds().admin_project_id(), {{"cloudlet-2", local}}, "cirros", gid);

  auto shown = h.send(bhttp::verb::get, "/compute/v2.1/images/" + gid);   // the demo project's token
  ASSERT_EQ(shown.status, 200u) << shown.body;
  auto image = json::parse(shown.body).at("image");
  EXPECT_EQ(image.at("id"), gid);
  EXPECT_EQ(image.at("status"), "ACTIVE");
  EXPECT_FALSE(image.at("metadata").contains(std::string(api::gid_key))) << "the marker is hidden";
  EXPECT_EQ(shown.body.find(local), std::string::npos) << "no cloud ID leaks";
  expect_compute_version(shown, "2.1", "relayed from cloudlet-2's Nova");
  auto calls = h.clouds().calls_to("cloudlet-2", bhttp::verb::get, "/v2.1/images/" + local);
  EXPECT_EQ(calls.size(), 1u) << "cloudlet-2's Nova answers, with its own ID";
}

TEST_F(ApiShape, NovasImageProxyLeavesVisibilityToGlance) {
  auto gid = h.registry().new_global_id();
  auto local = h.clouds().seed_image("cloudlet-2", h.admin_token(),
                                     {{"name", "private"}, {"visibility", "private"}, {std::string(api::gid_key), gid}});
  h.record(resource_kind::image, h.clouds().admin_project_id(), {{"cloudlet-2", local}}, "private", gid);
  auto shown = h.send(bhttp::verb::get, "/compute/v2.1/images/" + gid);
  EXPECT_EQ(shown.status, 404u) << "another project's private image stays hidden: " << shown.body;
  EXPECT_EQ(shown.body.find(local), std::string::npos);
}

TEST_F(ApiShape, NovasImageProxyFollowsTheOwnProjectsImageToItsPrimary) {
  auto gid = h.registry().new_global_id();
  auto local = h.clouds().seed_image("cloudlet-3", h.demo_token(), {{"name", "mine"}, {std::string(api::gid_key), gid}});
  h.record(resource_kind::image, demo_project(), {{"cloudlet-3", local}}, "mine", gid);
  auto shown = h.send(bhttp::verb::get, "/compute/v2.1/images/" + gid);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("image").at("id"), gid);

  // Past 2.35 Nova has no image proxy: 404, and nothing is asked or deleted.
  bhttp::fields v236;
  v236.set("OpenStack-API-Version", "compute 2.36");
  h.clouds().clear_log();
  auto gone = h.send(bhttp::verb::delete_, "/compute/v2.1/images/" + gid, nullptr, {}, v236);
  EXPECT_EQ(gone.status, 404u) << gone.body;
  expect_compute_version(gone, "2.36", "the agent's 404");
  EXPECT_TRUE(cloud_calls().empty());
  EXPECT_TRUE(h.registry().entry(gid).has_value()) << "the entry stays";

  // At 2.35 a delete through Nova's proxy deletes the image everywhere, as Glance's would.
  bhttp::fields v235;
  v235.set("OpenStack-API-Version", "compute 2.35");
  auto deleted = h.send(bhttp::verb::delete_, "/compute/v2.1/images/" + gid, nullptr, {}, v235);
  EXPECT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_FALSE(h.registry().entry(gid).has_value());
  for (const auto& image : h.clouds().items("cloudlet-3", "images")) EXPECT_NE(image.at("id"), local);
}

TEST_F(ApiShape, NovasImageListIsMergedAcrossCloudletsWithCopiesHidden) {
  auto a = h.registry().new_global_id();
  auto a_primary = h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "a"}, {std::string(api::gid_key), a}});
  auto a_copy = h.clouds().seed_image("cloudlet-1", h.demo_token(), {{"name", "a"}, {std::string(api::copy_of_key), a}});
  h.record(resource_kind::image, demo_project(), {{"cloudlet-2", a_primary}, {"cloudlet-1", a_copy}}, "a", a);
  auto b = h.registry().new_global_id();
  auto b_primary = h.clouds().seed_image("cloudlet-3", h.demo_token(), {{"name", "b"}, {std::string(api::gid_key), b}});
  h.record(resource_kind::image, demo_project(), {{"cloudlet-3", b_primary}}, "b", b);

  auto detail = h.send(bhttp::verb::get, "/compute/v2.1/images/detail");
  ASSERT_EQ(detail.status, 200u) << detail.body;
  expect_compute_version(detail, "2.1", "the merged image list");
  std::multiset<std::string> ids;
  auto listed = json::parse(detail.body);
  for (const auto& image : listed.at("images")) {
    ids.insert(image.at("id").get<std::string>());
    EXPECT_TRUE(image.contains("metadata")) << "detail";
  }
  EXPECT_EQ(ids, (std::multiset<std::string>{a, b})) << "each image once, under its global ID: " << detail.body;
  for (const auto& local : {a_primary, a_copy, b_primary}) EXPECT_EQ(detail.body.find(local), std::string::npos);

  auto brief = h.send(bhttp::verb::get, "/compute/v2.1/images");
  ASSERT_EQ(brief.status, 200u) << brief.body;
  auto items = json::parse(brief.body).at("images");
  ASSERT_EQ(items.size(), 2u);
  for (const auto& image : items) EXPECT_FALSE(image.contains("metadata")) << "the index shows id, name and links";

  auto paged = h.send(bhttp::verb::get, "/compute/v2.1/images/detail?limit=1");
  ASSERT_EQ(paged.status, 200u) << paged.body;
  auto first = json::parse(paged.body);
  ASSERT_EQ(first.at("images").size(), 1u);
  ASSERT_TRUE(first.contains("images_links")) << paged.body;
  auto next = h.send(bhttp::verb::get, "/compute/v2.1/images/detail?limit=1&marker=" +
                                         first.at("images").at(0).at("id").get<std::string>());
  ASSERT_EQ(next.status, 200u) << next.body;
  ASSERT_EQ(json::parse(next.body).at("images").size(), 1u);
  EXPECT_NE(json::parse(next.body).at("images").at(0).at("id"), first.at("images").at(0).at("id"));

  bhttp::fields v236;
  v236.set("OpenStack-API-Version", "compute 2.36");
  EXPECT_EQ(h.send(bhttp::verb::get, "/compute/v2.1/images/detail", nullptr, {}, v236).status, 404u);
}

} // namespace
} // namespace fedstack::agent::testing
