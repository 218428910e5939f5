#pragma once
// The overlay walk of `fedstack overlay`, made from an HTTP coroutine without
// blocking: breadth first from this node, asking each node's node actor for
// its own entry (`info`) and its neighbour cache (`members`). This node is
// asked through its own handle, the others through the node handle the
// connector hands out (as actor_registry_client does).
//
// Bounds: at most `max_nodes` nodes are asked; they are asked in batches of
// up to `parallel` at once (the head of the breadth-first queue), each batch
// given `per_node` to answer (connect, info and members together); the walk
// stops when `deadline` has passed, leaving the rest as not asked. A node that
// fails or misses its batch's time is reported with the error. The walk has
// no side effect: a failure does not make the connector forget its handle.

#include <chrono>
#include <cstddef>
#include <memory>

#include "agent/bridges/actor_handles.hpp"
#include "agent/pages/overlay_graph.hpp"
#include "http/asio.hpp"

namespace fedstack::agent {

struct overlay_walk_limits {
  std::size_t max_nodes = 64;
  std::size_t parallel = 16;
  std::chrono::milliseconds per_node{1500};
  std::chrono::milliseconds deadline{5000};
};

/// The walk from `actors->self`. Never throws for a node's failure.
http::awaitable<overlay_graph> walk_overlay(const std::shared_ptr<const actor_handles>& actors,
                                            const overlay_walk_limits& limits);

} // namespace fedstack::agent
