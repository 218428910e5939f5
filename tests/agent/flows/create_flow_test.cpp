// Creates through the agent's handler against fake clouds and a fake registry
// (flow_harness.hpp): where they go, what happens when a cloud fails, what is
// recorded and what the client sees (create_flow.cpp, docs/faults.md).

#include <gtest/gtest.h>

#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;

json image_body(const std::string& name) {
  return json{{"name", name}, {"disk_format", "qcow2"}, {"container_format", "bare"}};
}

std::string text_of(const json& value) { return value.is_string() ? value.get<std::string>() : std::string{}; }

/// The items of `collection` on `region` whose marker (primary or copy) names `global_id`.
std::vector<json> marked(fake_clouds& clouds, const std::string& region, const std::string& collection,
                         const std::string& global_id) {
  auto service = collection == "images"    ? api::service_type::image
                 : collection == "servers" ? api::service_type::compute
                                           : api::service_type::network;
  std::vector<json> out;
  for (const auto& item : clouds.items(region, collection)) {
    auto m = api::read_marker(service, item);
    if (m && m->global_id == global_id) out.push_back(item);
  }
  return out;
}

/// Marked items of `global_id` on every cloudlet.
std::size_t marked_anywhere(flow_harness& h, const std::string& collection, const std::string& global_id) {
  std::size_t n = 0;
  for (const auto& c : h.clouds().cloudlets()) n += marked(h.clouds(), c.region, collection, global_id).size();
  return n;
}

/// The attempt token a logged create carried (its marker).
std::string attempt_of(const logged_call& call) {
  auto body = json::parse(call.body);
  if (body.contains("server")) return text_of(body["server"]["metadata"][std::string(api::attempt_key)]);
  return text_of(body[std::string(api::attempt_key)]);
}

class CreateFlow : public ::testing::Test {
protected:
  explicit CreateFlow(fake_clouds_options options = {}) : h(std::move(options)) {}

  /// The image create's answer, checked to be a 201 with a global ID.
  std::string create_image(const std::string& name = "cirros") {
    auto answer = h.send(bhttp::verb::post, "/image/v2/images", image_body(name));
    EXPECT_EQ(answer.status, 201u) << answer.body;
    if (answer.status != 201) return {};
    return json::parse(answer.body).at("id").get<std::string>();
  }

  /// An active image of the demo project with its primary on regions[0] and
  /// copies on the rest, recorded as the federation records one.
  storage::registry_entry global_image(const std::vector<std::string>& regions) {
    auto global_id = h.registry().new_global_id();
    std::vector<storage::cloud_copy> copies;
    for (std::size_t i = 0; i < regions.size(); ++i) {
      json fields{{"name", "cirros"}};
      fields[std::string(i == 0 ? api::gid_key : api::copy_of_key)] = global_id;
      copies.push_back({regions[i], h.clouds().seed_image(regions[i], h.demo_token(), fields)});
    }
    return h.record(resource_kind::image, h.clouds().demo_project_id(), copies, "cirros", global_id);
  }

  /// A flavor's ID on `region` (the simulator numbers them per region, as the lab does).
  std::string flavor_id(const std::string& region, const std::string& name) {
    auto listed = h.clouds().direct(region, api::service_type::compute, bhttp::verb::get, "/v2.1/flavors",
                                    h.demo_token());
    auto doc = json::parse(listed.body);
    for (const auto& f : doc.at("flavors"))
      if (f.value("name", std::string{}) == name) return f.value("id", std::string{});
    ADD_FAILURE() << "no flavor " << name << " on " << region << ": " << listed.body;
    return {};
  }

  json boot_body(const storage::registry_entry& image, json extra = json::object()) {
    json server{{"name", "vm"}, {"imageRef", image.global_id}, {"flavorRef", flavor_id("cloudlet-1", "m1.tiny")}};
    server.update(extra);
    return json{{"server", server}};
  }

  /// demo's network "far" made on `region` directly and recorded as the federation's; {global ID, its ID there}.
  std::pair<std::string, std::string> network_on(const std::string& region) {
    auto network_id = h.registry().new_global_id();
    auto made = h.clouds().direct(region, api::service_type::network, bhttp::verb::post, "/v2.0/networks",
                                  h.demo_token(), {{"network", {{"name", "far"}}}});
    EXPECT_EQ(made.status, 201u) << made.body;
    auto local = json::parse(made.body).at("network").at("id").get<std::string>();
    h.record(resource_kind::network, h.clouds().demo_project_id(), {{region, local}}, "far", network_id);
    return {network_id, local};
  }

  flow_harness h;
};

TEST_F(CreateFlow, ImageGoesWhereTheSchedulerPlacesItAndIsRecordedUnderItsGlobalId) {
  h.placement().place_on("cloudlet-2", {"cloudlet-3"});
  auto answer = h.send(bhttp::verb::post, "/image/v2/images", image_body("placed"));
  ASSERT_EQ(answer.status, 201u) << answer.body;
  auto shown = json::parse(answer.body);
  auto global_id = shown.at("id").get<std::string>();
  EXPECT_TRUE(api::global_id_owner(global_id)) << "the client sees the global ID, not the cloud's";
  EXPECT_FALSE(shown.contains(std::string(api::gid_key))) << "the marker is hidden from the client";
  EXPECT_EQ(shown.value("name", ""), "placed");

  ASSERT_EQ(h.placement().asked().size(), 1u);
  EXPECT_EQ(h.placement().asked()[0].kind, placement_kind::image);

  auto made = marked(h.clouds(), "cloudlet-2", "images", global_id);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(marked_anywhere(h, "images", global_id), 1u);

  auto entry = h.registry().entry(global_id);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->state, storage::entry_state::bound);
  EXPECT_EQ(entry->project_id, h.clouds().demo_project_id());
  EXPECT_FALSE(entry->attempt) << "a bound entry waits for no attempt";
  ASSERT_EQ(entry->copies.size(), 1u);
  EXPECT_EQ(entry->copies[0].cloudlet, "cloudlet-2");
  EXPECT_EQ(entry->copies[0].local_id, made[0].at("id").get<std::string>());
  EXPECT_EQ(h.clouds().calls_to("", bhttp::verb::post, "/v2/images").size(), 1u) << "one create, no retry";
}

TEST_F(CreateFlow, NothingPlacedGoesToTheAgentsOwnCloudlet) {
  h.placement().place_nowhere();
  auto global_id = create_image();
  EXPECT_EQ(marked(h.clouds(), "cloudlet-1", "images", global_id).size(), 1u);
  EXPECT_EQ(marked_anywhere(h, "images", global_id), 1u);
}

TEST_F(CreateFlow, A5xxThatMadeNothingIsAbandonedAndTheNextCandidateGetsIt) {
  h.placement().place_on("cloudlet-2", {"cloudlet-3"});
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::post, "/v2/images", fault_effect::answer, 500));
  auto global_id = create_image();
  ASSERT_FALSE(global_id.empty());

  EXPECT_EQ(marked(h.clouds(), "cloudlet-3", "images", global_id).size(), 1u);
  EXPECT_EQ(marked_anywhere(h, "images", global_id), 1u);
  auto entry = h.registry().entry(global_id);
  ASSERT_TRUE(entry);
  ASSERT_EQ(entry->copies.size(), 1u);
  EXPECT_EQ(entry->copies[0].cloudlet, "cloudlet-3");

  // The failed attempt was looked for on cloudlet-2, then recorded as abandoned.
  auto first = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2/images");
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(h.registry().abandoned_attempts().size(), 1u);
  const auto& record = h.registry().abandoned_attempts().begin()->second;
  EXPECT_EQ(record.token, attempt_of(first[0]));
  EXPECT_EQ(record.cloudlet, "cloudlet-2");
  EXPECT_EQ(record.global_id, global_id);
  EXPECT_EQ(record.kind, resource_kind::image);
  EXPECT_EQ(record.project_id, h.clouds().demo_project_id());
  auto retry = h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images");
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_NE(attempt_of(retry[0]), record.token) << "each attempt has its own token";
}

TEST_F(CreateFlow, ATimeoutThatMadeNothingIsAbandonedAndTheNextCandidateGetsIt) {
  h.placement().place_on("cloudlet-2", {"cloudlet-3"});
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::post, "/v2/images", fault_effect::no_answer));
  auto global_id = create_image();
  ASSERT_FALSE(global_id.empty());
  EXPECT_EQ(marked(h.clouds(), "cloudlet-3", "images", global_id).size(), 1u);
  EXPECT_EQ(marked_anywhere(h, "images", global_id), 1u);
  ASSERT_EQ(h.registry().abandoned_attempts().size(), 1u);
  EXPECT_EQ(h.registry().abandoned_attempts().begin()->second.cloudlet, "cloudlet-2");
}

TEST_F(CreateFlow, ATimeoutThatMadeTheImageIsFoundByItsTokenAndBoundNotRetried) {
  h.placement().place_on("cloudlet-2", {"cloudlet-3"});
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::post, "/v2/images", fault_effect::no_answer_after_making));
  auto global_id = create_image();
  ASSERT_FALSE(global_id.empty());

  auto made = marked(h.clouds(), "cloudlet-2", "images", global_id);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(marked_anywhere(h, "images", global_id), 1u) << "exactly one resource exists";
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images").empty()) << "not retried";
  EXPECT_TRUE(h.registry().abandoned_attempts().empty());
  auto entry = h.registry().entry(global_id);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->state, storage::entry_state::bound);
  ASSERT_EQ(entry->copies.size(), 1u);
  EXPECT_EQ(entry->copies[0].local_id, made[0].at("id").get<std::string>());
}

TEST_F(CreateFlow, ABootAnswered5xxThatMadeTheServerIsFoundByItsTokenAndBound) {
  auto image = global_image({"cloudlet-2", "cloudlet-3"});
  h.placement().place_on("cloudlet-2", {"cloudlet-3"});
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::post, "/v2.1/servers", fault_effect::answer_after_making,
                                  500));
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers", boot_body(image));
  ASSERT_EQ(answer.status, 202u) << answer.body;
  EXPECT_EQ(answer.header("X-OpenStack-Nova-API-Version"), "2.1") << "the answer the agent made names the version";
  auto global_id = json::parse(answer.body).at("server").at("id").get<std::string>();
  EXPECT_EQ(marked(h.clouds(), "cloudlet-2", "servers", global_id).size(), 1u);
  EXPECT_EQ(marked_anywhere(h, "servers", global_id), 1u) << "exactly one server exists";
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.1/servers").empty()) << "not retried";
  EXPECT_TRUE(h.registry().abandoned_attempts().empty());
  EXPECT_EQ(h.registry().entry(global_id)->state, storage::entry_state::bound);
}

TEST_F(CreateFlow, A5xxThatMadeTheNetworkIsFoundByItsPendingDescriptionAndBound) {
  h.clouds().add_fault(call_fault("cloudlet-1", bhttp::verb::post, "/v2.0/networks", fault_effect::answer_after_making,
                                  502));
  auto answer = h.send(bhttp::verb::post, "/network/v2.0/networks",
                       json{{"network", {{"name", "net"}, {"description", "mine"}}}});
  ASSERT_EQ(answer.status, 201u) << answer.body;
  auto shown = json::parse(answer.body).at("network");
  auto global_id = shown.at("id").get<std::string>();
  EXPECT_EQ(shown.value("description", ""), "mine") << "the client's description, not the pending one";

  auto made = marked(h.clouds(), "cloudlet-1", "networks", global_id);
  ASSERT_EQ(made.size(), 1u) << "tagged with its marker once found";
  EXPECT_EQ(made[0].value("description", ""), "mine") << "the client's description restored";
  EXPECT_EQ(h.clouds().items("cloudlet-1", "networks").size(), 1u) << "exactly one network exists";
  EXPECT_TRUE(h.registry().abandoned_attempts().empty());
  auto entry = h.registry().entry(global_id);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->state, storage::entry_state::bound);
}

TEST_F(CreateFlow, AnAbandonmentThatCannotBeRecordedEndsTheCreate) {
  h.placement().place_on("cloudlet-2", {"cloudlet-3"});
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::post, "/v2/images", fault_effect::no_answer));
  h.registry().set_unavailable(true, {"abandon"});
  auto answer = h.send(bhttp::verb::post, "/image/v2/images", image_body("cirros"));
  EXPECT_EQ(answer.status, 504u) << answer.body;
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images").empty())
    << "no other cloudlet may be tried: the first may still make it";
  EXPECT_TRUE(h.registry().entries().empty()) << "the reservation goes";
}

TEST_F(CreateFlow, A4xxIsFinal) {
  h.placement().place_on("cloudlet-2", {"cloudlet-3"});
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::post, "/v2/images", fault_effect::answer, 409));
  auto answer = h.send(bhttp::verb::post, "/image/v2/images", image_body("cirros"));
  EXPECT_EQ(answer.status, 409u) << answer.body;
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images").empty());
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-2", bhttp::verb::get, "/v2/images").empty())
    << "a refusal is not looked for";
  EXPECT_TRUE(h.registry().entries().empty());
  EXPECT_TRUE(h.registry().abandoned_attempts().empty());
}

TEST_F(CreateFlow, EveryCandidateFailingAnswersTheLastFailureAndDropsTheReservation) {
  h.placement().place_on("cloudlet-2", {"cloudlet-3"});
  h.clouds().add_fault(call_fault("", bhttp::verb::post, "/v2/images", fault_effect::answer, 503, -1));
  auto answer = h.send(bhttp::verb::post, "/image/v2/images", image_body("cirros"));
  EXPECT_EQ(answer.status, 503u) << answer.body;
  EXPECT_EQ(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2/images").size(), 1u);
  EXPECT_EQ(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images").size(), 1u);
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-1", bhttp::verb::post, "/v2/images").empty())
    << "only the scheduler's candidates";
  EXPECT_TRUE(h.registry().entries().empty());
  EXPECT_EQ(h.registry().abandoned_attempts().size(), 2u);
}

TEST_F(CreateFlow, APinnedAvailabilityZoneIsHonouredWhateverTheSchedulerSays) {
  auto image = global_image({"cloudlet-3"});
  h.placement().place_on("cloudlet-2");
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                       boot_body(image, {{"availability_zone", "cloudlet-3"}}));
  ASSERT_EQ(answer.status, 202u) << answer.body;
  auto global_id = json::parse(answer.body).at("server").at("id").get<std::string>();
  EXPECT_TRUE(api::global_id_owner(global_id));

  ASSERT_EQ(h.placement().asked().size(), 1u);
  EXPECT_EQ(h.placement().asked()[0].availability_zone, "cloudlet-3");
  EXPECT_EQ(marked(h.clouds(), "cloudlet-3", "servers", global_id).size(), 1u);
  EXPECT_EQ(marked_anywhere(h, "servers", global_id), 1u);
  auto sent = h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.1/servers");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_FALSE(json::parse(sent[0].body)["server"].contains("availability_zone"))
    << "inside the chosen cloud its own default zone applies";
}

TEST_F(CreateFlow, AnUnknownPinnedZoneIsRefused) {
  auto image = global_image({"cloudlet-1"});
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                       boot_body(image, {{"availability_zone", "cloudlet-9"}}));
  EXPECT_EQ(answer.status, 400u) << answer.body;
  EXPECT_TRUE(h.clouds().calls_to("", bhttp::verb::post, "/v2.1/servers").empty());
  EXPECT_EQ(h.registry().entries().size(), 1u) << "only the image: nothing reserved";
}

TEST_F(CreateFlow, ACandidateThatCannotBeReadiedForTheBootIsSkipped) {
  // cloudlet-2's m1.tiny has another shape: the boot's flavor cannot be matched there.
  auto admin = h.clouds().admin_token();
  auto tiny = flavor_id("cloudlet-2", "m1.tiny");
  ASSERT_EQ(h.clouds().direct("cloudlet-2", api::service_type::compute, bhttp::verb::delete_, "/v2.1/flavors/" + tiny,
                              admin).status, 202u);
  ASSERT_EQ(h.clouds().direct("cloudlet-2", api::service_type::compute, bhttp::verb::post, "/v2.1/flavors", admin,
                              {{"flavor", {{"name", "m1.tiny"}, {"ram", 1024}, {"vcpus", 1}, {"disk", 1}}}}).status,
            200u);
  auto image = global_image({"cloudlet-1", "cloudlet-2", "cloudlet-3"});
  h.placement().place_on("cloudlet-2", {"cloudlet-3"});
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers", boot_body(image));
  ASSERT_EQ(answer.status, 202u) << answer.body;
  auto global_id = json::parse(answer.body).at("server").at("id").get<std::string>();
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers").empty())
    << "nothing is booted where the flavor differs";
  EXPECT_EQ(marked(h.clouds(), "cloudlet-3", "servers", global_id).size(), 1u);
  EXPECT_TRUE(h.registry().abandoned_attempts().empty()) << "no attempt was made there";
  auto sent = h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.1/servers");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(json::parse(sent[0].body)["server"]["flavorRef"], flavor_id("cloudlet-3", "m1.tiny"))
    << "cloudlet-3's own flavor of that name and shape";
}

TEST_F(CreateFlow, ABootWhoseOnlyCandidateCannotBeReadiedIsAnsweredWhy) {
  auto image = global_image({"cloudlet-1", "cloudlet-2"});
  auto admin = h.clouds().admin_token();
  auto tiny = flavor_id("cloudlet-2", "m1.tiny");
  h.clouds().direct("cloudlet-2", api::service_type::compute, bhttp::verb::delete_, "/v2.1/flavors/" + tiny, admin);
  h.clouds().direct("cloudlet-2", api::service_type::compute, bhttp::verb::post, "/v2.1/flavors", admin,
                    {{"flavor", {{"name", "m1.tiny"}, {"ram", 1024}, {"vcpus", 1}, {"disk", 1}}}});
  h.placement().place_on("cloudlet-2");
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers", boot_body(image));
  EXPECT_EQ(answer.status, 409u) << answer.body;
  EXPECT_NE(answer.body.find("another shape"), std::string::npos) << answer.body;
  EXPECT_EQ(h.registry().entries().size(), 1u) << "only the image: the reservation went";
}

TEST_F(CreateFlow, ASubnetGoesToItsNetworksCloudlet) {
  auto [network_id, local] = network_on("cloudlet-3");

  auto answer = h.send(bhttp::verb::post, "/network/v2.0/subnets",
                       json{{"subnet", {{"network_id", network_id}, {"cidr", "10.2.0.0/24"}, {"ip_version", 4}}}});
  ASSERT_EQ(answer.status, 201u) << answer.body;
  auto shown = json::parse(answer.body).at("subnet");
  EXPECT_EQ(shown.at("network_id"), network_id) << "the client sees the network's global ID";
  auto subnet_id = shown.at("id").get<std::string>();
  auto there = marked(h.clouds(), "cloudlet-3", "subnets", subnet_id);
  ASSERT_EQ(there.size(), 1u);
  EXPECT_EQ(there[0].at("network_id"), local) << "the cloud got its own network ID";
  EXPECT_TRUE(h.placement().asked().empty()) << "the scheduler is not asked";
}

TEST_F(CreateFlow, ABootOnAPortGoesToThePortsCloudletAndNoPinnedZoneMovesIt) {
  // A network of the federation on cloudlet-2 and a port on it made through this agent.
  auto network_id = network_on("cloudlet-2").first;
  auto port = h.send(bhttp::verb::post, "/network/v2.0/ports", json{{"port", {{"network_id", network_id}}}});
  ASSERT_EQ(port.status, 201u) << port.body;
  auto port_id = json::parse(port.body).at("port").at("id").get<std::string>();
  auto port_there = h.registry().entry(port_id)->copies.front();
  ASSERT_EQ(port_there.cloudlet, "cloudlet-2");
  auto image = global_image({"cloudlet-1", "cloudlet-2", "cloudlet-3"});

  // Pinned to another cloudlet: refused before anything is made, naming both zones.
  auto refused = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                        boot_body(image, {{"networks", {{{"port", port_id}}}}, {"availability_zone", "cloudlet-3"}}));
  EXPECT_EQ(refused.status, 400u) << refused.body;
  EXPECT_NE(refused.body.find("cloudlet-2"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("cannot be in availability zone cloudlet-3"), std::string::npos) << refused.body;
  EXPECT_TRUE(h.clouds().calls_to("", bhttp::verb::post, "/v2.1/servers").empty());

  // The scheduler would take cloudlet-3; the port's cloudlet is asked for instead.
  h.placement().place_on("cloudlet-3");
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers", boot_body(image, {{"networks", {{{"port", port_id}}}}}));
  ASSERT_EQ(answer.status, 202u) << answer.body;
  ASSERT_FALSE(h.placement().asked().empty());
  EXPECT_EQ(h.placement().asked().back().availability_zone, "cloudlet-2");
  auto booted = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers");
  ASSERT_EQ(booted.size(), 1u);
  EXPECT_EQ(json::parse(booted[0].body).at("server").at("networks").at(0).at("port"), port_there.local_id)
    << "the cloud got its own port ID";
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.1/servers").empty());
}

TEST_F(CreateFlow, ABootOnItsNetworksOwnCloudletAsksNeutronNothing) {
  // Each first call with a fresh token costs a Keystone validation (docs/conformance.md).
  auto net = h.send(bhttp::verb::post, "/network/v2.0/networks", json{{"network", {{"name", "net"}}}});
  ASSERT_EQ(net.status, 201u) << net.body;
  auto network_id = json::parse(net.body).at("network").at("id").get<std::string>();
  ASSERT_EQ(h.send(bhttp::verb::post, "/network/v2.0/subnets",
                   json{{"subnet", {{"network_id", network_id}, {"cidr", "10.2.0.0/24"}, {"ip_version", 4}}}})
              .status,
            201u);
  auto image = global_image({"cloudlet-1", "cloudlet-2"});
  h.placement().place_on("cloudlet-1");
  h.clouds().clear_log();
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                       boot_body(image, {{"networks", {{{"uuid", network_id}}}}}));
  ASSERT_EQ(answer.status, 202u) << answer.body;
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-1", bhttp::verb::get, "/v2.0/subnets").empty());
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-1", bhttp::verb::get, "/v2.0/networks").empty());
}

TEST_F(CreateFlow, ABootWhoseNetworkLivesElsewhereGetsACopyOfItOnTheTarget) {
  // A network with a subnet on the agent's own cloudlet, made through the agent.
  auto net = h.send(bhttp::verb::post, "/network/v2.0/networks", json{{"network", {{"name", "net"}}}});
  ASSERT_EQ(net.status, 201u) << net.body;
  auto network_id = json::parse(net.body).at("network").at("id").get<std::string>();
  auto sub = h.send(bhttp::verb::post, "/network/v2.0/subnets",
                    json{{"subnet", {{"network_id", network_id}, {"cidr", "10.1.0.0/24"}, {"ip_version", 4}}}});
  ASSERT_EQ(sub.status, 201u) << sub.body;
  auto subnet_id = json::parse(sub.body).at("subnet").at("id").get<std::string>();
  EXPECT_EQ(marked(h.clouds(), "cloudlet-1", "subnets", subnet_id).size(), 1u) << "the subnet went to its network";

  auto image = global_image({"cloudlet-1", "cloudlet-2"});
  h.placement().place_on("cloudlet-2");
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                       boot_body(image, {{"networks", {{{"uuid", network_id}}}}}));
  ASSERT_EQ(answer.status, 202u) << answer.body;
  auto global_id = json::parse(answer.body).at("server").at("id").get<std::string>();
  EXPECT_TRUE(api::global_id_owner(global_id));

  // The network and its subnet were copied to cloudlet-2, marked as copies, and recorded.
  auto network_copies = marked(h.clouds(), "cloudlet-2", "networks", network_id);
  ASSERT_EQ(network_copies.size(), 1u);
  EXPECT_TRUE(api::read_marker(api::service_type::network, network_copies[0])->is_copy);
  auto network_entry = h.registry().entry(network_id);
  ASSERT_TRUE(network_entry);
  ASSERT_TRUE(network_entry->copy_on("cloudlet-2"));
  EXPECT_EQ(network_entry->copy_on("cloudlet-2")->local_id, network_copies[0].at("id").get<std::string>());
  EXPECT_EQ(network_entry->copies.front().cloudlet, "cloudlet-1") << "the primary stays first";
  auto subnet_copies = marked(h.clouds(), "cloudlet-2", "subnets", subnet_id);
  ASSERT_EQ(subnet_copies.size(), 1u);
  EXPECT_EQ(subnet_copies[0].at("network_id"), network_copies[0].at("id"));
  ASSERT_TRUE(h.registry().entry(subnet_id)->copy_on("cloudlet-2"));

  // The server was booted on cloudlet-2, on the copy.
  auto servers = marked(h.clouds(), "cloudlet-2", "servers", global_id);
  ASSERT_EQ(servers.size(), 1u);
  auto local_server = servers[0].at("id").get<std::string>();
  auto sent = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers");
  ASSERT_EQ(sent.size(), 1u);
  auto sent_server = json::parse(sent[0].body).at("server");
  EXPECT_EQ(sent_server.at("networks")[0].at("uuid"), network_copies[0].at("id")) << "local IDs for the cloud";
  EXPECT_EQ(sent_server.at("imageRef"), h.registry().entry(image.global_id)->copy_on("cloudlet-2")->local_id);
  bool attached = false;
  for (const auto& port : h.clouds().items("cloudlet-2", "ports"))
    attached = attached || (port.at("device_id") == local_server && port.at("network_id") == network_copies[0].at("id"));
  EXPECT_TRUE(attached) << "the server's port is on the network copy";

  // The client sees global IDs only.
  EXPECT_EQ(answer.body.find(local_server), std::string::npos) << answer.body;
  EXPECT_NE(answer.body.find(global_id), std::string::npos);
}

TEST_F(CreateFlow, AnAdminsImageForAnotherProjectIsRecordedUnderThatProject) {
  // A first attempt that fails shows the reservation's project: its abandonment is filed there.
  h.placement().place_on("cloudlet-3", {"cloudlet-2"});
  h.clouds().add_fault(call_fault("cloudlet-3", bhttp::verb::post, "/v2/images", fault_effect::answer, 500));
  auto body = image_body("theirs");
  body["owner"] = h.clouds().demo_project_id();
  auto answer = h.send(bhttp::verb::post, "/image/v2/images", body, h.admin_token());
  ASSERT_EQ(answer.status, 201u) << answer.body;
  auto global_id = json::parse(answer.body).at("id").get<std::string>();
  auto entry = h.registry().entry(global_id);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->project_id, h.clouds().demo_project_id());
  auto made = marked(h.clouds(), "cloudlet-2", "images", global_id);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(made[0].value("owner", ""), h.clouds().demo_project_id());
  ASSERT_EQ(h.registry().abandoned_attempts().size(), 1u);
  EXPECT_EQ(h.registry().abandoned_attempts().begin()->second.project_id, h.clouds().demo_project_id())
    << "reserved under the named project from the start";
}

TEST_F(CreateFlow, SeveralServersFromOneBootAreEachRecorded) {
  // min_count/max_count: every server Nova made gets its own entry (lifecycle_flow_test.cpp has the rest).
  auto image = global_image({"cloudlet-1"});
  h.placement().place_on("cloudlet-1");
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers", boot_body(image, {{"min_count", 2}}));
  EXPECT_EQ(answer.status, 202u) << answer.body;
  std::size_t boots = 0;
  for (const auto& call : h.clouds().calls_to("", bhttp::verb::post, "/v2.1/servers")) boots += call.target == "/v2.1/servers";
  EXPECT_EQ(boots, 1u) << "one boot";
  EXPECT_EQ(h.registry().entries().size(), 3u) << "the image and both servers";
}

TEST_F(CreateFlow, ACountThatIsNoNumberIsRefusedBeforeAnythingIsReserved) {
  auto image = global_image({"cloudlet-1"});
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers", boot_body(image, {{"min_count", json::array()}}));
  EXPECT_EQ(answer.status, 400u) << answer.body;
  EXPECT_NE(answer.body.find("min_count"), std::string::npos) << answer.body;
  EXPECT_TRUE(h.placement().asked().empty());
  EXPECT_TRUE(h.clouds().calls_to("", bhttp::verb::post, "/v2.1/servers").empty());
  EXPECT_EQ(h.registry().entries().size(), 1u) << "only the image: nothing reserved";
}

TEST_F(CreateFlow, ABootACloudletsQuotaRefusesIsTriedOnTheNextCandidate) {
  // Each Nova counts its own quota (docs/federation.md, "Quota set"): demo may have no server on cloudlet-2.
  auto image = global_image({"cloudlet-2", "cloudlet-3"});
  auto set = h.clouds().direct("cloudlet-2", api::service_type::compute, bhttp::verb::put,
                               "/v2.1/os-quota-sets/" + h.clouds().demo_project_id(), h.admin_token(),
                               {{"quota_set", {{"instances", 0}}}});
  ASSERT_EQ(set.status, 200u) << set.body;
  h.placement().place_on("cloudlet-2", {"cloudlet-3"});
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers", boot_body(image));
  ASSERT_EQ(answer.status, 202u) << answer.body;
  auto global_id = json::parse(answer.body).at("server").at("id").get<std::string>();

  auto refused = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].status, 403u);
  EXPECT_TRUE(h.clouds().items("cloudlet-2", "servers").empty()) << "the refusal made nothing there";
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-2", bhttp::verb::delete_, "/v2.1/servers").empty()) << "nothing to delete";
  EXPECT_TRUE(h.registry().abandoned_attempts().empty()) << "nothing to reclaim";
  EXPECT_EQ(marked(h.clouds(), "cloudlet-3", "servers", global_id).size(), 1u);
  auto entry = h.registry().entry(global_id);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->state, storage::entry_state::bound);
  EXPECT_EQ(entry->copies.at(0).cloudlet, "cloudlet-3");
}

TEST_F(CreateFlow, ABootRefusedByEveryCloudletsQuotaGetsNovasRefusalAndLeavesNoReservation) {
  auto image = global_image({"cloudlet-2", "cloudlet-3"});
  for (const auto* region : {"cloudlet-2", "cloudlet-3"})
    ASSERT_EQ(h.clouds().direct(region, api::service_type::compute, bhttp::verb::put,
                                "/v2.1/os-quota-sets/" + h.clouds().demo_project_id(), h.admin_token(),
                                {{"quota_set", {{"cores", 0}}}}).status, 200u);
  h.placement().place_on("cloudlet-2", {"cloudlet-3"});
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers", boot_body(image));
  EXPECT_EQ(answer.status, 403u) << answer.body;
  EXPECT_NE(answer.body.find("Quota exceeded for cores"), std::string::npos) << answer.body;
  EXPECT_EQ(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.1/servers").size(), 1u);
  EXPECT_EQ(h.registry().entries().size(), 1u) << "only the image: the boot's reservation is gone";
  EXPECT_TRUE(h.registry().abandoned_attempts().empty());
}

TEST_F(CreateFlow, APolicyRefusalOfABootStaysFinal) {
  auto image = global_image({"cloudlet-2", "cloudlet-3"});
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::post, "/v2.1/servers", fault_effect::answer, 403));
  h.placement().place_on("cloudlet-2", {"cloudlet-3"});
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers", boot_body(image));
  EXPECT_EQ(answer.status, 403u) << answer.body;
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.1/servers").empty()) << "not tried elsewhere";
}

class CreateFlowWithoutRoom : public CreateFlow {
protected:
  CreateFlowWithoutRoom() : CreateFlow(full_cloudlet_2()) {}
  static fake_clouds_options full_cloudlet_2() {
    fake_clouds_options options;
    options.without_capacity = {"cloudlet-2"};
    return options;
  }
};

TEST_F(CreateFlowWithoutRoom, NoValidHostDeletesTheServerThereAndTriesTheNext) {
  auto image = global_image({"cloudlet-2", "cloudlet-3"});
  h.placement().place_on("cloudlet-2", {"cloudlet-3"});
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers", boot_body(image));
  ASSERT_EQ(answer.status, 202u) << answer.body;
  auto global_id = json::parse(answer.body).at("server").at("id").get<std::string>();

  EXPECT_EQ(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers").size(), 1u);
  EXPECT_EQ(h.clouds().calls_to("cloudlet-2", bhttp::verb::delete_, "/v2.1/servers").size(), 1u);
  EXPECT_TRUE(marked(h.clouds(), "cloudlet-2", "servers", global_id).empty()) << "the ERROR server is deleted";
  EXPECT_EQ(marked(h.clouds(), "cloudlet-3", "servers", global_id).size(), 1u);
  EXPECT_TRUE(h.registry().abandoned_attempts().empty()) << "deleted, so the record is forgotten";
  auto entry = h.registry().entry(global_id);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->copies.at(0).cloudlet, "cloudlet-3");
}

} // namespace
} // namespace fedstack::agent::testing
