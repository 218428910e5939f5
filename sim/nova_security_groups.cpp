// Nova's addSecurityGroup and removeSecurityGroup server actions (Compute API
// reference, "Add Security Group To A Server"): Nova finds the group by name or
// ID in the caller's project in its Neutron and adds it to, or removes it from,
// the server's ports (nova/network/security_group_api.py, add_to_instance and
// remove_from_instance; nova/api/openstack/compute/security_groups.py answers 202,
// or 404 with these messages).
#include <algorithm>

#include "sim/nova.hpp"

namespace fedstack::sim {

std::optional<reply> nova_api::security_group_action(const call& c, server_record& s, const std::string& action,
                                                     const json& args) {
  if (action != "addSecurityGroup" && action != "removeSecurityGroup") return std::nullopt;
  if (!args.is_object() || !args.contains("name") || !args["name"].is_string() || args["name"].empty())
    return error(400, "Invalid input for field/attribute " + action + ".");
  auto given = args["name"].get<std::string>();
  auto& net = cloud_.networks;
  net.ensure_default_group(c.ctx.project_id);
  const security_group_record* group = nullptr;
  for (const auto* g : net.security_groups(c.ctx))
    if ((g->name == given || g->id == given) && g->project_id == c.ctx.project_id) group = g;
  if (!group) return error(404, "Security group " + given + " is not found for project " + c.ctx.project_id);
  auto& names = s.security_groups;
  auto at = std::find(names.begin(), names.end(), group->name);
  if (action == "addSecurityGroup") {
    if (at == names.end()) names.push_back(group->name);
  } else {
    if (at == names.end())
      return error(404, "Security group " + given + " not associated with the instance " + s.id);
    names.erase(at);
  }
  return empty_reply(202);
}

} // namespace fedstack::sim
