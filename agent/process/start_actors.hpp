#pragma once
// The steps of `serve` that start CAF: the actor system, the registry, the
// node published on the node port, and the overlay (connector, membership,
// capacity, scheduler). Each returns an owner that stops and awaits its actors
// when it goes (owned_actors.hpp); each throws start_failure when it cannot.

#include <atomic>
#include <cstdint>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "actors/actors.hpp"
#include "actors/node.hpp"
#include "agent/process/owned_actors.hpp"
#include "agent/process/start_options.hpp"
#include "agent/services/context.hpp"
#include "http/asio.hpp"

namespace fedstack::agent {

/// CAF's runtime with the agent's settings (scheduler, middleman, node TLS,
/// heartbeats). The config outlives the system, which keeps a reference.
struct actor_runtime {
  actor_runtime(const agent_options& options, const tls_files& node_tls);
  caf::actor_system_config config;
  caf::actor_system system;
};

struct running_registry {
  registry_actor handle;
  owned_actors actors;
  /// Bumped after each of its write transactions (storage::lmdb_options::writes).
  std::shared_ptr<std::atomic<std::uint64_t>> writes;
};

/// Opens the registry in --data-dir (exit_start_failed if it cannot).
running_registry start_registry(caf::actor_system& system, const agent_options& options);

struct running_node {
  /// The node's full interface, wiring included; peers see it as a node_actor.
  node_impl_actor handle;
  /// This agent in the overlay: its node's address and port, region and URL.
  peer_entry self;
  owned_actors actors;
};

/// Spawns the node actor, which checks peers' copies with `context` on `io`,
/// and publishes it on --node-address:--node-port (exit_start_failed if it
/// cannot). With --node-port 0 it takes the port of the last run again when
/// that one is free (global IDs name it), and saves the port it got.
/// `context.base_url` must be set: it goes into the node's entry.
running_node start_node(caf::actor_system& system, const agent_options& options, const checked_options& checked,
                        const registry_actor& registry, agent_context& context, http::asio::io_context& io);

struct running_overlay {
  connector_actor connector;
  membership_actor membership;
  capacity_actor capacity;
  scheduler_actor scheduler;
  owned_actors actors;
};

/// Spawns the connector, membership (joining --join), the capacity actor and
/// the scheduler around `node` (exit_bad_option when membership refuses its
/// options), and wires the node to them.
running_overlay start_overlay(caf::actor_system& system, const agent_options& options,
                              const checked_options& checked, const running_node& node,
                              const registry_actor& registry);

} // namespace fedstack::agent
