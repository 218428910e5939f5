#include "api/versions.hpp"

#include "fixtures.hpp"

#include <gtest/gtest.h>

namespace fedstack::api {
namespace {

using nlohmann::json;
using test::fixture_json_with;

constexpr const char* agent = "http://agent.example:8080";

// Each generated document must equal the captured Zed answer once the captured service root
// is replaced by the agent's (field by field: nlohmann::json compares recursively).

TEST(versions, identity_list_matches_keystone) {
  auto doc = identity_version_list(agent);
  EXPECT_EQ(doc.status, 300);
  EXPECT_EQ(doc.body, fixture_json_with("identity-versions.json", "http://127.0.0.1:5000",
                                        "http://agent.example:8080"));
  ASSERT_EQ(doc.headers.size(), 1u);
  EXPECT_EQ(doc.headers[0].first, "Location");
  EXPECT_EQ(doc.headers[0].second, "http://agent.example:8080/v3/");
}

TEST(versions, identity_doc_matches_keystone) {
  auto doc = identity_version_doc(agent);
  EXPECT_EQ(doc.status, 200);
  EXPECT_TRUE(doc.headers.empty());
  EXPECT_EQ(doc.body, fixture_json_with("identity-v3.json", "http://127.0.0.1:5000",
                                        "http://agent.example:8080"));
}

TEST(versions, image_lists_match_glance) {
  auto root = image_version_list(agent, true);
  EXPECT_EQ(root.status, 300);
  EXPECT_EQ(root.body, fixture_json_with("image-versions-root.json", "http://127.0.0.1:9292",
                                         "http://agent.example:8080/image"));
  auto versions = image_version_list(agent, false);
  EXPECT_EQ(versions.status, 200);
  EXPECT_EQ(versions.body, fixture_json_with("image-versions.json", "http://127.0.0.1:9292",
                                             "http://agent.example:8080/image"));
  EXPECT_EQ(versions.body["versions"][0]["id"], "v2.16");
  EXPECT_EQ(versions.body["versions"][0]["status"], "CURRENT");
  EXPECT_EQ(versions.body["versions"].size(), 12u);
}

TEST(versions, network_list_and_resources_match_neutron) {
  auto list = network_version_list(agent);
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(list.body, fixture_json_with("network-versions.json", "http://127.0.0.1:9696",
                                         "http://agent.example:8080/network"));
  auto resources = network_resources_doc(agent);
  EXPECT_EQ(resources.status, 200);
  EXPECT_EQ(resources.body, fixture_json_with("network-v2.0-resources.json", "http://127.0.0.1:9696",
                                              "http://agent.example:8080/network"));
}

TEST(versions, compute_list_and_doc_match_nova) {
  microversion_range zed{{2, 1}, {2, 93}};
  auto list = compute_version_list(agent, zed);
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(list.body, fixture_json_with("compute-versions.json", "http://127.0.0.1:8774",
                                         "http://agent.example:8080/compute"));
  auto doc = compute_version_doc(agent, zed);
  EXPECT_EQ(doc.status, 200);
  EXPECT_EQ(doc.body, fixture_json_with("compute-v2.1.json", "http://127.0.0.1:8774",
                                        "http://agent.example:8080/compute"));
}

TEST(versions, compute_documents_follow_the_range) {
  microversion_range federation{{2, 5}, {2, 60}};
  auto doc = compute_version_doc(agent, federation);
  EXPECT_EQ(doc.body["version"]["version"], "2.60");
  EXPECT_EQ(doc.body["version"]["min_version"], "2.5");
  auto list = compute_version_list(agent, federation);
  EXPECT_EQ(list.body["versions"][1]["version"], "2.60");
  EXPECT_EQ(list.body["versions"][1]["min_version"], "2.5");
  EXPECT_EQ(list.body["versions"][0]["version"], "");
  // The agent learns the range back from its own document, as from a Nova's.
  auto range = range_from_version_document(doc.body);
  ASSERT_TRUE(range);
  EXPECT_EQ(range->min, (microversion{2, 5}));
  EXPECT_EQ(range->max, (microversion{2, 60}));
}

TEST(versions, compute_legacy_v2_doc) {
  auto doc = compute_version_doc(agent, {}, true);
  const auto& v = doc.body["version"];
  EXPECT_EQ(v["id"], "v2.0");
  EXPECT_EQ(v["status"], "SUPPORTED");
  EXPECT_EQ(v["version"], "");
  EXPECT_EQ(v["min_version"], "");
  EXPECT_EQ(v["links"][0]["href"], "http://agent.example:8080/compute/v2/");
  EXPECT_EQ(v["media-types"][0]["type"], "application/vnd.openstack.compute+json;version=2");
}

TEST(versions, trailing_slash_on_the_base_is_ignored) {
  EXPECT_EQ(identity_version_doc("http://a:1/").body["version"]["links"][0]["href"],
            "http://a:1/v3/");
  EXPECT_EQ(network_version_list("http://a:1/").body["versions"][0]["links"][0]["href"],
            "http://a:1/network/v2.0/");
}

TEST(versions, dispatch_by_route) {
  microversion_range zed;
  auto for_target = [&](const char* target) {
    return version_document(classify("GET", target), agent, zed);
  };
  EXPECT_EQ(for_target("/")->status, 300);
  EXPECT_TRUE(for_target("/")->body["versions"].contains("values"));
  EXPECT_TRUE(for_target("/v3")->body.contains("version"));
  EXPECT_EQ(for_target("/image")->status, 300);
  EXPECT_EQ(for_target("/image/versions")->status, 200);
  EXPECT_EQ(for_target("/image/versions")->body, image_version_list(agent, false).body);
  EXPECT_EQ(for_target("/network")->body, network_version_list(agent).body);
  EXPECT_EQ(for_target("/network/v2.0/")->body, network_resources_doc(agent).body);
  EXPECT_EQ(for_target("/v2.0")->body, network_resources_doc(agent).body);
  EXPECT_EQ(for_target("/compute")->body, compute_version_list(agent, zed).body);
  EXPECT_EQ(for_target("/compute/v2.1/075a8a3d2acb45d896abd52d5e055929")->body,
            compute_version_doc(agent, zed).body);
  EXPECT_EQ(for_target("/v2.1")->body, compute_version_doc(agent, zed).body);
  EXPECT_EQ(for_target("/compute/v2")->body, compute_version_doc(agent, zed, true).body);
  EXPECT_FALSE(for_target("/v2/images"));
  EXPECT_FALSE(for_target("/nothing"));
  EXPECT_FALSE(for_target("/v2/../x"));
}

} // namespace
} // namespace fedstack::api
