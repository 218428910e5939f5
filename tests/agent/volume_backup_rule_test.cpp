// Backups and the attachment API across cloudlets (agent/rules/backup_rule.hpp,
// agent/rules/attachment_rule.hpp): the marker's microversion, restores, which call
// is which, and the pages of the attachment list over every cloudlet.
#include "agent/rules/attachment_rule.hpp"
#include "agent/rules/backup_rule.hpp"
#include "agent/rules/transfer_rule.hpp"

#include <gtest/gtest.h>

#include "agent/rules/create_policy.hpp"
#include "agent/rules/flow_choice.hpp"
#include "agent/rules/list_paging.hpp"
#include "agent/rules/resource_kinds.hpp"
#include "agent/rules/volume_rule.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using boost::beast::http::verb;
using storage::resource_kind;

constexpr const char* project = "075a8a3d2acb45d896abd52d5e055929";
constexpr const char* gid = "1f0c2a77-5e1b-8d4e-9a3c-7f0000011283";

api::route volume_route(verb method, const std::string& path) {
  return api::classify(std::string(boost::beast::http::to_string(method)), "/volume/v3/" + std::string(project) + path);
}

TEST(backup_rule, a_backup_is_a_recorded_kind_made_at_its_volume_and_listed_over_cloudlets) {
  auto create = volume_route(verb::post, "/backups");
  EXPECT_EQ(kind_of(create), resource_kind::volume_backup);
  EXPECT_EQ(choose_flow(create, verb::post, false).flow, flow::create);
  EXPECT_EQ(choose_flow(volume_route(verb::get, "/backups"), verb::get, false).flow, flow::list);
  EXPECT_EQ(choose_flow(volume_route(verb::get, "/backups/detail"), verb::get, false).flow, flow::list);
  auto show = volume_route(verb::get, std::string("/backups/") + gid);
  EXPECT_EQ(choose_flow(show, verb::get, false).flow, flow::recorded_resource);
  auto deleted = choose_flow(volume_route(verb::delete_, std::string("/backups/") + gid), verb::delete_, false);
  EXPECT_EQ(deleted.call, resource_call::delete_everywhere);
  EXPECT_TRUE(searchable(resource_kind::volume_backup, false)) << "a lost create is looked for by its marker";
  // The plain list is written from the detail list, as Cinder's summary is.
  auto plain = read_list_request(volume_route(verb::get, "/backups"));
  EXPECT_TRUE(plain.summary);
  EXPECT_EQ(plain.list_path, "/v3/" + std::string(project) + "/backups/detail");
  auto needs = read_volume_create(resource_kind::volume_backup, {{"backup", {{"volume_id", gid}, {"name", "b"}}}});
  EXPECT_EQ(needs.source_id, gid);
}

TEST(backup_rule, the_marker_rides_in_metadata_from_3_43) {
  EXPECT_EQ(backup_create_version(std::nullopt), (api::microversion{3, 43}));
  EXPECT_EQ(backup_create_version(api::microversion{3, 0}), (api::microversion{3, 43}));
  EXPECT_EQ(backup_create_version(api::microversion{3, 60}), (api::microversion{3, 60}));
  json body = {{"backup", {{"volume_id", gid}}}};
  api::add_marker(api::service_type::volume, body, {gid, false, "tok"});
  EXPECT_EQ(body["backup"]["metadata"][std::string(api::gid_key)], gid);
  EXPECT_FALSE(body.contains("volume"));
}

TEST(backup_rule, a_restore_stays_on_the_backups_cloudlet) {
  EXPECT_TRUE(is_backup_restore(volume_route(verb::post, std::string("/backups/") + gid + "/restore"), verb::post));
  EXPECT_FALSE(is_backup_restore(volume_route(verb::get, std::string("/backups/") + gid), verb::get));
  EXPECT_EQ(restore_volume({{"restore", {{"volume_id", gid}}}}), gid);
  EXPECT_EQ(restore_volume({{"restore", {{"name", "n"}}}}), "");
  EXPECT_EQ(restore_volume(json("x")), "");
  EXPECT_EQ(restored_volume({{"restore", {{"backup_id", "b"}, {"volume_id", "v"}}}}), "v");
  EXPECT_FALSE(cross_cloudlet_restore("B", "cloudlet-2", "V", "cloudlet-2"));
  auto refused = cross_cloudlet_restore("B", "cloudlet-2", "V", "cloudlet-3");
  ASSERT_TRUE(refused);
  for (const char* named : {"B", "V", "cloudlet-2", "cloudlet-3"}) EXPECT_NE(refused->find(named), std::string::npos);
}

TEST(attachment_rule, which_call_is_which) {
  EXPECT_EQ(attachment_call_of(volume_route(verb::post, "/attachments"), verb::post), attachment_call::create);
  EXPECT_EQ(attachment_call_of(volume_route(verb::get, "/attachments"), verb::get), attachment_call::list);
  EXPECT_EQ(attachment_call_of(volume_route(verb::get, "/attachments/detail"), verb::get), attachment_call::list);
  for (auto method : {verb::get, verb::put, verb::delete_})
    EXPECT_EQ(attachment_call_of(volume_route(method, "/attachments/a1"), method), attachment_call::item);
  EXPECT_EQ(attachment_call_of(volume_route(verb::post, "/attachments/a1/action"), verb::post), attachment_call::item);
  EXPECT_EQ(attachment_call_of(volume_route(verb::get, "/volumes"), verb::get), attachment_call::none);
  auto names = read_attachment_create({{"attachment", {{"volume_uuid", "v"}, {"instance_uuid", "s"}}}});
  EXPECT_EQ(names.volume_id, "v");
  EXPECT_EQ(names.server_id, "s");
  EXPECT_TRUE(read_attachment_create(json::array()).volume_id.empty());
}

TEST(transfer_rule, which_call_is_which_under_both_paths) {
  for (std::string base : {"/os-volume-transfer", "/volume-transfers"}) {
    EXPECT_EQ(transfer_call_of(volume_route(verb::post, base), verb::post), transfer_call::create);
    EXPECT_EQ(transfer_call_of(volume_route(verb::get, base), verb::get), transfer_call::list);
    EXPECT_EQ(transfer_call_of(volume_route(verb::get, base + "/detail"), verb::get), transfer_call::list);
    for (auto method : {verb::get, verb::delete_})
      EXPECT_EQ(transfer_call_of(volume_route(method, base + "/t1"), method), transfer_call::item);
    EXPECT_EQ(transfer_call_of(volume_route(verb::post, base + "/t1/accept"), verb::post), transfer_call::accept);
    EXPECT_EQ(transfer_call_of(volume_route(verb::put, base + "/t1"), verb::put), transfer_call::none);
  }
  EXPECT_EQ(transfer_call_of(volume_route(verb::get, "/volumes"), verb::get), transfer_call::none);
  EXPECT_EQ(transfer_volume({{"transfer", {{"volume_id", gid}, {"name", "n"}}}}), gid);
  EXPECT_TRUE(transfer_volume(json::array()).empty());
  EXPECT_EQ(accepted_volume({{"transfer", {{"id", "t1"}, {"volume_id", "v1"}}}}), "v1");
  // Only Cinder's 404 says a cloudlet has no such transfer: a wrong key's 400 is the holder's.
  EXPECT_FALSE(holds_transfer(404));
  for (unsigned status : {202u, 400u, 413u, 403u}) EXPECT_TRUE(holds_transfer(status)) << status;
}

// The snapshots whose entries follow an accepted volume: that volume's, marked, and not
// named in another project than the accepting one.
TEST(transfer_rule, the_snapshots_that_follow_an_accepted_volume) {
  auto snap = [](std::string id, std::string volume, json metadata, std::string project = {}) {
    json s = {{"id", id}, {"volume_id", volume}, {"metadata", metadata}};
    if (!project.empty()) s["os-extended-snapshot-attributes:project_id"] = project;
    return s;
  };
  json marked = {{std::string(api::gid_key), gid}};
  json list = {{"snapshots", {snap("s1", "v1", marked), snap("s2", "v1", json::object()), snap("s3", "v2", marked),
                              snap("s4", "v1", marked, "other-project"), snap("s5", "v1", marked, "p-new")}}};
  auto got = transferred_snapshots(list, "v1", "p-new");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].local_id, "s1");
  EXPECT_EQ(got[0].global_id, gid);
  EXPECT_EQ(got[1].local_id, "s5");
  EXPECT_TRUE(transferred_snapshots(json::object(), "v1", "p-new").empty());
}

TEST(attachment_rule, pages_follow_the_concatenation) {
  std::vector<json> all;
  for (const char* id : {"a", "b", "c", "d", "e"}) all.push_back({{"id", id}});
  auto first = page_of_attachments(all, std::nullopt, 2);
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_EQ(first.items[1]["id"], "b");
  EXPECT_TRUE(first.more);
  auto second = page_of_attachments(all, std::string("b"), 2);
  EXPECT_EQ(second.items.front()["id"], "c");
  EXPECT_TRUE(second.more);
  auto last = page_of_attachments(all, std::string("d"), 2);
  ASSERT_EQ(last.items.size(), 1u);
  EXPECT_FALSE(last.more);
  auto exact = page_of_attachments(all, std::string("c"), 2);
  EXPECT_EQ(exact.items.size(), 2u);
  EXPECT_FALSE(exact.more) << "no empty page after the last";
  EXPECT_FALSE(page_of_attachments(all, std::string("zz"), 2).marker_found);
}

} // namespace
} // namespace fedstack::agent
