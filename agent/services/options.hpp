#pragma once
// Everything `fedstack agent` can be told, with its defaults.

#include <string>

#include "actors/scheduler_logic.hpp"
#include "config/options.hpp"

namespace fedstack::agent {

struct agent_options {
  std::string listen_address = "127.0.0.1";
  unsigned short port = 8080;
  /// Base URL clients reach the agent at; empty: http://listen_address:port.
  std::string public_url;
  /// The shared Keystone (identity v3 root, e.g. http://127.0.0.1:5000/v3).
  std::string keystone_url = "http://127.0.0.1:5000/v3";
  /// CA certificates (PEM) https:// clouds and Keystone must chain to; empty: the system's.
  std::string cloud_ca_file;
  /// This agent's cloudlet: its region in the Keystone catalog.
  std::string region = "cloudlet-1";
  /// Service credentials the agent uses to read the catalog and hypervisor statistics.
  std::string service_user = "admin";
  /// No default: an agent must be told its password (the demo passes its own).
  std::string service_password;
  std::string service_project = "admin";
  std::string service_domain = "Default";
  std::string data_dir = "data/agent";
  long long upstream_timeout_ms = 30'000;
  long long connect_timeout_ms = 5'000;
  long long max_body_bytes = 1 << 20;
  long long max_header_bytes = 16 * 1024;
  long long header_timeout_ms = 30'000;
  long long idle_timeout_ms = 60'000;
  /// A request body has body_timeout_ms plus a second per min_body_rate bytes (http::server_limits).
  long long body_timeout_ms = 60'000;
  long long min_body_rate = 32 * 1024;
  long long max_connections = 4096;
  long long max_client_connections = 512;
  long long token_cache_entries = 10'000;
  long long token_expiry_slack_s = 30;
  long long token_refusal_ttl_ms = 5'000;
  long long io_threads = 2;
  bool copy_downloads = false;
  long long compute_max_microversion_minor = 93;
  std::string log_level = "info";
  std::string log_format = "text";

  // Membership (CYCLON over CAF) and capacity.
  std::string node_address = "127.0.0.1";
  std::string peer_networks;
  unsigned short node_port = 4790;
  /// Peer authentication (actors/tls.hpp): the federation CA, this node's
  /// certificate and key. All three: TLS; none: plain, unauthenticated.
  std::string node_ca;
  std::string node_cert;
  std::string node_key;
  /// Plain BASP on the node port without TLS: no peer is authenticated or
  /// authorized (docs/deploying.md). Needed to start without the three above.
  bool insecure_plain_node_port = false;
  /// Comma-separated HOST:PORT of known agents' nodes; empty for the first node.
  std::string join;
  long long cache_size = 4;
  long long shuffle_length = 2;
  long long shuffle_period_ms = 30'000;
  long long shuffle_timeout_ms = 5'000;
  long long capacity_period_ms = 5'000;
  /// How often neighbours are asked for their capacity; 0: capacity_period_ms.
  long long neighbour_capacity_period_ms = 0;
  long long heartbeat_ms = 1'000;
  long long connection_timeout_ms = 5'000;
  /// Probe the two finalists' capacity live at decision time (against herding).
  bool live_probe = false;
  /// Scheduler chains (docs/scheduler.md); defaults are thesis workflow 5 for
  /// servers and the disk weigher for images.
  std::string server_filters = default_server_filters;
  std::string server_weighers = default_server_weighers;
  std::string image_filters = default_image_filters;
  std::string image_weighers = default_image_weighers;
  /// How long a list waits for every cloudlet before answering without the late ones.
  long long list_deadline_ms = 5'000;
  /// Reservations not bound after this long are resolved by the sweep.
  long long reservation_timeout_ms = 120'000;
  long long reservation_sweep_ms = 60'000;
  long long orphan_sweep_ms = 300'000;
  /// A deleted server's tombstone is pruned this long after the delete (7 days).
  long long tombstone_retention_s = 604'800;
  long long max_json_depth = 64;
};

/// Adds every agent option to `set`, bound to `options`.
void describe(config::option_set& set, agent_options& options);

/// The base URL clients use to reach the agent.
std::string public_base_url(const agent_options& options);

} // namespace fedstack::agent
