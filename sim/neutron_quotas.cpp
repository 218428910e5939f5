// Neutron's quotas extension (`quotas`, `quota_details`): per project, show, the
// defaults, the details with usage, update and reset by an admin, in Neutron's
// shapes (neutron-lib api-ref "Quotas extension"; the details' `used` key is the
// one python-openstackclient's `quota show --usage` renames to `in_use`). The
// simulator counts usage but enforces none of them.
#include <array>

#include "sim/neutron.hpp"

namespace fedstack::sim {
namespace {

struct quota_field {
  const char* name;
  std::int64_t fallback;   // Neutron's defaults ([quotas] in neutron.conf)
};

constexpr std::array<quota_field, 9> quota_fields{{
    {"floatingip", 50},
    {"network", 100},
    {"port", 500},
    {"rbac_policy", 10},
    {"router", 10},
    {"security_group", 10},
    {"security_group_rule", 100},
    {"subnet", 100},
    {"subnetpool", -1},
}};

reply denied(std::string_view action) {
  return neutron_api::error(403, "PolicyNotAuthorized", "rule:" + std::string(action) + "_quota is disallowed by policy");
}

} // namespace

std::map<std::string, std::int64_t> neutron_api::quota_usage(const std::string& project) const {
  auth_context all;
  all.is_admin = true;
  const auto& net = cloud_.networks;
  std::map<std::string, std::int64_t> used;
  auto count = [&](const char* name, const auto& items) {
    std::int64_t n = 0;
    for (const auto* x : items) n += x->project_id == project ? 1 : 0;
    used[name] = n;
  };
  count("network", net.networks(all));
  count("subnet", net.subnets(all));
  count("port", net.ports(all));
  count("router", net.routers(all));
  count("floatingip", net.floating_ips(all));
  count("security_group", net.security_groups(all));
  count("security_group_rule", net.rules(all));
  return used;
}

reply neutron_api::quotas(const request& r, const auth_context& ctx) {
  const auto& s = r.segments;   // "v2.0", "quotas", [project, [view]]
  std::lock_guard lock{cloud_.mutex};
  auto values = [&](const std::string& project, bool defaults) {
    json out = json::object();
    for (const auto& f : quota_fields) {
      auto set = quotas_.find(project);
      auto value = f.fallback;
      if (!defaults && set != quotas_.end())
        if (auto v = set->second.find(f.name); v != set->second.end()) value = v->second;
      out[f.name] = value;
    }
    return out;
  };
  if (s.size() == 2) {
    if (r.method != "GET") return error(405, "HTTPMethodNotAllowed", "The method is not allowed for this resource.");
    if (!ctx.is_admin) return denied("get");
    json listed = json::array();
    for (const auto& [project, set] : quotas_) {
      auto item = values(project, false);
      item["project_id"] = project;
      item["tenant_id"] = project;
      listed.push_back(std::move(item));
    }
    return json_reply(200, {{"quotas", listed}});
  }
  if (s.size() > 4) return error(404, "HTTPNotFound", "The resource could not be found.");
  const auto& project = s[2];
  std::string view = s.size() == 4 ? s[3] : "";
  if (!view.empty() && view != "default" && view != "details")
    return error(404, "HTTPNotFound", "The resource could not be found.");
  if (r.method == "GET") {
    if (view == "default") return json_reply(200, {{"quota", values(project, true)}});
    if (!ctx.is_admin && project != ctx.project_id) return denied("get");
    auto shown = values(project, false);
    if (view == "details") {
      auto used = quota_usage(project);
      for (auto& [name, limit] : shown.items()) {
        auto u = used.find(name);
        limit = {{"used", u == used.end() ? 0 : u->second}, {"limit", limit}, {"reserved", 0}};
      }
    }
    return json_reply(200, {{"quota", shown}});
  }
  if (!view.empty()) return error(405, "HTTPMethodNotAllowed", "The method is not allowed for this resource.");
  if (r.method == "DELETE") {
    if (!ctx.is_admin) return denied("delete");
    quotas_.erase(project);
    return reply{204, {}, {}};
  }
  if (r.method != "PUT") return error(405, "HTTPMethodNotAllowed", "The method is not allowed for this resource.");
  if (!ctx.is_admin) return denied("update");
  auto body = parse_json(r);
  if (!body || !body->contains("quota") || !(*body)["quota"].is_object())
    return error(400, "HTTPBadRequest", "Resource body required");
  std::map<std::string, std::int64_t> changed;
  for (const auto& [key, value] : (*body)["quota"].items()) {
    if (key == "force" || key == "check_limit") continue;
    bool known = false;
    for (const auto& f : quota_fields) known = known || key == f.name;
    if (!known) return error(400, "InvalidInput", "Invalid input for operation: Unrecognized attribute(s) '" + key + "'.");
    if (!value.is_number_integer() || value.get<std::int64_t>() < -1)
      return error(400, "InvalidInput", "Invalid input for " + key + ". Reason: '" + value.dump() +
                                            "' is not an integer greater or equal to -1.");
    changed[key] = value.get<std::int64_t>();
  }
  for (const auto& [key, value] : changed) quotas_[project][key] = value;
  return json_reply(200, {{"quota", values(project, false)}});
}

} // namespace fedstack::sim
