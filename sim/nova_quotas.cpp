// Nova's quota sets (os-quota-sets): show, detail, defaults, update and revert,
// per project, in Nova's shapes. Of them a boot enforces instances, cores and RAM
// (check_boot_quota), which default to -1 (unlimited), as GET /limits shows; the
// other defaults are Nova's (nova.conf [quota]) and are not enforced. Fields by microversion: the
// network ones go at 2.36, the injected-file ones at 2.57 (Nova's REST API
// version history).
#include <algorithm>
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

std::map<std::string, std::int64_t> nova_api::server_usage(const std::string& project) const {
  std::map<std::string, std::int64_t> used{{"instances", 0}, {"cores", 0}, {"ram", 0}};
  for (const auto* s : cloud_.compute.servers()) {
    if (s->project_id != project) continue;
    ++used["instances"];
    used["cores"] += s->flavor.vcpus;
    used["ram"] += s->flavor.ram;
  }
  return used;
}

// Nova's compute API (_check_num_instances_quota): the most servers that fit every
// limit; fewer than min_count is TooManyInstances, "Quota exceeded for <overs>:
// Requested <req>, but already used <used> of <allowed> <overs>" (nova/exception.py),
// naming the resources over quota in name order.
std::optional<std::string> nova_api::check_boot_quota(const std::string& project, const flavor_record& flavor,
                                                      std::int64_t min_count, std::int64_t& max_count) const {
  auto used = server_usage(project);
  std::map<std::string, std::int64_t> each{{"cores", flavor.vcpus}, {"instances", 1}, {"ram", flavor.ram}};
  std::int64_t fits = max_count;
  for (const auto& [name, per] : each) {
    auto limit = quota_of(project, name);
    if (limit < 0 || per <= 0) continue;
    fits = std::min(fits, std::max<std::int64_t>(0, (limit - used[name]) / per));
  }
  if (fits >= min_count) {
    max_count = fits;
    return std::nullopt;
  }
  auto requested = [&](std::int64_t per) {
    return min_count == max_count ? std::to_string(min_count * per)
                                  : std::to_string(min_count * per) + "-" + std::to_string(max_count * per);
  };
  std::string overs, reqs, useds, alloweds;
  for (const auto& [name, per] : each) {
    auto limit = quota_of(project, name);
    if (limit < 0 || used[name] + min_count * per <= limit) continue;
    auto sep = overs.empty() ? "" : ", ";
    overs += sep + name;
    reqs += sep + requested(per);
    useds += sep + std::to_string(used[name]);
    alloweds += sep + std::to_string(limit);
  }
  return "Quota exceeded for " + overs + ": Requested " + reqs + ", but already used " + useds + " of " + alloweds +
         " " + overs;
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
      auto used = server_usage(project);
      std::int64_t groups = 0;
      for (const auto& [id, g] : server_groups_) groups += g.project_id == project ? 1 : 0;
      used["server_groups"] = groups;
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
