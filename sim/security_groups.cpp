// Neutron security groups and rules; enough for Nova's defaults and Rally's cleanup.
#include <algorithm>

#include "sim/network_store.hpp"

namespace fedstack::sim {
namespace {

api_error group_not_found(std::string_view id) {
  return not_found("Security group " + std::string{id} + " does not exist", "SecurityGroupNotFound");
}

} // namespace

void network_store::ensure_default_group(const std::string& project_id) {
  if (project_id.empty()) return;
  for (const auto& [id, g] : groups_) {
    if (g.project_id == project_id && g.name == "default") return;
  }
  security_group_record g;
  g.id = new_uuid();
  g.name = "default";
  g.description = "Default security group";
  g.project_id = project_id;
  g.created_at = g.updated_at = clock_();
  g.revision_number = 1;
  g.sequence = next_sequence_++;
  groups_.emplace(g.id, g);
  // Neutron's defaults: all egress, and ingress from members of the same group.
  for (const char* direction : {"egress", "ingress"}) {
    for (const char* ethertype : {"IPv4", "IPv6"}) {
      security_group_rule r;
      r.id = new_uuid();
      r.security_group_id = g.id;
      r.project_id = project_id;
      r.direction = direction;
      r.ethertype = ethertype;
      if (std::string_view{direction} == "ingress") r.remote_group_id = g.id;
      r.created_at = r.updated_at = g.created_at;
      r.sequence = next_sequence_++;
      rules_.emplace(r.id, r);
    }
  }
}

outcome<security_group_record> network_store::create_security_group(const auth_context& ctx, const json& body) {
  if (!body.is_object()) return bad_request("Resource body required", "BadRequest");
  security_group_record g;
  g.id = new_uuid();
  g.name = body.value("name", std::string{});
  g.description = body.value("description", std::string{});
  g.project_id = ctx.project_id;
  if (ctx.is_admin && body.contains("project_id") && body["project_id"].is_string()) g.project_id = body["project_id"];
  if (ctx.is_admin && body.contains("tenant_id") && body["tenant_id"].is_string()) g.project_id = body["tenant_id"];
  if (body.contains("stateful") && body["stateful"].is_boolean()) g.stateful = body["stateful"];
  ensure_default_group(g.project_id);
  if (g.name == "default") {
    return conflict("Default security group already exists.", "SecurityGroupDefaultAlreadyExists");
  }
  g.created_at = g.updated_at = clock_();
  g.revision_number = 1;
  g.sequence = next_sequence_++;
  groups_.emplace(g.id, g);
  for (const char* ethertype : {"IPv4", "IPv6"}) {
    security_group_rule r;
    r.id = new_uuid();
    r.security_group_id = g.id;
    r.project_id = g.project_id;
    r.direction = "egress";
    r.ethertype = ethertype;
    r.created_at = r.updated_at = g.created_at;
    r.sequence = next_sequence_++;
    rules_.emplace(r.id, r);
  }
  return g;
}

std::optional<api_error> network_store::delete_security_group(const auth_context& ctx, std::string_view id) {
  const auto* g = find_security_group(ctx, id);
  if (!g) return group_not_found(id);
  if (g->name == "default" && !ctx.is_admin) {
    return conflict("Insufficient rights for removing default security group.", "SecurityGroupCannotRemoveDefault");
  }
  bool in_use = std::any_of(ports_.begin(), ports_.end(), [&](const auto& entry) {
    const auto& groups = entry.second.security_groups;
    return std::find(groups.begin(), groups.end(), id) != groups.end();
  });
  if (in_use) return conflict("Security Group " + std::string{id} + " in use.", "SecurityGroupInUse");
  std::erase_if(rules_, [&](const auto& entry) { return entry.second.security_group_id == id; });
  groups_.erase(groups_.find(id));
  return std::nullopt;
}

const security_group_record* network_store::find_security_group(const auth_context& ctx, std::string_view id) const {
  auto it = groups_.find(id);
  if (it == groups_.end() || !owns(ctx, it->second)) return nullptr;
  return &it->second;
}

std::vector<const security_group_record*> network_store::security_groups(const auth_context& ctx) const {
  std::vector<const security_group_record*> out;
  for (const auto& [id, g] : groups_) {
    if (owns(ctx, g)) out.push_back(&g);
  }
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->sequence < b->sequence; });
  return out;
}

outcome<security_group_rule> network_store::create_rule(const auth_context& ctx, const json& body) {
  if (!body.is_object()) return bad_request("Resource body required", "BadRequest");
  security_group_rule r;
  r.security_group_id = body.value("security_group_id", std::string{});
  const auto* g = find_security_group(ctx, r.security_group_id);
  if (!g) return group_not_found(r.security_group_id);
  r.direction = body.value("direction", std::string{});
  if (r.direction != "ingress" && r.direction != "egress") {
    return bad_request("Invalid input for direction. Reason: '" + r.direction + "' is not in ['ingress', 'egress'].",
                       "HTTPBadRequest");
  }
  r.ethertype = body.value("ethertype", std::string{"IPv4"});
  if (r.ethertype != "IPv4" && r.ethertype != "IPv6") {
    return bad_request("Invalid input for ethertype. Reason: '" + r.ethertype + "' is not in ['IPv4', 'IPv6'].",
                       "HTTPBadRequest");
  }
  auto optional_string = [&](const char* key) -> std::optional<std::string> {
    if (!body.contains(key) || body[key].is_null()) return std::nullopt;
    if (body[key].is_number_integer()) return std::to_string(body[key].get<std::int64_t>());
    return body[key].is_string() ? std::optional{body[key].get<std::string>()} : std::nullopt;
  };
  auto optional_int = [&](const char* key) -> std::optional<std::int64_t> {
    if (!body.contains(key) || body[key].is_null()) return std::nullopt;
    if (body[key].is_number_integer()) return body[key].get<std::int64_t>();
    if (body[key].is_string()) return parse_int(body[key].get<std::string>());
    return std::nullopt;
  };
  r.protocol = optional_string("protocol");
  r.remote_ip_prefix = optional_string("remote_ip_prefix");
  r.remote_group_id = optional_string("remote_group_id");
  r.port_range_min = optional_int("port_range_min");
  r.port_range_max = optional_int("port_range_max");
  r.description = body.value("description", std::string{});
  for (const auto& [id, other] : rules_) {
    if (other.security_group_id == r.security_group_id && other.direction == r.direction &&
        other.ethertype == r.ethertype && other.protocol == r.protocol &&
        other.remote_ip_prefix == r.remote_ip_prefix && other.remote_group_id == r.remote_group_id &&
        other.port_range_min == r.port_range_min && other.port_range_max == r.port_range_max) {
      return conflict("Security group rule already exists. Rule id is " + id + ".", "SecurityGroupRuleExists");
    }
  }
  r.id = new_uuid();
  r.project_id = g->project_id;
  r.created_at = r.updated_at = clock_();
  r.sequence = next_sequence_++;
  groups_.at(r.security_group_id).revision_number++;
  rules_.emplace(r.id, r);
  return r;
}

std::optional<api_error> network_store::delete_rule(const auth_context& ctx, std::string_view id) {
  if (!find_rule(ctx, id)) {
    return not_found("Security group rule " + std::string{id} + " does not exist", "SecurityGroupRuleNotFound");
  }
  rules_.erase(rules_.find(id));
  return std::nullopt;
}

const security_group_rule* network_store::find_rule(const auth_context& ctx, std::string_view id) const {
  auto it = rules_.find(id);
  if (it == rules_.end() || (!ctx.is_admin && it->second.project_id != ctx.project_id)) return nullptr;
  return &it->second;
}

std::vector<const security_group_rule*> network_store::rules(const auth_context& ctx) const {
  std::vector<const security_group_rule*> out;
  for (const auto& [id, r] : rules_) {
    if (ctx.is_admin || r.project_id == ctx.project_id) out.push_back(&r);
  }
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->sequence < b->sequence; });
  return out;
}

} // namespace fedstack::sim
