#pragma once

// Overlay graph metrics for the CYCLON bench: plain C++, no CAF. A graph is
// the out-links of every node (its neighbour cache), by node index; dead
// nodes keep their index and are skipped through the `alive` mask.

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace fedstack::bench {

using node_index = std::uint32_t;

/// out[i]: the nodes in i's cache.
using graph = std::vector<std::vector<node_index>>;

struct degree_stats {
  double mean = 0;
  double stddev = 0;
  std::uint32_t min = 0;
  std::uint32_t max = 0;
};

/// In-degree of every live node, counting links from live nodes only.
std::vector<std::uint32_t> in_degrees(const graph& g, const std::vector<bool>& alive);

/// Mean, population standard deviation, min and max over live nodes.
degree_stats summarize(const std::vector<std::uint32_t>& degrees,
                       const std::vector<bool>& alive);

/// Out-degree statistics of live nodes (links to dead nodes included).
degree_stats out_degree_stats(const graph& g, const std::vector<bool>& alive);

/// Links from live nodes to dead ones.
std::size_t dead_links(const graph& g, const std::vector<bool>& alive);

/// Weakly connected components among live nodes (links between live nodes).
std::size_t components(const graph& g, const std::vector<bool>& alive);

/// Average local clustering coefficient of the undirected graph (a link in
/// either direction), over live nodes with at least two neighbours.
double clustering_coefficient(const graph& g, const std::vector<bool>& alive);

struct path_stats {
  /// Mean hop count over reachable (source, target) pairs.
  double average = 0;
  /// Longest shortest path seen from the sampled sources.
  std::uint32_t longest = 0;
  /// Pairs (among the sampled sources) with no path.
  std::uint64_t unreachable_pairs = 0;
  std::size_t sources = 0;
};

/// BFS on the undirected graph from `num_sources` random live nodes (all
/// of them if num_sources >= live nodes).
path_stats shortest_paths(const graph& g, const std::vector<bool>& alive,
                          std::size_t num_sources, std::mt19937_64& rng);

/// Every node links to `out_degree` distinct random others: the baseline
/// with the same out-degree as a full CYCLON cache.
graph random_graph(std::size_t n, std::size_t out_degree, std::mt19937_64& rng);

}  // namespace fedstack::bench
