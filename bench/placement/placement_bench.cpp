// Placement quality of the scheduler's rules (actors/scheduler_logic.hpp),
// without actors or clouds: cloudlets are capacity reports whose free RAM
// drops by one flavor per boot.
//
// 1. Balls into bins: m boots over n cloudlets of equal capacity, placed by
//    random, random two choices + RAM weigher (thesis workflow 5) and an
//    oracle (least loaded), each decision on exact loads. Max and mean
//    load, averaged over seeds, beside the balls-into-bins formulas.
// 2. Herding: b concurrent boots, all decided on one stale snapshot (the
//    gossiped capacity), versus the same first decision refined by a live
//    probe of the finalists (refine_placement()), which sees every earlier boot.
//
// usage: bench_placement [--boots 1000] [--clouds 16] [--seeds 100] [--burst 128]

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "actors/scheduler_logic.hpp"

namespace fedstack::bench {
namespace {

constexpr std::int64_t flavor_ram_mb = 512;
/// Room for 256 boots per cloudlet: more than any run here places.
constexpr std::int64_t cloud_ram_mb = 256 * flavor_ram_mb;

struct options {
  int boots = 1000;
  int clouds = 16;
  int seeds = 100;
  int burst = 128;
};

std::vector<capacity_report> clouds_of(const std::vector<int>& load) {
  std::vector<capacity_report> result;
  for (std::size_t i = 0; i < load.size(); ++i) {
    capacity_report r;
    r.region = "cloud-" + std::to_string(i);
    r.node = {r.region, 4000};
    r.total_ram_mb = cloud_ram_mb;
    r.free_ram_mb = cloud_ram_mb - load[i] * flavor_ram_mb;
    r.free_disk_gb = r.total_disk_gb = 1 << 20;
    r.free_vcpus = r.total_vcpus = 1 << 20;
    result.push_back(std::move(r));
  }
  return result;
}

std::size_t index_of(const placement_target& t) {
  return static_cast<std::size_t>(std::stoul(t.region.substr(std::strlen("cloud-"))));
}

placement_request flavor() {
  placement_request q;
  q.ram_mb = flavor_ram_mb;
  q.disk_gb = 1;
  q.vcpus = 1;
  return q;
}

scheduler_policy chain(const char* filters, const char* weighers) {
  auto c = parse_chain(filters, weighers);
  if (!c) {
    std::fprintf(stderr, "%s\n", c.error.c_str());
    std::exit(1);
  }
  return {*c.value, *c.value};
}

/// Candidate lists start with the deciding agent's own cloudlet (workflow 5);
/// boot i goes through agent i mod n, so every agent decides in turn.
std::vector<capacity_report> as_seen_by(std::size_t agent, std::vector<capacity_report> all) {
  std::rotate(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(agent), all.end());
  return all;
}

struct summary {
  double max_sum = 0;
  double mean_sum = 0;
  int worst = 0;
  int runs = 0;
  void add(const std::vector<int>& load) {
    auto mx = *std::max_element(load.begin(), load.end());
    double total = 0;
    for (auto x : load) total += x;
    max_sum += mx;
    mean_sum += total / static_cast<double>(load.size());
    worst = std::max(worst, mx);
    ++runs;
  }
  double max() const { return max_sum / runs; }
  double mean() const { return mean_sum / runs; }
};

using policy_fn = std::function<std::size_t(std::size_t agent, const std::vector<int>& load, std::mt19937&)>;

void balls_into_bins(const options& o) {
  auto thesis = chain("resource,two_choices", "ram:1.0");
  std::vector<std::pair<const char*, policy_fn>> policies{
    {"random (one choice)",
     [&](std::size_t, const std::vector<int>& load, std::mt19937& rng) {
       return static_cast<std::size_t>(rng() % load.size());
     }},
    {"two choices + RAM weigher (workflow 5)",
     [&](std::size_t agent, const std::vector<int>& load, std::mt19937& rng) {
       auto d = decide_placement(thesis, flavor(), as_seen_by(agent, clouds_of(load)), {}, rng, 0);
       return index_of(d.winner);
     }},
    {"oracle (least loaded)",
     [&](std::size_t, const std::vector<int>& load, std::mt19937&) {
       return static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
     }},
  };
  double n = o.clouds, m = o.boots, avg = m / n;
  std::printf("## %d boots over %d cloudlets of equal capacity, %d seeds\n\n", o.boots, o.clouds, o.seeds);
  std::printf("| policy | mean load | max load (avg over seeds) | max - mean | worst max | max/mean |\n");
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  for (const auto& [name, pick] : policies) {
    summary s;
    for (int seed = 1; seed <= o.seeds; ++seed) {
      std::mt19937 rng{static_cast<std::mt19937::result_type>(seed)};
      std::vector<int> load(static_cast<std::size_t>(o.clouds), 0);
      for (int i = 0; i < o.boots; ++i) ++load[pick(static_cast<std::size_t>(i % o.clouds), load, rng)];
      s.add(load);
    }
    std::printf("| %s | %.1f | %.2f | %.2f | %d | %.3f |\n", name, s.mean(), s.max(), s.max() - s.mean(),
                s.worst, s.max() / s.mean());
  }
  // Raab & Steger 1998, m >= n ln n: m/n + sqrt(2 (m/n) ln n), leading term.
  double one = avg + std::sqrt(2 * avg * std::log(n));
  // Berenbrink, Czumaj, Steger, Vocking 2000: m/n + ln ln n / ln d + O(1).
  double two = avg + std::log(std::log(n)) / std::log(2.0);
  std::printf("\nformulas (asymptotic; n = %d is small):\n", o.clouds);
  std::printf("- one choice, m >= n ln n (Raab-Steger): m/n + sqrt(2 (m/n) ln n) = %.2f + %.2f = %.2f\n", avg,
              one - avg, one);
  std::printf("- two choices (Berenbrink-Czumaj-Steger-Vocking): m/n + ln ln n / ln 2 + O(1) = %.2f + %.2f + O(1)"
              " = %.2f + O(1)\n\n",
              avg, two - avg, two);
}

void herding(const options& o) {
  struct row {
    const char* name;
    scheduler_policy policy;
  };
  std::vector<row> rows{{"two choices + RAM weigher (workflow 5)", chain("resource,two_choices", "ram:1.0")},
                        {"RAM weigher only (all candidates)", chain("resource", "ram:1.0")}};
  std::printf("## herding: %d concurrent boots through %d agents, %d seeds\n\n", o.burst, o.clouds, o.seeds);
  std::printf("Starting load per cloudlet uniform in [32, 96] boots (of 256). Stale: every decision on\n"
              "the snapshot taken before the burst. Live probe: the same decision, its finalists\n"
              "re-weighed on their load at decision time (which includes the burst's earlier boots).\n\n");
  std::printf("| policy | capacity | burst boots on busiest cloudlet (mean %.1f) | total max/mean after burst |\n",
              static_cast<double>(o.burst) / o.clouds);
  std::printf("|---|---|---:|---:|\n");
  auto run = [&](const char* name, const char* mode,
                 const std::function<std::size_t(std::size_t, const std::vector<int>&, const std::vector<int>&,
                                                 std::mt19937&)>& pick) {
    summary burst, total;
    for (int seed = 1; seed <= o.seeds; ++seed) {
      std::mt19937 rng{static_cast<std::mt19937::result_type>(seed)};
      std::vector<int> start(static_cast<std::size_t>(o.clouds));
      for (auto& x : start) x = 32 + static_cast<int>(rng() % 65);
      auto load = start;
      std::vector<int> added(start.size(), 0);
      for (int i = 0; i < o.burst; ++i) {
        auto at = pick(static_cast<std::size_t>(i % o.clouds), start, load, rng);
        ++load[at];
        ++added[at];
      }
      burst.add(added);
      total.add(load);
    }
    std::printf("| %s | %s | %.2f | %.3f |\n", name, mode, burst.max(), total.max() / total.mean());
  };
  run("random (one choice)", "-", [](std::size_t, const std::vector<int>&, const std::vector<int>& load,
                                      std::mt19937& rng) { return static_cast<std::size_t>(rng() % load.size()); });
  for (const auto& r : rows) {
    const auto& policy = r.policy;
    run(r.name, "stale (gossip)", [&](std::size_t agent, const std::vector<int>& start, const std::vector<int>&,
                                      std::mt19937& rng) {
      return index_of(decide_placement(policy, flavor(), as_seen_by(agent, clouds_of(start)), {}, rng, 0).winner);
    });
    run(r.name, "live probe", [&](std::size_t agent, const std::vector<int>& start, const std::vector<int>& now,
                                  std::mt19937& rng) {
      auto first = decide_placement(policy, flavor(), as_seen_by(agent, clouds_of(start)), {}, rng, 0);
      auto fresh = clouds_of(now);
      std::vector<capacity_report> probed;
      for (const auto& c : first.candidates) probed.push_back(fresh[index_of(c.target)]);
      return index_of(refine_placement(policy, first, probed, 0).winner);
    });
  }
  std::printf("\n");
}

int parse_int(const char* flag, const char* text) {
  char* end = nullptr;
  auto x = std::strtol(text, &end, 10);
  if (*end != '\0' || x <= 0 || x > 1000000) {
    std::fprintf(stderr, "%s: expected a positive integer, got \"%s\"\n", flag, text);
    std::exit(2);
  }
  return static_cast<int>(x);
}

} // namespace
} // namespace fedstack::bench

int main(int argc, char** argv) {
  fedstack::bench::options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "usage: %s [--boots N] [--clouds N] [--seeds N] [--burst N]\n", argv[0]);
      return 2;
    }
    int value = fedstack::bench::parse_int(argv[i], argv[i + 1]);
    ++i;
    if (flag == "--boots") o.boots = value;
    else if (flag == "--clouds") o.clouds = value;
    else if (flag == "--seeds") o.seeds = value;
    else if (flag == "--burst") o.burst = value;
    else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  fedstack::bench::balls_into_bins(o);
  fedstack::bench::herding(o);
}
