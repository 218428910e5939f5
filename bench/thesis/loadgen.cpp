// Closed-loop load for "create an image and boot a server" (thesis chapter 4,
// Rally's GlanceImages.create_image_and_boot_instances): `--concurrency` users
// each run iterations back to back until `--iterations` have been started, as
// Rally's constant runner does. User i talks only to auth URL i mod k (the
// thesis pairs each Rally client with one agent). All users share one io_context
// thread. Prints one JSON line of figures; per-iteration samples go to --samples.
//
// usage: bench_thesis_loadgen --auth URL[,URL...] [--concurrency N] [--iterations N]
//          [--duration-s S] [--poll-ms P] [--image-bytes B] [--flavor F] [--request-timeout-ms T]
//          [--image-timeout-ms T] [--boot-timeout-ms T] [--samples FILE] [--label L]
//          [--user U --password P --project P]      (the users' credentials, or:)
//          [--create-tenant 1 --admin-user U --admin-password P --admin-project P]

#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/thesis/scenario.hpp"
#include "bench/thesis/summary.hpp"
#include "bench/thesis/tenant.hpp"

namespace fedstack::bench {
namespace {

using namespace http;
using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;

struct options {
  std::vector<std::string> auth_urls;
  int concurrency = 1;
  int iterations = 25;
  long long duration_s = 0;   // > 0: no iteration starts after this many seconds
  long long request_timeout_ms = 600'000;
  std::string samples_file, label = "run";
  bool create_tenant = false;
  std::string admin_user = "admin", admin_password = "secret", admin_project = "admin";
  scenario_options scenario;
};

std::vector<std::string> split(const std::string& text, char by) {
  std::vector<std::string> out;
  std::stringstream in{text};
  for (std::string item; std::getline(in, item, by);) if (!item.empty()) out.push_back(item);
  return out;
}

bool parse(int argc, char** argv, options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--auth") o.auth_urls = split(v, ',');
    else if (k == "--concurrency") o.concurrency = std::stoi(v);
    else if (k == "--iterations") o.iterations = std::stoi(v);
    else if (k == "--duration-s") o.duration_s = std::stoll(v);
    else if (k == "--poll-ms") o.scenario.poll = std::chrono::milliseconds{std::stoll(v)};
    else if (k == "--image-bytes") o.scenario.image_bytes = std::stoull(v);
    else if (k == "--flavor") o.scenario.flavor = v;
    else if (k == "--request-timeout-ms") o.request_timeout_ms = std::stoll(v);
    else if (k == "--image-timeout-ms") o.scenario.image_timeout = std::chrono::milliseconds{std::stoll(v)};
    else if (k == "--boot-timeout-ms") o.scenario.boot_timeout = o.scenario.delete_timeout = std::chrono::milliseconds{std::stoll(v)};
    else if (k == "--samples") o.samples_file = v;
    else if (k == "--label") o.label = v;
    else if (k == "--user") o.scenario.user = v;
    else if (k == "--password") o.scenario.password = v;
    else if (k == "--project") o.scenario.project = v;
    else if (k == "--create-tenant") o.create_tenant = v == "1" || v == "true";
    else if (k == "--admin-user") o.admin_user = v;
    else if (k == "--admin-password") o.admin_password = v;
    else if (k == "--admin-project") o.admin_project = v;
    else {
      std::cerr << "unknown option " << k << "\n";
      return false;
    }
  }
  if ((argc - 1) % 2 != 0) return false;
  return !o.auth_urls.empty() && o.concurrency >= 1 && o.iterations >= 1;
}

double cpu_seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

json summary_json(const column_summary& s) {
  return {{"n", s.n}, {"mean", s.mean}, {"sd", s.sd}, {"margin", s.margin}, {"p50", s.p50}, {"p95", s.p95}, {"max", s.max}};
}

struct run_state {
  int next = 0;
  std::vector<iteration_result> results;
  std::vector<int> client_of;
  std::vector<double> started_at;
  int connects = 0;
};

awaitable<void> user_loop(int index, const options& o, run_state& state, clock_type::time_point t0) {
  auto ex = co_await asio::this_coro::executor;
  scenario_client client{ex, o.auth_urls[static_cast<std::size_t>(index) % o.auth_urls.size()], o.scenario,
                         std::chrono::milliseconds{o.request_timeout_ms}};
  auto deadline = t0 + std::chrono::seconds{o.duration_s};
  while (state.next < o.iterations && (o.duration_s <= 0 || clock_type::now() < deadline)) {
    auto i = static_cast<std::size_t>(state.next++);
    if (state.results.size() <= i) {   // grown as iterations start: a timed run has no count
      state.results.resize(i + 1);
      state.client_of.resize(i + 1);
      state.started_at.resize(i + 1);
    }
    state.client_of[i] = index;
    state.started_at[i] = std::chrono::duration<double>(clock_type::now() - t0).count();
    // Indexed after the co_await: another user may have grown the vector meanwhile.
    auto name = "thesis-" + o.label + "-" + std::to_string(i);
    auto result = co_await client.iterate(name);
    state.results[i] = std::move(result);
  }
  state.connects += client.connects();
}

int run(const options& o_in) {
  options o = o_in;
  asio::io_context io{1};
  tenant users{io.get_executor(), o.auth_urls.front(), {o.admin_user, o.admin_password, o.admin_project, "Default"}};
  std::string setup_failure;
  if (o.create_tenant) {
    asio::co_spawn(io, users.create(o.scenario), [&](std::exception_ptr e) {
      if (!e) return;
      try { std::rethrow_exception(e); } catch (const std::exception& x) { setup_failure = x.what(); }
    });
    io.run();
    io.restart();
    if (!setup_failure.empty()) {
      std::cerr << "tenant setup failed: " << setup_failure << "\n";
      return 1;
    }
  }

  run_state state;
  auto t0 = clock_type::now();
  for (int c = 0; c < o.concurrency; ++c) {
    asio::co_spawn(io, user_loop(c, o, state, t0), [&](std::exception_ptr e) {
      if (!e) return;
      try { std::rethrow_exception(e); } catch (const std::exception& x) { std::cerr << "user loop: " << x.what() << "\n"; }
    });
  }
  io.run();
  auto wall = std::chrono::duration<double>(clock_type::now() - t0).count();
  io.restart();
  if (o.create_tenant) {
    asio::co_spawn(io, users.remove(), asio::detached);
    io.run();
  }

  std::vector<double> create, boot, total, auth, cleanup, duration;
  std::map<std::string, int> failures, placement;
  for (const auto& r : state.results) {
    if (!r.ok()) {
      ++failures[r.failure];
      continue;
    }
    ++placement[r.zone];
    create.push_back(r.create_image);
    boot.push_back(r.boot);
    total.push_back(r.total());
    auth.push_back(r.auth);
    cleanup.push_back(r.cleanup);
    duration.push_back(r.duration);
  }
  if (!o.samples_file.empty()) {
    std::ofstream out{o.samples_file};
    out << "iteration,user,started_s,auth_s,create_image_s,boot_s,total_s,cleanup_s,duration_s,zone,failure\n";
    for (std::size_t i = 0; i < state.results.size(); ++i) {
      const auto& r = state.results[i];
      out << i << ',' << state.client_of[i] << ',' << state.started_at[i] << ',' << r.auth << ',' << r.create_image
          << ',' << r.boot << ',' << r.total() << ',' << r.cleanup << ',' << r.duration << ',' << r.zone << ",\""
          << r.failure << "\"\n";
    }
  }
  rusage self{};
  getrusage(RUSAGE_SELF, &self);
  json figures = {
    {"label", o.label},
    {"concurrency", o.concurrency},
    {"iterations", state.next},
    {"agents", o.auth_urls.size()},
    {"completed", create.size()},
    {"failed", state.next - static_cast<int>(create.size())},
    {"failure_rate", state.next == 0 ? 0.0 : static_cast<double>(state.next - static_cast<int>(create.size())) / state.next},
    {"failures", failures},
    {"placement", placement},   // completed iterations by the server's zone
    {"create_image", summary_json(summarize(create))},
    {"boot", summary_json(summarize(boot))},
    {"total", summary_json(summarize(total))},
    {"auth", summary_json(summarize(auth))},
    {"cleanup", summary_json(summarize(cleanup))},
    {"duration", summary_json(summarize(duration))},
    {"wall_s", wall},
    {"loadgen_cpu_s", cpu_seconds(self.ru_utime) + cpu_seconds(self.ru_stime)},
    {"connects", state.connects},
  };
  std::cout << figures.dump() << std::endl;
  return 0;
}

} // namespace
} // namespace fedstack::bench

int main(int argc, char** argv) {
  fedstack::bench::options o;
  if (!fedstack::bench::parse(argc, argv, o)) {
    std::cerr << "usage: bench_thesis_loadgen --auth URL[,URL...] [--concurrency N] [--iterations N] [--duration-s S]\n"
                 "         [--poll-ms P]\n"
                 "         [--image-bytes B] [--flavor F] [--request-timeout-ms T] [--image-timeout-ms T]\n"
                 "         [--boot-timeout-ms T] [--samples FILE] [--label L] [--user U --password P --project P]\n"
                 "         [--create-tenant 1 --admin-user U --admin-password P --admin-project P]\n";
    return 2;
  }
  try {
    return fedstack::bench::run(o);
  } catch (const std::exception& e) {
    std::cerr << "bench_thesis_loadgen: " << e.what() << "\n";
    return 1;
  }
}
