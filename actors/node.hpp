#pragma once
// The NODE actor is what an agent publishes on its CAF port: peers shuffle
// with it, neighbours ask it for capacity, and operators' introspection
// commands attach to it. It owns no state; it delegates to the actors that do.
//
// Registry calls for entries this node owns are delegated to the registry
// actor, which scopes each by project.
//
// It is published before the membership actor exists (membership needs the
// published port in its own entry), so it is wired afterwards with one
// local `put`; until then, and for any remote `put`, it refuses.

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"

namespace fedstack {

using node_impl_actor = node_actor::extend<
  // INTERNAL (local senders only, once): the actors to delegate to.
  caf::replies_to<atom::put, peer_entry, membership_actor, capacity_actor,
                  scheduler_actor, registry_actor>::with<atom::ok>>;

struct node_state {
  peer_entry self_entry;
  membership_actor membership;
  capacity_actor capacity;
  scheduler_actor scheduler;
  registry_actor registry;
  bool wired = false;
  static inline const char* name = "node";
};

node_impl_actor::behavior_type node(node_impl_actor::stateful_pointer<node_state> self);

} // namespace fedstack
