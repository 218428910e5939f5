// Cinder's limits, quota sets (with in-use counts), the scheduler's pool stats
// (capacity, for a disk-capacity weigher) and availability zones.
#include "sim/cinder.hpp"

namespace fedstack::sim {
namespace {

/// A quota value: an integer of at least -1 (unlimited), as a number or a string.
std::optional<std::int64_t> quota_value(const json& v) {
  if (v.is_number_integer()) {
    auto n = v.get<std::int64_t>();
    if (n >= -1) return n;
    return std::nullopt;
  }
  if (!v.is_string()) return std::nullopt;
  if (v.get<std::string>() == "-1") return -1;
  return parse_int(v.get<std::string>());
}

} // namespace

reply cinder_api::limits(const call& c) {
  if (c.path.size() != 1) return error(404, "The resource could not be found.");
  if (c.r.method != "GET") return error(405, cinder_not_allowed);
  // From 3.39 an admin may ask for another project's limits.
  auto project = c.ctx.project_id;
  if (auto other = c.r.query_value("project_id"); other && c.ctx.is_admin && c.at_least(39)) project = *other;
  std::lock_guard lock{cloud_.mutex};
  const auto& store = cloud_.volumes;
  auto limit = [&](const char* r) { return store.quota_limit(project, r); };
  auto used = [&](const char* r) { return store.quota_in_use(project, r); };
  return json_reply(200, {{"limits",
                           {{"rate", json::array()},
                            {"absolute",
                             {{"totalSnapshotsUsed", used("snapshots")},
                              {"maxTotalBackups", limit("backups")},
                              {"maxTotalVolumeGigabytes", limit("gigabytes")},
                              {"maxTotalSnapshots", limit("snapshots")},
                              {"maxTotalBackupGigabytes", limit("backup_gigabytes")},
                              {"totalBackupGigabytesUsed", used("backup_gigabytes")},
                              {"maxTotalVolumes", limit("volumes")},
                              {"totalVolumesUsed", used("volumes")},
                              {"totalBackupsUsed", used("backups")},
                              {"totalGigabytesUsed", used("gigabytes")}}}}}});
}

reply cinder_api::quota_sets(const call& c) {
  const auto& p = c.path;
  if (p.size() < 2 || p.size() > 3) return error(404, "The resource could not be found.");
  const auto& project = p[1];
  bool defaults = p.size() == 3 && p[2] == "defaults";
  if (p.size() == 3 && !defaults) return error(404, "The resource could not be found.");
  std::lock_guard lock{cloud_.mutex};
  auto& store = cloud_.volumes;
  store.settle();
  // The per-type quotas Cinder adds for each volume type (here the types that exist).
  std::vector<std::string> resources = volume_store::quota_resources();
  for (const auto* t : store.types(c.ctx)) {
    for (const char* r : {"volumes_", "gigabytes_", "snapshots_"}) resources.push_back(r + t->name);   // volumes___DEFAULT__
  }
  auto render = [&](bool with_id, bool usage) {
    json set = json::object();
    if (with_id) set["id"] = project;
    for (const auto& r : resources) {
      auto limit = defaults ? volume_store::default_quota(r)
                            : store.quota_limit(project, r);
      if (usage) set[r] = {{"limit", limit}, {"in_use", store.quota_in_use(project, r)}, {"reserved", 0}};
      else set[r] = limit;
    }
    return set;
  };
  if (c.r.method == "GET") {
    if (!c.ctx.is_admin && project != c.ctx.project_id) return error(403, cinder_policy_refusal("volume_extension:quotas:show"));
    bool usage = !defaults && parse_bool(c.r.query_value("usage").value_or("false")).value_or(false);
    return json_reply(200, {{"quota_set", render(true, usage)}});
  }
  if (defaults) return error(405, cinder_not_allowed);
  if (c.r.method == "PUT") {
    if (!c.ctx.is_admin) return error(403, cinder_policy_refusal("volume_extension:quotas:update"));
    auto body = parse_json(c.r);
    if (!body || !body->contains("quota_set") || !(*body)["quota_set"].is_object()) {
      return error(400, "Missing required element 'quota_set' in request body.");
    }
    const auto& in = (*body)["quota_set"];
    for (const auto& [k, v] : in.items()) {
      if (k == "tenant_id" || k == "id") continue;
      if (std::find(resources.begin(), resources.end(), k) == resources.end()) {
        return error(400, "Bad key(s) in quota set: " + k);
      }
      auto n = quota_value(v);
      if (!n) return error(400, "Invalid input received: Quota value for key '" + k + "' must be an integer greater than or equal to -1.");
      auto in_use = store.quota_in_use(project, k);
      if (*n != -1 && *n < in_use) {
        return error(400, "Invalid input received: Quota limit " + std::to_string(*n) + " for " + k +
                            " must be equal or greater than existing resources. Current usage is " + std::to_string(in_use) + ".");
      }
    }
    for (const auto& [k, v] : in.items()) {
      if (k == "tenant_id" || k == "id") continue;
      store.set_quota(project, k, *quota_value(v));
    }
    return json_reply(200, {{"quota_set", render(false, false)}});
  }
  if (c.r.method == "DELETE") {
    if (!c.ctx.is_admin) return error(403, cinder_policy_refusal("volume_extension:quotas:delete"));
    store.reset_quotas(project);
    return empty_reply(200);
  }
  return error(405, cinder_not_allowed);
}

reply cinder_api::pools(const call& c) {
  if (c.path.size() != 2 || c.path[1] != "get_pools") return error(404, "The resource could not be found.");
  if (c.r.method != "GET") return error(405, cinder_not_allowed);
  if (!c.ctx.is_admin) return error(403, cinder_policy_refusal("scheduler_extension:scheduler_stats:get_pools"));
  std::lock_guard lock{cloud_.mutex};
  auto& store = cloud_.volumes;
  store.settle();
  json pool = {{"name", store.host()}};
  if (parse_bool(c.r.query_value("detail").value_or("false")).value_or(false)) {
    pool["capabilities"] = {{"pool_name", "sim"},
                            {"volume_backend_name", "sim"},
                            {"vendor_name", "Open Source"},
                            {"driver_version", "3.0.0"},
                            {"storage_protocol", "iSCSI"},
                            {"total_capacity_gb", store.options().capacity_gb},
                            {"free_capacity_gb", store.free_capacity_gb()},
                            {"allocated_capacity_gb", store.allocated_capacity_gb()},
                            {"provisioned_capacity_gb", store.allocated_capacity_gb()},
                            {"reserved_percentage", 0},
                            {"thin_provisioning_support", false},
                            {"thick_provisioning_support", true},
                            {"max_over_subscription_ratio", "1.0"},
                            {"multiattach", true},
                            {"QoS_support", false},
                            {"timestamp", format_time(store.now(), time_style::micros_naive)}};
  }
  return json_reply(200, {{"pools", json::array({pool})}});
}

reply cinder_api::availability_zones(const call& c) {
  if (c.path.size() != 1) return error(404, "The resource could not be found.");
  if (c.r.method != "GET") return error(405, cinder_not_allowed);
  return json_reply(200, {{"availabilityZoneInfo",
                           json::array({{{"zoneName", cloud_.volumes.zone()}, {"zoneState", {{"available", true}}}}})}});
}

} // namespace fedstack::sim
