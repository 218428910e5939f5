#pragma once

#include <string>
#include <vector>

namespace fedstack::cmd {

/// `fedstack demo`: starts `fedstack sim` and one `fedstack agent` per cloudlet as
/// child processes on 127.0.0.1, prints `export OS_...` lines for the first agent,
/// and runs until SIGINT/SIGTERM (or until a child dies), then stops them all.
int run_demo_command(const std::vector<std::string>& args, const std::string& self);

} // namespace fedstack::cmd
