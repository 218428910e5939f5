#include "bench/cyclon/graph.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <numeric>
#include <unordered_set>

namespace fedstack::bench {

namespace {

/// Undirected neighbour sets of live nodes over live-to-live links.
std::vector<std::vector<node_index>> undirected(const graph& g, const std::vector<bool>& alive) {
  std::vector<std::vector<node_index>> result(g.size());
  for (node_index i = 0; i < g.size(); ++i) {
    if (!alive[i])
      continue;
    for (auto j : g[i]) {
      if (!alive[j] || j == i)
        continue;
      result[i].push_back(j);
      result[j].push_back(i);
    }
  }
  for (auto& list : result) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  return result;
}

}  // namespace

std::vector<std::uint32_t> in_degrees(const graph& g, const std::vector<bool>& alive) {
  std::vector<std::uint32_t> result(g.size(), 0);
  for (node_index i = 0; i < g.size(); ++i)
    if (alive[i])
      for (auto j : g[i])
        ++result[j];
  return result;
}

degree_stats summarize(const std::vector<std::uint32_t>& degrees,
                       const std::vector<bool>& alive) {
  degree_stats result;
  double sum = 0;
  double squares = 0;
  std::size_t count = 0;
  result.min = UINT32_MAX;
  for (std::size_t i = 0; i < degrees.size(); ++i) {
    if (!alive[i])
      continue;
    sum += degrees[i];
    squares += static_cast<double>(degrees[i]) * degrees[i];
    result.min = std::min(result.min, degrees[i]);
    result.max = std::max(result.max, degrees[i]);
    ++count;
  }
  if (count == 0)
    return degree_stats{};
  result.mean = sum / static_cast<double>(count);
  result.stddev = std::sqrt(std::max(0.0, squares / static_cast<double>(count)
                                            - result.mean * result.mean));
  return result;
}

degree_stats out_degree_stats(const graph& g, const std::vector<bool>& alive) {
  std::vector<std::uint32_t> degrees(g.size());
  for (std::size_t i = 0; i < g.size(); ++i)
    degrees[i] = static_cast<std::uint32_t>(g[i].size());
  return summarize(degrees, alive);
}

std::size_t dead_links(const graph& g, const std::vector<bool>& alive) {
  std::size_t result = 0;
  for (node_index i = 0; i < g.size(); ++i)
    if (alive[i])
      for (auto j : g[i])
        result += alive[j] ? 0 : 1;
  return result;
}

std::size_t components(const graph& g, const std::vector<bool>& alive) {
  std::vector<node_index> parent(g.size());
  std::iota(parent.begin(), parent.end(), node_index{0});
  auto root = [&](node_index x) {
    while (parent[x] != x)
      x = parent[x] = parent[parent[x]];
    return x;
  };
  for (node_index i = 0; i < g.size(); ++i)
    if (alive[i])
      for (auto j : g[i])
        if (alive[j])
          parent[root(i)] = root(j);
  std::size_t result = 0;
  for (node_index i = 0; i < g.size(); ++i)
    result += alive[i] && root(i) == i ? 1 : 0;
  return result;
}

double clustering_coefficient(const graph& g, const std::vector<bool>& alive) {
  auto nb = undirected(g, alive);
  double sum = 0;
  std::size_t counted = 0;
  for (node_index i = 0; i < nb.size(); ++i) {
    const auto& mine = nb[i];
    if (!alive[i] || mine.size() < 2)
      continue;
    std::size_t links = 0;
    for (std::size_t a = 0; a < mine.size(); ++a) {
      const auto& theirs = nb[mine[a]];
      for (std::size_t b = a + 1; b < mine.size(); ++b)
        links += std::binary_search(theirs.begin(), theirs.end(), mine[b]) ? 1 : 0;
    }
    double pairs = static_cast<double>(mine.size()) * (mine.size() - 1) / 2;
    sum += static_cast<double>(links) / pairs;
    ++counted;
  }
  return counted == 0 ? 0 : sum / static_cast<double>(counted);
}

path_stats shortest_paths(const graph& g, const std::vector<bool>& alive,
                          std::size_t num_sources, std::mt19937_64& rng) {
  auto nb = undirected(g, alive);
  std::vector<node_index> live;
  for (node_index i = 0; i < g.size(); ++i)
    if (alive[i])
      live.push_back(i);
  if (num_sources < live.size()) {
    std::shuffle(live.begin(), live.end(), rng);
    live.resize(num_sources);
  }
  auto num_live = static_cast<std::uint64_t>(std::count(alive.begin(), alive.end(), true));
  path_stats result;
  result.sources = live.size();
  double total = 0;
  std::uint64_t pairs = 0;
  std::vector<std::uint32_t> dist(g.size());
  std::deque<node_index> queue;
  for (auto source : live) {
    std::fill(dist.begin(), dist.end(), UINT32_MAX);
    dist[source] = 0;
    queue.assign(1, source);
    std::uint64_t reached = 0;
    while (!queue.empty()) {
      auto x = queue.front();
      queue.pop_front();
      for (auto y : nb[x]) {
        if (dist[y] != UINT32_MAX)
          continue;
        dist[y] = dist[x] + 1;
        total += dist[y];
        result.longest = std::max(result.longest, dist[y]);
        ++reached;
        queue.push_back(y);
      }
    }
    pairs += reached;
    result.unreachable_pairs += num_live - 1 - reached;
  }
  result.average = pairs == 0 ? 0 : total / static_cast<double>(pairs);
  return result;
}

graph random_graph(std::size_t n, std::size_t out_degree, std::mt19937_64& rng) {
  graph result(n);
  std::uniform_int_distribution<node_index> pick{0, static_cast<node_index>(n - 1)};
  out_degree = std::min(out_degree, n - 1);
  for (node_index i = 0; i < n; ++i) {
    std::unordered_set<node_index> chosen;
    while (chosen.size() < out_degree) {
      auto j = pick(rng);
      if (j != i)
        chosen.insert(j);
    }
    result[i].assign(chosen.begin(), chosen.end());
    std::sort(result[i].begin(), result[i].end());
  }
  return result;
}

}  // namespace fedstack::bench
