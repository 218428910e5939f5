#pragma once
// The agent's own actors, for the HTTP handlers that ask them directly
// (operator pages, metrics). Kept out of context.hpp so that most of agent/
// compiles without CAF's headers.

#include <caf/actor_system.hpp>

#include "actors/actors.hpp"

namespace fedstack::agent {

struct actor_handles {
  caf::actor_system& system;
  peer_entry self;
  node_actor node;
  membership_actor membership;
  capacity_actor capacity;
  scheduler_actor scheduler;
  connector_actor connector;
  registry_actor registry;
};

} // namespace fedstack::agent
