#pragma once
// Server groups follow the boot (docs/federation.md, "Server groups follow the
// boot"). A group is made on the creating agent's own cloudlet and keeps that
// Nova ID (its *origin*) through every agent. A boot whose scheduler hint
// names it and that lands on another cloudlet gets a copy there, named
// `fedstack_copy_of=<origin>` (Nova's server groups carry no metadata or tags:
// the name is the one field that can mark a copy, and a boot names its group
// by ID, so the name does nothing else). Pure decisions: which cloudlets a
// boot of the group may go to (affinity and anti-affinity across cloudlets),
// which groups are copies, and what a delete may remove.

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace fedstack::agent {

/// The prefix of a copy's name; the origin's Nova ID follows.
inline constexpr std::string_view server_group_copy_prefix = "fedstack_copy_of=";

/// The name the federation gives the copy of group `origin`.
std::string server_group_copy_name(const std::string& origin);

/// The origin a group copies (from its name); nullopt for a group that is no copy.
std::optional<std::string> server_group_origin_of(const nlohmann::json& group);

/// The group's policy as Nova shows it: `policy` (2.64 on) or the one of `policies`.
std::string server_group_policy(const nlohmann::json& group);

/// The group a boot's scheduler hints name (`os:scheduler_hints.group`, or the
/// older `OS-SCH-HNT:scheduler_hints`), if any: a string, or a list of one.
std::optional<std::string> boot_group_hint(const nlohmann::json& body);

/// Points the boot's hint at `group_id` (the target cloud's group), where it was given.
void set_boot_group_hint(nlohmann::json& body, const std::string& group_id);

/// Where a boot of a group may go, in order, and the cloudlets set aside.
struct group_placement {
  std::vector<std::string> regions;
  struct set_aside {
    std::string region;
    std::string why;
  };
  std::vector<set_aside> dropped;
  /// Set when no cloudlet is left (affinity with its members on none of the candidates and pinned elsewhere).
  std::optional<std::string> refusal;
};

/// Applies the group's policy across cloudlets to the scheduler's candidates
/// (`candidates`, best first; `members`: the cloudlets that hold members of
/// the group now; `pinned`: a zone the user pinned the boot to, or empty):
///  - affinity: only the cloudlets of the members, in the scheduler's order
///    (one the scheduler did not offer is still tried, after those it did,
///    unless the boot is pinned elsewhere: that is refused); no member yet:
///    the candidates as they are;
///  - anti-affinity: the cloudlets without a member first; those with one are
///    dropped while any other is left. When every candidate holds one, a
///    cloudlet of `directory` (every cloudlet the agent knows) without a member
///    that the scheduler did not offer (not in its view yet, or full in it) is
///    tried first, unless the boot is pinned; the candidates stay after it, and
///    their Nova applies anti-affinity between its hosts;
///  - soft-affinity: the members' cloudlets first, then the others;
///  - soft-anti-affinity: the others first, then the members' cloudlets;
///  - any other policy: the candidates as they are (the target's Nova judges it).
group_placement place_for_group(const std::string& policy, const std::set<std::string>& members,
                                const std::vector<std::string>& candidates, const std::string& pinned = {},
                                const std::vector<std::string>& directory = {});

/// Whether a delete of group `origin` removes `group` found on another
/// cloudlet: only a copy the federation named for that origin, of the same
/// project. A group the user made there, of any name, is kept.
bool delete_server_group_there(const nlohmann::json& group, const std::string& origin, const std::string& project);

/// Whether a group in a cloud's list is shown to the client: copies are not
/// (each group shows once, as its origin).
bool shown_in_lists(const nlohmann::json& group);

} // namespace fedstack::agent
