#pragma once
// Security groups follow the boot (docs/federation.md, "Security groups follow
// the boot"): a boot placed on another cloudlet gets a copy of each group it
// names there, in the client's project, tagged as a copy of the group the user
// made (rules/security_group_rule.hpp) and with its rules; rules added or
// removed through an agent are applied to every copy; a group deleted through
// an agent takes its copies with it. "default" is every project's on every
// cloud: mapped by name, never copied.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"

namespace fedstack::agent {

/// A group a boot names, as this agent's cloudlet shows it (with its rules).
struct boot_group {
  std::size_t index = 0;   // in the body's security_groups
  std::string given;       // what the client wrote there: a name or, as the openstack CLI sends, an ID
  std::string name;
  nlohmann::json group;
  std::string origin;   // the group the user made: this one, or the one it is a copy of
};

/// The groups of `server`'s security_groups that are the client's project's
/// here, found by name or ID (with "default", which is not copied).
http::awaitable<std::vector<boot_group>> read_boot_groups(request& r, const nlohmann::json& server);

/// Points the boot's security_groups at `c`: on this agent's cloudlet as the
/// client wrote them, elsewhere by name (an ID of this cloudlet means nothing
/// there; a name is unique in the project wherever ensure_group_on made it so).
void name_groups_for(const std::vector<boot_group>& groups, nlohmann::json& server, bool own_cloudlet);

/// Makes `g` exist on `to` as a copy with its rules (a copy already there is
/// brought in step). Throws copy_failed (409) when `to` holds a group of that
/// name in the project that the federation did not make.
http::awaitable<void> ensure_group_on(request& r, const boot_group& g, const cloudlet_endpoints& to);

/// POST /v2.0/security-group-rules or DELETE /v2.0/security-group-rules/{id}:
/// made on this agent's cloudlet, then every copy of the group (and the group
/// it copies) on the other cloudlets gets the same rules.
http::awaitable<void> handle_security_group_rule_change(request& r, std::string body);

/// DELETE /v2.0/security-groups/{id}, or Nova's DELETE /os-security-groups/{id}: its
/// copies on the other cloudlets (and, for a copy, the group it copies), then the one
/// here through the API the client called, whose answer the client gets.
http::awaitable<void> handle_security_group_delete(request& r);

/// PUT of a security group (`security group set --name/--description`): made
/// on this agent's cloudlet, then the same name and description given to every
/// other cloudlet's copies of it (and to its origin, when this cloudlet holds a copy).
http::awaitable<void> handle_security_group_update(request& r, std::string body);

} // namespace fedstack::agent
