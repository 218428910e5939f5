// Which calls a flow makes to another cloudlet one after another and which
// together: across sites each call in turn costs a round trip (bench/wan/,
// docs/performance.md, "Across a WAN"). The fake clouds yield once before each
// answer (overlap_calls), so that calls made together are seen in flight at once.

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

} // namespace
} // namespace fedstack::agent::testing
