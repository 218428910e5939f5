// The reconciler's rule (docs/faults.md): what may the owner delete of an abandoned attempt?

#include <set>

#include <gtest/gtest.h>

#include "agent/services/attempt_token.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::abandoned_attempt;
using storage::entry_state;
using storage::registry_entry;
using storage::resource_kind;

const std::string gid = *api::make_global_id({"127.0.0.1", 4790});
const std::string other_gid = *api::make_global_id({"127.0.0.1", 4791});
const std::string token = "00112233445566778899aabbccddeeff";
const std::string other_token = "ffeeddccbbaa99887766554433221100";
constexpr std::int64_t now = 1'000'000;
constexpr std::int64_t min_age = 1'000;
constexpr std::int64_t forget_after = 60'000;

abandoned_attempt record() {
  return {token, resource_kind::image, gid, "project-a", "cloudlet-2", now - 5'000};
}

marked_item item(std::string local_id, std::string with_token = token, std::string project = "project-a") {
  return {std::move(local_id), api::marker{gid, false, std::move(with_token)}, std::move(project), false};
}

registry_entry entry(entry_state state, std::vector<storage::cloud_copy> copies = {}) {
  registry_entry e;
  e.kind = resource_kind::image;
  e.global_id = gid;
  e.project_id = "project-a";
  e.state = state;
  e.copies = std::move(copies);
  return e;
}

reclaim_decision decide(std::optional<std::vector<marked_item>> found,
                        std::optional<registry_entry> e = std::nullopt, abandoned_attempt r = record()) {
  return decide_reclaim(r, found, e, now, min_age, forget_after);
}

TEST(ReclaimRule, DeletesTheOneResourceOfAnExpiredUnboundAttempt) {
  auto d = decide(std::vector{item("local-1")});
  EXPECT_EQ(d.action, reclaim_action::delete_one);
  EXPECT_EQ(d.local_id, "local-1");
  // Also when the create went on to bind another resource elsewhere.
  d = decide(std::vector{item("local-1")}, entry(entry_state::bound, {{"cloudlet-1", "local-9"}}));
  EXPECT_EQ(d.action, reclaim_action::delete_one);
}

abandoned_attempt old_record() {
  auto r = record();
  r.abandoned_unix_ms = now - forget_after;
  return r;
}

TEST(ReclaimRule, NeverDeletesWhatTheRecordDoesNotProve) {
  struct a_case {
    const char* what;
    marked_item found;
  };
  auto copy = item("c");
  copy.marker.is_copy = true;
  auto snapshot = item("s");
  snapshot.derived_image = true;
  auto foreign_gid = item("g");
  foreign_gid.marker.global_id = other_gid;
  for (const auto& c : {a_case{"wrong token", item("x", other_token)}, a_case{"no token", item("x", "")},
                        a_case{"other project", item("x", token, "project-b")},
                        a_case{"no project", item("x", token, "")}, a_case{"a copy", copy},
                        a_case{"a snapshot image", snapshot}, a_case{"another global ID", foreign_gid}}) {
    auto d = decide(std::vector{c.found});
    EXPECT_EQ(d.action, reclaim_action::keep) << c.what;   // its own resource may still come
    EXPECT_TRUE(d.local_id.empty()) << c.what;
    d = decide(std::vector{c.found}, std::nullopt, old_record());
    EXPECT_EQ(d.action, reclaim_action::forget) << c.what;
    EXPECT_TRUE(d.local_id.empty()) << c.what;
  }
}

TEST(ReclaimRule, KeepsWhatTheEntryIsBoundTo) {
  auto d = decide(std::vector{item("local-1")}, entry(entry_state::bound, {{"cloudlet-2", "local-1"}}));
  EXPECT_EQ(d.action, reclaim_action::keep);
  EXPECT_TRUE(d.local_id.empty());
  d = decide(std::vector{item("local-1")}, entry(entry_state::bound, {{"cloudlet-2", "local-1"}}), old_record());
  EXPECT_EQ(d.action, reclaim_action::forget);
  // The same local ID on another cloudlet is another resource.
  d = decide(std::vector{item("local-1")}, entry(entry_state::bound, {{"cloudlet-3", "local-1"}}));
  EXPECT_EQ(d.action, reclaim_action::delete_one);
}

TEST(ReclaimRule, WaitsWhileTheGlobalIdIsReservedOrTheRecordIsYoungOrTheCloudletSilent) {
  EXPECT_EQ(decide(std::vector{item("local-1")}, entry(entry_state::reserved)).action, reclaim_action::keep);
  auto young = record();
  young.abandoned_unix_ms = now - min_age + 1;
  EXPECT_EQ(decide(std::vector{item("local-1")}, std::nullopt, young).action, reclaim_action::keep);
  EXPECT_EQ(decide(std::nullopt).action, reclaim_action::keep);
}

TEST(ReclaimRule, DeletesAtMostOneAndNothingWhenTwoCarryTheToken) {
  auto d = decide(std::vector{item("local-1"), item("local-2")});
  EXPECT_EQ(d.action, reclaim_action::forget);
  EXPECT_TRUE(d.local_id.empty());
  // Among resources of other attempts, only the one with the token.
  d = decide(std::vector{item("a", other_token), item("b"), item("c", "")});
  EXPECT_EQ(d.action, reclaim_action::delete_one);
  EXPECT_EQ(d.local_id, "b");
}

TEST(ReclaimRule, TheServersOfABootOfSeveralAreJudgedByTheBootsGlobalId) {
  // Each carries the boot's global ID (shared_id) and its own derived one.
  auto server = [](std::string local_id, std::string shared = gid) {
    auto i = item(local_id);
    i.marker.shared_id = std::move(shared);
    i.marker.global_id = *api::server_global_id(i.marker.shared_id, local_id);
    return i;
  };
  auto d = decide(std::vector{server("local-1")});
  EXPECT_EQ(d.action, reclaim_action::delete_one) << "the one server the abandoned boot made";
  EXPECT_EQ(d.local_id, "local-1");
  EXPECT_EQ(decide(std::vector{server("local-1"), server("local-2")}).action, reclaim_action::forget)
    << "two carry the token: none is deleted";
  EXPECT_EQ(decide(std::vector{server("local-1", other_gid)}).action, reclaim_action::keep) << "another boot's";
}

TEST(ReclaimRule, NothingFoundForgetsTheRecordOnlyWhenItIsOld) {
  EXPECT_EQ(decide(std::vector<marked_item>{}).action, reclaim_action::keep);
  EXPECT_EQ(decide(std::vector<marked_item>{}, std::nullopt, old_record()).action, reclaim_action::forget);
  // A silent cloudlet never ends the search.
  EXPECT_EQ(decide(std::nullopt, std::nullopt, old_record()).action, reclaim_action::keep);
  auto bad = record();
  bad.token = "not-a-token";
  EXPECT_EQ(decide(std::vector{item("x", "not-a-token")}, std::nullopt, bad).action, reclaim_action::forget);
}

TEST(ReclaimRule, SnapshotAndShelveImagesAreRecognised) {
  EXPECT_TRUE(is_derived_image(json{{"image_type", "snapshot"}}));
  EXPECT_TRUE(is_derived_image(json{{"image_type", "backup"}}));
  EXPECT_TRUE(is_derived_image(json{{"instance_uuid", "6f0e1c1c-0000-4000-8000-000000000001"}}));
  EXPECT_TRUE(is_derived_image(json{{"base_image_ref", "6f0e1c1c-0000-4000-8000-000000000002"}}));
  EXPECT_FALSE(is_derived_image(json{{"image_type", "image"}, {"instance_uuid", nullptr}}));
  EXPECT_FALSE(is_derived_image(json{{"name", "cirros"}}));
  // A snapshot carries its base image's marker (Nova copies the properties): read, then excluded.
  json snapshot = {{"id", "s1"}, {"owner", "project-a"}, {"fedstack_gid", gid}, {"fedstack_attempt", token},
                   {"image_type", "snapshot"}};
  auto marked = to_marked_item(api::service_type::image, snapshot);
  ASSERT_TRUE(marked);
  EXPECT_TRUE(marked->derived_image);
  EXPECT_EQ(marked->project_id, "project-a");
  EXPECT_EQ(decide(std::vector{*marked}).action, reclaim_action::keep);
  EXPECT_EQ(decide(std::vector{*marked}, std::nullopt, old_record()).action, reclaim_action::forget);
}

TEST(ReclaimRule, EntriesExplainReservationsAndTheirOwnCopies) {
  EXPECT_FALSE(entry_explains(std::nullopt, "cloudlet-1", "x"));
  EXPECT_TRUE(entry_explains(entry(entry_state::reserved), "cloudlet-1", "x"));
  EXPECT_TRUE(entry_explains(entry(entry_state::bound, {{"cloudlet-1", "x"}}), "cloudlet-1", "x"));
  EXPECT_FALSE(entry_explains(entry(entry_state::bound, {{"cloudlet-1", "y"}}), "cloudlet-1", "x"));
}

// A volume given to another project by a transfer: its entry (still the giver's)
// lists it, so it follows the volume; anything else stays an orphan or is explained.
TEST(ReclaimRule, AVolumeOfAnotherProjectsEntryIsATransfersNotAnOrphan) {
  auto giver = entry(entry_state::bound, {{"cloudlet-1", "x"}});   // project-a's
  EXPECT_TRUE(is_transferred_volume(resource_kind::volume, giver, "cloudlet-1", "x", "project-b"));
  EXPECT_FALSE(is_transferred_volume(resource_kind::volume, giver, "cloudlet-1", "x", "project-a")) << "its own";
  EXPECT_FALSE(is_transferred_volume(resource_kind::volume, giver, "cloudlet-1", "y", "project-b"))
      << "another volume carrying the marker";
  EXPECT_FALSE(is_transferred_volume(resource_kind::volume, giver, "cloudlet-2", "x", "project-b"));
  EXPECT_TRUE(is_transferred_volume(resource_kind::volume_snapshot, giver, "cloudlet-1", "x", "project-b"))
      << "Cinder moves a volume's snapshots with it";
  EXPECT_FALSE(is_transferred_volume(resource_kind::server, giver, "cloudlet-1", "x", "project-b"))
      << "only volumes and their snapshots are transferred";
  EXPECT_FALSE(is_transferred_volume(resource_kind::volume_backup, giver, "cloudlet-1", "x", "project-b"))
      << "a volume's backups stay with the giver";
  EXPECT_FALSE(is_transferred_volume(resource_kind::volume, std::nullopt, "cloudlet-1", "x", "project-b"));
  EXPECT_FALSE(is_transferred_volume(resource_kind::volume, entry(entry_state::reserved), "cloudlet-1", "x",
                                     "project-b")) << "a reservation lists no volume yet";
}

// Cinder's backup import copies a backup's metadata, the attempt token and global ID
// included, into the backup it makes under the record's own ID. The copy is deleted
// only as the attempt's own backup would be: found on the attempt's cloudlet (an import
// elsewhere is never in `found`), in the attempt's project (an admin's import is the
// admin's), and not the backup the entry is bound to (a bound backup revived under its
// old ID after a delete on the cloud).
TEST(ReclaimRule, ABackupImportedWithTheAttemptsMarkerIsNotTheAttemptsUnlessItIsItsOwnRecord) {
  auto backup = record();
  backup.kind = resource_kind::volume_backup;
  auto imported_by_admin = item("local-1", token, "admin-project");
  EXPECT_NE(decide(std::vector{imported_by_admin}, std::nullopt, backup).action, reclaim_action::delete_one);
  auto bound = entry(entry_state::bound, {{"cloudlet-2", "local-1"}});
  bound.kind = resource_kind::volume_backup;
  EXPECT_NE(decide(std::vector{item("local-1")}, bound, backup).action, reclaim_action::delete_one)
      << "the bound backup revived: its entry explains it";
  // The original and an import of its record in one project on one cloudlet: two carry the token.
  EXPECT_EQ(decide(std::vector{item("local-1"), item("local-2")}, std::nullopt, backup).action, reclaim_action::forget);
}

TEST(AttemptToken, Is128RandomBitsAsLowercaseHex) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto t = new_attempt_token();
    EXPECT_TRUE(api::is_attempt_token(t)) << t;
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

} // namespace
} // namespace fedstack::agent
