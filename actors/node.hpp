#pragma once
// The NODE actor is what an agent publishes on its CAF port: peers shuffle
// with it, neighbours ask it for capacity, and operators' introspection
// commands attach to it. It owns no state: it asks the actors that do and
// answers itself (request/then with a response promise, never `delegate`,
// so no other local actor's handle reaches a peer).
//
// Every message is authorized by who sent it (node_config::identify, bound
// to the certificate of the sender's TLS connection, tls.hpp):
//  - this process' actors: everything;
//  - an operator: the read-only introspection messages (members, capacity,
//    info, decisions);
//  - a cloudlet's agent: those, registry reads, shuffles whose sender entry
//    names its own cloudlet, and copies added or removed on its own cloudlet
//    only (never the primary copy); never erase: the owner's own flows
//    forget a record (docs/decisions.md);
//  - anyone else: nothing.
// Refusals answer ec::not_authorized, are logged and counted
// (fedstack_node_refusals_total). Exit messages from other processes are
// ignored (a peer's link or exit cannot stop the node).
//
// It is published before the membership actor exists (membership needs the
// published port in its own entry), so it is wired afterwards with one
// local `put`; until then, and for any remote `put`, it refuses.

#include <functional>
#include <optional>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"
#include "actors/peer_identity.hpp"

namespace fedstack {

using node_impl_actor = node_actor::extend<
  // INTERNAL (local senders only, once): the actors to ask.
  caf::replies_to<atom::put, peer_entry, membership_actor, capacity_actor,
                  scheduler_actor, registry_actor>::with<atom::ok>>;

struct node_config {
  /// Who sent the current message. Empty: authorization is off (the
  /// insecure plain node port), every sender may do everything.
  std::function<peer_identity(const caf::strong_actor_ptr& sender)> identify;
};

/// Production identify: this process' actors are local; others are who
/// their node's TLS certificate says (tls.hpp), unknown without one.
std::function<peer_identity(const caf::strong_actor_ptr&)> identify_by_certificate(caf::node_id self);

struct node_state {
  node_config config;
  peer_entry self_entry;
  membership_actor membership;
  capacity_actor capacity;
  scheduler_actor scheduler;
  registry_actor registry;
  bool wired = false;
  static inline const char* name = "node";
};

node_impl_actor::behavior_type node(node_impl_actor::stateful_pointer<node_state> self,
                                    node_config config);

} // namespace fedstack
