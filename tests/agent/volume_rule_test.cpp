// Where volumes, snapshots and boots with volumes go; which attachments are refused
// (agent/rules/volume_rule.hpp); and which flow answers a volume call.
#include "agent/rules/volume_rule.hpp"
#include "agent/rules/volume_zone.hpp"

#include <gtest/gtest.h>

#include "agent/rules/flow_choice.hpp"
#include "agent/rules/resource_kinds.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using boost::beast::http::verb;
using storage::resource_kind;

constexpr const char* project = "075a8a3d2acb45d896abd52d5e055929";
constexpr const char* gid = "1f0c2a77-5e1b-8d4e-9a3c-7f0000011283";

TEST(volume_rule, reads_a_volume_create) {
  auto needs = read_volume_create(resource_kind::volume,
                                  {{"volume", {{"size", 3}, {"availability_zone", "cloudlet-2"}}}});
  EXPECT_EQ(needs.pinned_zone, "cloudlet-2");
  EXPECT_EQ(needs.size_gb, 3);
  EXPECT_TRUE(needs.source_id.empty());
  auto from_snapshot = read_volume_create(resource_kind::volume, {{"volume", {{"snapshot_id", gid}}}});
  EXPECT_EQ(from_snapshot.source_id, gid);
  EXPECT_EQ(from_snapshot.source_kind, resource_kind::volume_snapshot);
  auto cloned = read_volume_create(resource_kind::volume, {{"volume", {{"source_volid", gid}}}});
  EXPECT_EQ(cloned.source_id, gid);
  EXPECT_EQ(cloned.source_kind, resource_kind::volume);
  auto snapshot = read_volume_create(resource_kind::volume_snapshot, {{"snapshot", {{"volume_id", gid}}}});
  EXPECT_EQ(snapshot.source_id, gid);
  EXPECT_TRUE(read_volume_create(resource_kind::volume, json::array()).source_id.empty());
}

TEST(volume_rule, makes_what_comes_from_a_source_on_its_cloudlet) {
  volume_create_needs needs;
  needs.source_id = gid;
  auto placed = place_at_source(needs, "cloudlet-3");
  EXPECT_EQ(placed.cloudlet, "cloudlet-3");
  EXPECT_FALSE(placed.refusal);
  needs.pinned_zone = "cloudlet-3";
  EXPECT_FALSE(place_at_source(needs, "cloudlet-3").refusal);
  needs.pinned_zone = "cloudlet-1";
  auto refused = place_at_source(needs, "cloudlet-3");
  ASSERT_TRUE(refused.refusal);
  EXPECT_NE(refused.refusal->find("cloudlet-3"), std::string::npos);
  EXPECT_NE(refused.refusal->find("cloudlet-1"), std::string::npos);
}

TEST(volume_rule, finds_a_boots_volumes_and_image) {
  json server = {{"block_device_mapping_v2",
                  json::array({{{"source_type", "volume"}, {"uuid", gid}, {"boot_index", 0}},
                               {{"source_type", "blank"}, {"volume_size", 1}},
                               {{"source_type", "snapshot"}, {"uuid", "snap"}}})}};
  EXPECT_EQ(boot_volume_ids(server), (std::vector<std::string>{gid, "snap"}));
  EXPECT_TRUE(boot_volume_image(server).empty());
  json from_image = {{"block_device_mapping_v2",
                      json::array({{{"source_type", "image"}, {"uuid", gid}, {"destination_type", "volume"}}})}};
  EXPECT_EQ(boot_volume_image(from_image), gid);
  EXPECT_TRUE(boot_volume_ids(from_image).empty());
  EXPECT_TRUE(boot_volume_ids(json::object()).empty());
}

TEST(volume_rule, finds_the_volumes_of_a_legacy_block_device_mapping) {
  // novaclient's block_device_mapping={"vda": "<id>:::0"} (Rally's boot from volume) and "<id>:snap".
  json server = {{"imageRef", ""},
                 {"block_device_mapping",
                  json::array({{{"device_name", "vda"}, {"volume_id", gid}, {"delete_on_termination", "0"}},
                               {{"device_name", "vdb"}, {"snapshot_id", "snap"}},
                               {{"device_name", "vdc"}, {"no_device", true}}})}};
  EXPECT_EQ(boot_volume_ids(server), (std::vector<std::string>{gid, "snap"}));
}

TEST(volume_rule, boots_where_its_volumes_are) {
  auto none = place_boot_with_volumes("cloudlet-1", {});
  EXPECT_EQ(none.cloudlet, "cloudlet-1");
  EXPECT_FALSE(none.refusal);
  auto one = place_boot_with_volumes("", {"cloudlet-2", "cloudlet-2"});
  EXPECT_EQ(one.cloudlet, "cloudlet-2");
  EXPECT_FALSE(one.refusal);
  EXPECT_FALSE(place_boot_with_volumes("cloudlet-2", {"cloudlet-2"}).refusal);
  EXPECT_TRUE(place_boot_with_volumes("cloudlet-1", {"cloudlet-2"}).refusal);
  EXPECT_TRUE(place_boot_with_volumes("", {"cloudlet-2", "cloudlet-3"}).refusal);
}

TEST(volume_rule, refuses_an_attachment_across_cloudlets_naming_both) {
  EXPECT_FALSE(cross_cloudlet_attachment("v", "cloudlet-2", "s", "cloudlet-2"));
  auto why = cross_cloudlet_attachment("v", "cloudlet-2", "s", "cloudlet-3");
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("cloudlet-2"), std::string::npos);
  EXPECT_NE(why->find("cloudlet-3"), std::string::npos);
  auto attach = api::classify("POST", std::string("/compute/v2.1/servers/") + gid + "/os-volume_attachments");
  EXPECT_TRUE(is_volume_attachment_change(attach, verb::post));
  auto swap = api::classify("PUT", std::string("/compute/v2.1/servers/") + gid + "/os-volume_attachments/" + gid);
  EXPECT_TRUE(is_volume_attachment_change(swap, verb::put));
  auto detach = api::classify("DELETE", std::string("/compute/v2.1/servers/") + gid + "/os-volume_attachments/" + gid);
  EXPECT_FALSE(is_volume_attachment_change(detach, verb::delete_));
}

// Seen with Tempest through an agent: `?availability_zone=RegionOne` (the zone the agent
// shows) reached Cinder, whose zone is "nova", and the list came back empty.
TEST(volume_rule, a_zone_filter_asks_only_that_cloudlet_without_the_filter) {
  EXPECT_EQ(volume_zone_filter("availability_zone=cloudlet-2&name=v1", "cloudlet-2"), "name=v1");
  EXPECT_EQ(volume_zone_filter("availability_zone=cloudlet-2", "cloudlet-1"), std::nullopt);
  EXPECT_EQ(volume_zone_filter("availability_zone=nova", "cloudlet-1"), std::nullopt)
    << "a cloud's own zone name is no zone of the federation";
  EXPECT_EQ(volume_zone_filter("name=v1&status=available", "cloudlet-1"), "name=v1&status=available");
}

TEST(volume_flow_choice, records_volumes_and_snapshots_and_merges_their_lists) {
  auto base = std::string("/volume/v3/") + project;
  auto create = api::classify("POST", base + "/volumes");
  EXPECT_EQ(kind_of(create), resource_kind::volume);
  EXPECT_EQ(choose_flow(create, verb::post, false).flow, flow::create);
  EXPECT_EQ(kind_of(api::classify("POST", base + "/snapshots")), resource_kind::volume_snapshot);
  EXPECT_EQ(choose_flow(api::classify("GET", base + "/volumes/detail"), verb::get, false).flow, flow::list);
  EXPECT_EQ(choose_flow(api::classify("GET", base + "/volumes"), verb::get, false).flow, flow::list);
  EXPECT_EQ(choose_flow(api::classify("GET", base + "/snapshots/detail"), verb::get, false).flow, flow::list);
  auto action = api::classify("POST", base + "/volumes/" + gid + "/action");
  EXPECT_EQ(choose_flow(action, verb::post, false).flow, flow::recorded_resource);
  auto removed = choose_flow(api::classify("DELETE", base + "/volumes/" + gid), verb::delete_, false);
  EXPECT_EQ(removed.flow, flow::recorded_resource);
  EXPECT_EQ(removed.call, resource_call::delete_everywhere);
  // Volume types are the federation's, as flavors are.
  EXPECT_EQ(choose_flow(api::classify("GET", base + "/types"), verb::get, false).flow, flow::volume_type);
  EXPECT_EQ(choose_flow(api::classify("GET", "/volume"), verb::get, false).flow, flow::version_document);
}

} // namespace
} // namespace fedstack::agent
