#include "agent/process/agent.hpp"

#include <csignal>
#include <cstdlib>
#include <iostream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/process/log_format.hpp"
#include "agent/process/owned_actors.hpp"
#include "agent/process/start_actors.hpp"
#include "agent/process/start_failure.hpp"
#include "agent/process/start_options.hpp"
#include "agent/process/start_services.hpp"
#include "http/io_threads.hpp"

namespace fedstack::agent {
namespace {

constexpr const char* summary =
  "Serves Identity v3, Image v2, Networking v2.0 and Compute v2.1 on one port for one\n"
  "cloudlet, forwarding to the shared Keystone and the cloudlet's services.\n"
  "`fedstack agent --config-example [options]` prints a config file listing every option\n"
  "(the options given are set in it); `--config-reference` prints them as a Markdown table.";

constexpr const char* config_example_header =
  "Configuration of `fedstack agent --config FILE`: 'name = value' lines, '#' starts a "
  "comment. Options given on the command line win over this file. Each option is listed "
  "with its help and its default, commented out. Written by `fedstack agent "
  "--config-example`; see `fedstack agent --help`.";

/// SIGINT and SIGTERM stop the server and the io threads: `serve` goes on to stop the actors.
std::unique_ptr<http::asio::signal_set> stop_on_signal(http::io_threads& io_threads, http::server& server) {
  auto signals = std::make_unique<http::asio::signal_set>(io_threads.main(), SIGINT, SIGTERM);
  signals->async_wait([&io_threads, &server](const boost::system::error_code& error, int signal) {
    if (error) return;
    spdlog::info("signal {}: stopping", signal);
    server.stop();
    io_threads.stop();
  });
  return signals;
}

/// The one line on stdout (harness.py and the demo wait for it), then the log's.
void announce_ready(const agent_options& options, const agent_context& context, const peer_entry& self) {
  nlohmann::json ready{{"event", "ready"}, {"url", context.base_url}, {"region", options.region},
                       {"port", context.options.port}, {"node", to_string(self.address)}};
  std::cout << ready.dump() << std::endl;
  spdlog::info("fedstack agent for {} serving {}, node {}", options.region, context.base_url,
               to_string(self.address));
}

/// Ends the process without tearing down the actor system and the io
/// contexts: coroutine frames still parked in the stopped contexts, and the
/// actors of `ask` still waiting for a peer, hold handles of the registry, and
/// the system's destructor waits for the registry's detached thread until they
/// are gone, which (contexts outliving the system) is never: a hang seen after
/// SIGTERM. What must outlive the process is done by then: the actors
/// stopped, LMDB committed every transaction (it needs no close to be
/// consistent), logs flushed.
[[noreturn]] void exit_process(int code) {
  spdlog::shutdown();
  std::cout.flush();
  std::_Exit(code);
}

/// The agent, step by step. Each step reads its own options and returns the
/// owner of what it started; when a step fails (start_failure), the owners
/// of the steps before it unwind in reverse order, so a failed start leaves
/// no actor running and no port open.
int serve(const agent_options& options) {
  try {
    auto checked = check_options(options);
    prepare_process(options);
    // Declared first, destroyed last: the connection pool's sockets, the
    // strands of list fan-outs and CAF's pending answers (ask.hpp) all refer
    // to the io contexts until they and the actor system are gone. Each io
    // thread has a context of its own (io_threads.hpp).
    http::io_threads io_threads{static_cast<std::size_t>(options.io_threads)};
    actor_runtime runtime{options, checked.node_tls};
    auto registry = start_registry(runtime.system, options);
    auto context = make_context(options, checked);
    auto session = find_cloudlet(options, checked, *context, io_threads.main());
    auto server = start_http_server(options, *context, io_threads);
    // The node before the overlay: membership's own entry needs the node's port.
    auto node = start_node(runtime.system, options, checked, registry.handle, *context, io_threads.main());
    auto overlay = start_overlay(runtime.system, options, checked, node, registry.handle);
    connect_services(*context, runtime.system, registry, node, overlay);
    start_background_tasks(*context, *session, io_threads.main(), node, overlay);
    auto signals = stop_on_signal(io_threads, *server);
    announce_ready(options, *context, node.self);

    io_threads.run();   // until SIGINT or SIGTERM
    // The node, peers' way in, first; the registry, which commits LMDB, last.
    bool stopped = stop_together(runtime.system, {&node.actors, &overlay.actors, &registry.actors});
    spdlog::info("fedstack agent stopped");
    exit_process(stopped ? 0 : 1);
  } catch (const start_failure& failure) {
    return failure.exit_code;   // logged where it happened; what was started is stopped
  }
}

} // namespace

int run_agent_command(const std::vector<std::string>& args) {
  agent_options options;
  config::option_set set{"agent"};
  describe(set, options);
  // docs/configuration.md is this table, so the docs cannot drift from --help.
  if (args.size() == 1 && args[0] == "--config-reference") {
    std::cout << set.markdown();
    return 0;
  }
  // An example config file (the package's /etc/fedstack/agent.conf): every option
  // commented out with its default; options given after the switch are set.
  if (!args.empty() && args[0] == "--config-example") {
    if (auto error = set.parse({args.begin() + 1, args.end()})) {
      std::cerr << "fedstack agent: " << *error << "\n";
      return 2;
    }
    std::cout << set.config_file(config_example_header);
    return 0;
  }
  if (auto error = set.parse(args)) {
    std::cerr << "fedstack agent: " << *error << "\n";
    return 2;
  }
  if (set.help_requested()) {
    std::cout << set.usage(summary);
    return 0;
  }
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  if (auto error = set_log_format(options.log_format)) {
    std::cerr << "fedstack agent: " << *error << "\n";
    return 2;
  }
  return serve(options);
}

} // namespace fedstack::agent
