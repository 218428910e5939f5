// Which flow answers a request (agent/rules/flow_choice.hpp): every route kind the agent serves.

#include <ostream>

#include <gtest/gtest.h>

#include "agent/rules/flow_choice.hpp"
#include "agent/rules/l3_rule.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

namespace bhttp = boost::beast::http;

const std::string gid = *api::make_global_id({"127.0.0.1", 4790});
const std::string local = "6a3e1c2b-9f0d-4b7a-8e5c-1d2f3a4b5c6d";   // a cloud's (version 4) ID
const std::string project = "0123456789abcdef0123456789abcdef";

struct row {
  std::string method;
  std::string target;
  agent::flow flow;
  resource_call call = resource_call::forward;
  request_body body = request_body::none;
  bool operator_path = false;
};

std::ostream& operator<<(std::ostream& out, const row& r) { return out << r.method << " " << r.target; }

class flow_choice_table : public testing::TestWithParam<row> {};

TEST_P(flow_choice_table, names_the_flow_the_call_and_the_body) {
  const auto& r = GetParam();
  auto route = api::classify(r.method, r.target);
  auto choice = choose_flow(route, bhttp::string_to_verb(r.method), r.operator_path);
  EXPECT_EQ(static_cast<int>(choice.flow), static_cast<int>(r.flow));
  EXPECT_EQ(static_cast<int>(choice.call), static_cast<int>(r.call));
  EXPECT_EQ(static_cast<int>(choice.body), static_cast<int>(r.body));
}

using enum agent::flow;
using enum resource_call;
using enum request_body;

INSTANTIATE_TEST_SUITE_P(
  agent_front, flow_choice_table,
  testing::Values(
    // The agent's own answers and refusals, before any token is checked.
    row{"GET", "/metrics", operator_page, forward, none, true},
    row{"GET", "/fedstack/status", operator_page, forward, none, true},
    row{"GET", "/image//v2/images", malformed},
    row{"GET", "/v2/images/%zz", malformed},
    row{"GET", "/nowhere", flow::not_found},
    row{"GET", "/image/v3/images", flow::not_found},
    row{"GET", "/", version_document},
    row{"POST", "/", version_document},   // documents are served whatever the method
    row{"GET", "/v3", version_document},
    row{"GET", "/image", version_document},
    row{"GET", "/v2.0", version_document},
    row{"GET", "/compute/v2.1", version_document},
    row{"DELETE", "/v2/images", method_not_allowed},
    row{"PATCH", "/v2.0/networks/" + gid, method_not_allowed},
    // Operator views, combined over every cloudlet (rules/operator_sums.hpp).
    row{"GET", "/v2.1/os-hypervisors/statistics", operator_view},
    row{"GET", "/compute/v2.1/os-hypervisors", operator_view},
    row{"GET", "/compute/v2.1/os-hypervisors/detail", operator_view},
    row{"GET", "/compute/v2.1/limits", operator_view},
    row{"GET", "/compute/v2.1/os-quota-sets/0123456789abcdef0123456789abcdef", operator_view},
    row{"GET", "/compute/v2.1/os-quota-sets/0123456789abcdef0123456789abcdef/detail", operator_view},
    row{"GET", "/compute/v2.1/os-quota-sets/0123456789abcdef0123456789abcdef/defaults", own_cloudlet},
    row{"PUT", "/compute/v2.1/os-quota-sets/0123456789abcdef0123456789abcdef", own_cloudlet, forward, json},
    row{"GET", "/compute/v2.1/os-hypervisors/1000001", operator_view},
    row{"GET", "/v2.0/quotas/0123456789abcdef0123456789abcdef", operator_view},
    row{"GET", "/v2.0/quotas/0123456789abcdef0123456789abcdef.json", operator_view},
    row{"GET", "/v2.0/quotas/0123456789abcdef0123456789abcdef/details.json", operator_view},
    row{"GET", "/v2.0/quotas/0123456789abcdef0123456789abcdef/details", operator_view},
    row{"GET", "/v2.0/quotas/0123456789abcdef0123456789abcdef/default", own_cloudlet},
    row{"PUT", "/v2.0/quotas/0123456789abcdef0123456789abcdef", own_cloudlet, forward, json},
    row{"GET", "/compute/v2.1/os-hypervisors/host-1/search", own_cloudlet},
    row{"POST", "/v2.1/os-hypervisors", method_not_allowed},
    // Keystone's calls, whatever they are.
    row{"POST", "/v3/auth/tokens", identity},
    row{"GET", "/v3/auth/catalog", identity},
    row{"GET", "/v3/projects", identity},
    row{"DELETE", "/v3/users/" + gid, identity}));

INSTANTIATE_TEST_SUITE_P(
  lists, flow_choice_table,
  testing::Values(
    row{"GET", "/image/v2/images", list},
    row{"GET", "/v2/images?limit=2&marker=" + gid, list},
    row{"GET", "/v2.0/networks", list},
    row{"GET", "/v2.0/subnets", list},
    row{"GET", "/v2.0/ports", list},
    row{"GET", "/v2.0/ports.json", list},
    row{"GET", "/compute/v2.1/servers", list},
    row{"GET", "/compute/v2.1/servers/detail", list},
    row{"GET", "/compute/v2.1/" + project + "/servers/detail", list},
    row{"GET", "/compute/v2.1/os-availability-zone", zone_list},
    row{"GET", "/compute/v2.1/os-availability-zone/detail", zone_list},
    // Not merged: a HEAD, collections the registry does not record, actions.
    row{"HEAD", "/v2/images", own_cloudlet},
    row{"HEAD", "/v2.1/os-availability-zone", own_cloudlet},
    row{"GET", "/v2.0/security-groups", own_cloudlet},
    row{"GET", "/v2.0/routers", list},
    row{"GET", "/v2.0/floatingips", list},
    row{"GET", "/v2.0/floatingips/" + local, own_cloudlet},
    row{"GET", "/compute/v2.1/os-availability-zone/other", own_cloudlet},
    row{"GET", "/image/v2/schemas/images", own_cloudlet}));

// Flavors are the federation's (agent/flows/flavors.hpp): every flavor call.
INSTANTIATE_TEST_SUITE_P(
  flavors, flow_choice_table,
  testing::Values(
    row{"GET", "/compute/v2.1/flavors", flavor},
    row{"GET", "/compute/v2.1/flavors/detail?minRam=512", flavor},
    row{"POST", "/compute/v2.1/flavors", flavor, forward, json},
    row{"GET", "/compute/v2.1/flavors/" + local, flavor},
    row{"PUT", "/compute/v2.1/flavors/" + local, flavor, forward, json},
    row{"DELETE", "/compute/v2.1/flavors/" + local, flavor},
    row{"POST", "/compute/v2.1/flavors/" + local + "/os-extra_specs", flavor, forward, json},
    row{"DELETE", "/compute/v2.1/flavors/1/os-extra_specs/hw:cpu_policy", flavor},
    row{"GET", "/compute/v2.1/flavors/1/os-flavor-access", flavor},
    row{"POST", "/compute/v2.1/flavors/1/action", flavor, forward, json}));

INSTANTIATE_TEST_SUITE_P(
  creates, flow_choice_table,
  testing::Values(
    row{"POST", "/image/v2/images", create, forward, json},
    row{"POST", "/v2.0/networks", create, forward, json},
    row{"POST", "/v2.0/subnets", create, forward, json},
    row{"POST", "/v2.0/ports", create, forward, json},
    row{"POST", "/compute/v2.1/servers", create, forward, json},
    // Kinds the registry does not record are the own cloudlet's.
    row{"POST", "/v2.0/security-groups", own_cloudlet, forward, json},
    row{"POST", "/v2.0/routers", create, forward, json},
    row{"POST", "/v2.0/floatingips", create, forward, json},
    row{"POST", "/compute/v2.1/flavors", flavor, forward, json},
    row{"POST", "/compute/v2.1/os-keypairs", own_cloudlet, forward, json}));

INSTANTIATE_TEST_SUITE_P(
  one_resource, flow_choice_table,
  testing::Values(
    // Named by a global ID: where the owner's registry places it.
    row{"GET", "/image/v2/images/" + gid, recorded_resource},
    row{"HEAD", "/image/v2/images/" + gid, recorded_resource},
    row{"PATCH", "/image/v2/images/" + gid, recorded_resource, forward, unchecked},
    row{"DELETE", "/image/v2/images/" + gid, recorded_resource, delete_everywhere},
    row{"PUT", "/image/v2/images/" + gid + "/file", recorded_resource, image_upload},
    row{"GET", "/image/v2/images/" + gid + "/file", recorded_resource, image_download},
    row{"HEAD", "/image/v2/images/" + gid + "/file", recorded_resource},
    row{"PUT", "/image/v2/images/" + gid + "/tags/blue", recorded_resource, forward, json},
    row{"DELETE", "/image/v2/images/" + gid + "/tags/blue", recorded_resource},
    row{"GET", "/v2.0/networks/" + gid, recorded_resource},
    row{"GET", "/v2.0/networks/" + gid + ".json", recorded_resource},
    row{"PUT", "/v2.0/networks/" + gid, recorded_resource, forward, json},
    row{"DELETE", "/v2.0/networks/" + gid, recorded_resource, delete_everywhere},
    row{"PUT", "/v2.0/networks/" + gid + "/tags", recorded_resource, forward, json},
    row{"DELETE", "/v2.0/subnets/" + gid, recorded_resource, delete_everywhere},
    row{"DELETE", "/v2.0/ports/" + gid, recorded_resource, delete_everywhere},
    row{"GET", "/compute/v2.1/servers/" + gid, recorded_resource},
    row{"PUT", "/compute/v2.1/servers/" + gid, recorded_resource, forward, json},
    row{"DELETE", "/compute/v2.1/servers/" + gid, recorded_resource, delete_everywhere},
    row{"POST", "/compute/v2.1/servers/" + gid + "/action", recorded_resource, forward, json},
    row{"PUT", "/compute/v2.1/servers/" + gid + "/tags", recorded_resource, forward, json},
    row{"DELETE", "/compute/v2.1/servers/" + gid + "/tags/blue", recorded_resource},
    row{"GET", "/compute/v2.1/servers/" + gid + "/os-interface", recorded_resource},
    // Nova's image proxy names Glance's images: where the image's owner places it.
    row{"GET", "/compute/v2.1/images/" + gid, recorded_resource},
    row{"GET", "/compute/v2.1/images/" + gid + "/metadata", recorded_resource},
    row{"DELETE", "/compute/v2.1/images/" + gid, recorded_resource, delete_everywhere},
    row{"GET", "/compute/v2.1/images/" + local, own_cloudlet},
    row{"GET", "/compute/v2.1/images/detail", list},
    row{"GET", "/compute/v2.1/images", list},
    // A cloud's own ID, or a kind the registry does not record: the own cloudlet's.
    row{"GET", "/image/v2/images/" + local, own_cloudlet},
    row{"DELETE", "/image/v2/images/" + local, own_cloudlet},
    row{"PATCH", "/image/v2/images/" + local, own_cloudlet, forward, unchecked},
    row{"PUT", "/image/v2/images/" + local + "/file", own_cloudlet, image_upload},
    row{"GET", "/image/v2/images/" + local + "/file", own_cloudlet, image_download},
    row{"DELETE", "/compute/v2.1/servers/" + local, own_cloudlet},
    row{"PUT", "/v2.0/networks/" + local, own_cloudlet, forward, json},
    row{"GET", "/v2.0/security-groups/" + gid, own_cloudlet},
    row{"DELETE", "/v2.0/routers/" + gid, recorded_resource, delete_everywhere},
    row{"PUT", "/v2.0/routers/" + gid + "/add_router_interface", recorded_resource, forward, json},
    row{"PUT", "/v2.0/floatingips/" + gid, recorded_resource, forward, json},
    // An operator's external network by its federation ID (version 5): read, never changed.
    row{"GET", "/v2.0/networks/" + external_network_id("public"), external_network},
    row{"DELETE", "/v2.0/networks/" + external_network_id("public"), external_network},
    row{"GET", "/compute/v2.1/flavors/" + gid, flavor},   // a federation ID names no flavor: the flavor flow answers 404,
    row{"GET", "/compute/v2.1/os-keypairs/mine", own_cloudlet},
    // What follows a boot, kept in step: keypair and security group deletes, rule changes.
    row{"DELETE", "/compute/v2.1/os-keypairs/mine", keypair_delete},
    row{"DELETE", "/compute/v2.1/os-keypairs/mine?user_id=someone", own_cloudlet},
    row{"POST", "/v2.0/security-group-rules", security_group_rule_change, forward, json},
    row{"DELETE", "/v2.0/security-group-rules/" + local, security_group_rule_change},
    row{"GET", "/v2.0/security-group-rules/" + local, own_cloudlet},
    row{"DELETE", "/v2.0/security-groups/" + local, security_group_delete},
    // Server groups: read and deleted wherever their origin is; made on the own cloudlet.
    row{"GET", "/compute/v2.1/os-server-groups", server_groups},
    row{"GET", "/compute/v2.1/os-server-groups/" + local, server_groups},
    row{"DELETE", "/compute/v2.1/os-server-groups/" + local, server_groups},
    row{"POST", "/compute/v2.1/os-server-groups", own_cloudlet, forward, json},
    row{"PUT", "/v2.0/security-groups/" + local, security_group_update, forward, json},
    row{"PUT", "/v2.0/security-groups/" + local + "/tags", own_cloudlet, forward, json}));

TEST(is_federated_list, is_the_merged_collections_without_an_item) {
  EXPECT_TRUE(is_federated_list(api::classify("GET", "/v2/images")));
  EXPECT_TRUE(is_federated_list(api::classify("GET", "/v2.1/servers/detail")));
  EXPECT_FALSE(is_federated_list(api::classify("GET", "/v2/images/" + gid)));
  EXPECT_FALSE(is_federated_list(api::classify("GET", "/v2.1/flavors")));
  EXPECT_FALSE(is_federated_list(api::classify("GET", "/v3/projects")));
}

TEST(nova_image_proxy_gone, past_2_35_as_nova_says) {
  auto image = api::classify("GET", "/compute/v2.1/images/" + gid);
  EXPECT_FALSE(nova_image_proxy_gone(image, api::microversion{2, 1}));
  EXPECT_FALSE(nova_image_proxy_gone(image, api::microversion{2, 35}));
  EXPECT_TRUE(nova_image_proxy_gone(image, api::microversion{2, 36}));
  EXPECT_TRUE(nova_image_proxy_gone(api::classify("DELETE", "/compute/v2.1/images/" + gid), api::microversion{2, 93}));
  EXPECT_FALSE(nova_image_proxy_gone(api::classify("GET", "/compute/v2.1/servers/" + gid), api::microversion{2, 93}));
  EXPECT_FALSE(nova_image_proxy_gone(api::classify("GET", "/image/v2/images/" + gid), api::microversion{2, 93}));
}

TEST(is_read, is_get_and_head) {
  EXPECT_TRUE(is_read(bhttp::verb::get));
  EXPECT_TRUE(is_read(bhttp::verb::head));
  for (auto method : {bhttp::verb::put, bhttp::verb::patch, bhttp::verb::post, bhttp::verb::delete_})
    EXPECT_FALSE(is_read(method));
}

} // namespace
} // namespace fedstack::agent
