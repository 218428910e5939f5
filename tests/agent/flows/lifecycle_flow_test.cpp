// Lifecycle calls on servers (and Neutron tags) living on a cloudlet other
// than the agent's own, through the agent's handler against fake clouds
// (flow_harness.hpp; agent/flows/lifecycle.cpp, docs/federation.md
// "Lifecycle anywhere"). The agent serves cloudlet-1; servers live on cloudlet-2.

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "agent/services/service_session.hpp"
#include "agent/tasks/reservation_sweep.hpp"
#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;
using svc = api::service_type;

bhttp::fields at_version(const std::string& version) {
  bhttp::fields headers;
  headers.set("OpenStack-API-Version", "compute " + version);
  return headers;
}

class LifecycleFlow : public ::testing::Test {
protected:
  explicit LifecycleFlow(fake_clouds_options options = {})
    : h(options), session(agent_options{}, h.clouds().keystone()) {
    // The agent's service user is an admin (it makes the flavor copies).
    session.use_token(h.admin_token(), std::chrono::system_clock::now() + std::chrono::hours{1});
    h.context().session = &session;
  }

  /// A flavor's ID on `region`, by name; empty when it has none.
  std::string flavor_on(const std::string& region, const std::string& name) {
    auto listed = h.clouds().direct(region, svc::compute, bhttp::verb::get, "/v2.1/flavors", h.admin_token());
    auto doc = json::parse(listed.body);
    for (const auto& f : doc.at("flavors"))
      if (f.value("name", std::string{}) == name) return f.value("id", std::string{});
    return {};
  }

  /// An image of the demo project recorded with its primary on regions[0] and
  /// copies on the others (image bytes move over sockets: end-to-end tests).
  storage::registry_entry image_on(const std::vector<std::string>& regions, const std::string& name) {
    auto global_id = h.registry().new_global_id();
    std::vector<storage::cloud_copy> copies;
    for (std::size_t i = 0; i < regions.size(); ++i) {
      json fields{{"name", name}};
      fields[std::string(i == 0 ? api::gid_key : api::copy_of_key)] = global_id;
      copies.push_back({regions[i], h.clouds().seed_image(regions[i], h.demo_token(), fields)});
    }
    return h.record(resource_kind::image, h.clouds().demo_project_id(), copies, name, global_id);
  }

  /// The image creates logged on `region` that carry `global_id`'s copy marker.
  std::size_t copy_creates(const std::string& region, const std::string& global_id) {
    std::size_t n = 0;
    for (const auto& call : h.clouds().calls_to(region, bhttp::verb::post, "/v2/images")) {
      auto body = json::parse(call.body, nullptr, false);
      n += body.is_object() && body.value(std::string(api::copy_of_key), "") == global_id;
    }
    return n;
  }

  /// A server booted through the agent and placed on `region`; its global ID.
  std::string boot_on(const std::string& region, json extra = json::object()) {
    h.placement().place_on(region);
    json server{{"name", "vm"}, {"imageRef", image.global_id}, {"flavorRef", flavor_on("cloudlet-1", "m1.tiny")},
                {"networks", "none"}};
    server.update(extra);
    json body{{"server", server}};
    auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers", body, {}, at_version("2.37"));
    EXPECT_EQ(answer.status, 202u) << answer.body;
    if (answer.status != 202)
      for (const auto& call : h.clouds().calls()) ADD_FAILURE() << call.cloudlet << " " << call.target << " " << call.body;
    return json::parse(answer.body).at("server").at("id").get<std::string>();
  }

  /// The server as its cloud shows it to the admin.
  json server_on(const std::string& region, const std::string& global_id) {
    auto entry = h.registry().entry(global_id);
    EXPECT_TRUE(entry);
    auto shown = h.clouds().direct(region, svc::compute, bhttp::verb::get,
                                   "/v2.1/servers/" + entry->copies.at(0).local_id, h.admin_token());
    return json::parse(shown.body).value("server", json::object());
  }

  json action(const std::string& global_id, const json& body, const std::string& version = "2.1",
              unsigned expected = 202) {
    auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers/" + global_id + "/action", body, {},
                         at_version(version));
    EXPECT_EQ(answer.status, expected) << answer.body;
    last_headers = answer.headers;
    return answer.body.empty() ? json() : json::parse(answer.body, nullptr, false);
  }

  /// A demo server on cloudlet-2 snapshotted through the agent: the snapshot's entry.
  storage::registry_entry demo_snapshot() {
    auto server = boot_on("cloudlet-2");
    auto snapshot = action(server, {{"createImage", {{"name", "snap"}}}}, "2.45").value("image_id", "");
    auto entry = h.registry().entry(snapshot);
    EXPECT_TRUE(entry) << snapshot;
    return entry.value_or(storage::registry_entry{});
  }

  /// The admin's server on cloudlet-2 (its global ID in `server`), snapshotted through
  /// the agent: the snapshot's global ID, private to the admin's project.
  std::string admin_snapshot(std::string& server) {
    h.placement().place_on("cloudlet-2");
    json boot{{"name", "admins"}, {"imageRef", image.copies.at(1).local_id},
              {"flavorRef", flavor_on("cloudlet-1", "m1.tiny")}, {"networks", "none"}};
    auto booted = h.send(bhttp::verb::post, "/compute/v2.1/servers", json{{"server", boot}}, h.admin_token(),
                         at_version("2.37"));
    EXPECT_EQ(booted.status, 202u) << booted.body;
    server = json::parse(booted.body).at("server").value("id", "");
    auto made = h.send(bhttp::verb::post, "/compute/v2.1/servers/" + server + "/action",
                       {{"createImage", {{"name", "secret"}}}}, h.admin_token(), at_version("2.45"));
    EXPECT_EQ(made.status, 202u) << made.body;
    return json::parse(made.body).value("image_id", "");
  }

  flow_harness h;
  service_session session;
  storage::registry_entry image = image_on({"cloudlet-1", "cloudlet-2", "cloudlet-3"}, "cirros");
  bhttp::fields last_headers;
};

TEST_F(LifecycleFlow, ResizeOnAnotherCloudletCopiesTheFlavorThereAndConfirms) {
  json flavor{{"flavor", {{"name", "m1.grown"}, {"ram", 1024}, {"vcpus", 2}, {"disk", 2}}}};
  auto made = h.clouds().direct("cloudlet-1", svc::compute, bhttp::verb::post, "/v2.1/flavors", h.admin_token(), flavor);
  ASSERT_EQ(made.status, 200u) << made.body;
  auto own_id = json::parse(made.body).at("flavor").at("id").get<std::string>();
  auto server = boot_on("cloudlet-2");
  ASSERT_TRUE(flavor_on("cloudlet-2", "m1.grown").empty());

  action(server, {{"resize", {{"flavorRef", own_id}}}});
  auto there = flavor_on("cloudlet-2", "m1.grown");
  ASSERT_FALSE(there.empty()) << "the flavor was copied to the server's cloudlet";
  auto shown = server_on("cloudlet-2", server);
  EXPECT_EQ(shown.value("status", ""), "VERIFY_RESIZE");
  EXPECT_EQ(shown.at("flavor").value("original_name", ""), "m1.grown");
  auto sent = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers");
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(json::parse(sent.back().body).at("resize").value("flavorRef", ""), there);

  action(server, {{"confirmResize", nullptr}}, "2.1", 204);
  shown = server_on("cloudlet-2", server);
  EXPECT_EQ(shown.value("status", ""), "ACTIVE");
  EXPECT_EQ(shown.at("flavor").value("original_name", ""), "m1.grown");
}

TEST_F(LifecycleFlow, RevertResizeGoesBackToTheOldFlavor) {
  auto server = boot_on("cloudlet-2");
  action(server, {{"resize", {{"flavorRef", flavor_on("cloudlet-1", "m1.small")}}}});
  EXPECT_EQ(server_on("cloudlet-2", server).at("flavor").value("original_name", ""), "m1.small")
    << "cloudlet-2's m1.small, whose ID differs from cloudlet-1's";
  action(server, {{"revertResize", nullptr}});
  auto shown = server_on("cloudlet-2", server);
  EXPECT_EQ(shown.value("status", ""), "ACTIVE");
  EXPECT_EQ(shown.at("flavor").value("original_name", ""), "m1.tiny");
}

TEST_F(LifecycleFlow, ResizeToAFlavorNobodyKnowsIsNovasBadRequest) {
  auto server = boot_on("cloudlet-2");
  action(server, {{"resize", {{"flavorRef", "no-such-flavor"}}}}, "2.1", 400);
  EXPECT_EQ(server_on("cloudlet-2", server).value("status", ""), "ACTIVE");
}

TEST_F(LifecycleFlow, RebuildUsesTheImagesCopyOnTheServersCloudlet) {
  auto server = boot_on("cloudlet-2");
  auto other = image_on({"cloudlet-3", "cloudlet-2"}, "other");
  auto answer = action(server, {{"rebuild", {{"imageRef", other.global_id}}}});
  EXPECT_EQ(answer.at("server").at("image").value("id", ""), other.global_id) << "the client sees the global ID";
  EXPECT_EQ(server_on("cloudlet-2", server).at("image").value("id", ""), other.copies.at(1).local_id);
}

TEST_F(LifecycleFlow, RebuildCopiesAnImageMissingOnTheServersCloudletFirst) {
  auto server = boot_on("cloudlet-2");
  auto other = image_on({"cloudlet-3"}, "other");
  h.clouds().clear_log();
  // The copy's bytes move over sockets (end-to-end tests): here the copy is
  // made on cloudlet-2 and its streaming fails, so the rebuild is not sent.
  action(server, {{"rebuild", {{"imageRef", other.global_id}}}}, "2.1", 503);
  EXPECT_EQ(copy_creates("cloudlet-2", other.global_id), 1u) << "the copy was made on the server's cloudlet";
  for (const auto& call : h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers"))
    ADD_FAILURE() << "rebuild sent without the image: " << call.body;
}

TEST_F(LifecycleFlow, ARebuildsKeypairFollowsItToTheServersCloudlet) {
  // Tempest's ServerShowV254Test.test_rebuild_server: a keypair made through the agent
  // (on cloudlet-1), then a rebuild at 2.54 naming it, of a server on cloudlet-2.
  auto server = boot_on("cloudlet-2");
  const std::string key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRebuildKey tempest@lab";
  auto made = h.send(bhttp::verb::post, "/compute/v2.1/os-keypairs", {{"keypair", {{"name", "k"}, {"public_key", key}}}});
  ASSERT_EQ(made.status, 200u) << made.body;
  action(server, {{"rebuild", {{"imageRef", image.global_id}, {"key_name", "k"}}}}, "2.54");
  auto there = h.clouds().direct("cloudlet-2", svc::compute, bhttp::verb::get, "/v2.1/os-keypairs/k", h.demo_token());
  ASSERT_EQ(there.status, 200u) << "copied to the server's cloudlet: " << there.body;
  // The same key (Nova's fingerprint leaves out the comment, where the copy's marker goes).
  EXPECT_EQ(json::parse(there.body).at("keypair").at("fingerprint"), json::parse(made.body).at("keypair").at("fingerprint"));
  EXPECT_EQ(json::parse(there.body).at("keypair").at("public_key").get<std::string>().rfind(key + " fedstack_copy=", 0), 0u);
  EXPECT_EQ(server_on("cloudlet-2", server).value("key_name", ""), "k");
}

TEST_F(LifecycleFlow, RebuildWithAnImageTheCallerCannotSeeIsRefusedAndCopiesNothing) {
  auto server = boot_on("cloudlet-2");
  auto global_id = h.registry().new_global_id();
  json fields{{"name", "admins"}, {"visibility", "private"}, {std::string(api::gid_key), global_id}};
  auto local = h.clouds().seed_image("cloudlet-3", h.admin_token(), fields);
  h.record(resource_kind::image, h.clouds().admin_project_id(), {{"cloudlet-3", local}}, "admins", global_id);
  h.clouds().clear_log();
  action(server, {{"rebuild", {{"imageRef", global_id}}}}, "2.1", 400);
  EXPECT_EQ(copy_creates("cloudlet-2", global_id), 0u) << "no copy for a caller the image's cloud refuses";
  EXPECT_EQ(server_on("cloudlet-2", server).at("image").value("id", ""), image.copies.at(1).local_id);
}

/// The image on `region` whose ID is `local`, as the admin sees it.
json image_item(flow_harness& h, const std::string& region, const std::string& local) {
  for (const auto& item : h.clouds().items(region, "images"))
    if (item.value("id", "") == local) return item;
  return json();
}

TEST_F(LifecycleFlow, ASnapshotIsRecordedAsAFederationImageAndBootsOnAnotherCloudlet) {
  auto server = boot_on("cloudlet-2");   // its image is a copy on cloudlet-2
  auto answer = action(server, {{"createImage", {{"name", "snap"}}}}, "2.45");
  auto global_id = answer.value("image_id", "");
  ASSERT_TRUE(api::global_id_owner(global_id)) << "2.45 names the snapshot by its global ID: " << answer.dump();
  auto entry = h.registry().entry(global_id);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->state, storage::entry_state::bound);
  EXPECT_EQ(entry->kind, resource_kind::image);
  EXPECT_EQ(entry->project_id, h.clouds().demo_project_id());
  ASSERT_EQ(entry->copies.size(), 1u);
  EXPECT_EQ(entry->copies[0].cloudlet, "cloudlet-2");
  auto made = image_item(h, "cloudlet-2", entry->copies[0].local_id);
  EXPECT_EQ(made.value(std::string(api::gid_key), ""), global_id) << "marked with its own global ID";
  EXPECT_FALSE(made.contains(std::string(api::copy_of_key))) << "not the copy marker of the image it came from";
  EXPECT_EQ(made.value("image_type", ""), "snapshot");

  auto shown = h.send(bhttp::verb::get, "/image/v2/images/" + global_id);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).value("name", ""), "snap");
  auto listed = h.send(bhttp::verb::get, "/image/v2/images");
  int seen = 0;
  auto listed_doc = json::parse(listed.body);
  for (const auto& item : listed_doc.at("images")) seen += item.value("id", "") == global_id;
  EXPECT_EQ(seen, 1) << listed.body;

  // Booted where it lives; elsewhere it is copied like any image (bytes: end-to-end tests).
  json boot{{"server",
             {{"name", "from-snap"}, {"imageRef", global_id}, {"flavorRef", flavor_on("cloudlet-1", "m1.tiny")},
              {"networks", "none"}}}};
  h.placement().place_on("cloudlet-2");
  auto booted = h.send(bhttp::verb::post, "/compute/v2.1/servers", boot, {}, at_version("2.37"));
  ASSERT_EQ(booted.status, 202u) << booted.body;
  auto from_snap = server_on("cloudlet-2", json::parse(booted.body).at("server").value("id", ""));
  EXPECT_EQ(from_snap.at("image").value("id", ""), entry->copies[0].local_id);
  h.placement().place_on("cloudlet-3");
  h.send(bhttp::verb::post, "/compute/v2.1/servers", boot, {}, at_version("2.37"));
  EXPECT_EQ(copy_creates("cloudlet-3", global_id), 1u) << "copied to cloudlet-3 for a boot there";
}

TEST_F(LifecycleFlow, BeforeMicroversion245TheSnapshotsLocationCarriesItsGlobalId) {
  auto server = boot_on("cloudlet-2");
  action(server, {{"createImage", {{"name", "snap"}}}}, "2.1");
  auto location = std::string(last_headers[bhttp::field::location]);
  auto global_id = location.substr(location.find_last_of('/') + 1);
  ASSERT_TRUE(api::global_id_owner(global_id)) << location;
  EXPECT_TRUE(h.registry().entry(global_id));
}

TEST_F(LifecycleFlow, AFailedSnapshotLeavesNoReservation) {
  auto server = boot_on("cloudlet-2");
  auto before = h.registry().entries().size();
  action(server, {{"createImage", {{"name", 5}}}}, "2.45", 400);
  EXPECT_EQ(h.registry().entries().size(), before);
}

TEST_F(LifecycleFlow, ShelveAndUnshelveStayOnTheServersCloudlet) {
  auto server = boot_on("cloudlet-2");
  action(server, {{"shelve", nullptr}});
  EXPECT_EQ(server_on("cloudlet-2", server).value("status", ""), "SHELVED_OFFLOADED");
  h.clouds().clear_log();
  auto refused = action(server, {{"unshelve", {{"availability_zone", "cloudlet-3"}}}}, "2.77", 400);
  EXPECT_NE(refused.dump().find("another cloudlet"), std::string::npos) << refused.dump();
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers").empty()) << "not sent";
  EXPECT_EQ(server_on("cloudlet-2", server).value("status", ""), "SHELVED_OFFLOADED") << "not moved, not unshelved";
  action(server, {{"unshelve", {{"availability_zone", "cloudlet-2"}}}}, "2.77");
  auto sent = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(json::parse(sent[0].body), json({{"unshelve", nullptr}})) << "the cloudlet's own zone applies";
  EXPECT_EQ(server_on("cloudlet-2", server).value("status", ""), "ACTIVE");
}

TEST_F(LifecycleFlow, TheShelveImageIsNovasAndNeverPassesForTheImageItCameFrom) {
  auto server = boot_on("cloudlet-2");
  action(server, {{"shelve", nullptr}});
  auto local = h.registry().entry(server)->copies.at(0).local_id;
  json shelved;
  for (const auto& item : h.clouds().items("cloudlet-2", "images"))
    if (item.value("instance_uuid", "") == local) shelved = item;
  ASSERT_TRUE(shelved.is_object()) << "Nova made its shelve image";
  auto listed = h.send(bhttp::verb::get, "/image/v2/images");
  ASSERT_EQ(listed.status, 200u);
  auto doc = json::parse(listed.body);
  int base = 0;
  for (const auto& item : doc.at("images")) base += item.value("id", "") == image.global_id;
  EXPECT_EQ(base, 1) << "the base image once, not again for the shelve image that inherited its marker: "
                     << listed.body;
  EXPECT_NE(listed.body.find(shelved.value("id", "")), std::string::npos) << "the shelve image under its own ID";
  action(server, {{"unshelve", nullptr}});
  for (const auto& item : h.clouds().items("cloudlet-2", "images"))
    EXPECT_NE(item.value("id", ""), shelved.value("id", "")) << "unshelve deleted it (Nova's)";
}

TEST_F(LifecycleFlow, NeutronTagReplacementsKeepTheMarkers) {
  auto made = h.send(bhttp::verb::post, "/network/v2.0/networks", {{"network", {{"name", "tagged"}}}});
  ASSERT_EQ(made.status, 201u) << made.body;
  auto global_id = json::parse(made.body).at("network").at("id").get<std::string>();
  auto local = h.registry().entry(global_id)->copies.at(0).local_id;
  auto cloud_tags = [&] {
    auto shown = h.clouds().direct("cloudlet-1", svc::network, bhttp::verb::get, "/v2.0/networks/" + local,
                                   h.admin_token());
    return json::parse(shown.body).at("network").at("tags");
  };
  auto forged = api::marker_tag({h.registry().new_global_id(), false, {}});
  auto refused = h.send(bhttp::verb::put, "/network/v2.0/networks/" + global_id + "/tags",
                        {{"tags", {"red", "blue", forged}}});
  EXPECT_EQ(refused.status, 400u) << "a forged marker is refused (marker_guard_flow_test.cpp): " << refused.body;
  auto put = h.send(bhttp::verb::put, "/network/v2.0/networks/" + global_id + "/tags", {{"tags", {"red", "blue"}}});
  ASSERT_EQ(put.status, 200u) << put.body;
  EXPECT_EQ(json::parse(put.body).at("tags"), json({"red", "blue"})) << "markers hidden";
  auto tags = cloud_tags();
  EXPECT_NE(std::find(tags.begin(), tags.end(), api::marker_tag({global_id, false, {}})), tags.end()) << tags;
  EXPECT_EQ(std::find(tags.begin(), tags.end(), forged), tags.end());

  auto removed = h.send(bhttp::verb::delete_, "/network/v2.0/networks/" + global_id + "/tags");
  EXPECT_EQ(removed.status, 204u) << removed.body;
  tags = cloud_tags();
  EXPECT_EQ(std::find(tags.begin(), tags.end(), "red"), tags.end());
  EXPECT_NE(std::find(tags.begin(), tags.end(), api::marker_tag({global_id, false, {}})), tags.end()) << tags;
  auto shown = h.send(bhttp::verb::get, "/network/v2.0/networks/" + global_id);
  ASSERT_EQ(shown.status, 200u);
  EXPECT_EQ(json::parse(shown.body).at("network").at("tags"), json::array());
}

TEST_F(LifecycleFlow, ServerTagsAndMetadataReplacementKeepTheMarker) {
  auto server = boot_on("cloudlet-2");
  auto tagged = h.send(bhttp::verb::put, "/compute/v2.1/servers/" + server + "/tags", {{"tags", {"a", "b"}}}, {},
                       at_version("2.26"));
  ASSERT_EQ(tagged.status, 200u) << tagged.body;
  auto one = h.send(bhttp::verb::put, "/compute/v2.1/servers/" + server + "/tags/c", nullptr, {}, at_version("2.26"));
  EXPECT_EQ(one.status, 201u) << one.body;
  EXPECT_EQ(server_on("cloudlet-2", server).at("metadata").value(std::string(api::gid_key), ""), server);

  auto replaced = h.send(bhttp::verb::put, "/compute/v2.1/servers/" + server + "/metadata",
                         {{"metadata", {{"role", "db"}}}});
  ASSERT_EQ(replaced.status, 200u) << replaced.body;
  EXPECT_EQ(json::parse(replaced.body).at("metadata"), json({{"role", "db"}})) << "the marker is hidden";
  auto metadata = server_on("cloudlet-2", server).at("metadata");
  EXPECT_EQ(metadata.value(std::string(api::gid_key), ""), server) << "the marker stays";
  EXPECT_EQ(metadata.value("role", ""), "db");
  auto shown = h.send(bhttp::verb::get, "/compute/v2.1/servers/" + server, nullptr, {}, at_version("2.26"));
  ASSERT_EQ(shown.status, 200u);
  EXPECT_EQ(json::parse(shown.body).at("server").at("tags"), json({"a", "b", "c"}));
}

TEST_F(LifecycleFlow, MinCountRecordsEveryServerNovaMadeUnderItsOwnGlobalId) {
  auto first = boot_on("cloudlet-2", {{"min_count", 2}, {"max_count", 3}});
  std::vector<std::string> gids;
  for (const auto& item : h.clouds().items("cloudlet-2", "servers")) {
    auto m = api::read_marker(svc::compute, item);
    ASSERT_TRUE(m);
    gids.push_back(m->global_id);
    auto entry = h.registry().entry(m->global_id);
    ASSERT_TRUE(entry) << item.dump();
    EXPECT_EQ(entry->state, storage::entry_state::bound);
    EXPECT_EQ(entry->copies.at(0).local_id, item.value("id", ""));
  }
  ASSERT_EQ(gids.size(), 3u);
  std::sort(gids.begin(), gids.end());
  EXPECT_EQ(std::unique(gids.begin(), gids.end()), gids.end()) << "each its own global ID";
  EXPECT_NE(std::find(gids.begin(), gids.end(), first), gids.end());
  auto listed = h.send(bhttp::verb::get, "/compute/v2.1/servers");
  EXPECT_EQ(json::parse(listed.body).at("servers").size(), 3u) << listed.body;
  for (const auto& gid : gids)
    EXPECT_EQ(h.send(bhttp::verb::get, "/compute/v2.1/servers/" + gid).status, 200u);
}

TEST_F(LifecycleFlow, AReservationIdAnswerIsRelayedAndEveryServerOfTheBootRecorded) {
  h.placement().place_on("cloudlet-2");
  json body{{"server",
             {{"name", "vm"}, {"imageRef", image.global_id}, {"flavorRef", flavor_on("cloudlet-1", "m1.tiny")},
              {"networks", "none"}, {"min_count", 1}, {"max_count", 2}, {"return_reservation_id", true}}}};
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers", body, {}, at_version("2.37"));
  ASSERT_EQ(answer.status, 202u) << answer.body;
  auto reservation = json::parse(answer.body).value("reservation_id", "");
  EXPECT_FALSE(reservation.empty()) << answer.body;
  EXPECT_FALSE(json::parse(answer.body).contains("server")) << "Nova's answer, as Nova gave it";
  auto made = h.clouds().items("cloudlet-2", "servers");
  ASSERT_EQ(made.size(), 2u);
  std::set<std::string> gids;
  for (const auto& item : made) {
    auto m = api::read_marker(svc::compute, item);
    ASSERT_TRUE(m) << item.dump();
    gids.insert(m->global_id);
    auto entry = h.registry().entry(m->global_id);
    ASSERT_TRUE(entry) << item.dump();
    EXPECT_EQ(entry->state, storage::entry_state::bound);
    EXPECT_EQ(entry->copies.at(0).local_id, item.value("id", ""));
    EXPECT_EQ(h.send(bhttp::verb::get, "/compute/v2.1/servers/" + m->global_id).status, 200u);
  }
  EXPECT_EQ(gids.size(), 2u) << "each its own global ID";
  auto listed = h.send(bhttp::verb::get, "/compute/v2.1/servers?name=vm");
  EXPECT_EQ(json::parse(listed.body).at("servers").size(), 2u) << listed.body;
}

TEST_F(LifecycleFlow, AReservationWhoseServersCannotBeFoundIsAbandonedForItsOwnerToDelete) {
  h.placement().place_on("cloudlet-2");
  // The look for the boot's servers by marker fails: nothing is bound, the
  // attempt is recorded as abandoned (its owner deletes what it made).
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::get, "/v2.1/servers/detail", fault_effect::unreachable,
                                  503, -1));
  json body{{"server",
             {{"name", "vm"}, {"imageRef", image.global_id}, {"flavorRef", flavor_on("cloudlet-1", "m1.tiny")},
              {"networks", "none"}, {"max_count", 2}, {"return_reservation_id", true}}}};
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers", body, {}, at_version("2.37"));
  EXPECT_GE(answer.status, 500u) << answer.body;
  EXPECT_EQ(h.registry().abandoned_attempts().size(), 1u);
  for (const auto& entry : h.registry().entries())
    EXPECT_NE(entry.kind, storage::resource_kind::server) << "no server is recorded";
}

TEST_F(LifecycleFlow, ADeletedServersInstanceActionsAreNovasAnswerForItsProjectOnly) {
  auto server = boot_on("cloudlet-2");
  ASSERT_EQ(action(server, {{"os-stop", nullptr}}).is_null(), true);
  ASSERT_EQ(h.send(bhttp::verb::delete_, "/compute/v2.1/servers/" + server).status, 204u);
  auto tombstone = h.registry().entry(server);
  ASSERT_TRUE(tombstone) << "its tombstone stays";
  EXPECT_EQ(tombstone->state, storage::entry_state::deleted);
  auto path = "/compute/v2.1/servers/" + server + "/os-instance-actions";
  auto listed = h.send(bhttp::verb::get, path, nullptr, {}, at_version("2.21"));
  ASSERT_EQ(listed.status, 200u) << listed.body;
  std::vector<std::string> actions;
  auto doc = json::parse(listed.body);   // named: a range over a temporary's member dangles
  for (const auto& a : doc.at("instanceActions")) {
    actions.push_back(a.at("action"));
    EXPECT_EQ(a.at("instance_uuid"), server) << "the cloud's ID is not shown";
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"delete", "stop", "create"}));
  auto request_id = doc["instanceActions"][2]["request_id"].get<std::string>();
  auto one = h.send(bhttp::verb::get, path + "/" + request_id, nullptr, {}, at_version("2.21"));
  ASSERT_EQ(one.status, 200u) << one.body;
  EXPECT_EQ(json::parse(one.body).at("instanceAction").at("action"), "create");
  // Before 2.21 Nova itself says 404 for a deleted server; so does any other call.
  EXPECT_EQ(h.send(bhttp::verb::get, path, nullptr, {}, at_version("2.20")).status, 404u);
  EXPECT_EQ(h.send(bhttp::verb::get, "/compute/v2.1/servers/" + server).status, 404u);
  // An admin may read them (Nova's policy); another project's caller may not.
  EXPECT_EQ(h.send(bhttp::verb::get, path, nullptr, h.admin_token(), at_version("2.21")).status, 200u);
  h.placement().place_on("cloudlet-3");
  json admins{{"name", "admins"}, {"imageRef", image.copies.at(2).local_id},
              {"flavorRef", flavor_on("cloudlet-1", "m1.tiny")}, {"networks", "none"}};
  auto booted = h.send(bhttp::verb::post, "/compute/v2.1/servers", {{"server", admins}}, h.admin_token(),
                       at_version("2.37"));
  ASSERT_EQ(booted.status, 202u) << booted.body;
  auto admins_id = json::parse(booted.body).at("server").value("id", "");
  auto admins_local = h.registry().entry(admins_id)->copies.at(0).local_id;
  ASSERT_EQ(h.send(bhttp::verb::delete_, "/compute/v2.1/servers/" + admins_id, nullptr, h.admin_token()).status,
            204u);
  h.clouds().clear_log();
  auto hidden = h.send(bhttp::verb::get, "/compute/v2.1/servers/" + admins_id + "/os-instance-actions", nullptr, {},
                       at_version("2.21"));
  EXPECT_EQ(hidden.status, 404u) << hidden.body;
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::get, "/v2.1/servers/" + admins_local).empty())
    << "demo is not sent to the admin's deleted server";
}

TEST_F(LifecycleFlow, ADeletedServerIsShownAsItsCloudShowsItUntilNovaHasDeletedIt) {
  auto server = boot_on("cloudlet-2");
  auto local = h.registry().entry(server)->copies.at(0).local_id;
  // Nova answers a delete 204 at once and deletes the instance afterwards (task
  // state `deleting`): the cloud still has it when the agent forgets it.
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::delete_, "/v2.1/servers/" + local,
                                  fault_effect::answer, 204));
  ASSERT_EQ(h.send(bhttp::verb::delete_, "/compute/v2.1/servers/" + server).status, 204u);
  ASSERT_EQ(h.registry().entry(server)->state, storage::entry_state::deleted);
  // Tempest waits for the 404 before it looks at the server group's members.
  auto shown = h.send(bhttp::verb::get, "/compute/v2.1/servers/" + server);
  ASSERT_EQ(shown.status, 200u) << "shown while its cloud still has it: " << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("server").at("id"), server) << "under its global ID";
  ASSERT_EQ(h.clouds().direct("cloudlet-2", svc::compute, bhttp::verb::delete_, "/v2.1/servers/" + local,
                              h.demo_token()).status,
            204u);
  EXPECT_EQ(h.send(bhttp::verb::get, "/compute/v2.1/servers/" + server).status, 404u) << "Nova's 404 once it is gone";
}

TEST_F(LifecycleFlow, ASnapshotWhoseAnswerWasLostIsFoundByItsMarkerAndRecorded) {
  auto server = boot_on("cloudlet-2");
  auto local = h.registry().entry(server)->copies.at(0).local_id;
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::post, "/v2.1/servers/" + local + "/action",
                                  fault_effect::no_answer_after_making));
  auto answer = action(server, {{"createImage", {{"name", "snap"}}}}, "2.45");
  auto global_id = answer.value("image_id", "");
  ASSERT_TRUE(api::global_id_owner(global_id)) << answer.dump();
  auto entry = h.registry().entry(global_id);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->state, storage::entry_state::bound);
  EXPECT_EQ(image_item(h, "cloudlet-2", entry->copies.at(0).local_id).value("name", ""), "snap");
}

TEST_F(LifecycleFlow, OwnerAwayARecordedSnapshotIsReadByItsMarkerButNoImageThatInheritedIt) {
  auto entry = demo_snapshot();
  ASSERT_FALSE(entry.copies.empty());
  auto snapshot = entry.global_id;
  auto snap_local = entry.copies.at(0).local_id;
  // A server booted from it, snapshotted on its cloud directly and shelved: Nova gives both
  // images the recorded snapshot's properties, its marker and fedstack_snapshot_of included.
  auto child = boot_on("cloudlet-2", {{"imageRef", snapshot}});
  auto child_local = h.registry().entry(child)->copies.at(0).local_id;
  ASSERT_EQ(h.clouds()
              .direct("cloudlet-2", svc::compute, bhttp::verb::post, "/v2.1/servers/" + child_local + "/action",
                      h.demo_token(), {{"createImage", {{"name", "direct"}}}})
              .status,
            202u);
  action(child, {{"shelve", nullptr}});
  std::size_t inherited = 0;
  for (const auto& item : h.clouds().items("cloudlet-2", "images"))
    inherited += item.value("instance_uuid", "") == child_local && item.value(std::string(api::gid_key), "") == snapshot;
  ASSERT_EQ(inherited, 2u) << "the direct snapshot and the shelve image carry the marker";

  h.registry().set_unavailable(true, {"get"});
  auto shown = h.send(bhttp::verb::get, "/image/v2/images/" + snapshot);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  auto doc = json::parse(shown.body);
  EXPECT_EQ(doc.value("id", ""), snapshot);
  EXPECT_EQ(doc.value("name", ""), "snap");
  ASSERT_FALSE(h.clouds().calls_to("cloudlet-2", bhttp::verb::get, "/v2/images/" + snap_local).empty())
    << "read from the recorded snapshot itself";

  // Gone from its cloud: neither image that inherited its marker passes for it.
  ASSERT_EQ(h.clouds()
              .direct("cloudlet-2", svc::image, bhttp::verb::delete_, "/v2/images/" + snap_local, h.demo_token())
              .status,
            204u);
  auto gone = h.send(bhttp::verb::get, "/image/v2/images/" + snapshot);
  EXPECT_EQ(gone.status, 404u) << gone.body;
}

/// A JSON patch of an image through the agent as `token`'s user: its status.
unsigned patch_image(flow_harness& h, const std::string& global_id, const std::string& token) {
  bhttp::fields headers;
  headers.set(bhttp::field::content_type, "application/openstack-images-v2.1-json-patch");
  json ops = json::array({{{"op", "add"}, {"path", "/purpose"}, {"value", "audit"}}});
  return h.send(bhttp::verb::patch, "/image/v2/images/" + global_id, ops, token, headers).status;
}

TEST_F(LifecycleFlow, AnAdminReachesAnotherProjectsRecordedSnapshotByItsMarkerAndItsProjectsEntry) {
  auto entry = demo_snapshot();
  ASSERT_FALSE(entry.copies.empty());
  auto snapshot = entry.global_id;
  auto local = entry.copies.at(0).local_id;
  // The owning cloud does not show the primary for the owner's entry this once, so the
  // admin's call finds the snapshot by its marker in every project (ask_other_project).
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::get, "/v2/images/" + local, fault_effect::answer, 503));
  EXPECT_EQ(patch_image(h, snapshot, h.admin_token()), 200u);
  json changed;
  for (const auto& item : h.clouds().items("cloudlet-2", "images"))
    if (item.value("id", "") == local) changed = item;
  EXPECT_EQ(changed.value("purpose", ""), "audit") << "the demo project's snapshot itself";
}

TEST_F(LifecycleFlow, ANonAdminNeverReachesAnotherProjectsRecordedSnapshotNorAnImageForgingItsMarker) {
  std::string admins;
  auto snapshot = admin_snapshot(admins);
  ASSERT_TRUE(h.registry().entry(snapshot));
  auto local = h.registry().entry(snapshot)->copies.at(0).local_id;
  // The demo user's own image on cloudlet-1 forging the snapshot's marker, recorded-snapshot proof included.
  h.clouds().seed_image("cloudlet-1", h.demo_token(),
                        {{"name", "forged"}, {std::string(api::gid_key), snapshot}, {"instance_uuid", "x"},
                         {std::string(api::snapshot_of_key), "x"}});
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::get, "/v2/images/" + local, fault_effect::answer, 503));
  h.clouds().clear_log();
  EXPECT_EQ(patch_image(h, snapshot, h.demo_token()), 404u);
  for (const auto& call : h.clouds().calls())
    EXPECT_NE(call.method, bhttp::verb::patch) << call.cloudlet << " " << call.target;
  for (const auto& item : h.clouds().items("cloudlet-2", "images"))
    EXPECT_FALSE(item.contains("purpose")) << "the admin's snapshot is untouched";
}

TEST_F(LifecycleFlow, TheReservationSweepNeverAdoptsASnapshotEvenOneMarkedAsRecorded) {
  // What a crash between Nova's answer and the bind leaves: the reservation, and
  // the snapshot carrying its marker, token and fedstack_snapshot_of.
  auto server = boot_on("cloudlet-2");
  auto local = h.registry().entry(server)->copies.at(0).local_id;
  std::string token = "0123456789abcdef0123456789abcdef";
  storage::registry_entry reservation;
  reservation.kind = resource_kind::image;
  reservation.global_id = h.registry().new_global_id();
  reservation.project_id = h.clouds().demo_project_id();
  reservation.name = "snap";
  reservation.attempt = storage::reserved_attempt{token, "cloudlet-2", {}};
  h.registry().seed(reservation);
  json metadata{{std::string(api::gid_key), reservation.global_id},
                {std::string(api::attempt_key), token},
                {std::string(api::snapshot_of_key), local}};
  ASSERT_EQ(h.clouds()
              .direct("cloudlet-2", svc::compute, bhttp::verb::post, "/v2.1/servers/" + local + "/action",
                      h.demo_token(), {{"createImage", {{"name", "snap"}, {"metadata", metadata}}}})
              .status,
            202u);
  h.run([&]() -> http::awaitable<void> {
    co_await sweep_reservations_once(h.context(), session, std::chrono::milliseconds{-1});
  });
  auto after = h.registry().entry(reservation.global_id);
  EXPECT_FALSE(after && after->state == storage::entry_state::bound) << "a derived image is never adopted";
  std::size_t kept = 0;
  for (const auto& item : h.clouds().items("cloudlet-2", "images"))
    kept += item.value(std::string(api::gid_key), "") == reservation.global_id;
  EXPECT_EQ(kept, 1u) << "and never deleted";
}

TEST_F(LifecycleFlow, AnotherProjectsSnapshotIsNeitherShownNorBootable) {
  std::string admins;
  auto snapshot = admin_snapshot(admins);
  auto recorded = h.registry().entry(snapshot);
  ASSERT_TRUE(recorded);
  EXPECT_EQ(recorded->project_id, h.clouds().admin_project_id());

  EXPECT_EQ(h.send(bhttp::verb::get, "/image/v2/images/" + snapshot).status, 404u) << "demo does not see it";
  auto listed = h.send(bhttp::verb::get, "/image/v2/images");
  EXPECT_EQ(listed.body.find(snapshot), std::string::npos);
  auto demo = boot_on("cloudlet-2");
  h.clouds().clear_log();
  action(demo, {{"rebuild", {{"imageRef", snapshot}}}}, "2.1", 400);
  auto entries = h.registry().entries().size();
  action(admins, {{"createImage", {{"name", "x"}}}}, "2.45", 404);   // demo cannot snapshot the admin's server
  EXPECT_EQ(h.registry().entries().size(), entries) << "nothing reserved";
  for (const auto& item : h.clouds().items("cloudlet-2", "images")) EXPECT_NE(item.value("name", ""), "x");
}


// --- min_count > 1 against a Nova that refuses metadata changes while a server
// builds (the lab's Zed Nova; docs/federation.md, "min_count > 1") ---

fake_clouds_options building_for_the_whole_test() {
  fake_clouds_options o;
  o.build_delay = std::chrono::hours{1};
  return o;
}

class MultiCreateFlow : public LifecycleFlow {
protected:
  MultiCreateFlow() : LifecycleFlow(building_for_the_whole_test()) {}

  /// The servers on cloudlet-2 and their markers, by cloud ID.
  std::map<std::string, api::marker> made() {
    std::map<std::string, api::marker> out;
    for (const auto& item : h.clouds().items("cloudlet-2", "servers")) {
      auto m = api::read_marker(svc::compute, item);
      EXPECT_TRUE(m) << item.dump();
      if (m) out.emplace(item.value("id", ""), *m);
    }
    return out;
  }

  /// Every server on cloudlet-2 bound under its own global ID; nothing reserved.
  std::set<std::string> expect_each_bound(std::size_t servers) {
    std::set<std::string> gids;
    auto on_cloud = made();
    EXPECT_EQ(on_cloud.size(), servers);
    for (const auto& [local, m] : on_cloud) {
      auto entry = h.registry().entry(m.global_id);
      EXPECT_TRUE(entry) << local;
      if (!entry) continue;
      EXPECT_EQ(entry->state, storage::entry_state::bound);
      EXPECT_EQ(entry->copies, (std::vector<storage::cloud_copy>{{"cloudlet-2", local}}));
      EXPECT_EQ(entry->project_id, h.clouds().demo_project_id());
      gids.insert(m.global_id);
    }
    EXPECT_EQ(gids.size(), servers) << "each its own global ID";
    for (const auto& entry : h.registry().entries())
      EXPECT_EQ(entry.state, storage::entry_state::bound) << entry.global_id << " is left reserved";
    return gids;
  }

  /// What the agent lists under the boot's name.
  std::set<std::string> listed(const std::string& path = "/compute/v2.1/servers?name=vm") {
    auto answer = h.send(bhttp::verb::get, path);
    EXPECT_EQ(answer.status, 200u) << answer.body;
    std::set<std::string> ids;
    auto doc = json::parse(answer.body);
    for (const auto& server : doc.at("servers")) {
      ids.insert(server.at("id").get<std::string>());
      if (server.contains("metadata")) {
        EXPECT_EQ(server.at("metadata"), json::object()) << "markers hidden";
      }
    }
    return ids;
  }

  /// What a boot of `count` servers marked with `boot` and `token` makes on
  /// cloudlet-2, made there directly; the first server's cloud ID.
  std::string boot_directly(const std::string& boot, int count) {
    json server{{"name", "vm"}, {"imageRef", image.copies.at(1).local_id},
                {"flavorRef", flavor_on("cloudlet-2", "m1.tiny")}, {"networks", "none"}, {"min_count", count},
                {"metadata", {{std::string(api::gid_key), boot}, {std::string(api::attempt_key), token},
                              {std::string(api::multi_key), "1"}}}};
    auto booted = h.clouds().direct("cloudlet-2", svc::compute, bhttp::verb::post, "/v2.1/servers", h.demo_token(),
                                    {{"server", server}});
    EXPECT_EQ(booted.status, 202u) << booted.body;
    return json::parse(booted.body).at("server").at("id").get<std::string>();
  }

  /// The attempt `token` of `boot` recorded as abandoned long ago.
  void abandon(const std::string& boot) {
    h.run([&]() -> http::awaitable<void> {
      storage::abandoned_attempt record{token, resource_kind::server, boot, h.clouds().demo_project_id(), "cloudlet-2", 0};
      co_await h.registry().abandon(record);
    });
  }

  const std::string token = "00112233445566778899aabbccddeeff";

  void sweep() {
    // Every reservation counts as left behind (timeout below 0): no other request runs.
    h.run([&]() -> http::awaitable<void> {
      co_await sweep_reservations_once(h.context(), session, std::chrono::milliseconds{-1});
    });
  }
};

TEST_F(MultiCreateFlow, TwoServersGetTwoGlobalIdsListedShownAndDeletedEachOnItsOwn) {
  auto first = boot_on("cloudlet-2", {{"min_count", 2}});
  auto on_cloud = made();
  ASSERT_EQ(on_cloud.size(), 2u);
  for (const auto& [local, m] : on_cloud) {
    EXPECT_EQ(server_on("cloudlet-2", m.global_id).value("status", ""), "BUILD");
    // What a marker rewrite would meet: Nova's 409 while the server builds.
    auto rewrite = h.clouds().direct("cloudlet-2", svc::compute, bhttp::verb::post, "/v2.1/servers/" + local + "/metadata",
                                     h.demo_token(), {{"metadata", {{"k", "v"}}}});
    EXPECT_EQ(rewrite.status, 409u) << rewrite.body;
  }
  auto gids = expect_each_bound(2);
  EXPECT_TRUE(gids.contains(first)) << "the answer names the first server by its own global ID";
  EXPECT_EQ(listed(), gids);
  EXPECT_EQ(listed("/compute/v2.1/servers/detail?name=vm"), gids);
  for (const auto& gid : gids) {
    auto shown = h.send(bhttp::verb::get, "/compute/v2.1/servers/" + gid);
    ASSERT_EQ(shown.status, 200u) << shown.body;
    EXPECT_EQ(json::parse(shown.body).at("server").at("id"), gid);
    EXPECT_EQ(json::parse(shown.body).at("server").at("metadata"), json::object());
  }
  for (const auto& gid : gids) EXPECT_EQ(h.send(bhttp::verb::delete_, "/compute/v2.1/servers/" + gid).status, 204u);
  EXPECT_TRUE(made().empty()) << "each delete reached its own server";
  EXPECT_TRUE(listed().empty());
}

TEST_F(MultiCreateFlow, ABootWhoseAnswerWasLostIsFoundByItsTokenAndEveryServerBound) {
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::post, "/v2.1/servers",
                                  fault_effect::no_answer_after_making));
  auto first = boot_on("cloudlet-2", {{"min_count", 2}});
  auto gids = expect_each_bound(2);
  EXPECT_TRUE(gids.contains(first));
  EXPECT_EQ(h.clouds().calls_to("", bhttp::verb::post, "/v2.1/servers").size(), 1u) << "no second boot";
  EXPECT_TRUE(h.registry().abandoned_attempts().empty());
  EXPECT_EQ(listed(), gids);
}

TEST_F(MultiCreateFlow, ServersThatCannotBeListedAtOnceAreBoundByTheReservationSweep) {
  // The look for the others fails once: the first is bound, the reservation stays.
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::get, "/v2.1/servers/detail", fault_effect::unreachable,
                                  503));
  auto first = boot_on("cloudlet-2", {{"min_count", 2}});
  ASSERT_TRUE(h.registry().entry(first));
  std::size_t reserved = 0;
  for (const auto& entry : h.registry().entries()) reserved += entry.state == storage::entry_state::reserved;
  EXPECT_EQ(reserved, 1u) << "the boot's reservation, for the sweep";
  sweep();
  auto gids = expect_each_bound(2);
  EXPECT_TRUE(gids.contains(first));
  EXPECT_EQ(listed(), gids);
  EXPECT_EQ(made().size(), 2u) << "nothing deleted";
}

TEST_F(MultiCreateFlow, ACrashBeforeTheBindingIsFinishedByTheReservationSweep) {
  // What a crash right after Nova made the servers leaves: the reservation
  // with its attempt, and the servers carrying the boot's marker.
  auto boot = h.registry().new_global_id();
  storage::registry_entry reservation;
  reservation.kind = resource_kind::server;
  reservation.global_id = boot;
  reservation.project_id = h.clouds().demo_project_id();
  reservation.name = "vm";
  reservation.attempt = storage::reserved_attempt{token, "cloudlet-2", {}};
  h.registry().seed(reservation);
  auto first = boot_directly(boot, 2);
  // ... and, crashed midway through the binding, one server already bound.
  h.record(resource_kind::server, h.clouds().demo_project_id(), {{"cloudlet-2", first}}, "vm",
           *api::server_global_id(boot, first));
  EXPECT_EQ(listed().size(), 2u) << "listed apart even before the sweep";
  sweep();
  auto gids = expect_each_bound(2);
  EXPECT_FALSE(h.registry().entry(boot)) << "the reservation goes once every server is bound";
  for (const auto& gid : gids) EXPECT_EQ(h.send(bhttp::verb::get, "/compute/v2.1/servers/" + gid).status, 200u);
}

TEST_F(MultiCreateFlow, AnAbandonedBootsServersAreKeptWhenThereAreSeveral) {
  // The owner deletes one resource of an abandoned attempt at most: two
  // servers carrying its token are both kept (and listed by the orphan sweep).
  auto boot = h.registry().new_global_id();
  boot_directly(boot, 2);
  abandon(boot);
  sweep();
  EXPECT_EQ(made().size(), 2u) << "nothing deleted";
  EXPECT_TRUE(h.registry().abandoned_attempts().empty()) << "the record is forgotten";
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-2", bhttp::verb::delete_, "/v2.1/servers").empty());
}

TEST_F(MultiCreateFlow, AnAbandonedBootsOneServerIsDeletedByItsOwner) {
  auto boot = h.registry().new_global_id();
  boot_directly(boot, 1);
  abandon(boot);
  sweep();
  EXPECT_TRUE(made().empty()) << "the one server the abandoned boot made";
}

} // namespace
} // namespace fedstack::agent::testing
