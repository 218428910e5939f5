// Block Storage v3 on the agent: routes, catalog entries, version documents,
// microversions and errors in Cinder's shapes (docs/federation.md, "Volumes").
#include "api/catalog.hpp"
#include "api/errors.hpp"
#include "api/global_id.hpp"
#include "api/list_merge.hpp"
#include "api/microversion.hpp"
#include "api/route.hpp"
#include "api/service.hpp"
#include "api/urls.hpp"
#include "api/versions.hpp"

#include <gtest/gtest.h>

namespace fedstack::api {
namespace {

using nlohmann::json;

constexpr const char* project = "075a8a3d2acb45d896abd52d5e055929";
constexpr const char* agent = "http://agent.example:8080";

TEST(volume_routes, keep_the_project_in_cinders_path) {
  auto r = classify("GET", std::string("/volume/v3/") + project + "/volumes/detail?limit=2");
  EXPECT_EQ(r.kind, route_kind::api);
  EXPECT_EQ(r.service, service_type::volume);
  EXPECT_EQ(r.upstream_path, std::string("/v3/") + project + "/volumes/detail");
  EXPECT_EQ(r.resource, "volumes");
  EXPECT_EQ(r.action, "detail");
  EXPECT_TRUE(r.is_collection);
  EXPECT_EQ(r.project_id, project);
  EXPECT_EQ(r.query, "limit=2");
}

TEST(volume_routes, name_items_actions_and_snapshots) {
  auto r = classify("POST", std::string("/volume/v3/") + project + "/volumes/abc/action");
  EXPECT_EQ(r.resource_id, "abc");
  EXPECT_EQ(r.action, "action");
  EXPECT_TRUE(r.method_allowed);
  auto s = classify("DELETE", std::string("/volume/v3/") + project + "/snapshots/xyz");
  EXPECT_EQ(s.resource, "snapshots");
  EXPECT_EQ(s.resource_id, "xyz");
  EXPECT_EQ(s.upstream_path, std::string("/v3/") + project + "/snapshots/xyz");
  EXPECT_FALSE(classify("PATCH", std::string("/volume/v3/") + project + "/volumes/abc").method_allowed);
  EXPECT_FALSE(classify("POST", std::string("/volume/v3/") + project + "/volumes/detail").method_allowed);
}

TEST(volume_routes, take_the_project_less_form_of_3_67) {
  auto r = classify("GET", "/volume/v3/volumes/abc");
  EXPECT_EQ(r.kind, route_kind::api);
  EXPECT_EQ(r.upstream_path, "/v3/volumes/abc");
  EXPECT_EQ(r.resource_id, "abc");
  EXPECT_TRUE(r.project_id.empty());
}

TEST(volume_routes, serve_version_documents_and_keep_identity_at_v3) {
  EXPECT_EQ(classify("GET", "/volume").kind, route_kind::version_list);
  EXPECT_EQ(classify("GET", "/volume/v3").kind, route_kind::version_doc);
  EXPECT_EQ(classify("GET", std::string("/volume/v3/") + project).kind, route_kind::version_doc);
  auto other = classify("GET", "/volume/v2/volumes");
  EXPECT_EQ(other.kind, route_kind::not_found);
  EXPECT_EQ(other.service, service_type::volume);
  // Identity keeps the agent's root `/v3`.
  EXPECT_EQ(classify("GET", std::string("/v3/") + project + "/volumes").service, service_type::identity);
  // Cinder routes with Routes: a trailing '/' names nothing.
  EXPECT_EQ(classify("GET", std::string("/volume/v3/") + project + "/volumes/").kind, route_kind::not_found);
}

TEST(volume_catalog, points_volumev3_and_block_storage_at_the_agent_with_the_project) {
  json token = {{"token",
                 {{"project", {{"id", project}}},
                  {"catalog",
                   json::array({{{"type", "compute"},
                                 {"endpoints", json::array({{{"interface", "public"}, {"region_id", "R1"},
                                                             {"url", "http://nova:8774/v2.1"}}})}},
                                {{"type", "volumev3"},
                                 {"name", "cinderv3"},
                                 {"endpoints", json::array({{{"interface", "public"}, {"region_id", "R2"},
                                                             {"url", std::string("http://c:8776/v3/") + project}}})}}})}}}};
  ASSERT_TRUE(rewrite_catalog(token, agent, "R1"));
  int volume_services = 0;
  for (const auto& service : token["token"]["catalog"]) {
    auto type = service["type"].get<std::string>();
    if (type != "volumev3" && type != "block-storage") continue;
    ++volume_services;
    EXPECT_EQ(service["name"], "cinderv3");
    ASSERT_EQ(service["endpoints"].size(), 6u);   // 3 interfaces x 2 regions
    for (const auto& e : service["endpoints"])
      EXPECT_EQ(e["url"], std::string(agent) + "/volume/v3/" + project);
  }
  EXPECT_EQ(volume_services, 2);
}

TEST(volume_catalog, stays_out_when_no_cloud_has_block_storage) {
  json token = {{"token",
                 {{"project", {{"id", project}}},
                  {"catalog", json::array({{{"type", "compute"},
                                            {"endpoints", json::array({{{"interface", "public"},
                                                                        {"region_id", "R1"},
                                                                        {"url", "http://nova:8774/v2.1"}}})}}})}}}};
  ASSERT_TRUE(rewrite_catalog(token, agent, "R1"));
  for (const auto& service : token["token"]["catalog"]) EXPECT_NE(service["type"], "volumev3");
}

TEST(volume_catalog, takes_the_project_from_a_catalog_body) {
  json body = {{"catalog", json::array({{{"type", "block-storage"},
                                         {"endpoints", json::array({{{"interface", "public"}, {"region_id", "R1"},
                                                                     {"url", std::string("http://h/volume/v3/") + project}}})}}})}};
  ASSERT_TRUE(rewrite_catalog(body, agent, "R1"));
  EXPECT_EQ(find_endpoint_url(body, "volumev3", "public", "R1"), std::string(agent) + "/volume/v3/" + project);
}

TEST(volume_urls, find_cinders_service_root) {
  EXPECT_EQ(upstream_service_root(service_type::volume, std::string("http://h:8776/v3/") + project), "http://h:8776");
  EXPECT_EQ(upstream_service_root(service_type::volume, "http://h/volume/v3/$(project_id)s"), "http://h/volume");
  EXPECT_EQ(upstream_service_root(service_type::volume, "http://h:8776/v3/"), "http://h:8776");
  EXPECT_EQ(service_from_string("block-storage"), service_type::volume);
  EXPECT_EQ(service_from_string("volumev3"), service_type::volume);
}

TEST(volume_versions, answer_cinders_documents_under_the_agent) {
  microversion_range range{{3, 0}, {3, 70}};
  auto list = volume_version_list(agent, range, true);
  EXPECT_EQ(list.status, 300);
  const auto& v = list.body["versions"][0];
  EXPECT_EQ(v["id"], "v3.0");
  EXPECT_EQ(v["version"], "3.70");
  EXPECT_EQ(v["min_version"], "3.0");
  EXPECT_EQ(v["links"][1]["href"], std::string(agent) + "/volume/v3/");
  auto doc = version_document(classify("GET", "/volume/v3"), agent, {}, range);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->status, 200);
}

TEST(volume_microversions, are_negotiated_and_refused_as_cinder_does) {
  auto none = negotiate_volume_microversion(std::nullopt);
  EXPECT_EQ(none.version, (microversion{3, 0}));
  auto asked = negotiate_volume_microversion("compute 2.50, volume 3.42");
  EXPECT_EQ(asked.version, (microversion{3, 42}));
  EXPECT_EQ(negotiate_volume_microversion("volume latest").version, (microversion{3, 70}));
  EXPECT_EQ(negotiate_volume_microversion("volume 3.71").status, microversion_status::not_acceptable);
  EXPECT_EQ(negotiate_volume_microversion("volume 3.x").status, microversion_status::bad_request);
  // Only the compute entry: the volume API is at its minimum.
  EXPECT_EQ(negotiate_volume_microversion("compute 2.90").version, (microversion{3, 0}));
  EXPECT_EQ(volume_api_version_header({3, 42}), "volume 3.42");
}

TEST(volume_errors, take_cinders_fault_shape) {
  auto e = not_found_error(service_type::volume, "volumes", "abc");
  auto body = json::parse(e.body);
  EXPECT_EQ(body["itemNotFound"]["code"], 404);
  EXPECT_EQ(body["itemNotFound"]["message"], "Volume abc could not be found.");
  auto conflict = json::parse(error_body(service_type::volume, 409, "no").body);
  EXPECT_EQ(conflict["conflictingRequest"]["message"], "no");
}

TEST(volume_markers, live_in_metadata_and_are_stripped) {
  json body = {{"volume", {{"size", 1}}}};
  const std::string token = "0123456789abcdef0123456789abcdef";
  add_marker(service_type::volume, body, {"1f0c2a77-5e1b-8d4e-9a3c-7f0000011283", false, token});
  EXPECT_EQ(body["volume"]["metadata"]["fedstack_gid"], "1f0c2a77-5e1b-8d4e-9a3c-7f0000011283");
  json snapshot = {{"snapshot", {{"volume_id", "v"}}}};
  add_marker(service_type::volume, snapshot, {"1f0c2a77-5e1b-8d4e-9a3c-7f0000011283", false, {}});
  EXPECT_EQ(snapshot["snapshot"]["metadata"]["fedstack_gid"], "1f0c2a77-5e1b-8d4e-9a3c-7f0000011283");
  auto item = body["volume"];
  auto m = read_marker(service_type::volume, item);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->attempt, token);
  strip_marker(service_type::volume, item);
  EXPECT_TRUE(item["metadata"].empty());
}

TEST(volume_lists, sort_as_cinder_does) {
  auto plain = parse_list_sort(service_type::volume, "volumes", "");
  ASSERT_TRUE(plain.ok());
  ASSERT_EQ(plain.keys.size(), 2u);
  EXPECT_EQ(plain.keys[0].field, "created_at");
  EXPECT_TRUE(plain.keys[0].descending);
  EXPECT_EQ(plain.keys[1].field, "id");
  auto named = parse_list_sort(service_type::volume, "volumes", "sort=name:asc,size");
  ASSERT_TRUE(named.ok());
  ASSERT_EQ(named.keys.size(), 4u);
  EXPECT_EQ(named.keys[0].field, "name");
  EXPECT_FALSE(named.keys[0].descending);
  EXPECT_TRUE(named.keys[1].descending);   // no direction: desc
  EXPECT_FALSE(named.keys[3].descending);  // the tie-breakers follow the first key
  EXPECT_FALSE(parse_list_sort(service_type::volume, "volumes", "sort=name&sort_key=size").ok());
}

} // namespace
} // namespace fedstack::api
