#include "api/catalog.hpp"

#include "fixtures.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace fedstack::api {
namespace {

using nlohmann::json;
using test::fixture_json;

constexpr const char* agent = "http://agent.example:8080";

// The rewritten catalog's services, by type.
std::map<std::string, json> services_by_type(const json& catalog) {
  std::map<std::string, json> by_type;
  for (const auto& service : catalog) by_type[service["type"].get<std::string>()] = service;
  return by_type;
}

TEST(catalog, finds_upstream_endpoints_in_the_captured_token) {
  auto token = fixture_json("token-response.json");
  EXPECT_EQ(find_endpoint_url(token, "compute", "public", "RegionTwo"),
            "http://127.0.0.1:9774/v2.1");
  EXPECT_EQ(find_endpoint_url(token, "compute", "internal", "RegionOne"),
            "http://127.0.0.1:8774/v2.1");
  EXPECT_EQ(find_endpoint_url(token, "image", "public", "RegionTwo"), "http://127.0.0.1:10292");
  EXPECT_EQ(find_endpoint_url(token, "image", "admin", "RegionOne"), "http://127.0.0.1:9292");
  EXPECT_EQ(find_endpoint_url(token, "network", "public", "RegionTwo"), "http://127.0.0.1:10696");
  EXPECT_EQ(find_endpoint_url(token, "identity", "public", "RegionOne"),
            "http://127.0.0.1:5000/v3/");
  EXPECT_EQ(find_endpoint_url(token, "placement", "public", "RegionOne"), "http://127.0.0.1:8778");
  EXPECT_EQ(find_endpoint_url(token, "volumev3", "public", "RegionOne"), std::nullopt);
  EXPECT_EQ(find_endpoint_url(token, "compute", "public", "RegionThree"), std::nullopt);
  EXPECT_EQ(find_endpoint_url(token, "compute", "private", "RegionOne"), std::nullopt);
  // Any region: the first listed.
  EXPECT_TRUE(find_endpoint_url(token, "compute", "public", "").has_value());
}

TEST(catalog, finds_endpoints_in_catalog_bodies_and_arrays) {
  auto token = fixture_json("token-response.json");
  json catalog_body = {{"catalog", token["token"]["catalog"]}};
  EXPECT_EQ(find_endpoint_url(catalog_body, "image", "public", "RegionOne"),
            "http://127.0.0.1:9292");
  EXPECT_EQ(find_endpoint_url(token["token"]["catalog"], "image", "public", "RegionOne"),
            "http://127.0.0.1:9292");
  EXPECT_EQ(find_catalog(json::object()), nullptr);
  EXPECT_EQ(find_catalog(json("text")), nullptr);
  EXPECT_EQ(find_endpoint_url(json(nullptr), "image", "public", ""), std::nullopt);
}

TEST(catalog, matches_region_by_region_or_region_id) {
  json catalog = json::array({{{"type", "image"},
                               {"endpoints", json::array({{{"interface", "public"},
                                                           {"region", "Old"},
                                                           {"url", "http://old"}}})}}});
  EXPECT_EQ(find_endpoint_url(catalog, "image", "public", "Old"), "http://old");
}

TEST(catalog, rewrites_the_captured_token) {
  auto token = fixture_json("token-response.json");
  auto untouched_project = token["token"]["project"];
  ASSERT_TRUE(rewrite_catalog(token, agent, "RegionOne"));
  EXPECT_EQ(token["token"]["project"], untouched_project);
  EXPECT_EQ(token["token"]["expires_at"], "2026-11-30T00:32:52.000000Z");

  auto& catalog = token["token"]["catalog"];
  auto by_type = services_by_type(catalog);
  // placement is dropped; the four proxied services remain.
  EXPECT_EQ(catalog.size(), 4u);
  EXPECT_EQ(by_type.count("placement"), 0u);
  const std::map<std::string, std::string> urls = {
      {"identity", "http://agent.example:8080/v3"},
      {"image", "http://agent.example:8080/image"},
      {"network", "http://agent.example:8080/network"},
      {"compute", "http://agent.example:8080/compute/v2.1"}};
  const std::map<std::string, std::string> names = {
      {"identity", "keystone"}, {"image", "glance"}, {"network", "neutron"}, {"compute", "nova"}};
  std::set<std::string> ids;
  for (const auto& [type, url] : urls) {
    ASSERT_EQ(by_type.count(type), 1u) << type;
    const auto& service = by_type[type];
    EXPECT_EQ(service["name"], names.at(type));
    EXPECT_EQ(service["id"].get<std::string>().size(), 32u);
    // Both captured regions, three interfaces each, all at the agent.
    ASSERT_EQ(service["endpoints"].size(), 6u) << type;
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& endpoint : service["endpoints"]) {
      EXPECT_EQ(endpoint["url"], url);
      EXPECT_EQ(endpoint["region"], endpoint["region_id"]);
      seen.emplace(endpoint["region_id"], endpoint["interface"]);
      ids.insert(endpoint["id"].get<std::string>());
    }
    for (const char* region : {"RegionOne", "RegionTwo"})
      for (const char* interface : {"public", "internal", "admin"})
        EXPECT_EQ(seen.count({region, interface}), 1u) << type << region << interface;
  }
  EXPECT_EQ(ids.size(), 24u); // endpoint IDs are distinct

  // A client resolving RegionOne's public compute endpoint reaches the agent.
  EXPECT_EQ(find_endpoint_url(token, "compute", "public", "RegionOne"),
            "http://agent.example:8080/compute/v2.1");
}

TEST(catalog, rewriting_is_deterministic_and_idempotent) {
  auto first = fixture_json("token-response.json");
  auto second = fixture_json("token-response.json");
  rewrite_catalog(first, agent, "RegionOne");
  rewrite_catalog(second, agent, "RegionOne");
  EXPECT_EQ(first, second);
  auto again = first;
  rewrite_catalog(again, agent, "RegionOne");
  EXPECT_EQ(again, first);
}

TEST(catalog, adds_the_agent_region_and_missing_services) {
  json body = {{"token",
                {{"catalog", json::array({{{"type", "object-store"},
                                           {"name", "swift"},
                                           {"id", "x"},
                                           {"endpoints", json::array()}}})}}}};
  ASSERT_TRUE(rewrite_catalog(body, "http://a:1/", "Edge"));
  auto by_type = services_by_type(body["token"]["catalog"]);
  EXPECT_EQ(by_type.size(), 4u);
  EXPECT_EQ(by_type.count("object-store"), 0u);
  ASSERT_EQ(by_type["compute"]["endpoints"].size(), 3u);
  for (const auto& endpoint : by_type["compute"]["endpoints"]) {
    EXPECT_EQ(endpoint["region_id"], "Edge");
    EXPECT_EQ(endpoint["url"], "http://a:1/compute/v2.1");
  }
}

TEST(catalog, rewrites_catalog_bodies) {
  auto token = fixture_json("token-response.json");
  json body = {{"catalog", token["token"]["catalog"]},
               {"links", {{"self", "http://127.0.0.1:5000/v3/auth/catalog"}}}};
  ASSERT_TRUE(rewrite_catalog(body, agent, "RegionTwo"));
  EXPECT_EQ(body["catalog"].size(), 4u);
  EXPECT_EQ(find_endpoint_url(body, "image", "public", "RegionTwo"),
            "http://agent.example:8080/image");
}

TEST(catalog, leaves_catalogless_bodies_alone) {
  json unscoped = {{"token", {{"methods", json::array({"password"})}}}};
  auto before = unscoped;
  EXPECT_TRUE(rewrite_catalog(unscoped, agent, "RegionOne"));
  EXPECT_EQ(unscoped, before);
  json other = {{"projects", json::array()}};
  EXPECT_FALSE(rewrite_catalog(other, agent, "RegionOne"));
  json array = json::array();
  EXPECT_FALSE(rewrite_catalog(array, agent, "RegionOne"));
  json bad_catalog = {{"token", {{"catalog", "not a list"}}}};
  EXPECT_TRUE(rewrite_catalog(bad_catalog, agent, "RegionOne"));
  EXPECT_EQ(bad_catalog["token"]["catalog"], "not a list");
}

TEST(catalog, tolerates_odd_entries) {
  json body = {{"catalog", json::array({1, "x", json::object(),
                                        {{"type", "compute"}, {"endpoints", "no"}},
                                        {{"type", 5}, {"endpoints", json::array({1})}},
                                        {{"type", "image"},
                                         {"endpoints", json::array({"e", {{"region_id", 7}}})}}})}};
  ASSERT_TRUE(rewrite_catalog(body, agent, "R"));
  EXPECT_EQ(body["catalog"].size(), 4u);
  EXPECT_EQ(find_endpoint_url(body, "network", "admin", "R"), "http://agent.example:8080/network");
}

TEST(catalog, stable_ids) {
  EXPECT_EQ(stable_hex_id("x"), stable_hex_id("x"));
  EXPECT_NE(stable_hex_id("x"), stable_hex_id("y"));
  EXPECT_EQ(stable_hex_id("").size(), 32u);
  for (char c : stable_hex_id("compute"))
    EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
}

} // namespace
} // namespace fedstack::api
