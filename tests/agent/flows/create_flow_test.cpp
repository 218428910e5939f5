// Creates through the agent's handler against fake clouds and a fake registry
// (flow_harness.hpp): where they go, what is recorded, what the client sees.

#include <gtest/gtest.h>

#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;

json image_body(const std::string& name) {
  return json{{"name", name}, {"disk_format", "qcow2"}, {"container_format", "bare"}};
}

/// The images on `region` carrying the marker of `global_id`.
std::vector<json> marked_images(fake_clouds& clouds, const std::string& region, const std::string& global_id) {
  std::vector<json> out;
  for (const auto& image : clouds.items(region, "images"))
    if (image.value(std::string(api::gid_key), std::string{}) == global_id) out.push_back(image);
  return out;
}

class CreateFlow : public ::testing::Test {
protected:
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

  auto made = marked_images(h.clouds(), "cloudlet-2", global_id);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_TRUE(marked_images(h.clouds(), "cloudlet-1", global_id).empty());
  EXPECT_TRUE(marked_images(h.clouds(), "cloudlet-3", global_id).empty());

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

} // namespace
} // namespace fedstack::agent::testing
