// Volumes across cloudlets (docs/federation.md, "Volumes"; agent/flows/volumes.hpp,
// rules/volume_rule.hpp): through the agent's handler (own cloudlet: cloudlet-1)
// against fake clouds running the simulator's Cinder and Nova.

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;

class VolumeFlow : public ::testing::Test {
protected:
  std::string base() { return "/volume/v3/" + h.clouds().demo_project_id(); }

  /// demo's volume made through the agent; its global ID.
  std::string create(const std::string& zone, int size = 1, const std::string& name = "v") {
    json volume = {{"size", size}, {"name", name}};
    if (!zone.empty()) volume["availability_zone"] = zone;
    auto answer = h.send(bhttp::verb::post, base() + "/volumes", {{"volume", volume}});
    EXPECT_EQ(answer.status, 202u) << answer.body;
    return json::parse(answer.body).at("volume").at("id");
  }

  /// Every volume on `region` as the admin sees it, straight from its Cinder.
  json volumes_on(const std::string& region) {
    auto answer = h.clouds().direct(region, api::service_type::volume, bhttp::verb::get,
                                    "/v3/" + h.clouds().admin_project_id() + "/volumes/detail?all_tenants=1",
                                    h.clouds().admin_token(), nullptr);
    EXPECT_EQ(answer.status, 200u) << answer.body;
    return json::parse(answer.body).at("volumes");
  }

  json marked_on(const std::string& region, const std::string& global_id) {
    json out = json::array();
    for (const auto& v : volumes_on(region))
      if (v.value("metadata", json::object()).value("fedstack_gid", "") == global_id) out.push_back(v);
    return out;
  }

  flow_harness h;
};

TEST_F(VolumeFlow, APinnedCreateIsMadeOnItsCloudletMarkedAndAnsweredWithItsGlobalID) {
  auto id = create("cloudlet-2");
  ASSERT_TRUE(api::global_id_owner(id));
  auto there = marked_on("cloudlet-2", id);
  ASSERT_EQ(there.size(), 1u);
  EXPECT_TRUE(marked_on("cloudlet-1", id).empty());
  EXPECT_TRUE(marked_on("cloudlet-3", id).empty());
  auto entry = h.registry().entry(id);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->kind, resource_kind::volume);
  EXPECT_EQ(entry->copies.front().cloudlet, "cloudlet-2");
  EXPECT_EQ(entry->copies.front().local_id, there[0].at("id"));
  auto shown = h.send(bhttp::verb::get, base() + "/volumes/" + id);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  auto volume = json::parse(shown.body).at("volume");
  EXPECT_EQ(volume.at("id"), id);
  EXPECT_EQ(volume.at("availability_zone"), "cloudlet-2");
  EXPECT_FALSE(volume.value("metadata", json::object()).contains("fedstack_gid"));
  EXPECT_EQ(shown.body.find(there[0].at("id").get<std::string>()), std::string::npos) << "no cloud ID shown";
}

TEST_F(VolumeFlow, AnUnpinnedCreateGoesWhereTheSchedulerSays) {
  h.placement().place_on("cloudlet-3");
  auto id = create("");
  EXPECT_EQ(marked_on("cloudlet-3", id).size(), 1u);
  auto refused = h.send(bhttp::verb::post, base() + "/volumes",
                        {{"volume", {{"size", 1}, {"availability_zone", "nowhere"}}}});
  EXPECT_EQ(refused.status, 400u) << refused.body;
}

TEST_F(VolumeFlow, ShowExtendAndDeleteReachTheVolumesCloudlet) {
  auto id = create("cloudlet-2");
  auto extended = h.send(bhttp::verb::post, base() + "/volumes/" + id + "/action", {{"os-extend", {{"new_size", 3}}}});
  EXPECT_EQ(extended.status, 202u) << extended.body;
  EXPECT_EQ(marked_on("cloudlet-2", id).at(0).at("size"), 3);
  auto deleted = h.send(bhttp::verb::delete_, base() + "/volumes/" + id);
  EXPECT_EQ(deleted.status, 202u) << deleted.body;
  EXPECT_FALSE(h.registry().entry(id));
  auto gone = h.send(bhttp::verb::get, base() + "/volumes/" + id);
  EXPECT_EQ(gone.status, 404u);
}

TEST_F(VolumeFlow, ASnapshotIsMadeOnItsVolumesCloudlet) {
  h.placement().place_on("cloudlet-1");
  auto id = create("cloudlet-3");
  auto answer = h.send(bhttp::verb::post, base() + "/snapshots", {{"snapshot", {{"volume_id", id}, {"name", "s"}}}});
  ASSERT_EQ(answer.status, 202u) << answer.body;
  auto snapshot = json::parse(answer.body).at("snapshot");
  EXPECT_TRUE(api::global_id_owner(snapshot.at("id").get<std::string>()));
  EXPECT_EQ(snapshot.at("volume_id"), id);
  auto entry = h.registry().entry(snapshot.at("id").get<std::string>());
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->kind, resource_kind::volume_snapshot);
  EXPECT_EQ(entry->copies.front().cloudlet, "cloudlet-3");
}

TEST_F(VolumeFlow, AnotherProjectsVolumeIsAnsweredAsAnIdNobodyMade) {
  auto admin_volume = h.send(bhttp::verb::post, "/volume/v3/" + h.clouds().admin_project_id() + "/volumes",
                             {{"volume", {{"size", 1}, {"availability_zone", "cloudlet-2"}}}}, h.admin_token());
  ASSERT_EQ(admin_volume.status, 202u) << admin_volume.body;
  auto theirs = json::parse(admin_volume.body).at("volume").at("id").get<std::string>();
  auto owner = *api::global_id_owner(theirs);
  auto nobodys = *api::make_global_id(owner);
  for (const auto& id : {theirs, nobodys}) {
    auto shown = h.send(bhttp::verb::get, base() + "/volumes/" + id);
    EXPECT_EQ(shown.status, 404u);
    EXPECT_EQ(json::parse(shown.body),
              (json{{"itemNotFound", {{"code", 404}, {"message", "Volume " + id + " could not be found."}}}}));
    EXPECT_EQ(h.send(bhttp::verb::delete_, base() + "/volumes/" + id).status, 404u);
  }
  EXPECT_EQ(marked_on("cloudlet-2", theirs).size(), 1u) << "demo's delete left the admin's volume";
  // The admin acts on demo's volume through this agent.
  auto mine = create("cloudlet-3");
  auto by_admin = h.send(bhttp::verb::get, "/volume/v3/" + h.clouds().admin_project_id() + "/volumes/" + mine,
                         nullptr, h.admin_token());
  EXPECT_EQ(by_admin.status, 200u) << by_admin.body;
}

TEST_F(VolumeFlow, ACreateWhoseAnswerWasLostIsFoundByItsMarker) {
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::post, "/v3/" + h.clouds().demo_project_id() + "/volumes",
                                  fault_effect::no_answer_after_making));
  auto id = create("cloudlet-2");
  EXPECT_EQ(marked_on("cloudlet-2", id).size(), 1u) << "one volume, bound, not two";
}

} // namespace
} // namespace fedstack::agent::testing
