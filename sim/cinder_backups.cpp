// Cinder backups: create (the volume is "backing-up" meanwhile), list and
// detail, show, delete, and restore into a new or an existing volume.
#include "sim/cinder.hpp"
#include "sim/cinder_paging.hpp"

namespace fedstack::sim {
namespace {

std::optional<json> backup_key(const backup_record& b, const std::string& key) {
  if (key == "created_at") return json(format_time(b.created_at, time_style::micros_naive));
  if (key == "id") return json(b.id);
  if (key == "name" || key == "display_name") return b.name ? json(*b.name) : json(nullptr);
  if (key == "size") return json(b.size);
  if (key == "status") return json(b.status);
  if (key == "volume_id") return json(b.volume_id);
  return std::nullopt;
}

} // namespace

reply cinder_api::backups(const call& c) {
  const auto& p = c.path;
  const auto& r = c.r;
  settled_volumes held{cloud_};
  auto& store = held.store;

  if (p.size() == 1 && r.method == "POST") {
    auto body = cinder_body_object(r, "backup");
    if (failed(body)) return error(error_of(body));
    const auto& in = std::get<json>(body);
    auto volume_id = cinder_text(in, "volume_id");
    if (!volume_id) return error(400, "Invalid input for field/attribute backup. 'volume_id' is a required property");
    auto* v = store.volume_mutable(c.ctx, *volume_id);
    if (!v) return error(404, "Volume " + *volume_id + " could not be found.");
    bool force = in.contains("force") && in["force"] == true;
    if (v->status == "in-use" && !force) {
      return error(400, "Invalid volume: Backup operation of an in-use volume must use the force flag.");
    }
    if (v->status != "available" && v->status != "in-use") {
      return error(400, "Invalid volume: Volume to be backed up must be available or in-use, but the current status is \"" + v->status + "\".");
    }
    if (auto refused = store.check_backup_quota(v->project_id, v->size)) return error(*refused);
    backup_record b;
    b.id = new_uuid();
    b.volume_id = v->id;
    b.project_id = v->project_id;
    b.user_id = c.ctx.user_id;
    b.size = v->size;
    b.name = cinder_text(in, "name");
    b.description = cinder_text(in, "description");
    b.container = cinder_text(in, "container").value_or("volumebackups");
    b.snapshot_id = cinder_text(in, "snapshot_id");
    b.incremental = in.contains("incremental") && in["incremental"] == true;
    b.object_count = 1;
    if (c.at_least(43) && in.contains("metadata") && in["metadata"].is_object()) b.metadata = in["metadata"];
    store.set_status_for_a_while(*v, "backing-up", v->status);
    auto& made = store.add_backup(std::move(b));
    return json_reply(202, {{"backup", backup_json(made, c, false)}});
  }
  if (p.size() == 1 || (p.size() == 2 && p[1] == "detail")) {
    if (r.method != "GET") return error(405, cinder_not_allowed);
    bool all_tenants = c.ctx.is_admin && r.query_value("all_tenants") && parse_bool(*r.query_value("all_tenants")).value_or(true);
    std::vector<const backup_record*> list;
    for (const auto* b : store.backups()) {
      if (!all_tenants && b->project_id != c.ctx.project_id) continue;
      if (auto name = r.query_value("name"); name && b->name.value_or("") != *name) continue;
      if (auto status = r.query_value("status"); status && b->status != *status) continue;
      if (auto volume = r.query_value("volume_id"); volume && b->volume_id != *volume) continue;
      list.push_back(b);
    }
    auto page = cinder_paginate<backup_record>(std::move(list), r, backup_key);
    if (failed(page)) return error(error_of(page));
    const auto& got = std::get<cinder_page<backup_record>>(page);
    json items = json::array();
    for (const auto* b : got.items) items.push_back(backup_json(*b, c, p.size() == 2));
    json out = {{"backups", items}};
    if (got.full) out["backups_links"] = next_link(c, p.size() == 2 ? "backups/detail" : "backups", got.items.back()->id);
    return json_reply(200, out);
  }

  auto* b = store.backup_mutable(c.ctx, p[1]);
  if (!b) return error(404, "Backup " + p[1] + " could not be found.");
  if (p.size() == 2 && r.method == "GET") return json_reply(200, {{"backup", backup_json(*b, c, true)}});
  if (p.size() == 2 && r.method == "DELETE") {
    if (b->status != "available" && b->status != "error") {
      return error(400, "Invalid backup: Backup status must be available or error");
    }
    store.remove_backup(b->id);
    return empty_reply(202);
  }
  if (p.size() == 3 && p[2] == "restore" && r.method == "POST") {
    auto body = cinder_body_object(r, "restore");
    if (failed(body)) return error(error_of(body));
    const auto& in = std::get<json>(body);
    if (b->status != "available") return error(400, "Invalid backup: Backup status must be available");
    volume_record* target = nullptr;
    if (auto volume_id = cinder_text(in, "volume_id")) {
      target = store.volume_mutable(c.ctx, *volume_id);
      if (!target) return error(404, "Volume " + *volume_id + " could not be found.");
      if (target->status != "available") return error(400, "Invalid volume: Volume to be restored to must be available");
      if (target->size < b->size) {
        return error(400, "Invalid volume: volume size " + std::to_string(target->size) +
                            " is too small to restore backup of size " + std::to_string(b->size) + ".");
      }
    } else {
      if (auto refused = store.check_volume_quota(c.ctx.project_id, 1, b->size)) return error(*refused);
      volume_record v;
      v.id = new_uuid();
      v.project_id = c.ctx.project_id;
      v.user_id = c.ctx.user_id;
      v.size = b->size;
      v.name = cinder_text(in, "name").value_or("restore_backup_" + b->id);
      v.type_id = store.default_type().id;
      v.backup_id = b->id;
      target = &store.add_volume(std::move(v));
    }
    if (target->scheduled) store.set_status_for_a_while(*target, "restoring-backup", "available");
    return json_reply(202, {{"restore", {{"backup_id", b->id}, {"volume_id", target->id},
                                         {"volume_name", target->name ? json(*target->name) : json(nullptr)}}}});
  }
  return error(405, cinder_not_allowed);
}

} // namespace fedstack::sim
