// Upstream endpoint URLs (http/endpoint.hpp). The IPv6, host and byte cases were
// found by the route fuzz target (tests/fuzz/route.cpp, docs/faults.md "Fuzzing").

#include <gtest/gtest.h>

#include "http/endpoint.hpp"

using namespace fedstack::http;

namespace {

TEST(parse_endpoint, splits_host_port_and_path) {
  auto e = parse_endpoint("http://127.0.0.1:8774/v2.1/");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 8774);
  EXPECT_EQ(e->base_path, "/v2.1");
  EXPECT_EQ(parse_endpoint("http://h")->port, 80);
  EXPECT_FALSE(parse_endpoint("http://h")->tls);
  EXPECT_FALSE(parse_endpoint("ftp://h"));
  EXPECT_FALSE(parse_endpoint("https:/h"));
  EXPECT_FALSE(parse_endpoint("http://h:99999"));
  EXPECT_FALSE(parse_endpoint("http://:80"));
  EXPECT_EQ(parse_endpoint("http://[::1]:9/x")->host, "::1");
}

TEST(parse_endpoint, https_endpoints_are_tls_on_port_443_by_default) {
  auto e = parse_endpoint("https://cloud.example.com/compute/v2.1/");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->host, "cloud.example.com");
  EXPECT_EQ(e->port, 443);
  EXPECT_EQ(e->base_path, "/compute/v2.1");
  // Printed as the catalog wrote it, so that the cloud's links are recognised.
  EXPECT_EQ(e->origin(), "https://cloud.example.com");
  EXPECT_EQ(e->to_string(), "https://cloud.example.com/compute/v2.1");
  auto with_port = parse_endpoint("https://[::1]:13000/v3");
  ASSERT_TRUE(with_port);
  EXPECT_TRUE(with_port->tls);
  EXPECT_EQ(with_port->port, 13000);
  EXPECT_EQ(with_port->to_string(), "https://[::1]:13000/v3");
  EXPECT_FALSE(parse_endpoint("https://user@evil.example/"));
}

TEST(parse_endpoint, ipv6_endpoints_print_back_bracketed) {
  auto e = parse_endpoint("http://[::1]:9292/v2");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->to_string(), "http://[::1]:9292/v2");
  auto again = parse_endpoint(e->to_string());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->host, "::1");
  EXPECT_EQ(again->port, 9292);
  EXPECT_EQ(parse_endpoint("http://keystone.local:5000")->to_string(),
            "http://keystone.local:5000");
}

TEST(parse_endpoint, refuses_hosts_that_would_read_otherwise) {
  EXPECT_FALSE(parse_endpoint("http://[[x]:80"));        // printed back as "http://[x:80"
  EXPECT_FALSE(parse_endpoint("http://[]:80"));
  EXPECT_FALSE(parse_endpoint("http://[evil.example]:80"));
  EXPECT_FALSE(parse_endpoint("http://user@evil.example:80"));
  EXPECT_FALSE(parse_endpoint("http://h?x=1"));
  EXPECT_FALSE(parse_endpoint("http://h%2e:80"));
}

TEST(parse_endpoint, refuses_bytes_that_cannot_go_into_a_request_line) {
  EXPECT_FALSE(parse_endpoint("http://h:80/v2 HTTP/1.1"));
  EXPECT_FALSE(parse_endpoint("http://h:80/v2\r\nHost: evil"));
  EXPECT_FALSE(parse_endpoint("http://h:80/v2#frag"));
  EXPECT_FALSE(parse_endpoint("http://h:80/v2\\images"));
  EXPECT_FALSE(parse_endpoint("http://h:80/v\xc3\xa9"));
  EXPECT_TRUE(parse_endpoint("http://h:80/v2/%20x?a=b"));
}

} // namespace
