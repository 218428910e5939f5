// Which calls a flow makes to another cloudlet one after another and which
// together: across sites each call in turn costs a round trip (bench/wan/,
// docs/performance.md, "Across a WAN"). The fake clouds yield once before each
// answer (overlap_calls), so that calls made together are seen in flight at once.

#include <map>

#include <gtest/gtest.h>

#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;

fake_clouds_options overlapping() {
  fake_clouds_options options;
  options.overlap_calls = true;
  return options;
}

class RoundTrips : public ::testing::Test {
protected:
  RoundTrips() : h(overlapping()) {}

  std::string flavor_id(const std::string& region, const std::string& name) {
    auto listed = h.clouds().direct(region, api::service_type::compute, bhttp::verb::get, "/v2.1/flavors",
                                    h.demo_token());
    auto doc = json::parse(listed.body);   // named: a range-for over a temporary's member dangles
    for (const auto& f : doc.at("flavors"))
      if (f.value("name", std::string{}) == name) return f.value("id", std::string{});
    ADD_FAILURE() << "no flavor " << name << " on " << region << ": " << listed.body;
    return {};
  }

  flow_harness h;
};

TEST_F(RoundTrips, BootElsewhereAsksForTheFlavorByIdAndForTheFlavorListTogether) {
  // The image has its copy on cloudlet-2 already: only the flavor is looked for there.
  auto global_id = h.registry().new_global_id();
  std::vector<storage::cloud_copy> copies;
  for (const std::string region : {"cloudlet-1", "cloudlet-2"}) {
    json fields{{"name", "cirros"}};
    fields[std::string(region == "cloudlet-1" ? api::gid_key : api::copy_of_key)] = global_id;
    copies.push_back({region, h.clouds().seed_image(region, h.demo_token(), fields)});
  }
  h.record(resource_kind::image, h.clouds().demo_project_id(), copies, "cirros", global_id);
  auto tiny_here = flavor_id("cloudlet-1", "m1.tiny");
  auto tiny_there = flavor_id("cloudlet-2", "m1.tiny");
  ASSERT_NE(tiny_here, tiny_there) << "the simulator numbers flavors per cloudlet, as clouds do";

  // What cloudlet-2 holds before, plus the copies it should hold after.
  std::map<std::string, std::size_t> before;
  for (const std::string collection : {"networks", "subnets", "images"})
    before[collection] = h.clouds().items("cloudlet-2", collection).size() + 1;

  h.placement().place_on("cloudlet-2");
  h.clouds().clear_log();
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                       {{"server", {{"name", "vm"}, {"imageRef", global_id}, {"flavorRef", tiny_here}}}});
  ASSERT_EQ(answer.status, 202u) << answer.body;

  auto by_id = h.clouds().calls_to("cloudlet-2", bhttp::verb::get, "/v2.1/flavors/" + tiny_here);
  auto listed = h.clouds().calls_to("cloudlet-2", bhttp::verb::get, "/v2.1/flavors/detail");
  ASSERT_EQ(by_id.size(), 1u);
  EXPECT_EQ(by_id[0].status, 404u) << "cloudlet-2 has no flavor under cloudlet-1's ID";
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_GE(listed[0].in_flight, 1) << "the list is asked for while the flavor by its ID is: one round trip, not two";

  // The boot still found cloudlet-2's own m1.tiny by its name and shape.
  auto booted = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers");
  ASSERT_EQ(booted.size(), 1u);
  EXPECT_EQ(json::parse(booted[0].body).at("server").at("flavorRef"), tiny_there) << booted[0].body;
}

TEST_F(RoundTrips, BootElsewhereCopiesTheImageAndTheNetworkTogether) {
  // A network with a subnet on the agent's own cloudlet, and an image there only.
  auto net = h.send(bhttp::verb::post, "/network/v2.0/networks", json{{"network", {{"name", "net"}}}});
  ASSERT_EQ(net.status, 201u) << net.body;
  auto network_id = json::parse(net.body).at("network").at("id").get<std::string>();
  auto sub = h.send(bhttp::verb::post, "/network/v2.0/subnets",
                    json{{"subnet", {{"network_id", network_id}, {"cidr", "10.1.0.0/24"}, {"ip_version", 4}}}});
  ASSERT_EQ(sub.status, 201u) << sub.body;
  auto subnet_id = json::parse(sub.body).at("subnet").at("id").get<std::string>();
  auto image_id = h.registry().new_global_id();
  json fields{{"name", "cirros"}, {std::string(api::gid_key), image_id}};
  h.record(resource_kind::image, h.clouds().demo_project_id(),
           {{"cloudlet-1", h.clouds().seed_image("cloudlet-1", h.demo_token(), fields)}}, "cirros", image_id);
  // The image copy's create fails on cloudlet-2 (its bytes cannot be streamed
  // between fake clouds anyway): the network copy still ends as it would alone.
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::post, "/v2/images", fault_effect::answer, 500));

  // What cloudlet-2 holds before, plus the copies it should hold after.
  std::map<std::string, std::size_t> before;
  for (const std::string collection : {"networks", "subnets", "images"})
    before[collection] = h.clouds().items("cloudlet-2", collection).size() + 1;

  h.placement().place_on("cloudlet-2");
  h.clouds().clear_log();
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                       {{"server", {{"name", "vm"},
                                    {"imageRef", image_id},
                                    {"flavorRef", flavor_id("cloudlet-1", "m1.tiny")},
                                    {"networks", {{{"uuid", network_id}}}}}}});
  EXPECT_EQ(answer.status, 503u) << answer.body;

  // The network copy's first call is made while the image copy's are in flight.
  const logged_call* first_network_call = nullptr;
  for (const auto& call : h.clouds().calls())
    if (call.service == api::service_type::network) {
      first_network_call = &call;
      break;
    }
  ASSERT_NE(first_network_call, nullptr) << "the network was copied although the image copy failed";
  EXPECT_GE(first_network_call->in_flight, 1) << first_network_call->target
                                              << ": the network copy waited for the image copy";
  ASSERT_EQ(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2/images").size(), 1u);

  // What was made is marked as a copy and recorded on its entry; nothing is left unmarked.
  std::map<std::string, std::string> copied{{"networks", network_id}, {"subnets", subnet_id}};
  for (const auto& [collection, global_id] : copied) {
    auto items = h.clouds().items("cloudlet-2", collection);
    EXPECT_EQ(items.size(), before[collection]) << collection << ": one more, the copy";
    int copies = 0;
    for (const auto& item : items) {
      auto marker = api::read_marker(api::service_type::network, item);
      if (!marker || marker->global_id != global_id) continue;
      ++copies;
      EXPECT_TRUE(marker->is_copy) << item.dump();
      auto entry = h.registry().entry(global_id);
      ASSERT_TRUE(entry && entry->copy_on("cloudlet-2")) << collection;
      EXPECT_EQ(entry->copy_on("cloudlet-2")->local_id, item.at("id").get<std::string>());
    }
    EXPECT_EQ(copies, 1) << collection;
  }
  EXPECT_EQ(h.clouds().items("cloudlet-2", "images").size(), before["images"] - 1) << "the failed create made nothing";
  EXPECT_TRUE(h.registry().abandoned_attempts().empty());
}

} // namespace
} // namespace fedstack::agent::testing
