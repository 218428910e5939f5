#include "api/urls.hpp"

#include <gtest/gtest.h>

namespace fedstack::api {
namespace {

constexpr auto I = service_type::identity;
constexpr auto G = service_type::image;
constexpr auto N = service_type::network;
constexpr auto C = service_type::compute;

TEST(urls, agent_endpoint_urls) {
  EXPECT_EQ(agent_endpoint_url(I, "http://a:8080"), "http://a:8080/v3");
  EXPECT_EQ(agent_endpoint_url(G, "http://a:8080"), "http://a:8080/image");
  EXPECT_EQ(agent_endpoint_url(N, "http://a:8080"), "http://a:8080/network");
  EXPECT_EQ(agent_endpoint_url(C, "http://a:8080"), "http://a:8080/compute/v2.1");
  EXPECT_EQ(agent_endpoint_url(C, "http://a:8080/"), "http://a:8080/compute/v2.1");
}

TEST(urls, agent_service_roots_and_prefixes) {
  EXPECT_EQ(agent_service_root(I, "http://a:1//"), "http://a:1");
  EXPECT_EQ(agent_service_root(G, "http://a:1"), "http://a:1/image");
  EXPECT_EQ(agent_service_root(N, "http://a:1"), "http://a:1/network");
  EXPECT_EQ(agent_service_root(C, "http://a:1"), "http://a:1/compute");
  EXPECT_EQ(agent_path_prefix(I), "");
  EXPECT_EQ(agent_path_prefix(service_type::none), "");
  EXPECT_EQ(agent_path_prefix(C), "/compute");
}

TEST(urls, upstream_roots_from_the_captured_catalog) {
  // token-response.json URLs
  EXPECT_EQ(upstream_service_root(I, "http://127.0.0.1:5000/v3/"), "http://127.0.0.1:5000");
  EXPECT_EQ(upstream_service_root(C, "http://127.0.0.1:9774/v2.1"), "http://127.0.0.1:9774");
  EXPECT_EQ(upstream_service_root(G, "http://127.0.0.1:10292"), "http://127.0.0.1:10292");
  EXPECT_EQ(upstream_service_root(N, "http://127.0.0.1:10696"), "http://127.0.0.1:10696");
}

TEST(urls, upstream_roots_of_other_layouts) {
  EXPECT_EQ(upstream_service_root(C, "http://h:8774/v2.1/075a8a3d2acb45d896abd52d5e055929"),
            "http://h:8774");
  EXPECT_EQ(upstream_service_root(C, "http://h:8774/v2/075a8a3d2acb45d896abd52d5e055929/"),
            "http://h:8774");
  EXPECT_EQ(upstream_service_root(C, "http://h:8774/v2.1/$(project_id)s"), "http://h:8774");
  EXPECT_EQ(upstream_service_root(C, "http://h/compute/v2.1"), "http://h/compute");
  EXPECT_EQ(upstream_service_root(G, "http://h/image"), "http://h/image");
  EXPECT_EQ(upstream_service_root(G, "http://h:9292/v2/"), "http://h:9292");
  EXPECT_EQ(upstream_service_root(N, "http://h:9696/"), "http://h:9696");
  EXPECT_EQ(upstream_service_root(N, "http://h/networking/v2.0"), "http://h/networking");
  EXPECT_EQ(upstream_service_root(I, "http://h/identity"), "http://h/identity");
  // A hex segment without a version before it is not a project.
  EXPECT_EQ(upstream_service_root(C, "http://h/075a8a3d2acb45d896abd52d5e055929"),
            "http://h/075a8a3d2acb45d896abd52d5e055929");
  // The host alone is never stripped.
  EXPECT_EQ(upstream_service_root(C, "http://v2.1"), "http://v2.1");
}

TEST(urls, origin) {
  EXPECT_EQ(url_origin("http://127.0.0.1:9774/v2.1/flavors"), "http://127.0.0.1:9774");
  EXPECT_EQ(url_origin("https://h"), "https://h");
  EXPECT_EQ(url_origin("http://h?x"), "http://h");
  EXPECT_EQ(url_origin("/v2/images"), "");
}

TEST(urls, trim) {
  EXPECT_EQ(trim_trailing_slashes("http://h//"), "http://h");
  EXPECT_EQ(trim_trailing_slashes("/"), "");
  EXPECT_EQ(trim_trailing_slashes(""), "");
}

} // namespace
} // namespace fedstack::api

using fedstack::api::stays_on_agent;

TEST(stays_on_agent, accepts_paths_and_urls_under_the_agent_only) {
  const char* base = "http://127.0.0.1:8080";
  EXPECT_TRUE(stays_on_agent("/image/v2/images/x", base));
  EXPECT_TRUE(stays_on_agent("http://127.0.0.1:8080/image/v2/images/x", base));
  EXPECT_TRUE(stays_on_agent("http://127.0.0.1:8080", base));
  EXPECT_TRUE(stays_on_agent("http://127.0.0.1:8080/", "http://127.0.0.1:8080/"));
  EXPECT_FALSE(stays_on_agent("//evil.example/x", base));
  EXPECT_FALSE(stays_on_agent("http://127.0.0.1:80801/x", base));   // a longer port
  EXPECT_FALSE(stays_on_agent("http://127.0.0.1:8080@evil.example/x", base));
  EXPECT_FALSE(stays_on_agent("http://10.0.0.5:9292/v2/images/x", base));
  EXPECT_FALSE(stays_on_agent("evil.example/x", base));
  EXPECT_FALSE(stays_on_agent("", base));
}

TEST(next_page_path, keeps_plain_paths_only) {
  using fedstack::api::next_page_path;
  EXPECT_EQ(next_page_path("/v2/images?marker=abc&limit=2"), "/v2/images?marker=abc&limit=2");
  EXPECT_EQ(next_page_path("http://10.0.0.5/v2/images?marker=abc"), "");
  EXPECT_EQ(next_page_path("//10.0.0.5/v2/images"), "");
  EXPECT_EQ(next_page_path("/v2/images HTTP/1.1\r\nHost: x"), "");
  EXPECT_EQ(next_page_path(""), "");
  EXPECT_EQ(next_page_path("/"), "");
}
