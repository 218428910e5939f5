// Nova's quota sets (os-quota-sets): show, detail, defaults, update and revert,
// per project, in Nova's shapes. The simulator counts but does not enforce them:
// instances, cores and RAM default to -1 (unlimited), as GET /limits shows; the
// other defaults are Nova's (nova.conf [quota]). Fields by microversion: the
// network ones go at 2.36, the injected-file ones at 2.57 (Nova's REST API
// version history).
#include <array>

#include "sim/nova.hpp"

namespace fedstack::sim {
namespace {

struct quota_field {
  const char* name;
  std::int64_t fallback;
  int removed_at;   // the microversion that drops it; 0: never
};

constexpr std::array<quota_field, 14> quota_fields{{
    {"cores", -1, 0},
    {"fixed_ips", -1, 36},
    {"floating_ips", 10, 36},
    {"injected_file_content_bytes", 10240, 57},
    {"injected_file_path_bytes", 255, 57},
    {"injected_files", 5, 57},
    {"instances", -1, 0},
    {"key_pairs", 100, 0},
    {"metadata_items", 128, 0},
    {"ram", -1, 0},
    {"security_group_rules", 20, 36},
    {"security_groups", 10, 36},
    {"server_group_members", 10, 0},
    {"server_groups", 10, 0},
}};

bool shown_at(const quota_field& f, const nova_api::call& c) { return f.removed_at == 0 || !c.at_least(f.removed_at); }

std::string denied(std::string_view rule) {
  return "Policy doesn't allow os_compute_api:os-quota-sets:" + std::string(rule) + " to be performed.";
}

} // namespace

std::int64_t nova_api::quota_of(const std::string& project, std::string_view field) const {
  if (auto p = quotas_.find(project); p != quotas_.end())
    if (auto f = p->second.find(std::string(field)); f != p->second.end()) return f->second;
  for (const auto& q : quota_fields)
    if (field == q.name) return q.fallback;
  return -1;
}

reply nova_api::quota_sets(const call& c) {
  const auto& p = c.path;
  if (p.size() < 2 || p.size() > 3) return error(404, "The resource could not be found.");
  const auto& project = p[1];
  std::string view = p.size() == 3 ? p[2] : "";
  if (!view.empty() && view != "detail" && view != "defaults") return error(404, "The resource could not be found.");
  std::lock_guard lock{cloud_.mutex};

  auto values = [&](bool defaults) {
    json out = {{"id", project}};
    for (const auto& f : quota_fields)
      if (shown_at(f, c)) out[f.name] = defaults ? f.fallback : quota_of(project, f.name);
    return out;
  };

  if (c.r.method == "GET") {
    if (view == "defaults") return json_reply(200, {{"quota_set", values(true)}});
    if (!c.ctx.is_admin && project != c.ctx.project_id) return error(403, denied(view.empty() ? "show" : "detail"));
    auto shown = values(false);
    if (view == "detail") {
      std::int64_t instances = 0, cores = 0, ram = 0;
      for (const auto* s : cloud_.compute.servers()) {
        if (s->project_id != project) continue;
        ++instances;
        cores += s->flavor.vcpus;
        ram += s->flavor.ram;
      }
      std::int64_t groups = 0;
      for (const auto& [id, g] : server_groups_) groups += g.project_id == project ? 1 : 0;
      std::map<std::string, std::int64_t> used{{"instances", instances}, {"cores", cores}, {"ram", ram},
                                               {"server_groups", groups}};
      for (auto& [key, value] : shown.items()) {
        if (key == "id") continue;
        auto u = used.find(key);
        value = {{"in_use", u == used.end() ? 0 : u->second}, {"limit", value}, {"reserved", 0}};
      }
    }
    return json_reply(200, {{"quota_set", shown}});
  }
  if (!view.empty()) return error(405, "The method is not allowed for this resource.");
  if (c.r.method == "DELETE") {
    if (!c.ctx.is_admin) return error(403, denied("delete"));
    quotas_.erase(project);
    return reply{202, {}, {}};
  }
  if (c.r.method != "PUT") return error(405, "The method is not allowed for this resource.");
  if (!c.ctx.is_admin) return error(403, denied("update"));
  auto body = parse_json(c.r);
  if (!body || !body->contains("quota_set") || !(*body)["quota_set"].is_object())
    return error(400, "Invalid input for field/attribute quota_set. 'quota_set' is a required property");
  std::map<std::string, std::int64_t> changed;
  for (const auto& [key, value] : (*body)["quota_set"].items()) {
    if (key == "force") continue;
    const quota_field* field = nullptr;
    for (const auto& f : quota_fields)
      if (key == f.name && shown_at(f, c)) field = &f;
    if (!field) return error(400, "Invalid input for field/attribute quota_set. Additional properties are not allowed ('" +
                                    key + "' was unexpected)");
    if (!value.is_number_integer() || value.get<std::int64_t>() < -1)
      return error(400, "Invalid input for field/attribute " + key + ". Value: " + value.dump() +
                          ". must be an integer not less than -1");
    changed[key] = value.get<std::int64_t>();
  }
  for (const auto& [key, value] : changed) quotas_[project][key] = value;
  auto shown = values(false);
  shown.erase("id");   // Nova's update answer carries no id
  return json_reply(200, {{"quota_set", shown}});
}

} // namespace fedstack::sim
