// Cinder snapshots: create (creating -> available after the delay), list and
// detail (paged like volumes), show, update, delete, metadata and reset_status.
#include "sim/cinder.hpp"
#include "sim/cinder_paging.hpp"

namespace fedstack::sim {
namespace {

std::optional<json> snapshot_key(const snapshot_record& s, const std::string& key) {
  if (key == "created_at") return json(format_time(s.created_at, time_style::micros_naive));
  if (key == "id") return json(s.id);
  if (key == "name" || key == "display_name") return s.name ? json(*s.name) : json(nullptr);
  if (key == "size" || key == "volume_size") return json(s.size);
  if (key == "status") return json(s.status);
  if (key == "volume_id") return json(s.volume_id);
  if (key == "project_id") return json(s.project_id);
  return std::nullopt;
}

} // namespace

reply cinder_api::snapshots(const call& c) {
  const auto& p = c.path;
  const auto& r = c.r;
  settled_volumes held{cloud_};
  auto& store = held.store;

  if (p.size() == 1 && r.method == "POST") {
    auto body = cinder_body_object(r, "snapshot");
    if (failed(body)) return error(error_of(body));
    const auto& in = std::get<json>(body);
    auto volume_id = cinder_text(in, "volume_id");
    if (!volume_id) return error(400, "Invalid input for field/attribute snapshot. 'volume_id' is a required property");
    const auto* v = store.find_volume(c.ctx, *volume_id);
    if (!v) return error(404, "Volume " + *volume_id + " could not be found.");
    bool force = false;
    if (in.contains("force")) {
      auto value = in["force"].is_boolean() ? std::optional{in["force"].get<bool>()}
                   : in["force"].is_string() ? parse_bool(in["force"].get<std::string>()) : std::nullopt;
      if (!value) return error(400, "Invalid value '" + in["force"].dump() + "' for force.");
      force = *value;
    }
    // An attached volume needs force before 3.66 (SNAPSHOT_IN_USE); from 3.66 force=false is refused.
    if (v->status == "in-use" && !force && !c.at_least(66)) {
      return error(400, "Invalid volume: Volume " + v->id + " status must be available, but current status is: in-use.");
    }
    if (c.at_least(66) && in.contains("force") && !force) {
      return error(400, "Invalid input received: Since microversion 3.66 the 'force' flag is invalid for this request. For backward compatibility, however, when the 'force' flag is passed with a value evaluating to True, it is silently ignored.");
    }
    if (v->status != "available" && v->status != "in-use") {
      return error(400, "Invalid volume: Volume " + v->id + " status must be available, but current status is: " + v->status + ".");
    }
    if (auto refused = store.check_snapshot_quota(v->project_id, v->size)) return error(*refused);
    snapshot_record s;
    s.id = new_uuid();
    s.volume_id = v->id;
    s.project_id = v->project_id;
    s.user_id = c.ctx.user_id;
    s.size = v->size;
    s.name = cinder_text(in, "name");
    if (!s.name) s.name = cinder_text(in, "display_name");
    s.description = cinder_text(in, "description");
    if (in.contains("metadata") && in["metadata"].is_object()) s.metadata = in["metadata"];
    auto& made = store.add_snapshot(std::move(s));
    return json_reply(202, {{"snapshot", snapshot_json(made, c, false)}});
  }
  if (p.size() == 1 || (p.size() == 2 && p[1] == "detail")) {
    if (r.method != "GET") return error(405, cinder_not_allowed);
    bool all_tenants = c.ctx.is_admin && r.query_value("all_tenants") &&
                       parse_bool(*r.query_value("all_tenants")).value_or(true);
    auto project = r.query_value("project_id");
    std::vector<const snapshot_record*> list;
    for (const auto* s : store.snapshots()) {
      if (all_tenants ? (project && s->project_id != *project) : s->project_id != c.ctx.project_id) continue;
      if (auto name = r.query_value("name"); name && s->name.value_or("") != *name) continue;
      if (auto status = r.query_value("status"); status && s->status != *status) continue;
      if (auto volume = r.query_value("volume_id"); volume && s->volume_id != *volume) continue;
      list.push_back(s);
    }
    auto page = cinder_paginate<snapshot_record>(std::move(list), r, snapshot_key);
    if (failed(page)) return error(error_of(page));
    const auto& got = std::get<cinder_page<snapshot_record>>(page);
    json items = json::array();
    for (const auto* s : got.items) items.push_back(snapshot_json(*s, c, p.size() == 2));
    json out = {{"snapshots", items}};
    if (got.full) out["snapshots_links"] = next_link(c, p.size() == 2 ? "snapshots/detail" : "snapshots", got.items.back()->id);
    return json_reply(200, out);
  }

  auto* s = store.snapshot_mutable(c.ctx, p[1]);
  if (!s) return error(404, "Snapshot " + p[1] + " could not be found.");
  if (p.size() == 2) {
    if (r.method == "GET") return json_reply(200, {{"snapshot", snapshot_json(*s, c, true)}});
    if (r.method == "PUT") {
      auto body = parse_json(r);
      if (!body || !body->contains("snapshot") || !(*body)["snapshot"].is_object() || (*body)["snapshot"].empty()) {
        return error(400, "Invalid input for field/attribute snapshot.");
      }
      const auto& in = (*body)["snapshot"];
      if (in.contains("name")) s->name = cinder_text(in, "name");
      if (in.contains("description")) s->description = cinder_text(in, "description");
      s->updated_at = store.now();
      return json_reply(200, {{"snapshot", snapshot_json(*s, c, false)}});
    }
    if (r.method == "DELETE") {
      if (s->status != "available" && s->status != "error") {
        return error(400, "Invalid snapshot: Volume Snapshot status must be available or error and must not be part of a group.");
      }
      store.remove_snapshot(s->id);
      return empty_reply(202);
    }
    return error(405, cinder_not_allowed);
  }
  if (p[2] == "metadata") {
    if (p.size() == 3 && r.method == "GET") return json_reply(200, {{"metadata", s->metadata}});
    if (p.size() == 3 && (r.method == "POST" || r.method == "PUT")) {
      auto body = parse_json(r);
      if (!body || !body->contains("metadata") || !(*body)["metadata"].is_object()) return error(400, "Malformed request body");
      if (r.method == "PUT") s->metadata = json::object();
      for (const auto& [k, v] : (*body)["metadata"].items()) {
        if (!v.is_string()) return error(400, "Invalid input for field/attribute metadata.");
        s->metadata[k] = v;
      }
      return json_reply(200, {{"metadata", s->metadata}});
    }
    if (p.size() == 4 && r.method == "DELETE") {
      if (!s->metadata.contains(p[3])) return error(404, "Snapshot " + s->id + " has no metadata with key " + p[3] + ".");
      s->metadata.erase(p[3]);
      return empty_reply(200);
    }
    return error(405, cinder_not_allowed);
  }
  if (p.size() == 3 && p[2] == "action" && r.method == "POST") {
    auto body = parse_json(r);
    if (!body || !body->contains("os-reset_status")) return error(400, "There is no such action");
    if (!c.ctx.is_admin) return error(403, "Policy doesn't allow volume_extension:snapshot_admin_actions:reset_status to be performed.");
    auto status = (*body)["os-reset_status"].value("status", std::string{});
    if (status.empty()) return error(400, "Must specify 'status'");
    s->status = status;
    s->pending.reset();
    s->updated_at = store.now();
    return empty_reply(202);
  }
  return error(404, "The resource could not be found.");
}

} // namespace fedstack::sim
