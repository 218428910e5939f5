#pragma once
// Server groups follow the boot (docs/federation.md, "Server groups follow the
// boot"; decisions in rules/server_group_rule.hpp). A group is made on the
// creating agent's own cloudlet and keeps that Nova ID through every agent.
// A boot whose hint names it and that lands elsewhere gets a copy there, made
// with the client's token and named `fedstack_copy_of=<origin>`; the hint sent
// there names the copy. Lists, shows and deletes through any agent find the
// origin and its copies on every cloudlet, with the client's token, so each
// cloud's own policy decides who sees what.

#include <map>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"
#include "agent/rules/server_group_rule.hpp"

namespace fedstack::agent {

/// The server group a boot's hint names, as the clouds hold it.
struct boot_server_group {
  std::string origin;          // its Nova ID on its origin cloudlet (what the client names)
  std::string origin_region;
  std::string policy;
  std::string name;
  /// The group's ID on each cloudlet that holds it (the origin, copies).
  std::map<std::string, std::string> ids;
  /// The cloudlets where it has members now (Nova keeps a group's members on
  /// the group of the members' own cloud).
  std::set<std::string> member_regions;
};

/// The group `doc`'s scheduler hint names, found on the clouds with the
/// client's token; nullopt when there is no hint or no cloud shows the caller
/// that group (then the target's Nova judges the hint as given).
http::awaitable<std::optional<boot_server_group>> read_boot_server_group(request& r, const nlohmann::json& doc);

/// Makes the group usable on `to` (its origin, a copy already there, or a copy
/// made now) and points `doc`'s hint at its ID there. Throws copy_failed.
http::awaitable<void> ensure_server_group_on(request& r, boot_server_group& group, nlohmann::json& doc,
                                             const cloudlet_endpoints& to);

/// GET /os-server-groups (merged over cloudlets, copies hidden), GET and
/// DELETE /os-server-groups/{id} (the origin wherever it is; a delete takes
/// the copies the federation made first).
http::awaitable<void> handle_server_groups(request& r);

} // namespace fedstack::agent
