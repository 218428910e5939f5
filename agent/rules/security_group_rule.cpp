#include "agent/rules/security_group_rule.hpp"
#include "agent/rules/json_text.hpp"

#include <algorithm>
#include <functional>
#include <map>

namespace fedstack::agent {

using json = nlohmann::json;

namespace {

constexpr std::string_view copy_prefix = "fedstack_sg_copy_of=";

using json_fields::text;

/// A rule's shape, or nullopt when its remote is another group that `remote_as`
/// does not name (the remote group as the copy's cloudlet knows it).
std::optional<json> shape_of(const json& rule, const std::string& group_id,
                             const std::function<std::optional<std::string>(const std::string&)>& remote_as) {
  json shape = json::object();
  for (const char* key : {"direction", "ethertype", "protocol", "port_range_min", "port_range_max", "remote_ip_prefix"}) {
    auto it = rule.find(key);
    shape[key] = it == rule.end() ? json(nullptr) : *it;
  }
  auto remote = text(rule, "remote_group_id");
  shape["remote_group_self"] = !remote.empty() && remote == group_id;
  shape["remote_group"] = nullptr;
  if (!remote.empty() && remote != group_id) {
    auto there = remote_as(remote);
    if (!there) return std::nullopt;
    shape["remote_group"] = *there;
  }
  return shape;
}

std::vector<json> rules_of(const json& group) {
  auto it = group.find("security_group_rules");
  if (it == group.end() || !it->is_array()) return {};
  return it->get<std::vector<json>>();
}

} // namespace

std::string security_group_copy_tag(const std::string& origin_id) { return std::string(copy_prefix) + origin_id; }

std::optional<std::string> security_group_origin_of(const json& group) {
  auto tags = group.find("tags");
  if (tags == group.end() || !tags->is_array()) return std::nullopt;
  for (const auto& tag : *tags)
    if (tag.is_string() && tag.get<std::string>().rfind(copy_prefix, 0) == 0)
      return tag.get<std::string>().substr(copy_prefix.size());
  return std::nullopt;
}

std::optional<json> group_of_project(const json& listed, const std::string& project, const std::string& name) {
  auto it = listed.find("security_groups");
  if (it == listed.end() || !it->is_array()) return std::nullopt;
  std::optional<json> found;
  for (const auto& g : *it) {
    if (!g.is_object() || text(g, "name") != name) continue;
    auto owner = text(g, "project_id");
    if (owner.empty()) owner = text(g, "tenant_id");
    if (owner != project) continue;
    if (found) return std::nullopt;   // several of that name: Nova refuses the name
    found = g;
  }
  return found;
}

bool copied_for_boot(const std::string& name) { return name != "default"; }

group_step group_step_for(const std::vector<json>& same_named, const std::string& origin_id) {
  group_step out;
  for (const auto& g : same_named) {
    if (text(g, "id") == origin_id || security_group_origin_of(g) == origin_id) {
      out.what = group_step::use;
      out.id = text(g, "id");
      continue;
    }
    return group_step{group_step::refuse, text(g, "id")};
  }
  return out;
}

std::vector<std::string> remote_groups_of(const json& group) {
  std::vector<std::string> out;
  auto self = text(group, "id");
  for (const auto& rule : rules_of(group)) {
    auto remote = text(rule, "remote_group_id");
    if (!remote.empty() && remote != self && std::find(out.begin(), out.end(), remote) == out.end())
      out.push_back(remote);
  }
  return out;
}

rule_sync plan_rule_sync(const json& source_group, const json& copy_group,
                         const std::map<std::string, std::string>& remotes) {
  rule_sync out;
  auto source_id = text(source_group, "id");
  auto copy_id = text(copy_group, "id");
  auto translated = [&](const std::string& remote) -> std::optional<std::string> {
    auto it = remotes.find(remote);
    if (it == remotes.end()) return std::nullopt;
    return it->second;
  };
  auto known_there = [&](const std::string& remote) -> std::optional<std::string> {
    for (const auto& [from, to] : remotes)
      if (to == remote) return remote;
    return std::nullopt;   // a rule the federation did not make from a source rule: left alone
  };
  std::vector<json> wanted;
  for (const auto& rule : rules_of(source_group)) {
    if (auto shape = shape_of(rule, source_id, translated)) wanted.push_back(*shape);
    else ++out.skipped;
  }
  std::vector<bool> present(wanted.size(), false);
  for (const auto& rule : rules_of(copy_group)) {
    auto shape = shape_of(rule, copy_id, known_there);
    if (!shape) continue;
    bool matched = false;
    for (std::size_t i = 0; i < wanted.size(); ++i)
      if (!present[i] && wanted[i] == *shape) {
        present[i] = matched = true;
        break;
      }
    if (!matched) out.to_delete.push_back(text(rule, "id"));
  }
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (present[i]) continue;
    json body = json::object();
    for (const auto& [key, value] : wanted[i].items())
      if (key != "remote_group_self" && key != "remote_group" && !value.is_null()) body[key] = value;
    if (wanted[i]["remote_group_self"].get<bool>()) body["remote_group_id"] = copy_id;
    else if (wanted[i]["remote_group"].is_string()) body["remote_group_id"] = wanted[i]["remote_group"];
    out.to_add.push_back(std::move(body));
  }
  return out;
}

} // namespace fedstack::agent
