#pragma once
// What every request handler of an agent shares: its options, where its
// cloudlet's services are, the token cache and the way to the registry.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/services/async_lock.hpp"
#include "agent/services/id_aliases.hpp"
#include "agent/services/in_flight.hpp"
#include "agent/services/options.hpp"
#include "agent/services/placement_client.hpp"
#include "agent/services/registry_client.hpp"
#include "agent/services/token_cache.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/microversion.hpp"
#include "http/client.hpp"

namespace fedstack::agent {

/// The upstream services of this agent's cloudlet, read from the Keystone catalog.
struct cloudlet_endpoints {
  std::string region;
  http::endpoint image;
  http::endpoint network;
  http::endpoint compute;
  /// Block Storage v3's service root; empty `host` when the region has none.
  http::endpoint volume;
};

class service_session;
struct actor_handles;

struct agent_context {
  agent_options options;
  std::string base_url;              // what clients reach this agent at
  http::endpoint keystone;           // the shared Keystone, base path "/v3" stripped
  cloudlet_endpoints cloudlet;
  /// Every cloudlet of the federation (the shared Keystone's regions), own included.
  std::vector<cloudlet_endpoints> cloudlets;
  std::mutex cloudlets_mutex;
  /// The agent's own Keystone session (catalog refreshes, service-token calls).
  service_session* session = nullptr;
  std::unique_ptr<token_cache> tokens;
  /// Tokens Keystone refused in the last --token-refusal-ttl-ms.
  std::unique_ptr<refused_tokens> refused;
  std::unique_ptr<registry_client> registry;
  std::unique_ptr<placement_client> placement;
  /// How the flows reach clouds and Keystone (a test puts fake clouds here).
  std::unique_ptr<upstream_calls> upstream = make_network_upstream_calls();
  id_aliases aliases;
  /// (cloudlet, its flavor ID) -> this agent's cloudlet's flavor of the same
  /// name and shape (agent/flows/flavor_ids.hpp).
  id_aliases flavor_aliases{10'000};
  /// One copy of a resource per cloudlet at a time (key: global ID + region).
  keyed_lock copy_locks;
  /// Creates running now (the reservation sweep skips them).
  in_flight_set creates_in_flight;
  /// Idle keep-alive connections to the cloudlet's services and Keystone.
  http::connection_pool pool;
  /// Compute microversions accepted and advertised.
  api::microversion_range compute_range;
  api::microversion_range volume_range = api::cinder_zed_range;
  /// The agent's actors (actor_handles.hpp); set once they are running.
  std::shared_ptr<const actor_handles> actors;

  std::chrono::milliseconds upstream_timeout() const {
    return std::chrono::milliseconds{options.upstream_timeout_ms};
  }
  std::chrono::milliseconds connect_timeout() const {
    return std::chrono::milliseconds{options.connect_timeout_ms};
  }
};

} // namespace fedstack::agent
