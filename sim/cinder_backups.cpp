// Cinder backups: create (the volume is "backing-up" meanwhile), list and
// detail, show, delete, restore into a new or an existing volume, and an
// admin's export and import of a backup's record.
#include <boost/beast/core/detail/base64.hpp>

#include "sim/cinder.hpp"
#include "sim/cinder_paging.hpp"

namespace fedstack::sim {
namespace {

namespace base64 = boost::beast::detail::base64;

/// The backup service a record names (a real Cinder's is its driver's module, e.g.
/// cinder.backup.drivers.posix.PosixBackupDriver): an import naming another fails.
constexpr const char* backup_service = "cinder.backup.drivers.posix.PosixBackupDriver";

/// What Cinder's export answers as `backup_url`: the backup object's fields as JSON in
/// base64 (cinder/objects/backup.py, encode_record), metadata included.
std::string encode_record(const backup_record& b) {
  json record = {{"id", b.id}, {"display_name", b.name ? json(*b.name) : json(nullptr)},
                 {"display_description", b.description ? json(*b.description) : json(nullptr)},
                 {"container", b.container}, {"size", b.size}, {"object_count", b.object_count},
                 {"service_metadata", "backup_" + b.id}, {"service", backup_service}, {"volume_id", b.volume_id},
                 {"project_id", b.project_id}, {"user_id", b.user_id}, {"status", b.status},
                 {"metadata", b.metadata}};
  auto text = record.dump();
  std::string out(base64::encoded_size(text.size()), '\0');
  out.resize(base64::encode(out.data(), text.data(), text.size()));
  return out;
}

/// encode_record's record back, or nullopt for text that is no base64 of a JSON object
/// (Cinder's decode_record: "Can't parse backup record.").
std::optional<json> decode_record(const std::string& url) {
  auto data = url.substr(0, url.find_last_not_of('=') + 1);   // the decoder stops at padding
  std::string text(base64::decoded_size(url.size()), '\0');
  auto [written, read] = base64::decode(text.data(), data.data(), data.size());
  if (read != data.size()) return std::nullopt;
  text.resize(written);
  auto record = json::parse(text, nullptr, false);
  if (!record.is_object()) return std::nullopt;
  return record;
}

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

  // The import (cinder/backup/api.py, _get_import_backup; the manager's import_record):
  // a backup with the record's own ID, the caller's project, and the record's fields,
  // metadata included; refused while a backup with that ID exists.
  if (p.size() == 2 && p[1] == "import_record" && r.method == "POST") {
    if (!c.ctx.is_admin) return error(403, cinder_policy_refusal("backup:backup-import"));
    auto body = cinder_body_object(r, "backup-record");
    if (failed(body)) return error(error_of(body));
    const auto& in = std::get<json>(body);
    auto service = cinder_text(in, "backup_service");
    auto url = cinder_text(in, "backup_url");
    if (!service || !url) {
      return error(400, "Invalid input for field/attribute backup-record. 'backup_service' and 'backup_url' are required properties");
    }
    auto record = decode_record(*url);
    if (!record) return error(400, "Invalid input received: Can't parse backup record.");
    auto id = cinder_text(*record, "id");
    if (!id) return error(400, "Invalid input received: Provided backup record is missing an id");
    if (!record->contains("size") || !(*record)["size"].is_number_integer()) {
      return error(400, "Invalid input received: Provided backup record is missing size attribute");
    }
    if (store.find_backup(c.ctx, *id)) return error(400, "Invalid backup: Backup already exists in database.");
    auto size = (*record)["size"].get<std::int64_t>();
    if (auto refused = store.check_backup_quota(c.ctx.project_id, size)) return error(*refused);
    backup_record b;
    b.id = *id;
    b.project_id = c.ctx.project_id;
    b.user_id = c.ctx.user_id;
    b.size = size;
    b.volume_id = cinder_text(*record, "volume_id").value_or("");
    b.name = cinder_text(*record, "display_name");
    b.description = cinder_text(*record, "display_description");
    b.container = cinder_text(*record, "container").value_or("volumebackups");
    b.object_count = record->value("object_count", std::int64_t{1});
    if (record->contains("metadata") && (*record)["metadata"].is_object()) b.metadata = (*record)["metadata"];
    auto& made = store.add_backup(std::move(b));
    if (*service != backup_service) {   // no backup host can import it: the manager fails it
      made.status = "error";
      made.pending.reset();
    }
    return json_reply(201, {{"backup", backup_json(made, c, false)}});
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
  if (p.size() == 3 && p[2] == "export_record" && r.method == "GET") {
    if (!c.ctx.is_admin) return error(403, cinder_policy_refusal("backup:export-import"));
    if (b->status != "available") return error(400, "Invalid backup: Backup status must be available and not " + b->status + ".");
    return json_reply(200, {{"backup-record", {{"backup_service", backup_service}, {"backup_url", encode_record(*b)}}}});
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
