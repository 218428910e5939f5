#pragma once
// A boot on ports of the federation (`server create --nic port-id=P`) goes to
// their cloudlet: a port is its cloud's Neutron's and cannot move to another
// cloud, and a cloud's Nova binds only its own Neutron's ports.

#include <string>
#include <vector>

#include "agent/rules/volume_rule.hpp"

namespace fedstack::agent {

/// A port a boot names, and the cloudlet of its primary copy.
struct boot_port {
  std::string id;
  std::string cloudlet;
};

/// Where a boot pinned to `pinned_zone` (empty: not pinned) on `ports` goes:
/// their one cloudlet; refused (400) when they are on several or the pin names another.
source_placement place_boot_on_ports(const std::string& pinned_zone, const std::vector<boot_port>& ports);

} // namespace fedstack::agent
