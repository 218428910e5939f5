// Clients cannot touch the federation's markers (docs/federation.md, "Markers
// clients cannot touch"; rules/marker_guard.hpp, flows/lifecycle.cpp): through
// the agent's handler against fake clouds, every call that would set, change
// or remove a marker is refused before it reaches the cloud, a read of one is
// a 404, and calls that replace all metadata keep the markers. The agent
// serves cloudlet-1; the server lives on cloudlet-2.

#include <gtest/gtest.h>

#include "api/global_id.hpp"
#include "api/percent.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;
using svc = api::service_type;

const std::vector<std::string> server_markers{std::string(api::gid_key), std::string(api::multi_key),
                                              std::string(api::attempt_key), "fedstack_other"};

class MarkerGuardFlow : public ::testing::Test {
protected:
  /// An image recorded with its primary on cloudlet-1 and copies elsewhere (no bytes move).
  std::string image() {
    auto global_id = h.registry().new_global_id();
    std::vector<storage::cloud_copy> copies;
    for (const char* region : {"cloudlet-1", "cloudlet-2"}) {
      json fields{{"name", "cirros"}};
      fields[std::string(copies.empty() ? api::gid_key : api::copy_of_key)] = global_id;
      copies.push_back({region, h.clouds().seed_image(region, h.demo_token(), fields)});
    }
    return h.record(resource_kind::image, h.clouds().demo_project_id(), copies, "cirros", global_id).global_id;
  }

  std::string boot_on_cloudlet_2() {
    h.placement().place_on("cloudlet-2");
    auto flavors = h.send(bhttp::verb::get, "/compute/v2.1/flavors");
    auto flavor = json::parse(flavors.body).at("flavors").at(0).at("id").get<std::string>();
    json body{{"server", {{"name", "vm"}, {"imageRef", image_id}, {"flavorRef", flavor}, {"networks", "none"},
                          {"metadata", {{"role", "web"}}}}}};
    auto made = h.send(bhttp::verb::post, "/compute/v2.1/servers", body, {}, version("compute 2.37"));
    EXPECT_EQ(made.status, 202u) << made.body;
    return json::parse(made.body).at("server").at("id").get<std::string>();
  }

  static bhttp::fields version(const std::string& value) {
    bhttp::fields headers;
    headers.set("OpenStack-API-Version", value);
    return headers;
  }

  /// The item's metadata as its cloud holds it (admin, straight to the cloud).
  json cloud_metadata(const std::string& region, svc service, const std::string& path, const char* singular) {
    auto shown = h.clouds().direct(region, service, bhttp::verb::get, path, h.admin_token());
    EXPECT_EQ(shown.status, 200u) << shown.body;
    return json::parse(shown.body).at(singular).value("metadata", json::object());
  }

  json server_metadata(const std::string& global_id) {
    return cloud_metadata("cloudlet-2", svc::compute,
                          "/v2.1/servers/" + h.registry().entry(global_id)->copies.at(0).local_id, "server");
  }

  /// The cloud calls logged so far that are not reads.
  std::size_t writes_to(const std::string& region) {
    std::size_t n = 0;
    for (const auto& call : h.clouds().calls())
      n += call.cloudlet == region && call.method != bhttp::verb::get;
    return n;
  }

  flow_harness h;
  std::string image_id = image();
};

TEST_F(MarkerGuardFlow, EveryServerMetadataCallNamingAMarkerIsRefusedAndTheMarkerStays) {
  auto server = boot_on_cloudlet_2();
  auto before = server_metadata(server);
  ASSERT_EQ(before.value(std::string(api::gid_key), ""), server);
  auto item = "/compute/v2.1/servers/" + server;
  auto writes = writes_to("cloudlet-2");
  for (const auto& key : server_markers) {
    json forged{{key, "forged"}};
    for (auto [method, path, body] : std::vector<std::tuple<bhttp::verb, std::string, json>>{
           {bhttp::verb::post, item + "/metadata", {{"metadata", forged}}},
           {bhttp::verb::put, item + "/metadata", {{"metadata", {{"role", "db"}, {key, "forged"}}}}},
           {bhttp::verb::put, item + "/metadata/" + key, {{"meta", forged}}},
           {bhttp::verb::delete_, item + "/metadata/" + key, nullptr},
           {bhttp::verb::post, item + "/action", {{"rebuild", {{"imageRef", image_id}, {"metadata", forged}}}}},
         }) {
      auto answer = h.send(method, path, body);
      EXPECT_EQ(answer.status, 400u) << path << " " << body << " " << answer.body;
      EXPECT_NE(answer.body.find(key), std::string::npos) << "the answer names the key: " << answer.body;
    }
    auto read = h.send(bhttp::verb::get, item + "/metadata/" + key);
    EXPECT_EQ(read.status, 404u) << key << " " << read.body;
  }
  EXPECT_EQ(writes_to("cloudlet-2"), writes) << "no refused call reached the cloud";
  EXPECT_EQ(server_metadata(server), before);
  auto listed = h.send(bhttp::verb::get, item + "/metadata");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  EXPECT_EQ(json::parse(listed.body).at("metadata"), json({{"role", "web"}})) << "markers hidden";
  auto shown = h.send(bhttp::verb::get, item);
  EXPECT_EQ(shown.status, 200u) << "still named by its global ID: " << shown.body;
}

TEST_F(MarkerGuardFlow, CallsReplacingAServersMetadataKeepItsMarker) {
  auto server = boot_on_cloudlet_2();
  auto item = "/compute/v2.1/servers/" + server;
  auto replaced = h.send(bhttp::verb::put, item + "/metadata", {{"metadata", {{"role", "db"}}}});
  ASSERT_EQ(replaced.status, 200u) << replaced.body;
  EXPECT_EQ(json::parse(replaced.body).at("metadata"), json({{"role", "db"}}));
  EXPECT_EQ(server_metadata(server).value(std::string(api::gid_key), ""), server);

  // A rebuild replaces the metadata with its own (Nova's rebuild; sim/nova_lifecycle.cpp).
  auto rebuilt = h.send(bhttp::verb::post, item + "/action",
                        {{"rebuild", {{"imageRef", image_id}, {"metadata", {{"role", "cache"}}}}}});
  ASSERT_EQ(rebuilt.status, 202u) << rebuilt.body;
  auto metadata = server_metadata(server);
  EXPECT_EQ(metadata.value("role", ""), "cache");
  EXPECT_EQ(metadata.value(std::string(api::gid_key), ""), server) << metadata;
  EXPECT_EQ(json::parse(rebuilt.body).at("server").at("metadata"), json({{"role", "cache"}})) << "markers hidden";

  auto removed = h.send(bhttp::verb::delete_, item + "/metadata/role");
  EXPECT_EQ(removed.status, 204u) << removed.body;
  EXPECT_EQ(server_metadata(server).value(std::string(api::gid_key), ""), server);
  auto shown = h.send(bhttp::verb::get, item);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("server").at("id"), server);
}

TEST_F(MarkerGuardFlow, VolumeMetadataCallsNamingAMarkerAreRefusedAndReplacementsKeepIt) {
  auto base = "/volume/v3/" + h.clouds().demo_project_id() + "/volumes";
  h.placement().place_on("cloudlet-2");
  auto made = h.send(bhttp::verb::post, base, {{"volume", {{"size", 1}, {"name", "v"}}}});
  ASSERT_EQ(made.status, 202u) << made.body;
  auto volume = json::parse(made.body).at("volume").at("id").get<std::string>();
  auto entry = h.registry().entry(volume);
  ASSERT_TRUE(entry);
  auto cloud_path = "/v3/" + h.clouds().demo_project_id() + "/volumes/" + entry->copies.at(0).local_id;
  auto marker = [&] {
    return cloud_metadata(entry->copies.at(0).cloudlet, svc::volume, cloud_path, "volume")
      .value(std::string(api::gid_key), "");
  };
  ASSERT_EQ(marker(), volume);
  auto item = base + "/" + volume;
  for (const auto& key : std::vector<std::string>{std::string(api::gid_key), std::string(api::attempt_key)}) {
    json forged{{key, "forged"}};
    for (auto [method, path, body] : std::vector<std::tuple<bhttp::verb, std::string, json>>{
           {bhttp::verb::post, item + "/metadata", {{"metadata", forged}}},
           {bhttp::verb::put, item + "/metadata", {{"metadata", forged}}},
           {bhttp::verb::put, item + "/metadata/" + key, {{"meta", forged}}},
           {bhttp::verb::delete_, item + "/metadata/" + key, nullptr},
           {bhttp::verb::put, item, {{"volume", {{"metadata", forged}}}}},
         })
      EXPECT_EQ(h.send(method, path, body).status, 400u) << path << " " << body;
    EXPECT_EQ(h.send(bhttp::verb::get, item + "/metadata/" + key).status, 404u) << key;
  }
  EXPECT_EQ(marker(), volume);
  // Replacing all metadata, directly or in an update, keeps the marker.
  auto put = h.send(bhttp::verb::put, item + "/metadata", {{"metadata", {{"tier", "gold"}}}});
  ASSERT_EQ(put.status, 200u) << put.body;
  EXPECT_EQ(json::parse(put.body).at("metadata"), json({{"tier", "gold"}}));
  EXPECT_EQ(marker(), volume);
  auto updated = h.send(bhttp::verb::put, item, {{"volume", {{"name", "w"}, {"metadata", {{"tier", "silver"}}}}}});
  ASSERT_EQ(updated.status, 200u) << updated.body;
  EXPECT_EQ(marker(), volume);
  EXPECT_EQ(cloud_metadata(entry->copies.at(0).cloudlet, svc::volume, cloud_path, "volume").value("tier", ""),
            "silver");
  EXPECT_EQ(h.send(bhttp::verb::get, item).status, 200u);
}

TEST_F(MarkerGuardFlow, ImagePatchesAndNetworkTagsNamingAMarkerAreRefused) {
  bhttp::fields patch_type;
  patch_type.set(bhttp::field::content_type, "application/openstack-images-v2.1-json-patch");
  for (const auto& key : std::vector<std::string>{std::string(api::gid_key), std::string(api::copy_of_key),
                                std::string(api::snapshot_of_key), std::string(api::attempt_key)})
    for (const char* op : {"add", "replace", "remove"}) {
      auto answer = h.send(bhttp::verb::patch, "/image/v2/images/" + image_id,
                           json::array({{{"op", op}, {"path", "/" + key}, {"value", "x"}}}), {}, patch_type);
      EXPECT_EQ(answer.status, 400u) << op << " " << key << " " << answer.body;
    }
  auto primary = h.registry().entry(image_id)->copies.at(0);
  auto shown = h.clouds().direct("cloudlet-1", svc::image, bhttp::verb::get, "/v2/images/" + primary.local_id,
                                 h.admin_token());
  EXPECT_EQ(json::parse(shown.body).value(std::string(api::gid_key), ""), image_id);

  auto made = h.send(bhttp::verb::post, "/network/v2.0/networks", {{"network", {{"name", "n"}}}});
  ASSERT_EQ(made.status, 201u) << made.body;
  auto network = json::parse(made.body).at("network").at("id").get<std::string>();
  auto item = "/network/v2.0/networks/" + network;
  auto tag = api::percent_encode(api::marker_tag({network, false, {}}));
  EXPECT_EQ(h.send(bhttp::verb::delete_, item + "/tags/" + tag).status, 400u);
  EXPECT_EQ(h.send(bhttp::verb::put, item + "/tags/" + tag).status, 400u);
  EXPECT_EQ(h.send(bhttp::verb::get, item + "/tags/" + tag).status, 404u);
  EXPECT_EQ(h.send(bhttp::verb::put, item + "/tags", {{"tags", {"red", api::marker_tag({image_id, false, {}})}}}).status,
            400u);
  auto local = h.registry().entry(network)->copies.at(0);
  auto tags = json::parse(h.clouds()
                            .direct(local.cloudlet, svc::network, bhttp::verb::get, "/v2.0/networks/" + local.local_id,
                                    h.admin_token())
                            .body)
                .at("network")
                .at("tags");
  EXPECT_EQ(tags.size(), 2u) << "its marker and attempt tag, nothing else: " << tags;
  EXPECT_NE(std::find(tags.begin(), tags.end(), api::marker_tag({network, false, {}})), tags.end()) << tags;
  auto shown_network = h.send(bhttp::verb::get, item);
  ASSERT_EQ(shown_network.status, 200u) << shown_network.body;
  EXPECT_EQ(json::parse(shown_network.body).at("network").at("tags"), json::array()) << "markers hidden";
}

TEST_F(MarkerGuardFlow, ANetworksTagListOmitsTheFederationsTagsAndOneTagReadsAsNeutronAnswers) {
  auto made = h.send(bhttp::verb::post, "/network/v2.0/networks", {{"network", {{"name", "n"}}}});
  ASSERT_EQ(made.status, 201u) << made.body;
  auto network = json::parse(made.body).at("network").at("id").get<std::string>();
  auto item = "/network/v2.0/networks/" + network;
  ASSERT_EQ(h.send(bhttp::verb::put, item + "/tags", {{"tags", {"red", "blue"}}}).status, 200u);
  auto local = h.registry().entry(network)->copies.at(0);
  // A tag of the federation's namespace that is no marker (as fedstack_fip_used is).
  ASSERT_EQ(h.clouds()
              .direct(local.cloudlet, svc::network, bhttp::verb::put,
                      "/v2.0/networks/" + local.local_id + "/tags/fedstack_other", h.admin_token())
              .status, 201u);
  auto on_cloud = json::parse(h.clouds()
                                .direct(local.cloudlet, svc::network, bhttp::verb::get,
                                        "/v2.0/networks/" + local.local_id + "/tags", h.admin_token())
                                .body);
  ASSERT_EQ(on_cloud.at("tags").size(), 5u) << "red, blue, its marker, attempt tag and fedstack_other: " << on_cloud;

  auto listed = h.send(bhttp::verb::get, item + "/tags");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  EXPECT_EQ(json::parse(listed.body), json({{"tags", {"red", "blue"}}})) << "every fedstack_ tag omitted";
  EXPECT_EQ(h.send(bhttp::verb::get, item + "/tags/red").status, 204u);
  EXPECT_EQ(h.send(bhttp::verb::get, item + "/tags/green").status, 404u);
  auto marker = api::percent_encode(api::marker_tag({network, false, {}}));
  EXPECT_EQ(h.send(bhttp::verb::get, item + "/tags/" + marker).status, 404u) << "as the list: absent";
}

} // namespace
} // namespace fedstack::agent::testing
