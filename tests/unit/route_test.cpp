#include "api/route.hpp"

#include <gtest/gtest.h>

#include <string>

namespace fedstack::api {
namespace {

struct expected_route {
  const char* method;
  const char* target;
  route_kind kind;
  service_type service;
  const char* upstream_path;
  const char* resource;
  const char* resource_id;
  const char* action;
  bool is_collection;
  bool method_allowed;
};

std::ostream& operator<<(std::ostream& out, const expected_route& e) {
  return out << e.method << " " << e.target;
}

constexpr auto I = service_type::identity;
constexpr auto G = service_type::image;
constexpr auto N = service_type::network;
constexpr auto C = service_type::compute;
constexpr auto X = service_type::none;
constexpr auto list = route_kind::version_list;
constexpr auto doc = route_kind::version_doc;
constexpr auto api = route_kind::api;
constexpr auto nf = route_kind::not_found;

#define UUID "f41c2887-41bd-43d6-85a8-aaac0b0b383d"
#define PROJECT "075a8a3d2acb45d896abd52d5e055929"

// The routing table of the agent's URL layout, one row per path shape.
const expected_route table[] = {
    // identity discovery and API
    {"GET", "/", list, I, "/", "", "", "", false, true},
    {"HEAD", "/", list, I, "/", "", "", "", false, true},
    {"POST", "/", list, I, "/", "", "", "", false, false},
    {"GET", "/v3", doc, I, "/v3", "", "", "", false, true},
    {"GET", "/v3/", doc, I, "/v3", "", "", "", false, true},
    {"POST", "/v3/auth/tokens", api, I, "/v3/auth/tokens", "tokens", "", "", true, true},
    {"GET", "/v3/auth/tokens", api, I, "/v3/auth/tokens", "tokens", "", "", true, true},
    {"HEAD", "/v3/auth/tokens", api, I, "/v3/auth/tokens", "tokens", "", "", true, true},
    {"DELETE", "/v3/auth/tokens", api, I, "/v3/auth/tokens", "tokens", "", "", true, true},
    {"PUT", "/v3/auth/tokens", api, I, "/v3/auth/tokens", "tokens", "", "", true, false},
    {"GET", "/v3/auth/catalog", api, I, "/v3/auth/catalog", "catalog", "", "", true, true},
    {"POST", "/v3/auth/catalog", api, I, "/v3/auth/catalog", "catalog", "", "", true, false},
    {"GET", "/v3/auth/projects", api, I, "/v3/auth/projects", "auth", "", "projects", true, true},
    {"GET", "/v3/projects", api, I, "/v3/projects", "projects", "", "", true, true},
    {"POST", "/v3/projects", api, I, "/v3/projects", "projects", "", "", true, true},
    {"DELETE", "/v3/projects/" PROJECT, api, I, "/v3/projects/" PROJECT, "projects", PROJECT, "",
     false, true},
    {"PATCH", "/v3/users/abc", api, I, "/v3/users/abc", "users", "abc", "", false, true},
    {"PUT", "/v3/projects/p/users/u/roles/r", api, I, "/v3/projects/p/users/u/roles/r", "projects",
     "p", "users", false, true},
    {"GET", "/v3/domains/default", api, I, "/v3/domains/default", "domains", "default", "", false,
     true},
    {"GET", "/v3/roles?name=member", api, I, "/v3/roles", "roles", "", "", true, true},

    // image discovery
    {"GET", "/image", list, G, "/", "", "", "", false, true},
    {"GET", "/image/", list, G, "/", "", "", "", false, true},
    {"GET", "/image/versions", list, G, "/versions", "", "", "", false, true},
    {"DELETE", "/image/versions", list, G, "/versions", "", "", "", false, false},
    {"GET", "/image/v2", nf, G, "", "", "", "", false, true},
    {"GET", "/image/v2/", nf, G, "", "", "", "", false, true},
    {"GET", "/image/v3/images", nf, G, "", "", "", "", false, true},
    {"GET", "/image/other", nf, G, "", "", "", "", false, true},
    // image API, prefixed and not
    {"GET", "/image/v2/images", api, G, "/v2/images", "images", "", "", true, true},
    {"POST", "/image/v2/images", api, G, "/v2/images", "images", "", "", true, true},
    {"DELETE", "/image/v2/images", api, G, "/v2/images", "images", "", "", true, false},
    {"GET", "/image/v2/images/" UUID, api, G, "/v2/images/" UUID, "images", UUID, "", false, true},
    {"PATCH", "/image/v2/images/" UUID, api, G, "/v2/images/" UUID, "images", UUID, "", false,
     true},
    {"DELETE", "/image/v2/images/" UUID, api, G, "/v2/images/" UUID, "images", UUID, "", false,
     true},
    {"PUT", "/image/v2/images/" UUID, api, G, "/v2/images/" UUID, "images", UUID, "", false,
     false},
    {"PUT", "/image/v2/images/" UUID "/file", api, G, "/v2/images/" UUID "/file", "images", UUID,
     "file", false, true},
    {"GET", "/image/v2/images/" UUID "/file", api, G, "/v2/images/" UUID "/file", "images", UUID,
     "file", false, true},
    {"POST", "/image/v2/images/" UUID "/file", api, G, "/v2/images/" UUID "/file", "images", UUID,
     "file", false, false},
    {"PUT", "/image/v2/images/" UUID "/tags/t1", api, G, "/v2/images/" UUID "/tags/t1", "images",
     UUID, "tags", false, true},
    {"POST", "/image/v2/images/" UUID "/actions/deactivate", api, G,
     "/v2/images/" UUID "/actions/deactivate", "images", UUID, "actions", false, true},
    {"GET", "/image/v2/schemas/image", api, G, "/v2/schemas/image", "schemas", "image", "", false,
     true},
    {"GET", "/image/v2/schemas/images", api, G, "/v2/schemas/images", "schemas", "images", "",
     false, true},
    {"POST", "/image/v2/schemas/image", api, G, "/v2/schemas/image", "schemas", "image", "", false,
     false},
    {"GET", "/image/v2/info/import", api, G, "/v2/info/import", "info", "import", "", false, true},
    {"GET", "/v2/images", api, G, "/v2/images", "images", "", "", true, true},
    {"GET", "/v2/images/" UUID "/file", api, G, "/v2/images/" UUID "/file", "images", UUID, "file",
     false, true},
    {"GET", "/v2/images/dbg-img", api, G, "/v2/images/dbg-img", "images", "dbg-img", "", false,
     true},
    {"GET", "/v2", nf, G, "", "", "", "", false, true},
    // image v1 (Rally 2016's glanceclient default)
    {"POST", "/image/v1/images", api, G, "/v1/images", "images", "", "", true, true},
    {"GET", "/image/v1/images/detail", api, G, "/v1/images/detail", "images", "", "detail", true,
     true},
    {"HEAD", "/image/v1/images/" UUID, api, G, "/v1/images/" UUID, "images", UUID, "", false, true},
    {"PUT", "/image/v1/images/" UUID, api, G, "/v1/images/" UUID, "images", UUID, "", false, true},

    // network discovery
    {"GET", "/network", list, N, "/", "", "", "", false, true},
    {"GET", "/network/", list, N, "/", "", "", "", false, true},
    {"GET", "/network/v2.0", doc, N, "/v2.0/", "", "", "", false, true},
    {"GET", "/network/v2.0/", doc, N, "/v2.0/", "", "", "", false, true},
    {"GET", "/v2.0/", doc, N, "/v2.0/", "", "", "", false, true},
    {"GET", "/network/v2", nf, N, "", "", "", "", false, true},
    // network API
    {"GET", "/network/v2.0/networks", api, N, "/v2.0/networks", "networks", "", "", true, true},
    {"POST", "/network/v2.0/networks", api, N, "/v2.0/networks", "networks", "", "", true, true},
    {"PATCH", "/network/v2.0/networks", api, N, "/v2.0/networks", "networks", "", "", true, false},
    {"PUT", "/network/v2.0/networks", api, N, "/v2.0/networks", "networks", "", "", true, false},
    {"DELETE", "/network/v2.0/networks", api, N, "/v2.0/networks", "networks", "", "", true,
     false},
    {"GET", "/network/v2.0/networks/" UUID, api, N, "/v2.0/networks/" UUID, "networks", UUID, "",
     false, true},
    {"PUT", "/network/v2.0/networks/" UUID, api, N, "/v2.0/networks/" UUID, "networks", UUID, "",
     false, true},
    {"PATCH", "/network/v2.0/networks/" UUID, api, N, "/v2.0/networks/" UUID, "networks", UUID, "",
     false, false},
    {"DELETE", "/v2.0/subnets/" UUID, api, N, "/v2.0/subnets/" UUID, "subnets", UUID, "", false,
     true},
    {"POST", "/v2.0/ports", api, N, "/v2.0/ports", "ports", "", "", true, true},
    {"GET", "/v2.0/ports.json?device_id=x", api, N, "/v2.0/ports.json", "ports", "", "", true,
     true},
    {"GET", "/v2.0/networks/" UUID ".json", api, N, "/v2.0/networks/" UUID ".json", "networks",
     UUID, "", false, true},
    {"GET", "/v2.0/extensions", api, N, "/v2.0/extensions", "extensions", "", "", true, true},
    {"POST", "/v2.0/extensions", api, N, "/v2.0/extensions", "extensions", "", "", true, false},
    {"DELETE", "/v2.0/security-groups/" UUID, api, N, "/v2.0/security-groups/" UUID,
     "security-groups", UUID, "", false, true},
    {"PUT", "/v2.0/networks/" UUID "/tags/red", api, N, "/v2.0/networks/" UUID "/tags/red",
     "networks", UUID, "tags", false, true},
    {"PUT", "/v2.0/routers/" UUID "/add_router_interface", api, N,
     "/v2.0/routers/" UUID "/add_router_interface", "routers", UUID, "add_router_interface", false,
     true},

    // compute discovery
    {"GET", "/compute", list, C, "/", "", "", "", false, true},
    {"GET", "/compute/", list, C, "/", "", "", "", false, true},
    {"GET", "/compute/v2.1", doc, C, "/v2.1", "", "", "", false, true},
    {"GET", "/compute/v2.1/", doc, C, "/v2.1", "", "", "", false, true},
    {"GET", "/compute/v2.1/" PROJECT, doc, C, "/v2.1", "", "", "", false, true},
    {"GET", "/compute/v2.1/" PROJECT "/", doc, C, "/v2.1", "", "", "", false, true},
    {"GET", "/v2.1", doc, C, "/v2.1", "", "", "", false, true},
    {"GET", "/v2.1/" PROJECT, doc, C, "/v2.1", "", "", "", false, true},
    {"GET", "/compute/v2", doc, C, "/v2", "", "", "", false, true},
    {"PUT", "/compute/v2.1", doc, C, "/v2.1", "", "", "", false, false},
    {"GET", "/compute/flavors/1", nf, C, "", "", "", "", false, true},
    // compute API with and without project, prefixed and not
    {"GET", "/compute/v2.1/servers", api, C, "/v2.1/servers", "servers", "", "", true, true},
    {"POST", "/compute/v2.1/servers", api, C, "/v2.1/servers", "servers", "", "", true, true},
    {"PATCH", "/compute/v2.1/servers", api, C, "/v2.1/servers", "servers", "", "", true, false},
    {"GET", "/compute/v2.1/" PROJECT "/servers", api, C, "/v2.1/servers", "servers", "", "", true,
     true},
    {"GET", "/compute/v2.1/" PROJECT "/servers/detail", api, C, "/v2.1/servers/detail", "servers",
     "", "detail", true, true},
    {"POST", "/compute/v2.1/servers/detail", api, C, "/v2.1/servers/detail", "servers", "",
     "detail", true, false},
    {"GET", "/compute/v2.1/servers/" UUID, api, C, "/v2.1/servers/" UUID, "servers", UUID, "",
     false, true},
    {"DELETE", "/compute/v2.1/" PROJECT "/servers/" UUID, api, C, "/v2.1/servers/" UUID, "servers",
     UUID, "", false, true},
    {"POST", "/compute/v2.1/servers/" UUID "/action", api, C, "/v2.1/servers/" UUID "/action",
     "servers", UUID, "action", false, true},
    {"GET", "/compute/v2.1/servers/" UUID "/action", api, C, "/v2.1/servers/" UUID "/action",
     "servers", UUID, "action", false, false},
    {"GET", "/compute/v2.1/servers/" UUID "/os-interface", api, C,
     "/v2.1/servers/" UUID "/os-interface", "servers", UUID, "os-interface", false, true},
    {"GET", "/compute/v2.1/flavors", api, C, "/v2.1/flavors", "flavors", "", "", true, true},
    {"POST", "/compute/v2.1/flavors", api, C, "/v2.1/flavors", "flavors", "", "", true, true},
    {"GET", "/compute/v2.1/flavors/detail", api, C, "/v2.1/flavors/detail", "flavors", "",
     "detail", true, true},
    {"GET", "/compute/v2.1/flavors/m1.tiny", api, C, "/v2.1/flavors/m1.tiny", "flavors", "m1.tiny",
     "", false, true},
    {"DELETE", "/compute/v2.1/flavors/" UUID, api, C, "/v2.1/flavors/" UUID, "flavors", UUID, "",
     false, true},
    {"POST", "/compute/v2.1/flavors/" UUID "/os-extra_specs", api, C,
     "/v2.1/flavors/" UUID "/os-extra_specs", "flavors", UUID, "os-extra_specs", false, true},
    {"GET", "/compute/v2.1/os-hypervisors", api, C, "/v2.1/os-hypervisors", "os-hypervisors", "",
     "", true, true},
    {"GET", "/compute/v2.1/os-hypervisors/detail", api, C, "/v2.1/os-hypervisors/detail",
     "os-hypervisors", "", "detail", true, true},
    {"GET", "/compute/v2.1/os-hypervisors/statistics", api, C, "/v2.1/os-hypervisors/statistics",
     "os-hypervisors", "", "statistics", true, true},
    {"POST", "/compute/v2.1/os-hypervisors/statistics", api, C, "/v2.1/os-hypervisors/statistics",
     "os-hypervisors", "", "statistics", true, false},
    {"GET", "/compute/v2.1/os-hypervisors/" UUID, api, C, "/v2.1/os-hypervisors/" UUID,
     "os-hypervisors", UUID, "", false, true},
    {"GET", "/compute/v2.1/os-hypervisors/1/uptime", api, C, "/v2.1/os-hypervisors/1/uptime",
     "os-hypervisors", "1", "uptime", false, true},
    {"GET", "/compute/v2.1/os-services", api, C, "/v2.1/os-services", "os-services", "", "", true,
     true},
    {"GET", "/compute/v2.1/os-security-groups", api, C, "/v2.1/os-security-groups",
     "os-security-groups", "", "", true, true},
    {"GET", "/compute/v2.1/limits", api, C, "/v2.1/limits", "limits", "", "", true, true},
    {"GET", "/v2.1/servers/detail?limit=2", api, C, "/v2.1/servers/detail", "servers", "", "detail",
     true, true},
    {"GET", "/v2.1/" PROJECT "/flavors/detail", api, C, "/v2.1/flavors/detail", "flavors", "",
     "detail", true, true},
    // a "detail" that is not a collection action is an ID
    {"GET", "/compute/v2.1/os-keypairs/detail", api, C, "/v2.1/os-keypairs/detail", "os-keypairs",
     "detail", "", false, true},
    // Nova's legacy v2 endpoint is passed through as v2
    {"GET", "/compute/v2/" PROJECT "/flavors/detail", api, C, "/v2/flavors/detail", "flavors", "",
     "detail", true, true},
    // a non-hex project segment is treated as a resource
    {"GET", "/compute/v2.1/admin", api, C, "/v2.1/admin", "admin", "", "", true, true},

    // outside every API
    {"GET", "/v4", nf, X, "", "", "", "", false, true},
    {"GET", "/identity", nf, X, "", "", "", "", false, true},
    {"GET", "/favicon.ico", nf, X, "", "", "", "", false, true},
    {"GET", "/metrics", nf, X, "", "", "", "", false, true},
    {"GET", "/images", nf, X, "", "", "", "", false, true},
    {"GET", "/IMAGE", nf, X, "", "", "", "", false, true},
    {"GET", "/v2.2/servers", nf, X, "", "", "", "", false, true},
};

class route_table : public ::testing::TestWithParam<expected_route> {};

TEST_P(route_table, classifies) {
  const auto& e = GetParam();
  auto r = classify(e.method, e.target);
  EXPECT_EQ(to_string(r.kind), to_string(e.kind)) << r.reason;
  EXPECT_EQ(to_string(r.service), to_string(e.service));
  EXPECT_EQ(r.upstream_path, e.upstream_path);
  EXPECT_EQ(r.resource, e.resource);
  EXPECT_EQ(r.resource_id, e.resource_id);
  EXPECT_EQ(r.action, e.action);
  EXPECT_EQ(r.is_collection, e.is_collection);
  EXPECT_EQ(r.method_allowed, e.method_allowed) << "allow: " << r.allow;
}

INSTANTIATE_TEST_SUITE_P(agent_layout, route_table, ::testing::ValuesIn(table));

// --- fields the table does not show -------------------------------------------------------

TEST(route, keeps_raw_query) {
  auto r = classify("GET", "/image/v2/images?name=dbg%20img&limit=2&marker=" UUID);
  EXPECT_EQ(r.query, "name=dbg%20img&limit=2&marker=" UUID);
  EXPECT_EQ(r.upstream_path, "/v2/images");
  EXPECT_TRUE(classify("GET", "/v2/images").query.empty());
  EXPECT_EQ(classify("GET", "/v2/images?").query, "");
  EXPECT_EQ(classify("GET", "/?x=1").query, "x=1");
}

TEST(route, upstream_target_appends_the_query) {
  EXPECT_EQ(upstream_target(classify("GET", "/image/v2/images?limit=2&marker=" UUID)),
            "/v2/images?limit=2&marker=" UUID);
  EXPECT_EQ(upstream_target(classify("GET", "/compute/v2.1/" PROJECT "/servers/detail")),
            "/v2.1/servers/detail");
  EXPECT_EQ(upstream_target(classify("GET", "/v2.0/networks?")), "/v2.0/networks");
}

TEST(route, reports_api_version) {
  EXPECT_EQ(classify("GET", "/v3/projects").api_version, "v3");
  EXPECT_EQ(classify("GET", "/v2/images").api_version, "v2");
  EXPECT_EQ(classify("GET", "/image/v1/images").api_version, "v1");
  EXPECT_EQ(classify("GET", "/v2.0/networks").api_version, "v2.0");
  EXPECT_EQ(classify("GET", "/compute/v2.1/servers").api_version, "v2.1");
  EXPECT_EQ(classify("GET", "/compute/v2/servers").api_version, "v2");
  EXPECT_EQ(classify("GET", "/compute/v2").api_version, "v2");
}

TEST(route, strips_and_reports_project_id) {
  auto r = classify("GET", "/compute/v2.1/" PROJECT "/servers/" UUID);
  EXPECT_EQ(r.project_id, PROJECT);
  EXPECT_EQ(r.upstream_path, "/v2.1/servers/" UUID);
  EXPECT_EQ(classify("GET", "/compute/v2.1/" PROJECT).project_id, PROJECT);
  EXPECT_EQ(classify("GET", "/compute/v2.1/servers").project_id, "");
  // Upper-case hex is still a project ID.
  auto upper = classify("GET", "/compute/v2.1/075A8A3D2ACB45D896ABD52D5E055929/servers");
  EXPECT_EQ(upper.project_id, "075A8A3D2ACB45D896ABD52D5E055929");
  EXPECT_EQ(upper.resource, "servers");
  // 31 or 33 hex digits, or a dashed UUID, are not.
  EXPECT_EQ(classify("GET", "/compute/v2.1/075a8a3d2acb45d896abd52d5e05592/servers").resource,
            "075a8a3d2acb45d896abd52d5e05592");
  EXPECT_EQ(classify("GET", "/compute/v2.1/" UUID "/servers").project_id, "");
}

TEST(route, identity_and_compute_segments) {
  auto r = classify("PUT", "/v3/projects/p/users/u/roles/r");
  EXPECT_EQ(r.sub_id, "u");
  EXPECT_EQ((std::vector<std::string>{"projects", "p", "users", "u", "roles", "r"}), r.segments);
  auto c = classify("DELETE", "/compute/v2.1/" PROJECT "/servers/" UUID "/os-interface/p1");
  EXPECT_EQ(c.sub_id, "p1");
  EXPECT_EQ(c.segments.size(), 4u);
  EXPECT_EQ(c.segments.front(), "servers");
}

// Glance and Nova route with Routes, whose patterns match the whole path: no
// route ends in '/' (Tempest's test_get_image_null_id and test_delete_image_null_id
// expect Glance's 404). Neutron's Pecan gives the collection; Keystone decides for itself.
TEST(route, a_trailing_slash_is_routed_as_each_service_does) {
  for (const char* method : {"GET", "DELETE", "POST"}) {
    for (const char* target : {"/image/v2/images/", "/v2/images/", "/image/v2/images/" UUID "/",
                               "/compute/v2.1/servers/", "/v2.1/servers/detail/",
                               "/compute/v2.1/" PROJECT "/servers/", "/compute/v2.1/os-availability-zone/"}) {
      auto r = classify(method, target);
      EXPECT_EQ(r.kind, route_kind::not_found) << method << " " << target;
    }
  }
  EXPECT_EQ(classify("DELETE", "/image/v2/images/").service, service_type::image);
  EXPECT_EQ(classify("GET", "/v2.1/servers/").service, service_type::compute);

  auto networks = classify("GET", "/network/v2.0/networks/");
  EXPECT_EQ(networks.kind, route_kind::api);
  EXPECT_TRUE(networks.is_collection);
  EXPECT_EQ(networks.upstream_path, "/v2.0/networks");
  EXPECT_TRUE(networks.trailing_slash);

  auto users = classify("GET", "/v3/users/");
  EXPECT_EQ(users.kind, route_kind::api);
  EXPECT_EQ(users.upstream_path, "/v3/users/");

  // Version documents and roots keep ignoring it.
  EXPECT_EQ(classify("GET", "/compute/v2.1/").kind, route_kind::version_doc);
  EXPECT_EQ(classify("GET", "/image/").kind, route_kind::version_list);
  EXPECT_EQ(classify("GET", "/image/v2/images").kind, route_kind::api);
}

TEST(route, allow_lists_methods) {
  EXPECT_EQ(classify("PATCH", "/v2.0/networks").allow, "GET, HEAD, POST");
  EXPECT_EQ(classify("PATCH", "/v2.0/networks/" UUID).allow, "GET, HEAD, PUT, DELETE");
  EXPECT_EQ(classify("GET", "/v2/images/" UUID).allow, "GET, HEAD, PATCH, DELETE");
  EXPECT_EQ(classify("GET", "/v2/images/" UUID "/file").allow, "GET, HEAD, PUT");
  EXPECT_EQ(classify("GET", "/v2.1/servers/" UUID "/action").allow, "POST");
  EXPECT_EQ(classify("POST", "/").allow, "GET, HEAD");
  EXPECT_EQ(classify("GET", "/v3/users").allow, "GET, HEAD, POST, PUT, PATCH, DELETE");
}

TEST(route, unknown_or_malformed_methods_are_not_allowed) {
  for (const char* method : {"OPTIONS", "TRACE", "CONNECT", "get", "Get", "", "G ET", "FOO"}) {
    EXPECT_FALSE(classify(method, "/v2/images").method_allowed) << method;
    EXPECT_FALSE(classify(method, "/v3/users").method_allowed) << method;
    EXPECT_FALSE(classify(method, "/").method_allowed) << method;
  }
}

TEST(route, decodes_segments_and_reencodes_upstream) {
  auto r = classify("GET", "/v2/images/my%20image");
  EXPECT_EQ(r.kind, route_kind::api);
  EXPECT_EQ(r.resource_id, "my image");
  EXPECT_EQ(r.upstream_path, "/v2/images/my%20image");
  // Needless escapes are normalised; sub-delims and ':' '@' stay as they are.
  auto n = classify("GET", "/v2.1/flavors/%6D1.tiny");
  EXPECT_EQ(n.resource_id, "m1.tiny");
  EXPECT_EQ(n.upstream_path, "/v2.1/flavors/m1.tiny");
  EXPECT_EQ(classify("GET", "/v3/users/a:b@c+d").upstream_path, "/v3/users/a:b@c+d");
  // Encoded '?' and '#' in a segment must not turn into a query or fragment upstream.
  auto q = classify("GET", "/v2/images/a%3Fb%23c");
  EXPECT_EQ(q.resource_id, "a?b#c");
  EXPECT_EQ(q.upstream_path, "/v2/images/a%3Fb%23c");
  EXPECT_EQ(classify("GET", "/v2/images/100%25").upstream_path, "/v2/images/100%25");
  // Route names are matched after decoding.
  EXPECT_EQ(classify("GET", "/%69mage/v2/images").resource, "images");
}

TEST(route, accepts_absolute_form_targets) {
  auto r = classify("GET", "http://agent:8080/compute/v2.1/servers?limit=1");
  EXPECT_EQ(r.kind, route_kind::api);
  EXPECT_EQ(r.upstream_path, "/v2.1/servers");
  EXPECT_EQ(r.query, "limit=1");
  EXPECT_EQ(classify("GET", "HTTPS://agent").kind, route_kind::version_list);
  EXPECT_EQ(classify("GET", "http://agent?x").kind, route_kind::bad);
  EXPECT_EQ(classify("GET", "ftp://agent/v3").kind, route_kind::bad);
}

// --- odd targets ---------------------------------------------------------------------------

class bad_targets : public ::testing::TestWithParam<std::string> {};

TEST_P(bad_targets, are_rejected) {
  auto r = classify("GET", GetParam());
  EXPECT_EQ(to_string(r.kind), "bad") << GetParam();
  EXPECT_FALSE(r.reason.empty());
  EXPECT_EQ(r.service, service_type::none);
  EXPECT_TRUE(r.upstream_path.empty());
}

INSTANTIATE_TEST_SUITE_P(
    odd_paths, bad_targets,
    ::testing::Values(
        // dot segments, raw and encoded
        "/v2/images/../x", "/v2/images/..", "/v2/./images", "/..", "/.", "/image/v2/images/%2e%2e",
        "/v2/images/%2E%2E/secret", "/v2/images/.%2e", "/v2/%2e/images",
        // double slashes anywhere
        "//", "//v3", "/v2//images", "/v2/images//", "/image//v2/images", "///",
        // encoded slash and backslash
        "/v2/images/a%2Fb", "/v2/images/a%2fb", "/v2/images/a\\b", "/v2/images\\..\\x",
        // NUL, raw or encoded, in path or query
        std::string("/v2/images/a\0b", 14), "/v2/images/a%00b", "/v2/images?name=a%00",
        // malformed escapes
        "/v2/images/%", "/v2/images/%4", "/v2/images/%zz", "/v2/images?name=%G1", "/v2?x=%",
        // control, space, non-ASCII bytes, fragments
        "/v2/images/a b", "/v2/images/a\tb", "/v2/images\r\n", "/v2/images/\x7f",
        "/v2/images/caf\xc3\xa9", "/v2/images#frag", "/v2/images?x=1#f",
        // not origin-form
        "", "*", "v3", "images", "?x=1"));

TEST(route, rejects_overlong_targets) {
  std::string path = "/v2/images/" + std::string(max_target_length, 'a');
  EXPECT_EQ(classify("GET", path).kind, route_kind::bad);
  std::string query = "/v2/images?name=" + std::string(max_target_length, 'a');
  EXPECT_EQ(classify("GET", query).kind, route_kind::bad);
  // Exactly at the limit is fine.
  std::string fits = "/v2/images/";
  fits += std::string(max_target_length - fits.size(), 'b');
  ASSERT_EQ(fits.size(), max_target_length);
  EXPECT_EQ(classify("GET", fits).kind, route_kind::api);
}

TEST(route, many_segments_are_fine) {
  std::string path = "/v3/projects";
  for (int i = 0; i < 1000; ++i) path += "/x";
  auto r = classify("GET", path);
  EXPECT_EQ(r.kind, route_kind::api);
  EXPECT_EQ(r.segments.size(), 1001u);
}

TEST(route, to_string_names_every_kind) {
  EXPECT_EQ(to_string(route_kind::bad), "bad");
  EXPECT_EQ(to_string(route_kind::not_found), "not_found");
  EXPECT_EQ(to_string(route_kind::version_list), "version_list");
  EXPECT_EQ(to_string(route_kind::version_doc), "version_doc");
  EXPECT_EQ(to_string(route_kind::api), "api");
}

} // namespace
} // namespace fedstack::api
