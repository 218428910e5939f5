// check_options: `serve`'s first step turns every wrong option into exit 2 and a
// message naming the option, before anything starts.
#include <gtest/gtest.h>

#include <string>

#include "agent/process/start_failure.hpp"
#include "agent/process/start_options.hpp"

using namespace fedstack;
using namespace fedstack::agent;

namespace {

/// Options that pass: a password, the plain node port (no files to read).
agent_options good_options() {
  agent_options options;
  options.service_password = "secret";
  options.insecure_plain_node_port = true;
  options.keystone_url = "http://keystone.example:5000/v3";
  return options;
}

/// The failure check_options throws; fails the test when it throws none.
start_failure failure_of(const agent_options& options) {
  try {
    check_options(options);
  } catch (const start_failure& failure) {
    return failure;
  }
  ADD_FAILURE() << "check_options accepted the options";
  return start_failure(0, "");
}

void expect_bad_option(const agent_options& options, const std::string& message) {
  auto failure = failure_of(options);
  EXPECT_EQ(failure.exit_code, exit_bad_option);
  EXPECT_NE(std::string(failure.what()).find(message), std::string::npos) << failure.what();
}

} // namespace

TEST(check_options, parses_what_later_steps_need) {
  auto options = good_options();
  options.join = "10.0.0.1:4790,,10.0.0.2:4791";
  options.peer_networks = "10.0.0.0/24";
  auto checked = check_options(options);
  EXPECT_FALSE(tls_enabled(checked.node_tls));
  EXPECT_EQ(checked.keystone.host, "keystone.example");
  EXPECT_EQ(checked.keystone.port, 5000);
  EXPECT_EQ(checked.keystone.base_path, "");   // "/v3" is the agent's to add
  ASSERT_EQ(checked.seeds.size(), 2u);         // the empty item is skipped
  EXPECT_EQ(to_string(checked.seeds[0]), "10.0.0.1:4790");
  EXPECT_EQ(to_string(checked.seeds[1]), "10.0.0.2:4791");
  EXPECT_EQ(checked.allowed_peers.describe(), "10.0.0.0/24");
}

TEST(check_options, keeps_a_keystone_path_before_v3) {
  auto options = good_options();
  options.keystone_url = "https://cloud.example/identity/v3";
  EXPECT_EQ(check_options(options).keystone.base_path, "/identity");
}

TEST(check_options, the_node_port_needs_certificates_or_the_insecure_switch) {
  auto options = good_options();
  options.insecure_plain_node_port = false;
  expect_bad_option(options, "the node port needs --node-ca, --node-cert and --node-key");
  options.node_ca = "ca.crt";
  expect_bad_option(options, "--node-ca, --node-cert and --node-key go together");
}

TEST(check_options, a_service_password_is_required) {
  auto options = good_options();
  options.service_password.clear();
  expect_bad_option(options, "--service-password is required");
}

TEST(check_options, refuses_a_keystone_url_that_is_not_http) {
  auto options = good_options();
  options.keystone_url = "keystone:5000";
  expect_bad_option(options, "--keystone-url 'keystone:5000' is not an http:// or https:// URL");
}

TEST(check_options, refuses_seeds_that_are_not_host_port_or_outside_the_peer_networks) {
  auto options = good_options();
  options.join = "10.0.0.1:4790,nonsense";
  expect_bad_option(options, "--join: 'nonsense' is not HOST:PORT");
  options.join = "10.0.1.1:4790";
  options.peer_networks = "10.0.0.0/24";
  expect_bad_option(options, "--join: 10.0.1.1:4790 is outside --peer-networks (10.0.0.0/24)");
  options.join.clear();
  options.peer_networks = "10.0.0.0/99";
  expect_bad_option(options, "--peer-networks: '10.0.0.0/99' is not a comma-separated list of IPv4 CIDRs");
}

TEST(check_options, the_node_address_must_be_dotted_ipv4) {
  auto options = good_options();
  options.node_address = "agent.example";
  expect_bad_option(options, "--node-address 'agent.example' must be a dotted IPv4 address");
}

TEST(check_options, refuses_an_unknown_scheduler_filter) {
  auto options = good_options();
  options.image_filters = "resource,no_such_filter";
  expect_bad_option(options, "scheduler: ");
  EXPECT_NE(std::string(failure_of(options).what()).find("no_such_filter"), std::string::npos);
}
