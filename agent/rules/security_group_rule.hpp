#pragma once
// What the federation does with a boot's security groups on another cloudlet,
// and how their copies are kept in step (docs/federation.md, "Security groups
// follow the boot"). A copy is a group the federation made in the client's
// project on the target, tagged `fedstack_sg_copy_of=<origin>` (the origin is
// the group the user made, by its cloud ID); its rules are the origin's.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fedstack::agent {

/// The Neutron tag that marks a copy of group `origin_id` (56 characters; Neutron allows 60).
std::string security_group_copy_tag(const std::string& origin_id);

/// The origin a group is a copy of (from its tags); nullopt for a group the user made.
std::optional<std::string> security_group_origin_of(const nlohmann::json& group);

/// The group a boot's name stands for: the one of `project` named `name` among
/// `listed` (a Neutron list, which shows an admin every project's groups).
/// Nullopt when none or several: the cloud's Nova then judges the name.
std::optional<nlohmann::json> group_of_project(const nlohmann::json& listed, const std::string& project,
                                               const std::string& name);

/// Every project has its own "default" group on every cloud: mapped by name, never copied.
bool copied_for_boot(const std::string& name);

/// What a boot's target needs for a group of origin `origin_id`.
struct group_step {
  enum kind { use, copy, refuse } what = copy;
  std::string id;   // the copy to use
};

/// From the target's groups of that name in the project: a copy of the origin
/// is used; a group of that name that is not the origin's copy (the user's
/// own) is refused, since Nova boots by name and would take it instead.
group_step group_step_for(const std::vector<nlohmann::json>& same_named, const std::string& origin_id);

/// What makes a copy's rules equal to its source's.
struct rule_sync {
  std::vector<nlohmann::json> to_add;      // rule create bodies (without security_group_id)
  std::vector<std::string> to_delete;      // rule IDs on the copy
  std::size_t skipped = 0;                 // rules naming a group without a copy there as remote: not copied
};

/// Rules compared by their shape (direction, ethertype, protocol, ports,
/// remote prefix, remote group as "this group"). A rule whose remote is
/// another group X is copied with X's copy on the copy's cloudlet as remote
/// when `remotes` maps X to it (X's ID on the source's cloudlet -> its copy's
/// ID there), else left out; on the copy's side, a rule naming one of those
/// copies as remote is compared, one naming any other group is left alone.
rule_sync plan_rule_sync(const nlohmann::json& source_group, const nlohmann::json& copy_group,
                         const std::map<std::string, std::string>& remotes = {});

/// The remote groups other than the group itself that `group`'s rules name.
std::vector<std::string> remote_groups_of(const nlohmann::json& group);

} // namespace fedstack::agent
