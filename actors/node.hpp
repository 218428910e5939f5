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
//    names its own cloudlet, copies removed on its own cloudlet only (never
//    the primary copy), copies added on its own cloudlet, or on another once
//    check_copy found them there marked as copies of the entry; erase only
//    once check_gone found the primary copy gone from its cloud (a delete
//    through another agent; docs/decisions.md), give an entry to a project
//    only once check_owner found the primary in that project on its cloud (a
//    volume transfer accepted through another agent), rebind a floating IP's
//    entry only once check_moved found its new primary marked on its cloud
//    (rebinds of one entry, this process' too, run one at a time, each only
//    while the entry still names the primary its mover expected to replace);
//  - anyone else: nothing.
// Refusals answer ec::not_authorized, are logged and counted
// (fedstack_node_refusals_total). Exit messages from other processes are
// ignored (a peer's link or exit cannot stop the node).
//
// It is published before the membership actor exists (membership needs the
// published port in its own entry), so it is wired afterwards with one
// local `put`; until then, and for any remote `put`, it refuses.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/actors.hpp"
#include "actors/peer_identity.hpp"
#include "actors/serial_steps.hpp"

namespace fedstack {

using node_impl_actor = node_actor::extend<
  // INTERNAL (local senders only, once): the actors to ask.
  caf::replies_to<atom::put, peer_entry, membership_actor, capacity_actor,
                  scheduler_actor, registry_actor>::with<atom::ok>,
  // INTERNAL (local senders only): the answer of check_copy or check_gone
  // for a ticket.
  caf::reacts_to<atom::ok, std::uint64_t, bool>>;

struct node_config {
  /// Who sent the current message. Empty: authorization is off (the
  /// insecure plain node port), every sender may do everything.
  std::function<peer_identity(const caf::strong_actor_ptr& sender)> identify;
  /// Checks, without blocking the node, that a copy a peer reports on a
  /// cloudlet it does not serve exists there and is marked as a copy of the
  /// global ID (agent/bridges/copy_check.hpp); calls `done` once, from any thread.
  /// Empty: such copies are refused.
  std::function<void(storage::resource_kind kind, std::string global_id, storage::cloud_copy copy,
                     std::function<void(bool verified)> done)>
    check_copy;
  /// Checks, likewise, that the resource an entry's primary copy names is gone
  /// from its cloud (404), before a peer's erase is honoured. Empty: peers'
  /// erases are refused.
  std::function<void(storage::resource_kind kind, storage::cloud_copy primary, std::function<void(bool gone)> done)>
    check_gone;
  /// Checks, likewise, that the resource an entry's primary copy names now
  /// belongs to `project` on its cloud (a volume transfer accepted there),
  /// before a peer's give is honoured. Empty: peers' gives are refused.
  std::function<void(storage::resource_kind kind, storage::cloud_copy primary, std::string project,
                     std::function<void(bool owned)> done)>
    check_owner;
  /// Checks, likewise, that `copy` is a floating IP on its cloudlet marked as
  /// the primary of `global_id`, in `project`, before a peer's rebind (a
  /// floating IP moved through that agent) is honoured. Empty: refused.
  std::function<void(storage::resource_kind kind, std::string global_id, std::string project, storage::cloud_copy copy,
                     std::function<void(bool moved)> done)>
    check_moved;
};

/// Production identify: this process' actors are local; others are who
/// their node's TLS certificate says (tls.hpp), unknown without one.
std::function<peer_identity(const caf::strong_actor_ptr&)> identify_by_certificate(caf::node_id self);

struct node_state {
  node_config config;
  /// What to do with the answer of each check under way, by ticket.
  std::map<std::uint64_t, std::function<void(bool)>> pending_checks;
  std::uint64_t next_ticket = 0;
  /// Rebinds by global ID: one at a time, so each compares against the last.
  serial_steps rebinds;
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
