#pragma once
// agent/process: `fedstack agent`, the process's wiring. It may use every
// other agent/ folder and actors/; nothing depends on it but cmd/.
//
//   agent.cpp          the command (options, --help) and `serve`: the start-up
//                      steps in order, the wait for a signal, the shutdown
//   start_options      checks every option before anything starts
//   start_actors       the actor system, registry, node and overlay actors
//   start_services     the context, Keystone session, HTTP server, services
//                      over the actors, background tasks
//   owned_actors       the owners the actor steps return: actors stop with them
//   start_failure      how a step gives up (an exit code and a logged message)
//   fd_limit, log_format   process settings

#include <string>
#include <vector>

namespace fedstack::agent {

/// `fedstack agent [options]`: serves the OpenStack APIs for one cloudlet until
/// SIGINT or SIGTERM. Prints one JSON line {"event":"ready",...} on stdout once
/// it accepts requests. Returns the process exit code.
int run_agent_command(const std::vector<std::string>& args);

} // namespace fedstack::agent
