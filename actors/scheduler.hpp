#pragma once
// The SCHEDULER actor: answers "where should this create go?" with a
// placement_decision (actors/scheduler_logic.hpp runs the rules). It asks the
// capacity actor for the gossiped view, and optionally — beyond the thesis —
// probes the two finalists' node actors live under a short deadline, because
// reports up to one poll period old make concurrent deciders herd onto the
// same "emptiest" cloudlet (issue 4; Sparrow's probes, peers.md §4). A probe
// that misses the deadline falls back to the gossiped report. Every step is
// an asynchronous request: the actor never blocks.

#include <cstddef>
#include <deque>
#include <random>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"

namespace fedstack {

struct scheduler_config {
  scheduler_policy policy = default_policy();
  /// How long the capacity actor may take to hand over its view.
  caf::timespan view_timeout = std::chrono::seconds{1};
  /// Probe the finalists' node actors at decision time.
  bool live_probe = false;
  /// The whole probe (connect + capacity request) must fit in this.
  caf::timespan probe_timeout = std::chrono::milliseconds{200};
  /// Decisions kept for `fedstack decisions`.
  std::size_t history = 100;
  /// This node (its own cloudlet is probed through the capacity actor, not
  /// through the connector).
  peer_address self;
  /// Seed of the two-choices draws; 0: from std::random_device.
  std::uint64_t seed = 0;
};

struct scheduler_state {
  scheduler_config config;
  capacity_actor capacity;
  connector_actor connector;
  std::mt19937 rng;
  /// The last config.history decisions, oldest first.
  std::deque<placement_decision> decisions;
  static inline const char* name = "scheduler";
};

scheduler_actor::behavior_type scheduler(scheduler_actor::stateful_pointer<scheduler_state> self,
                                         scheduler_config config, capacity_actor capacity,
                                         connector_actor connector);

scheduler_actor spawn_scheduler(caf::actor_system& system, scheduler_config config,
                                capacity_actor capacity, connector_actor connector);

} // namespace fedstack
