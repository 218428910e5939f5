#pragma once

// Connectors turn a peer_address into the peer's node_actor without
// blocking the asking actor (actors.hpp: connector_actor).
//
// - The middleman connector asks CAF's io middleman actor to connect
//   (stack-notes §4), or the openssl manager's when the system uses TLS
//   (tls.hpp), checks that the remote actor's interface includes the
//   node's whole interface, caches the handle and monitors it: a down_msg (peer
//   exited, connection lost, heartbeat timeout) or a peer_down message drops
//   it, so a restarted peer at the same address is reached afresh.
// - The local connector is a table filled by hand, for tests and the
//   one-process simulation; it monitors what it holds, so a dead actor
//   makes connect fail just like an unreachable host. A test whose peers
//   are bare membership actors binds each through spawn_shuffle_only_node.

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/actors.hpp"
#include "actors/peer_networks.hpp"

namespace fedstack {

/// Options of the middleman connector.
struct middleman_connector_config {
  /// How long one connect (TCP + BASP handshake) may take.
  caf::timespan connect_timeout = std::chrono::seconds{5};
  /// Handles kept at most; the oldest is dropped beyond (a miss costs one
  /// connect, while an unbounded table would hold a proxy per peer ever met).
  std::size_t max_handles = 64;
  /// Addresses that may be connected to; others fail with ec::peer_not_allowed.
  peer_networks allowed;
};

struct middleman_connector_state {
  struct cached_handle {
    node_actor handle;
    /// Insertion order, for dropping the oldest.
    std::uint64_t sequence = 0;
  };
  middleman_connector_config config;
  std::map<peer_address, cached_handle> handles;
  /// The address each monitored handle was resolved from (for down_msg).
  std::map<caf::actor_addr, peer_address> addresses;
  /// Connects in flight, with everyone waiting for each: one connect per
  /// address, however many ask.
  std::map<peer_address, std::vector<caf::typed_response_promise<node_actor>>> waiting;
  std::uint64_t next_sequence = 0;

  static inline const char* name = "middleman-connector";
};

/// The production connector's behavior. Requires a loaded io middleman.
connector_actor::behavior_type
middleman_connector(connector_actor::stateful_pointer<middleman_connector_state> self,
                    middleman_connector_config config);

/// Spawns the production connector. Without an io middleman in `sys`
/// (cfg.load<caf::io::middleman>()), every connect fails with
/// ec::peer_unreachable.
connector_actor spawn_middleman_connector(caf::actor_system& sys,
                                          middleman_connector_config config = {});

struct local_connector_state {
  std::map<peer_address, node_actor> table;
  std::map<caf::actor_addr, peer_address> addresses;

  static inline const char* name = "local-connector";
};

/// The hand-filled connector's behavior.
local_connector_actor::behavior_type
local_connector(local_connector_actor::stateful_pointer<local_connector_state> self);

/// Spawns a hand-filled connector (tests, simulation).
local_connector_actor spawn_local_connector(caf::actor_system& sys);

/// A node that answers shuffles by asking `peer` and refuses everything else
/// (ec::not_authorized), for tests and the one-process benchmark whose peers
/// are bare membership actors. It stops when `peer` stops.
node_actor spawn_shuffle_only_node(caf::actor_system& sys, cyclon_peer_actor peer);

}  // namespace fedstack
