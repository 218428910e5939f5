// Images made on a cloud directly (docs/federation.md, "Images made on a
// cloud directly"): equal images, the holder of a cloud ID, the adopted record,
// and the reconciler against it.

#include <tuple>

#include <gtest/gtest.h>

#include "agent/rules/direct_image_rule.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

json image(std::string id, std::string checksum = "c1", std::string owner = "admin-project",
           std::string name = "cirros") {
  return {{"id", std::move(id)}, {"name", std::move(name)}, {"checksum", std::move(checksum)},
          {"owner", std::move(owner)}, {"status", "active"}, {"visibility", "public"}};
}

TEST(DirectImageRule, EqualImagesShareOwnerNameAndBytes) {
  EXPECT_TRUE(equal_images(image("a"), image("b")));
  EXPECT_FALSE(equal_images(image("a"), image("b", "c2"))) << "other bytes";
  EXPECT_FALSE(equal_images(image("a"), image("b", "c1", "demo-project"))) << "a look-alike of another project";
  EXPECT_FALSE(equal_images(image("a"), image("b", "c1", "admin-project", "cirros-2"))) << "another name";
  auto queued = image("b");
  queued["status"] = "queued";
  EXPECT_FALSE(equal_images(image("a"), queued)) << "no bytes yet";
  auto no_checksum = image("b", "");
  EXPECT_FALSE(equal_images(no_checksum, no_checksum)) << "nothing to compare";
  auto a = image("a"), b = image("b");
  a["os_hash_value"] = "h1";
  b["os_hash_value"] = "h2";
  EXPECT_FALSE(equal_images(a, b)) << "the stronger hash differs";
}

TEST(DirectImageRule, TheHolderIsTheOwnCloudletElseTheFirstByRegionUnlessTheyDiffer) {
  EXPECT_FALSE(choose_image_holder({}, "cloudlet-1").cloudlet) << "shown nowhere: unknown";
  auto own = choose_image_holder({{"cloudlet-3", image("x")}, {"cloudlet-1", image("x", "other")}}, "cloudlet-1");
  EXPECT_EQ(own.cloudlet, "cloudlet-1") << "this agent's cloudlet, whatever the others hold";
  auto first = choose_image_holder({{"cloudlet-3", image("x")}, {"cloudlet-2", image("x")}}, "cloudlet-1");
  EXPECT_EQ(first.cloudlet, "cloudlet-2");
  EXPECT_TRUE(first.conflict.empty());
  auto differ = choose_image_holder({{"cloudlet-3", image("x")}, {"cloudlet-2", image("x", "other")}}, "cloudlet-1");
  EXPECT_FALSE(differ.cloudlet) << "never one picked silently";
  EXPECT_NE(differ.conflict.find("cloudlet-2"), std::string::npos) << differ.conflict;
  EXPECT_NE(differ.conflict.find("cloudlet-3"), std::string::npos) << differ.conflict;
}

TEST(DirectImageRule, TheTargetsEqualImageIsFoundInItsList) {
  json listed = json::array({image("t1", "c9"), image("t2"), image("t3")});
  EXPECT_EQ(equal_image_in(listed, image("x")), "t2") << "the first equal one";
  EXPECT_FALSE(equal_image_in(json::array({image("t1", "c9")}), image("x")));
  EXPECT_FALSE(equal_image_in(json::object(), image("x")));
}

TEST(DirectImageRule, EqualImagesOfSeveralCloudletsAreShownOnceTheOwnCloudletsFirst) {
  std::vector<std::pair<std::string, std::vector<json>>> clouds = {
    {"cloudlet-2", {image("c2-cirros"), image("c2-other", "c7", "demo-project", "mine")}},
    {"cloudlet-1", {image("c1-cirros")}},
    {"cloudlet-3", {image("c3-cirros"), image("c3-cirros-bis")}},
  };
  auto shown = images_shown_once(clouds, "cloudlet-1");
  EXPECT_EQ(shown[1], (std::vector<bool>{true})) << "the own cloudlet's cirros";
  EXPECT_EQ(shown[0], (std::vector<bool>{false, true})) << "cloudlet-2's cirros folded; its other image shown";
  EXPECT_EQ(shown[2], (std::vector<bool>{false, false}));
  // Without one on the agent's cloudlet: the first by region name.
  auto elsewhere = images_shown_once({clouds[2], clouds[0]}, "cloudlet-1");
  EXPECT_EQ(elsewhere[1], (std::vector<bool>{true, true}));
  EXPECT_EQ(elsewhere[0], (std::vector<bool>{false, false}));
  // One cloud's own two equal images are both its own: not folded.
  auto alone = images_shown_once({clouds[2]}, "cloudlet-1");
  EXPECT_EQ(alone[0], (std::vector<bool>{true, true}));
}

TEST(DirectImageRule, AnAdoptedImagesEntryIsUnderTheProjectItsCloudNamesAndNeverListsTheImage) {
  auto gid = *api::make_global_id({"127.0.0.1", 4790});
  auto made = adopt_image(gid, "cloudlet-2", image("cirros-2", "c1", "demo-project"), 42);
  ASSERT_TRUE(made);
  const auto& [record, entry] = *made;
  EXPECT_EQ(entry.project_id, "demo-project");
  EXPECT_EQ(entry.state, storage::entry_state::bound);
  EXPECT_TRUE(entry.copies.empty()) << "the image itself is never in it: no registry logic can reach it";
  EXPECT_FALSE(entry.attempt) << "no create attempt";
  EXPECT_EQ(entry.global_id, gid);
  EXPECT_EQ(record.global_id, gid);
  EXPECT_EQ(record.project, "demo-project");
  EXPECT_EQ(record.cloudlet, "cloudlet-2");
  EXPECT_EQ(record.local_id, "cirros-2");
  auto ownerless = image("x");
  ownerless.erase("owner");
  EXPECT_FALSE(adopt_image(gid, "cloudlet-2", ownerless, 42)) << "no project to record it under";
}

TEST(DirectImageRule, TheAdoptedRecordRoundTripsAndRejectsAnythingElse) {
  adopted_record record{"g", "p", "cloudlet-2", "id-1"};
  auto back = decode_adopted(encode_adopted(record));
  ASSERT_TRUE(back);
  EXPECT_EQ(std::tie(back->global_id, back->project, back->cloudlet, back->local_id),
            std::tie(record.global_id, record.project, record.cloudlet, record.local_id));
  EXPECT_FALSE(decode_adopted("not json"));
  EXPECT_FALSE(decode_adopted(R"({"gid":"g","project":"p","cloudlet":"c"})")) << "no image ID";
  EXPECT_EQ(adopted_image_key("0b6b7c1e-2f5a-4d0e-9a1b-1c2d3e4f5a6b"),
            "adopted/image/0b6b7c1e-2f5a-4d0e-9a1b-1c2d3e4f5a6b");
}

TEST(DirectImageRule, TheReconcilerNeverReachesAnAdoptedImageEvenWithAForgedMarker) {
  // A tenant may write any property on its own image, a marker and token too.
  // No abandoned record names an adopted entry's global ID (nothing is created
  // for it but copies), and with none the reclaim rule deletes nothing; the
  // orphan sweep only lists what no entry explains.
  auto gid = *api::make_global_id({"127.0.0.1", 4790});
  const std::string token = "00112233445566778899aabbccddeeff";
  auto [record, entry] = *adopt_image(gid, "cloudlet-2", image("cirros-2", "c1", "demo-project"), 0);
  entry.copies.push_back({"cloudlet-3", "copy-3"});
  std::vector<marked_item> found{{"cirros-2", api::marker{gid, false, token}, "demo-project", false}};
  // Even a record of this very global ID (none is ever written: the copies of an
  // adopted image are made whole or deleted at once) holds a token the tenant
  // never saw (128 random bits that never leave the agent): no match, no delete.
  storage::abandoned_attempt record_of_gid{"ffeeddccbbaa99887766554433221100", storage::resource_kind::image, gid,
                                           "demo-project", "cloudlet-2", 0};
  EXPECT_NE(decide_reclaim(record_of_gid, found, entry, 1'000'000, 1'000, 60'000).action,
            reclaim_action::delete_one);
  auto after_forget = decide_reclaim(record_of_gid, found, entry, 1'000'000, 1'000, 60'000);
  EXPECT_EQ(after_forget.action, reclaim_action::forget) << after_forget.reason;
  EXPECT_FALSE(entry_explains(entry, "cloudlet-2", "cirros-2")) << "the entry never names the image";
  EXPECT_TRUE(entry_explains(entry, "cloudlet-3", "copy-3")) << "its copies are the federation's";
}

} // namespace
} // namespace fedstack::agent
