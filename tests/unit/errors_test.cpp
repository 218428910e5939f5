#include "api/errors.hpp"

#include "fixtures.hpp"

#include <gtest/gtest.h>

namespace fedstack::api {
namespace {

using nlohmann::json;
using test::fixture_json;
using test::read_fixture;

TEST(errors, compute_matches_nova) {
  auto e = error_body(service_type::compute, 404);
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.content_type, "application/json; charset=UTF-8");
  EXPECT_EQ(json::parse(e.body), fixture_json("compute-404.json"));
}

TEST(errors, compute_fault_names) {
  const std::pair<int, const char*> names[] = {
      {400, "badRequest"},        {403, "forbidden"},     {404, "itemNotFound"},
      {405, "badMethod"},         {406, "computeFault"},  {409, "conflictingRequest"},
      {413, "overLimit"},         {415, "badMediaType"},  {429, "overLimit"},
      {500, "computeFault"},      {501, "notImplemented"}, {502, "computeFault"},
      {503, "serviceUnavailable"}, {504, "computeFault"}};
  for (auto [status, name] : names) {
    auto body = json::parse(error_body(service_type::compute, status, "m").body);
    ASSERT_TRUE(body.contains(name)) << status;
    EXPECT_EQ(body[name]["code"], status);
    EXPECT_EQ(body[name]["message"], "m");
    EXPECT_EQ(body.size(), 1u);
  }
}

TEST(errors, compute_not_acceptable_carries_the_microversion_message) {
  auto e = error_body(service_type::compute, 406,
                      "Version 2.94 is not supported by the API. Minimum is 2.1 and maximum is 2.93.");
  auto body = json::parse(e.body);
  EXPECT_EQ(body["computeFault"]["code"], 406);
  EXPECT_EQ(body["computeFault"]["message"],
            "Version 2.94 is not supported by the API. Minimum is 2.1 and maximum is 2.93.");
}

TEST(errors, network_matches_neutron) {
  auto e = error_body(service_type::network, 404);
  EXPECT_EQ(e.content_type, "application/json");
  EXPECT_EQ(json::parse(e.body), fixture_json("network-404.json"));
  auto timeout = json::parse(error_body(service_type::network, 504, "upstream timed out").body);
  EXPECT_EQ(timeout["NeutronError"]["type"], "HTTPGatewayTimeout");
  EXPECT_EQ(timeout["NeutronError"]["detail"], "");
  EXPECT_EQ(json::parse(error_body(service_type::network, 405).body)["NeutronError"]["type"],
            "HTTPMethodNotAllowed");
  EXPECT_EQ(json::parse(error_body(service_type::network, 500).body)["NeutronError"]["type"],
            "HTTPInternalServerError");
}

TEST(errors, unauthorized_uses_keystonemiddleware_shape) {
  auto expected = fixture_json("network-401.json");
  auto message = expected["error"]["message"].get<std::string>();
  for (auto s : {service_type::network, service_type::compute, service_type::identity}) {
    auto e = error_body(s, 401, message);
    EXPECT_EQ(e.content_type, "application/json");
    EXPECT_EQ(json::parse(e.body), expected) << to_string(s);
  }
}

TEST(errors, image_matches_glance_html) {
  auto e = error_body(service_type::image, 404);
  EXPECT_EQ(e.content_type, "text/html; charset=UTF-8");
  EXPECT_EQ(e.body, read_fixture("image-404.html"));
  EXPECT_EQ(e.body.size(), 154u);
  // Glance's answer to GET /v2/images/dbg-img was 152 bytes: the same page with its message.
  EXPECT_EQ(not_found_error(service_type::image, "images", "dbg-img").body.size(), 152u);
}

TEST(errors, image_html_escapes_the_message) {
  auto e = error_body(service_type::image, 400, "<script>&\"'");
  EXPECT_NE(e.body.find("&lt;script&gt;&amp;&quot;&#x27;"), std::string::npos);
  EXPECT_EQ(e.body.find("<script>"), std::string::npos);
  EXPECT_NE(e.body.find("<title>400 Bad Request</title>"), std::string::npos);
}

TEST(errors, identity_shape) {
  auto e = error_body(service_type::identity, 404, "Could not find project: x.");
  EXPECT_EQ(e.content_type, "application/json");
  EXPECT_EQ(json::parse(e.body),
            json::parse(R"({"error": {"code": 404, "title": "Not Found",
                                      "message": "Could not find project: x."}})"));
  auto outside = json::parse(error_body(service_type::none, 404).body);
  EXPECT_EQ(outside["error"]["message"], "The resource could not be found.");
  EXPECT_EQ(json::parse(error_body(service_type::none, 400).body)["error"]["title"],
            "Bad Request");
}

TEST(errors, not_found_messages_match_openstack) {
  // dbg-server.log: GET /v2.1/flavors/m1.tiny and GET /v2.0/networks/dbg-net.
  EXPECT_EQ(json::parse(not_found_error(service_type::compute, "flavors", "m1.tiny").body),
            json::parse(R"({"itemNotFound": {"code": 404, "message": "Flavor m1.tiny could not be found."}})"));
  EXPECT_EQ(json::parse(not_found_error(service_type::network, "networks", "dbg-net").body),
            json::parse(R"({"NeutronError": {"type": "NetworkNotFound", "message": "Network dbg-net could not be found.", "detail": ""}})"));
  EXPECT_EQ(json::parse(not_found_error(service_type::compute, "servers", "x").body)
                ["itemNotFound"]["message"],
            "Instance x could not be found.");
  EXPECT_EQ(json::parse(not_found_error(service_type::network, "ports", "p").body)
                ["NeutronError"]["type"],
            "PortNotFound");
  EXPECT_EQ(json::parse(not_found_error(service_type::network, "subnets", "s").body)
                ["NeutronError"]["type"],
            "SubnetNotFound");
  EXPECT_EQ(json::parse(not_found_error(service_type::network, "routers", "r").body)
                ["NeutronError"]["type"],
            "HTTPNotFound");
  EXPECT_EQ(json::parse(not_found_error(service_type::compute, "os-hypervisors", "h").body)
                ["itemNotFound"]["message"],
            "Hypervisor with ID h could not be found.");
  EXPECT_NE(not_found_error(service_type::image, "images", "i").body.find("No image found with ID i"),
            std::string::npos);
  EXPECT_EQ(not_found_error(service_type::identity, "projects", "p").status, 404);
}

TEST(errors, invalid_utf8_does_not_throw) {
  std::string bad = "bad \xff\xfe bytes";
  for (auto s : {service_type::identity, service_type::network, service_type::compute}) {
    auto e = error_body(s, 400, bad);
    EXPECT_NO_THROW(json::parse(e.body)) << to_string(s);
  }
}

TEST(errors, phrases_and_defaults) {
  EXPECT_EQ(reason_phrase(504), "Gateway Timeout");
  EXPECT_EQ(reason_phrase(299), "Unknown Error");
  EXPECT_EQ(default_explanation(404), "The resource could not be found.");
  EXPECT_FALSE(default_explanation(999).empty());
  EXPECT_EQ(nova_fault_name(404), "itemNotFound");
  EXPECT_EQ(neutron_error_type(404), "HTTPNotFound");
  auto custom = neutron_error_body(409, "NetworkInUse", "busy", "d");
  EXPECT_EQ(json::parse(custom.body)["NeutronError"]["detail"], "d");
  EXPECT_EQ(custom.status, 409);
}

} // namespace
} // namespace fedstack::api
