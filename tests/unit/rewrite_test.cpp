#include "api/rewrite.hpp"

#include <gtest/gtest.h>

namespace fedstack::api {
namespace {

using nlohmann::json;

constexpr const char* nova = "http://127.0.0.1:9774";
constexpr const char* agent_compute = "http://agent:8080/compute";

TEST(rewrite, replaces_whole_roots_only) {
  EXPECT_EQ(rewrite_url_prefix("http://127.0.0.1:9774/v2.1/servers/x", nova, agent_compute),
            "http://agent:8080/compute/v2.1/servers/x");
  EXPECT_EQ(rewrite_url_prefix("http://127.0.0.1:9774", nova, agent_compute), agent_compute);
  EXPECT_EQ(rewrite_url_prefix("http://127.0.0.1:9774?x=1", nova, agent_compute),
            "http://agent:8080/compute?x=1");
  for (const char* untouched : {"http://127.0.0.1:97745/v2.1", "http://127.0.0.1:9774x/",
                                "http://127.0.0.1:9774.evil/", "xhttp://127.0.0.1:9774/",
                                "https://127.0.0.1:9774/", "http://127.0.0.1:977/"})
    EXPECT_EQ(rewrite_url_prefix(untouched, nova, agent_compute), untouched) << untouched;
}

TEST(rewrite, replaces_every_occurrence_and_ignores_trailing_slashes) {
  EXPECT_EQ(rewrite_url_prefix("see http://u:1/a and http://u:1/b.", "http://u:1/", "http://g/x/"),
            "see http://g/x/a and http://g/x/b.");
  EXPECT_EQ(rewrite_url_prefix("abc", "", "http://g"), "abc");
}

TEST(rewrite, path_roots_do_not_match_longer_segments) {
  EXPECT_EQ(rewrite_url_prefix("http://h/image/v2", "http://h/image", "http://a/image"),
            "http://a/image/v2");
  EXPECT_EQ(rewrite_url_prefix("http://h/images/v2", "http://h/image", "http://a/image"),
            "http://h/images/v2");
}

TEST(rewrite, json_links_of_a_nova_server) {
  // From dbg-server.log: POST /v2.1/servers answer.
  auto body = json::parse(R"({"server": {"id": "fb0d083a-af02-4d8f-8280-09bc28b85f56",
    "links": [{"rel": "self", "href": "http://127.0.0.1:9774/v2.1/servers/fb0d083a-af02-4d8f-8280-09bc28b85f56"},
              {"rel": "bookmark", "href": "http://127.0.0.1:9774/servers/fb0d083a-af02-4d8f-8280-09bc28b85f56"}],
    "OS-DCF:diskConfig": "MANUAL", "security_groups": [{"name": "default"}], "adminPass": "giTtYJ82LWVz"}})");
  EXPECT_EQ(rewrite_json_urls(body, nova, agent_compute), 2u);
  EXPECT_EQ(body["server"]["links"][0]["href"],
            "http://agent:8080/compute/v2.1/servers/fb0d083a-af02-4d8f-8280-09bc28b85f56");
  EXPECT_EQ(body["server"]["links"][1]["href"],
            "http://agent:8080/compute/servers/fb0d083a-af02-4d8f-8280-09bc28b85f56");
  EXPECT_EQ(body["server"]["adminPass"], "giTtYJ82LWVz");
}

TEST(rewrite, json_neutron_next_link_and_keys_untouched) {
  auto body = json::parse(R"({"networks": [], "networks_links": [{"rel": "next",
    "href": "http://127.0.0.1:10696/v2.0/networks?limit=1&marker=d1dd2f80-3939-42fb-afd6-6c889abd7f79"}],
    "http://127.0.0.1:10696": "a key, not a value", "n": 5, "b": true, "z": null})");
  EXPECT_EQ(rewrite_json_urls(body, "http://127.0.0.1:10696", "http://agent:8080/network"), 1u);
  EXPECT_EQ(body["networks_links"][0]["href"],
            "http://agent:8080/network/v2.0/networks?limit=1&marker=d1dd2f80-3939-42fb-afd6-6c889abd7f79");
  EXPECT_TRUE(body.contains("http://127.0.0.1:10696"));
  EXPECT_EQ(body["n"], 5);
}

TEST(rewrite, json_scalars_and_empty_root) {
  json text = "http://u:1/x";
  EXPECT_EQ(rewrite_json_urls(text, "http://u:1", "http://a"), 1u);
  EXPECT_EQ(text, "http://a/x");
  json number = 3;
  EXPECT_EQ(rewrite_json_urls(number, "http://u:1", "http://a"), 0u);
  json any = {{"k", "v"}};
  EXPECT_EQ(rewrite_json_urls(any, "", "http://a"), 0u);
}

TEST(rewrite, location_header) {
  // From dbg-image.log: POST /v2/images Location.
  EXPECT_EQ(rewrite_url_prefix("http://127.0.0.1:10292/v2/images/f41c2887-41bd-43d6-85a8-aaac0b0b383d",
                               "http://127.0.0.1:10292", "http://agent:8080/image"),
            "http://agent:8080/image/v2/images/f41c2887-41bd-43d6-85a8-aaac0b0b383d");
}

TEST(rewrite, path_below_root) {
  EXPECT_EQ(path_below_root("http://u:9696/v2.0/networks?marker=X", "http://u:9696"),
            "/v2.0/networks?marker=X");
  EXPECT_EQ(path_below_root("http://u:9696", "http://u:9696/"), "/");
  EXPECT_EQ(path_below_root("http://u:9696?x=1", "http://u:9696"), "/?x=1");
  // Glance writes `next` relative to its root.
  EXPECT_EQ(path_below_root("/v2/images?marker=X", "http://u:9292"), "/v2/images?marker=X");
  EXPECT_EQ(path_below_root("http://other:9696/v2.0/networks", "http://u:9696"), std::nullopt);
  EXPECT_EQ(path_below_root("http://u:96961/v2.0", "http://u:9696"), std::nullopt);
  // A network-path reference is not a relative path.
  EXPECT_EQ(path_below_root("//evil/v2.0", "http://u:9696"), std::nullopt);
  EXPECT_EQ(path_below_root("v2.0/networks", "http://u:9696"), std::nullopt);
}

TEST(rewrite, agent_target_for_next_links) {
  EXPECT_EQ(agent_target_for(service_type::network, "http://u:9696/v2.0/networks?marker=X",
                             "http://u:9696"),
            "/network/v2.0/networks?marker=X");
  EXPECT_EQ(agent_target_for(service_type::compute,
                             "http://u:8774/v2.1/servers/detail?limit=1&marker=Y", "http://u:8774"),
            "/compute/v2.1/servers/detail?limit=1&marker=Y");
  EXPECT_EQ(agent_target_for(service_type::image, "/v2/images?marker=Z", "http://u:9292"),
            "/image/v2/images?marker=Z");
  EXPECT_EQ(agent_target_for(service_type::identity, "http://k:5000/v3/projects", "http://k:5000"),
            "/v3/projects");
  EXPECT_EQ(agent_target_for(service_type::network, "http://x/v2.0", "http://u:9696"),
            std::nullopt);
}

} // namespace
} // namespace fedstack::api
