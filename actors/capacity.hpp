#pragma once
// The CAPACITY actor knows what this node's cloudlet can still take (pushed
// by the agent, which reads its cloud over HTTP) and what each neighbour last
// reported (asked over CAF every poll period). A per-peer circuit breaker
// (peer_health) marks a neighbour unreachable after consecutive failures and
// tells membership and connector to drop it at once, instead of waiting the
// several CYCLON periods it would take the overlay to forget it.

#include <functional>
#include <map>
#include <optional>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"
#include "actors/peer_identity.hpp"
#include "actors/peer_health.hpp"

namespace fedstack {

using capacity_impl_actor = capacity_actor::extend<
  // INTERNAL: time to ask the neighbours again.
  caf::reacts_to<atom::tick>>;

struct capacity_config {
  /// How often neighbours are asked for their capacity.
  caf::timespan poll_period = std::chrono::seconds{5};
  /// Polls a report outlives its node's leaving the CYCLON cache. Shuffles swap
  /// neighbours in and out every period; a view that dropped a report at once
  /// flickered, and a create placed in that moment missed a cloudlet with room.
  int departed_polls = 2;
  /// How long one connect or capacity request may take.
  caf::timespan request_timeout = std::chrono::seconds{2};
  peer_health::config health;
  /// Who a neighbour's node is (production: its TLS certificate,
  /// identify_by_certificate in node.hpp). A report for any other cloudlet
  /// than its certificate names is dropped, so a peer cannot herd boots with
  /// another cloudlet's figures or invent regions. Empty: no check (the
  /// insecure plain node port).
  std::function<peer_identity(const caf::strong_actor_ptr&)> identify;
};

struct capacity_state {
  capacity_config config;
  std::optional<capacity_report> own;
  std::map<peer_address, capacity_report> neighbours;
  std::map<peer_address, int> absent_polls;   // of reports whose node left the cache
  peer_health health;
  membership_actor membership;
  connector_actor connector;
  static inline const char* name = "capacity";
};

capacity_impl_actor::behavior_type capacity(capacity_impl_actor::stateful_pointer<capacity_state> self,
                                            capacity_config config, membership_actor membership,
                                            connector_actor connector);

capacity_actor spawn_capacity(caf::actor_system& system, capacity_config config,
                              membership_actor membership, connector_actor connector);

} // namespace fedstack
