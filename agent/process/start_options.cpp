#include "agent/process/start_options.hpp"

#include <csignal>
#include <filesystem>
#include <string_view>

#include "agent/process/start_failure.hpp"
#include "api/global_id.hpp"
#include "http/tls_client.hpp"

namespace fedstack::agent {
namespace {

/// CAF reads the files at every connection and throws if it cannot, so every
/// problem with them must show here, before anything starts.
tls_files check_node_tls(const agent_options& options) {
  tls_files node_tls{options.node_ca, options.node_cert, options.node_key};
  if (auto error = check_tls_files(node_tls, tls_role::node, "--node-ca, --node-cert and --node-key"))
    fail_start(exit_bad_option, "node TLS: {}", *error);
  return node_tls;
}

void check_node_port_security(const agent_options& options, const tls_files& node_tls) {
  if (!tls_enabled(node_tls)) {
    if (!options.insecure_plain_node_port)
      fail_start(exit_bad_option,
                 "the node port needs --node-ca, --node-cert and --node-key (scripts/fedstack-certs.sh, "
                 "docs/deploying.md); --insecure-plain-node-port runs it without authentication");
    return;
  }
  if (options.insecure_plain_node_port)
    fail_start(exit_bad_option, "--insecure-plain-node-port and --node-ca/--node-cert/--node-key exclude each other");
  auto identity = certificate_identity(node_tls.cert);
  if (!identity || identity->who != peer_identity::kind::cloudlet || identity->cloudlet != options.region)
    fail_start(exit_bad_option,
               "node TLS: the certificate '{}' names {}, not this agent's region '{}' (its subjectAltName "
               "must hold URI:urn:fedstack:cloudlet:{}; scripts/fedstack-certs.sh node)",
               node_tls.cert, identity ? to_string(*identity) : std::string{"no fedstack identity"},
               options.region, options.region);
}

/// "http(s)://host:port/v3" -> the Keystone root the agent prefixes "/v3/..." with.
http::endpoint keystone_root(const std::string& url) {
  auto parsed = http::parse_endpoint(url);
  if (!parsed) fail_start(exit_bad_option, "--keystone-url '{}' is not an http:// or https:// URL", url);
  auto& path = parsed->base_path;
  if (path.size() >= 3 && path.compare(path.size() - 3, 3, "/v3") == 0) path.erase(path.size() - 3);
  return *parsed;
}

std::vector<peer_address> parse_seeds(const std::string& join) {
  std::vector<peer_address> seeds;
  for (std::size_t begin = 0; begin < join.size();) {
    auto end = join.find(',', begin);
    if (end == std::string::npos) end = join.size();
    auto text = join.substr(begin, end - begin);
    begin = end + 1;
    if (text.empty()) continue;
    auto seed = parse_peer_address(text);
    if (!seed) fail_start(exit_bad_option, "--join: '{}' is not HOST:PORT", text);
    seeds.push_back(*seed);
  }
  return seeds;
}

peer_networks parse_allowed_peers(const std::string& list) {
  if (list.empty()) return {};
  auto parsed = peer_networks::parse(list);
  if (!parsed)
    fail_start(exit_bad_option, "--peer-networks: '{}' is not a comma-separated list of IPv4 CIDRs", list);
  return *parsed;
}

scheduler_policy parse_policy(const agent_options& options) {
  auto server_chain = parse_chain(options.server_filters, options.server_weighers);
  auto image_chain = parse_chain(options.image_filters, options.image_weighers);
  if (!server_chain || !image_chain)
    fail_start(exit_bad_option, "scheduler: {}", server_chain ? image_chain.error : server_chain.error);
  return {*server_chain.value, *image_chain.value};
}

} // namespace

checked_options check_options(const agent_options& options) {
  checked_options checked;
  checked.node_tls = check_node_tls(options);
  if (options.service_password.empty())
    fail_start(exit_bad_option, "--service-password is required: the agent has no built-in service password");
  check_node_port_security(options, checked.node_tls);
  checked.keystone = keystone_root(options.keystone_url);
  checked.seeds = parse_seeds(options.join);
  checked.allowed_peers = parse_allowed_peers(options.peer_networks);
  for (const auto& seed : checked.seeds)
    if (!checked.allowed_peers.allows(seed))
      fail_start(exit_bad_option, "--join: {} is outside --peer-networks ({})", to_string(seed),
                 checked.allowed_peers.describe());
  if (!api::make_global_id({options.node_address, 1}))
    fail_start(exit_bad_option,
               "--node-address '{}' must be a dotted IPv4 address: global IDs carry it (docs/federation.md)",
               options.node_address);
  checked.policy = parse_policy(options);
  return checked;
}

void prepare_process(const agent_options& options) {
  try {
    http::configure_upstream_tls(options.cloud_ca_file);
  } catch (const std::exception& e) {
    fail_start(exit_bad_option, "--cloud-ca-file: {}", e.what());
  }
  std::error_code error;
  std::filesystem::create_directories(options.data_dir, error);
  if (error) fail_start(exit_start_failed, "cannot create --data-dir '{}': {}", options.data_dir, error.message());
  // A client gone mid-download must fail the relay's write, not kill the
  // agent: splice(2) to a closed socket raises SIGPIPE (http/splice.hpp).
  std::signal(SIGPIPE, SIG_IGN);
}

} // namespace fedstack::agent
