#include "agent/rules/server_group_rule.hpp"
#include "agent/rules/json_text.hpp"

#include <algorithm>

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

using json_fields::text;

/// The hints object of a boot body, under either of Nova's keys.
json* hints_of(json& body) {
  for (const char* key : {"os:scheduler_hints", "OS-SCH-HNT:scheduler_hints"}) {
    auto it = body.find(key);
    if (it != body.end() && it->is_object()) return &*it;
  }
  return nullptr;
}

bool holds(const std::vector<std::string>& regions, const std::string& region) {
  return std::find(regions.begin(), regions.end(), region) != regions.end();
}

} // namespace

std::string server_group_copy_name(const std::string& origin) { return std::string(server_group_copy_prefix) + origin; }

std::optional<std::string> server_group_origin_of(const json& group) {
  if (!group.is_object()) return std::nullopt;
  auto name = text(group, "name");
  if (name.rfind(server_group_copy_prefix, 0) != 0 || name.size() == server_group_copy_prefix.size())
    return std::nullopt;
  return name.substr(server_group_copy_prefix.size());
}

std::string server_group_policy(const json& group) {
  if (!group.is_object()) return {};
  if (auto policy = text(group, "policy"); !policy.empty()) return policy;
  auto it = group.find("policies");
  if (it != group.end() && it->is_array() && !it->empty() && it->front().is_string()) return it->front();
  return {};
}

std::optional<std::string> boot_group_hint(const json& body) {
  auto copy = body;   // hints_of is shared with the setter
  auto* hints = hints_of(copy);
  if (!hints) return std::nullopt;
  auto it = hints->find("group");
  if (it == hints->end()) return std::nullopt;
  if (it->is_string() && !it->get<std::string>().empty()) return it->get<std::string>();
  if (it->is_array() && it->size() == 1 && it->front().is_string()) return it->front().get<std::string>();
  return std::nullopt;
}

void set_boot_group_hint(json& body, const std::string& group_id) {
  auto* hints = hints_of(body);
  if (!hints || !hints->contains("group")) return;
  auto& group = (*hints)["group"];
  if (group.is_array()) group = json::array({group_id});
  else group = group_id;
}

group_placement place_for_group(const std::string& policy, const std::set<std::string>& members,
                                const std::vector<std::string>& candidates, const std::string& pinned,
                                const std::vector<std::string>& directory) {
  group_placement out;
  auto with_members = [&](const std::string& r) { return members.count(r) > 0; };
  auto split = [&](bool members_first) {
    for (bool member_pass : {members_first, !members_first})
      for (const auto& r : candidates)
        if (with_members(r) == member_pass) out.regions.push_back(r);
  };
  if (members.empty() || policy.empty()) {
    out.regions = candidates;
    return out;
  }
  if (policy == "affinity") {
    for (const auto& r : candidates) {
      if (with_members(r)) out.regions.push_back(r);
      else out.dropped.push_back({r, "affinity: the group's members are on other cloudlets"});
    }
    // A members' cloudlet the scheduler did not offer (full in its view, or not
    // in it yet) is still tried: only its Nova can keep the group together.
    for (const auto& r : members)
      if (!holds(out.regions, r) && (pinned.empty() || pinned == r)) out.regions.push_back(r);
    if (out.regions.empty())
      out.refusal = "The server group's policy is affinity and its members are not on the availability zone " +
                    pinned + ".";
    return out;
  }
  if (policy == "anti-affinity") {
    for (const auto& r : candidates)
      if (!with_members(r)) out.regions.push_back(r);
    if (out.regions.empty()) {
      // Spread first: a cloudlet without a member the scheduler did not offer.
      if (pinned.empty())
        for (const auto& r : directory)
          if (!with_members(r) && !holds(candidates, r)) out.regions.push_back(r);
      // Then the candidates: their Nova spreads the members over its hosts.
      out.regions.insert(out.regions.end(), candidates.begin(), candidates.end());
      return out;
    }
    for (const auto& r : candidates)
      if (with_members(r)) out.dropped.push_back({r, "anti-affinity: holds a member of the group"});
    return out;
  }
  if (policy == "soft-affinity") split(true);
  else if (policy == "soft-anti-affinity") split(false);
  else out.regions = candidates;
  return out;
}

bool delete_server_group_there(const json& group, const std::string& origin, const std::string& project) {
  auto copied = server_group_origin_of(group);
  if (!copied || *copied != origin) return false;
  auto owner = text(group, "project_id");
  return owner.empty() || owner == project;   // below 2.13 Nova does not show the project
}

bool shown_in_lists(const json& group) { return !server_group_origin_of(group).has_value(); }

} // namespace fedstack::agent
