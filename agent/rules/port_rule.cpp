#include "agent/rules/port_rule.hpp"

namespace fedstack::agent {

source_placement place_boot_on_ports(const std::string& pinned_zone, const std::vector<boot_port>& ports) {
  source_placement out;
  out.cloudlet = pinned_zone;
  if (ports.empty()) return out;
  const auto& first = ports.front();
  for (const auto& p : ports)
    if (p.cloudlet != first.cloudlet) {
      out.refusal = "Port " + first.id + " is in availability zone " + first.cloudlet + " and port " + p.id +
                    " in " + p.cloudlet + "; a server can use only the ports of its own zone.";
      return out;
    }
  if (!pinned_zone.empty() && pinned_zone != first.cloudlet) {
    out.refusal = "Port " + first.id + " is in availability zone " + first.cloudlet +
                  "; ports cannot move between cloudlets, so the server cannot be in availability zone " +
                  pinned_zone + ".";
    return out;
  }
  out.cloudlet = first.cloudlet;
  return out;
}

} // namespace fedstack::agent
