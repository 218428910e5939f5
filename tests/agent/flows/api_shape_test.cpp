// The shape of answers through the agent as the real services give them
// (issue 18: Tempest's failures through the agent that were not about where a
// resource lives): the microversion headers on every compute answer the agent
// composes, paths ending in '/', a Neutron create's answer equal to a show
// right after it, bulk Neutron creates, and Nova's image proxy.

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
    auto plain = h.send(bhttp::verb::get, path);
    ASSERT_EQ(plain.status, 200u) << path << ": " << plain.body;
    expect_compute_version(plain, "2.1", std::string(path) + " without a version asked for is 2.1");
    auto asked = h.send(bhttp::verb::get, path, nullptr, {}, v253);
    ASSERT_EQ(asked.status, 200u) << path << ": " << asked.body;
    expect_compute_version(asked, "2.53", path);
    auto old_header = h.send(bhttp::verb::get, path, nullptr, {}, legacy);
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

} // namespace
} // namespace fedstack::agent::testing
