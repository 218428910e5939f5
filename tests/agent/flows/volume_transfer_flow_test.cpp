// Volume transfers across cloudlets (docs/federation.md, "Volume transfers";
// agent/flows/volume_transfers.hpp): through the agent's handler (own cloudlet:
// cloudlet-1) against fake clouds running the simulator's Cinder. demo gives a volume
// of cloudlet-2; the admin's project is the other project that accepts it.

#include <algorithm>

#include <gtest/gtest.h>

#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;

class VolumeTransferFlow : public ::testing::Test {
protected:
  std::string demo() { return "/volume/v3/" + h.clouds().demo_project_id(); }
  std::string admin() { return "/volume/v3/" + h.clouds().admin_project_id(); }

  std::string create_volume() {
    auto answer = h.send(bhttp::verb::post, demo() + "/volumes",
                         {{"volume", {{"size", 1}, {"availability_zone", "cloudlet-2"}}}});
    EXPECT_EQ(answer.status, 202u) << answer.body;
    return json::parse(answer.body).at("volume").at("id");
  }

  /// demo's transfer of `volume`: its answer.
  json offer(const std::string& volume) {
    auto answer = h.send(bhttp::verb::post, demo() + "/os-volume-transfer", {{"transfer", {{"volume_id", volume}}}});
    EXPECT_EQ(answer.status, 202u) << answer.body;
    return json::parse(answer.body).at("transfer");
  }

  /// demo's snapshot of `volume` made through the agent; its global ID.
  std::string snapshot(const std::string& volume) {
    auto answer = h.send(bhttp::verb::post, demo() + "/snapshots", {{"snapshot", {{"volume_id", volume}}}});
    EXPECT_EQ(answer.status, 202u) << answer.body;
    return json::parse(answer.body).at("snapshot").at("id");
  }

  json transfers_on(const std::string& region) {
    auto answer = h.clouds().direct(region, api::service_type::volume, bhttp::verb::get,
                                    "/v3/" + h.clouds().admin_project_id() + "/os-volume-transfer?all_tenants=1",
                                    h.clouds().admin_token(), nullptr);
    EXPECT_EQ(answer.status, 200u) << answer.body;
    return json::parse(answer.body).at("transfers");
  }

  flow_harness h;
};

TEST_F(VolumeTransferFlow, ATransferIsMadeOnItsVolumesCloudletAndShownThroughTheAgent) {
  auto volume = create_volume();
  auto t = offer(volume);
  EXPECT_EQ(t.at("volume_id"), volume) << "the volume by its global ID";
  EXPECT_EQ(t.at("auth_key").get<std::string>().size(), 16u);
  auto id = t.at("id").get<std::string>();
  ASSERT_EQ(transfers_on("cloudlet-2").size(), 1u);
  EXPECT_EQ(transfers_on("cloudlet-2")[0].at("id"), id) << "Cinder's own ID, on the volume's cloudlet";
  EXPECT_TRUE(transfers_on("cloudlet-1").empty());
  auto shown = h.send(bhttp::verb::get, demo() + "/os-volume-transfer/" + id);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("transfer").at("volume_id"), volume);
  auto listed = h.send(bhttp::verb::get, demo() + "/os-volume-transfer/detail");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  auto items = json::parse(listed.body).at("transfers");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("volume_id"), volume);
  auto deleted = h.send(bhttp::verb::delete_, demo() + "/os-volume-transfer/" + id);
  EXPECT_EQ(deleted.status, 202u) << deleted.body;
  EXPECT_TRUE(transfers_on("cloudlet-2").empty());
  auto again = h.send(bhttp::verb::get, demo() + "/volumes/" + volume);
  EXPECT_EQ(json::parse(again.body).at("volume").at("status"), "available");
}

TEST_F(VolumeTransferFlow, AnAcceptedVolumeAndItsEntryGoToTheAcceptingProject) {
  auto volume = create_volume();
  auto t = offer(volume);
  auto id = t.at("id").get<std::string>();
  // A wrong key: Cinder's 400 from the cloudlet holding it, the volume still demo's.
  auto wrong = h.send(bhttp::verb::post, admin() + "/os-volume-transfer/" + id + "/accept",
                      {{"accept", {{"auth_key", "0123456789abcdef"}}}}, h.admin_token());
  EXPECT_EQ(wrong.status, 400u) << wrong.body;
  EXPECT_NE(wrong.body.find("invalid auth key"), std::string::npos) << wrong.body;
  EXPECT_EQ(h.registry().entry(volume)->project_id, h.clouds().demo_project_id());
  auto log = h.registry().call_log();
  EXPECT_EQ(std::count(log.begin(), log.end(), "give"), 0);
  // An ID no cloudlet holds: every Cinder's 404.
  auto unknown = h.send(bhttp::verb::post, admin() + "/os-volume-transfer/" + volume + "/accept",
                        {{"accept", {{"auth_key", t.at("auth_key")}}}}, h.admin_token());
  EXPECT_EQ(unknown.status, 404u) << unknown.body;
  auto accepted = h.send(bhttp::verb::post, admin() + "/os-volume-transfer/" + id + "/accept",
                         {{"accept", {{"auth_key", t.at("auth_key")}}}}, h.admin_token());
  ASSERT_EQ(accepted.status, 202u) << accepted.body;
  EXPECT_EQ(json::parse(accepted.body).at("transfer").at("volume_id"), volume);
  auto entry = h.registry().entry(volume);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->project_id, h.clouds().admin_project_id()) << "the entry followed the volume";
  EXPECT_EQ(entry->copies.front().cloudlet, "cloudlet-2");
  EXPECT_EQ(h.send(bhttp::verb::get, demo() + "/volumes/" + volume).status, 404u) << "the giver no longer sees it";
  auto mine = h.send(bhttp::verb::get, admin() + "/volumes/" + volume, nullptr, h.admin_token());
  ASSERT_EQ(mine.status, 200u) << mine.body;
  EXPECT_EQ(json::parse(mine.body).at("volume").at("id"), volume);
  // The new owner deletes it: its entry goes with it.
  EXPECT_EQ(h.send(bhttp::verb::delete_, admin() + "/volumes/" + volume, nullptr, h.admin_token()).status, 202u);
  EXPECT_FALSE(h.registry().entry(volume));
}

// Cinder moves a volume's snapshots with it (unless no_snapshots): their entries
// follow to the accepting project, who reaches them by their global IDs; a snapshot of
// another volume stays the giver's.
TEST_F(VolumeTransferFlow, AnAcceptedVolumesSnapshotsEntriesFollowIt) {
  auto volume = create_volume();
  auto first = snapshot(volume), second = snapshot(volume);
  auto kept = snapshot(create_volume());
  auto t = offer(volume);
  auto accepted = h.send(bhttp::verb::post, admin() + "/os-volume-transfer/" + t.at("id").get<std::string>() + "/accept",
                         {{"accept", {{"auth_key", t.at("auth_key")}}}}, h.admin_token());
  ASSERT_EQ(accepted.status, 202u) << accepted.body;
  for (const auto& s : {first, second}) {
    ASSERT_TRUE(h.registry().entry(s));
    EXPECT_EQ(h.registry().entry(s)->project_id, h.clouds().admin_project_id()) << "followed the volume";
    auto shown = h.send(bhttp::verb::get, admin() + "/snapshots/" + s, nullptr, h.admin_token());
    ASSERT_EQ(shown.status, 200u) << shown.body;
    EXPECT_EQ(json::parse(shown.body).at("snapshot").at("id"), s);
    EXPECT_EQ(json::parse(shown.body).at("snapshot").at("volume_id"), volume);
    EXPECT_EQ(h.send(bhttp::verb::get, demo() + "/snapshots/" + s).status, 404u) << "the giver no longer sees it";
  }
  EXPECT_EQ(h.registry().entry(kept)->project_id, h.clouds().demo_project_id()) << "another volume's snapshot";
  EXPECT_EQ(h.send(bhttp::verb::get, demo() + "/snapshots/" + kept).status, 200u);
}

// A transfer made with no_snapshots (3.55): Cinder leaves the snapshots with the giver,
// and so do their entries.
TEST_F(VolumeTransferFlow, SnapshotsATransferLeftBehindKeepTheirEntries) {
  auto volume = create_volume();
  auto left = snapshot(volume);
  bhttp::fields v355;
  v355.set("OpenStack-API-Version", "volume 3.55");
  auto offered = h.send(bhttp::verb::post, demo() + "/volume-transfers",
                        {{"transfer", {{"volume_id", volume}, {"no_snapshots", true}}}}, {}, v355);
  ASSERT_EQ(offered.status, 202u) << offered.body;
  auto t = json::parse(offered.body).at("transfer");
  auto accepted = h.send(bhttp::verb::post, admin() + "/volume-transfers/" + t.at("id").get<std::string>() + "/accept",
                         {{"accept", {{"auth_key", t.at("auth_key")}}}}, h.admin_token(), v355);
  ASSERT_EQ(accepted.status, 202u) << accepted.body;
  EXPECT_EQ(h.registry().entry(volume)->project_id, h.clouds().admin_project_id());
  EXPECT_EQ(h.registry().entry(left)->project_id, h.clouds().demo_project_id()) << "Cinder kept it in demo's project";
  EXPECT_EQ(h.send(bhttp::verb::get, demo() + "/snapshots/" + left).status, 200u);
}

} // namespace
} // namespace fedstack::agent::testing
