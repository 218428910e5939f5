#pragma once
// The overlay as seen by a breadth-first walk from one node: the nodes that
// answered, the directed links of their neighbour caches (with CYCLON ages),
// the nodes that did not answer and the ones left unasked. Plain C++17 and no
// CAF, shared by `fedstack overlay` (blocking calls in a CLI process) and the
// agent's status page (asynchronous, agent/pages/overlay_walk.hpp): both drive the
// same overlay_walk and render its graph with the functions below.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "actors/peer.hpp"

namespace fedstack::agent {

/// A node that answered: where it was asked, and what it says about itself.
struct overlay_node {
  peer_address address;
  std::string region;
  std::string http_url;
};

/// `from` lists `to` in its neighbour cache; `age` is the entry's CYCLON age.
struct overlay_edge {
  peer_address from;
  peer_address to;
  std::uint32_t age = 0;
};

/// A node that was asked and did not answer (region as a neighbour named it).
struct unreachable_node {
  peer_address address;
  std::string region;
  std::string error;
};

struct overlay_graph {
  /// Where the walk began.
  peer_address start;
  /// Nodes that answered, in the order they were asked (breadth first).
  std::vector<overlay_node> nodes;
  std::vector<overlay_edge> edges;
  std::vector<unreachable_node> unreachable;
  /// Nodes named by a neighbour cache but not asked: the walk hit its node
  /// bound or its deadline (region and URL as the neighbour named them).
  std::vector<overlay_node> not_asked;
  /// Why the walk ended early; empty when every node it heard of was asked.
  std::string stopped_by;
};

/// A breadth-first walk as a state machine, without I/O: the caller asks the
/// nodes `next` hands out (one at a time or a batch at once) and reports each
/// answer. At most `max_nodes` nodes are asked, answering or not.
class overlay_walk {
public:
  overlay_walk(const peer_address& start, std::size_t max_nodes);

  /// True when there is nobody left to ask or the bound is reached.
  bool finished() const;
  /// Up to `n` nodes to ask now, in breadth-first order.
  std::vector<peer_address> next(std::size_t n);
  /// `at` answered with its own entry and its neighbour cache. Entries that
  /// are not valid (actors/peer.hpp) or point at `at` itself are left out.
  void reached(const peer_address& at, const peer_entry& info, const std::vector<peer_entry>& members);
  /// `at` could not be asked or did not answer.
  void failed(const peer_address& at, const std::string& error);
  /// Ends the walk now (e.g. its deadline passed); `why` says so in the graph.
  void stop(const std::string& why);
  /// The graph; nodes still queued become `not_asked`.
  overlay_graph finish();

private:
  overlay_graph graph_;
  std::size_t max_nodes_;
  std::size_t asked_ = 0;
  std::deque<peer_address> queue_;
  /// Every address heard of, with the first entry that named it.
  std::map<peer_address, peer_entry> heard_;
};

/// {"start", "nodes": [{node, region, http_url}], "edges": [{from, to, age}],
///  "unreachable": [{node, region, error}], "not_asked": [{node, region, http_url}],
///  "complete": bool, "stopped_by": text}. Text from peers is kept as sent: dump
/// with nlohmann::json::error_handler_t::replace, as it may not be UTF-8.
nlohmann::json to_json(const overlay_graph& graph);

/// Graphviz DOT, labels quoted and escaped.
std::string to_dot(const overlay_graph& graph);

} // namespace fedstack::agent
