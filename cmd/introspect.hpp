#pragma once
// Operators' commands that attach to a running agent's node actor over CAF:
// `fedstack members`, `fedstack overlay`, `fedstack capacity`, `fedstack decisions`,
// `fedstack orphans`.

#include <string>
#include <vector>

namespace fedstack::cmd {

int run_members_command(const std::vector<std::string>& args);
int run_overlay_command(const std::vector<std::string>& args);
int run_capacity_command(const std::vector<std::string>& args);
int run_decisions_command(const std::vector<std::string>& args);
int run_orphans_command(const std::vector<std::string>& args);

} // namespace fedstack::cmd
