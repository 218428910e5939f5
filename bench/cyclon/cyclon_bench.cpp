// CYCLON at scale in one process: N real membership actors (the agent's own
// code, actors/membership.cpp) on CAF's deterministic test_coordinator, so
// that a 30 s period costs no wall-clock time. A local connector stands in
// for the network: it maps "n<i>:4000" to node i's actor, and a killed node
// is unbound at once, so connecting to it fails like an unreachable host.
//
// Bootstrap: node i > 0 joins through one node chosen uniformly among
// 0..i-1 (a random recursive tree: connected, but far from random).
// Every node starts its first shuffle at a random point of its first period
// and then shuffles every T; the clock moves in steps of T/steps, so nodes
// whose ticks fall into one step shuffle concurrently, as on a network.
//
// After `cycles` periods the overlay's graph is measured and compared with
// a random graph of the same out-degree; then `kill` of the nodes die at
// once and every further period reports the links to dead nodes that the
// live nodes still hold, and the components among live nodes.
//
// usage: bench_cyclon --nodes N --cache C --shuffle L [--cycles 200]
//          [--after 100] [--kill 0.5] [--steps 100] [--seed 1]
//          [--bfs-sources 0 (all)] [--out DIR] [--label NAME]

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/connector.hpp"
#include "actors/membership.hpp"
#include "actors/register_types.hpp"
#include "bench/cyclon/graph.hpp"

using namespace fedstack;
using namespace fedstack::bench;
using namespace std::chrono_literals;

namespace {

struct options {
  std::size_t nodes = 1000;
  std::size_t cache = 4;
  std::size_t shuffle = 2;
  std::size_t cycles = 200;
  std::size_t after = 100;
  double kill = 0.5;
  std::size_t steps = 100;
  std::uint64_t seed = 1;
  std::size_t bfs_sources = 0;
  std::string out = ".";
  std::string label;
};

options parse(int argc, char** argv) {
  options result;
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2)
    args[argv[i]] = argv[i + 1];
  if (argc % 2 == 0)
    throw std::runtime_error("options come in pairs: --name value");
  auto number = [&](const char* name, std::size_t& out) {
    if (auto i = args.find(name); i != args.end())
      out = std::stoull(i->second);
  };
  number("--nodes", result.nodes);
  number("--cache", result.cache);
  number("--shuffle", result.shuffle);
  number("--cycles", result.cycles);
  number("--after", result.after);
  number("--steps", result.steps);
  number("--bfs-sources", result.bfs_sources);
  if (auto i = args.find("--seed"); i != args.end())
    result.seed = std::stoull(i->second);
  if (auto i = args.find("--kill"); i != args.end())
    result.kill = std::stod(i->second);
  if (auto i = args.find("--out"); i != args.end())
    result.out = i->second;
  result.label = args.count("--label") != 0
                   ? args["--label"]
                   : "n" + std::to_string(result.nodes) + "_c" + std::to_string(result.cache)
                       + "_l" + std::to_string(result.shuffle);
  if (result.nodes < 2 || result.steps == 0)
    throw std::runtime_error("need --nodes >= 2 and --steps >= 1");
  return result;
}

long rss_kib() {
  std::ifstream status{"/proc/self/status"};
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      long value = 0;
      status >> value;
      return value;
    }
    status.ignore(1 << 12, '\n');
  }
  return 0;
}

std::string host_of(std::size_t i) {
  return "n" + std::to_string(i);
}

/// The simulation: actor system, connector and the nodes.
struct simulation {
  static caf::actor_system_config& configure(caf::actor_system_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    register_types(cfg);
    return cfg;
  }

  const options& opt;
  caf::actor_system_config cfg;
  caf::actor_system sys{configure(cfg)};
  caf::scheduler::test_coordinator& sched
    = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  caf::scoped_actor self{sys, true};
  local_connector_actor connector = spawn_local_connector(sys);
  std::vector<membership_actor> nodes;
  std::vector<bool> alive;
  caf::timespan period = 30s;

  explicit simulation(const options& o) : opt(o) {
  }

  ~simulation() {
    for (std::size_t i = 0; i < nodes.size(); ++i)
      if (alive[i])
        caf::anon_send_exit(nodes[i], caf::exit_reason::user_shutdown);
    caf::anon_send_exit(connector, caf::exit_reason::user_shutdown);
    sched.run();
  }

  void spawn_all(std::mt19937_64& rng) {
    for (std::size_t i = 0; i < opt.nodes; ++i) {
      membership_config config;
      config.cache_size = opt.cache;
      config.shuffle_length = opt.shuffle;
      config.period = period;
      config.shuffle_timeout = 5s;
      config.self = {{host_of(i), 4000}, 0, "region-" + std::to_string(i % 16), ""};
      config.random_phase = true;
      config.seed = opt.seed * 1000003 + i + 1;
      auto node = spawn_membership(sys, config, connector);
      if (!node)
        throw std::runtime_error(sys.render(node.error()));
      nodes.push_back(*node);
      alive.push_back(true);
      // The connector hands out nodes: one that only shuffles, for a bare membership actor.
      caf::anon_send(connector, atom::put_v, config.self.address, spawn_shuffle_only_node(sys, *node));
      if (i > 0) {
        std::uniform_int_distribution<std::size_t> pick{0, i - 1};
        caf::anon_send(*node, atom::join_v,
                       std::vector<peer_address>{{host_of(pick(rng)), 4000}});
      }
    }
    sched.run();
  }

  /// One period of virtual time, in `steps` slices.
  void run_cycle() {
    for (std::size_t s = 0; s < opt.steps; ++s) {
      sched.advance_time(period / static_cast<long>(opt.steps));
      sched.run();
    }
  }

  /// Every live node's cache, asked through the actor's members handler.
  graph snapshot() {
    graph result(nodes.size());
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (!alive[i])
        continue;
      auto handle = self->request(nodes[i], caf::infinite, atom::members_v);
      sched.run();
      handle.receive(
        [&](const std::vector<peer_entry>& entries) {
          for (const auto& x : entries)
            result[i].push_back(static_cast<node_index>(std::stoul(x.address.host.substr(1))));
        },
        [&](const caf::error& err) { throw std::runtime_error(sys.render(err)); });
    }
    return result;
  }

  void kill(std::size_t count, std::mt19937_64& rng) {
    std::vector<std::size_t> order(nodes.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    for (std::size_t k = 0; k < count; ++k) {
      alive[order[k]] = false;
      caf::anon_send_exit(nodes[order[k]], caf::exit_reason::kill);
    }
    sched.run();
  }
};

void print_row(const char* name, const degree_stats& in, const degree_stats& out, double cc,
               const path_stats& paths, std::size_t comps) {
  std::printf("| %-14s | %6.2f | %6.2f | %4u | %4u | %6.2f | %7.4f | %6.3f | %3u | %4zu |\n", name,
              in.mean, in.stddev, in.min, in.max, out.mean, cc, paths.average, paths.longest,
              comps);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    auto opt = parse(argc, argv);
    spdlog::set_level(spdlog::level::warn);  // one "joins through" line per node is noise here
    std::mt19937_64 rng{opt.seed};
    auto rss_before = rss_kib();
    auto started = std::chrono::steady_clock::now();
    simulation sim{opt};
    sim.spawn_all(rng);
    std::ofstream convergence{opt.out + "/convergence_" + opt.label + ".dat"};
    convergence << "# cycle in_degree_mean in_degree_std out_degree_mean components\n";
    for (std::size_t cycle = 1; cycle <= opt.cycles; ++cycle) {
      sim.run_cycle();
      if (cycle % 10 == 0 || cycle <= 10) {
        auto g = sim.snapshot();
        auto in = summarize(in_degrees(g, sim.alive), sim.alive);
        convergence << cycle << ' ' << in.mean << ' ' << in.stddev << ' '
                    << out_degree_stats(g, sim.alive).mean << ' ' << components(g, sim.alive)
                    << '\n';
      }
    }
    auto settle_seconds
      = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    auto rss_after = rss_kib();

    // -- the settled overlay against a random graph of the same out-degree --
    auto g = sim.snapshot();
    auto in = in_degrees(g, sim.alive);
    std::vector<bool> all(opt.nodes, true);
    auto baseline = random_graph(opt.nodes, opt.cache, rng);
    auto in_random = in_degrees(baseline, all);
    auto sources = opt.bfs_sources == 0 ? opt.nodes : opt.bfs_sources;
    std::printf("# CYCLON N=%zu c=%zu l=%zu after %zu cycles (seed %llu)\n", opt.nodes,
                opt.cache, opt.shuffle, opt.cycles, static_cast<unsigned long long>(opt.seed));
    std::printf("# wall time %.1f s for spawning and %zu cycles; RSS %+.1f MiB, %.2f KiB per node\n",
                settle_seconds, opt.cycles, (rss_after - rss_before) / 1024.0,
                static_cast<double>(rss_after - rss_before) / static_cast<double>(opt.nodes));
    std::printf("# path lengths from %zu BFS sources (undirected graph)\n", sources);
    std::printf("| graph          | in-avg | in-std |  min |  max | out-avg | clustering | avg path | "
                "max | comp |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
    print_row("CYCLON", summarize(in, sim.alive), out_degree_stats(g, sim.alive),
              clustering_coefficient(g, sim.alive), shortest_paths(g, sim.alive, sources, rng),
              components(g, sim.alive));
    print_row("random", summarize(in_random, all), out_degree_stats(baseline, all),
              clustering_coefficient(baseline, all), shortest_paths(baseline, all, sources, rng),
              components(baseline, all));
    {
      std::map<std::uint32_t, std::pair<std::size_t, std::size_t>> histogram;
      for (auto x : in)
        ++histogram[x].first;
      for (auto x : in_random)
        ++histogram[x].second;
      std::ofstream out{opt.out + "/indegree_" + opt.label + ".dat"};
      out << "# in_degree nodes_cyclon nodes_random\n";
      for (const auto& [degree, counts] : histogram)
        out << degree << ' ' << counts.first << ' ' << counts.second << '\n';
    }

    // -- catastrophic failure --
    auto victims = static_cast<std::size_t>(opt.kill * static_cast<double>(opt.nodes));
    sim.kill(victims, rng);
    auto live = opt.nodes - victims;
    auto random_alive = sim.alive;  // the same victims in the baseline
    std::printf("\n# killed %zu of %zu nodes at once; per cycle: links from live nodes to dead "
                "ones, components among live nodes\n",
                victims, opt.nodes);
    std::printf("# random graph with the same victims (it never repairs): %zu dead links, %zu "
                "components\n",
                dead_links(baseline, random_alive), components(baseline, random_alive));
    std::ofstream dead_file{opt.out + "/deadlinks_" + opt.label + ".dat"};
    dead_file << "# cycle dead_links dead_fraction components empty_caches full_caches\n";
    std::size_t purged_at = 0;
    std::size_t first_dead = 0;
    std::printf("| cycle | dead links | %% of links | components | empty caches |\n");
    std::printf("|---|---|---|---|---|\n");
    for (std::size_t cycle = 0; cycle <= opt.after; ++cycle) {
      if (cycle > 0)
        sim.run_cycle();
      auto now = sim.snapshot();
      auto dead = dead_links(now, sim.alive);
      std::size_t links = 0;
      std::size_t empty = 0;
      std::size_t full = 0;
      for (std::size_t i = 0; i < now.size(); ++i)
        if (sim.alive[i]) {
          links += now[i].size();
          empty += now[i].empty() ? 1 : 0;
          full += now[i].size() == opt.cache ? 1 : 0;
        }
      auto comps = components(now, sim.alive);
      double fraction = links == 0 ? 0 : 100.0 * static_cast<double>(dead) / links;
      if (cycle == 0)
        first_dead = dead;
      if (dead == 0 && purged_at == 0)
        purged_at = cycle;
      dead_file << cycle << ' ' << dead << ' ' << fraction / 100 << ' ' << comps << ' ' << empty
                << ' ' << full << '\n';
      if (cycle <= 10 || cycle % 10 == 0 || (dead == 0 && purged_at == cycle))
        std::printf("| %5zu | %10zu | %9.2f | %10zu | %12zu |\n", cycle, dead, fraction, comps,
                    empty);
    }
    std::printf("# %zu live nodes; %zu dead links right after the failure; ", live, first_dead);
    if (purged_at > 0)
      std::printf("none left after %zu cycles (%.1f c)\n", purged_at,
                  static_cast<double>(purged_at) / static_cast<double>(opt.cache));
    else
      std::printf("still some after %zu cycles\n", opt.after);
    std::fflush(stdout);
  } catch (const std::exception& e) {
    std::cerr << "bench_cyclon: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
