#pragma once

#include <string>
#include <vector>

namespace fedstack::agent {

/// `fedstack agent [options]`: serves the OpenStack APIs for one cloudlet until
/// SIGINT or SIGTERM. Prints one JSON line {"event":"ready",...} on stdout once
/// it accepts requests. Returns the process exit code.
int run_agent_command(const std::vector<std::string>& args);

} // namespace fedstack::agent
