// fedstack: one program, one subcommand per role, in the manner of `consul agent`.

#include <iostream>
#include <string>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "agent/process/agent.hpp"
#include "cmd/demo.hpp"
#include "cmd/introspect.hpp"
#include "sim/sim.hpp"

namespace {

constexpr const char* usage =
  "usage: fedstack <command> [options]\n"
  "\n"
  "commands:\n"
  "  agent   serve the OpenStack APIs for one cloudlet and federate with other agents\n"
  "  sim     simulated cloudlets: a shared Keystone and N clouds (Glance, Neutron, Nova)\n"
  "  demo    start simulated cloudlets and agents on 127.0.0.1 and print how to use them\n"
  "  members  print a running node's neighbour cache (--node HOST:PORT)\n"
  "  overlay  walk the overlay from a node and print it as dot or json\n"
  "  capacity print the capacity a node knows for itself and its neighbours\n"
  "  decisions print a node's latest scheduling decisions\n"
  "  orphans  print the marked resources on a node's cloudlet that no registry explains\n"
  "  version print the version\n"
  "\n"
  "`fedstack <command> --help` describes each command's options.\n";

} // namespace

int main(int argc, char** argv) {
  // Logs go to stderr: stdout carries the machine-readable lines (ready events, exports).
  spdlog::set_default_logger(spdlog::stderr_color_mt("fedstack"));
  if (argc < 2) {
    std::cerr << usage;
    return 2;
  }
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  try {
    if (command == "agent") return fedstack::agent::run_agent_command(args);
    if (command == "sim") return fedstack::sim::run_sim_command(argc - 1, argv + 1);
    if (command == "demo") return fedstack::cmd::run_demo_command(args, argv[0]);
    if (command == "members") return fedstack::cmd::run_members_command(args);
    if (command == "overlay") return fedstack::cmd::run_overlay_command(args);
    if (command == "capacity") return fedstack::cmd::run_capacity_command(args);
    if (command == "decisions") return fedstack::cmd::run_decisions_command(args);
    if (command == "orphans") return fedstack::cmd::run_orphans_command(args);
    if (command == "version" || command == "--version") {
      std::cout << "fedstack " << FEDSTACK_VERSION << "\n";
      return 0;
    }
    if (command == "help" || command == "--help" || command == "-h") {
      std::cout << usage;
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "fedstack " << command << ": " << e.what() << "\n";
    return 1;
  }
  std::cerr << "fedstack: unknown command '" << command << "'\n\n" << usage;
  return 2;
}
