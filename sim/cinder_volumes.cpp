// Cinder volumes: create, list (summary and detail), show, update, delete and
// metadata (actions are in cinder_actions.cpp).
#include <cmath>
#include <map>
#include <set>

#include "sim/cinder.hpp"
#include "sim/cinder_paging.hpp"

namespace fedstack::sim {
namespace {

constexpr std::int64_t gib = std::int64_t{1} << 30;

std::string invalid(std::string_view field, const json& value, std::string_view why) {
  return "Invalid input for field/attribute " + std::string{field} + ". Value: " +
         (value.is_string() ? value.get<std::string>() : value.dump()) + ". " + std::string{why};
}

/// A name or description: a string of at most 255 characters, or null.
std::optional<std::string> text_field(const json& in, const char* key, std::string& problem) {
  auto it = in.find(key);
  if (it == in.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    problem = invalid(key, *it, it->dump() + " is not of type 'string', 'null'");
    return std::nullopt;
  }
  if (it->get<std::string>().size() > 255) {
    problem = invalid(key, *it, "is too long");
    return std::nullopt;
  }
  return it->get<std::string>();
}

/// Metadata: an object of string values with keys of 1-255 characters.
std::optional<std::string> metadata_problem(const json& metadata) {
  if (!metadata.is_object()) return invalid("metadata", metadata, metadata.dump() + " is not of type 'object'");
  for (const auto& [k, v] : metadata.items()) {
    if (k.empty() || k.size() > 255) return invalid("metadata", metadata, "Additional properties are not allowed");
    if (!v.is_string() || v.get<std::string>().size() > 255) {
      return invalid("metadata", metadata, v.dump() + " is not of type 'string'");
    }
  }
  return std::nullopt;
}

/// A volume size: a positive integer or a string of digits.
std::optional<std::int64_t> size_value(const json& value) {
  std::optional<std::int64_t> n;
  if (value.is_number_integer()) n = value.get<std::int64_t>();
  else if (value.is_string()) n = parse_int(value.get<std::string>());
  if (!n || *n < 1 || *n > 2147483647) return std::nullopt;
  return n;
}

std::optional<json> volume_key(const volume_record& v, const std::string& key) {
  if (key == "created_at") return json(format_time(v.created_at, time_style::micros_naive));
  if (key == "updated_at") return v.updated_at ? json(format_time(*v.updated_at, time_style::micros_naive)) : json(nullptr);
  if (key == "id") return json(v.id);
  if (key == "name" || key == "display_name") return v.name ? json(*v.name) : json(nullptr);
  if (key == "size") return json(v.size);
  if (key == "status") return json(v.status);
  if (key == "availability_zone") return json(v.availability_zone);
  if (key == "bootable") return json(v.bootable);
  if (key == "volume_type" || key == "volume_type_id") return json(v.type_id);
  if (key == "project_id") return json(v.project_id);
  return std::nullopt;
}

} // namespace

reply cinder_api::volumes(const call& c) {
  const auto& p = c.path;
  const auto& method = c.r.method;
  if (p.size() == 1) {
    if (method == "GET") return list_volumes(c, false);
    if (method == "POST") return create_volume(c);
    return error(405, cinder_not_allowed);
  }
  if (p.size() == 2 && p[1] == "detail") {
    if (method == "GET") return list_volumes(c, true);
    return error(405, cinder_not_allowed);
  }
  if (p.size() == 2 && p[1] == "summary" && method == "GET") return volume_summary(c);
  std::lock_guard lock{cloud_.mutex};
  cloud_.volumes.settle();
  auto* v = cloud_.volumes.volume_mutable(c.ctx, p[1]);
  if (!v) return error(404, "Volume " + p[1] + " could not be found.");
  if (p.size() >= 3 && p[2] == "metadata") return volume_metadata(c, *v);
  if (p.size() == 3 && p[2] == "action") {
    if (method != "POST") return error(405, cinder_not_allowed);
    return volume_action(c, *v);
  }
  if (p.size() != 2) return error(404, "The resource could not be found.");
  if (method == "GET") return json_reply(200, {{"volume", volume_json(*v, c, true)}});
  if (method == "PUT") return update_volume(c, *v);
  if (method == "DELETE") return delete_volume(c, *v);
  return error(405, cinder_not_allowed);
}

reply cinder_api::create_volume(const call& c) {
  auto body = parse_json(c.r);
  if (!body || !body->is_object()) return error(400, "Malformed request body");
  if (!body->contains("volume") || !(*body)["volume"].is_object()) {
    return error(400, invalid("volume", body->value("volume", json{}), "'volume' is a required property"));
  }
  const auto& in = (*body)["volume"];
  std::string problem;
  volume_record v;
  v.id = new_uuid();
  v.project_id = c.ctx.project_id;
  v.user_id = c.ctx.user_id;
  v.name = text_field(in, "name", problem);
  if (problem.empty()) v.description = text_field(in, "description", problem);
  if (!problem.empty()) return error(400, problem);
  if (in.contains("metadata") && !in["metadata"].is_null()) {
    if (auto bad = metadata_problem(in["metadata"])) return error(400, *bad);
    v.metadata = in["metadata"];
  }
  std::optional<std::int64_t> size;
  if (in.contains("size") && !in["size"].is_null()) {
    size = size_value(in["size"]);
    if (!size) return error(400, invalid("size", in["size"], "must be an integer of at least 1"));
  }
  if (in.contains("multiattach")) {
    if (!in["multiattach"].is_boolean()) return error(400, invalid("multiattach", in["multiattach"], "is not of type 'boolean'"));
    v.multiattach = in["multiattach"].get<bool>();
  }
  auto ref = [&](const char* key) -> std::optional<std::string> {
    if (!in.contains(key) || in[key].is_null()) return std::nullopt;
    return in[key].is_string() ? in[key].get<std::string>() : in[key].dump();
  };

  std::lock_guard lock{cloud_.mutex};
  auto& store = cloud_.volumes;
  store.settle();
  // The zone: this cloudlet's only one (Cinder's InvalidAvailabilityZone otherwise).
  if (auto zone = ref("availability_zone"); zone && *zone != store.zone()) {
    return error(400, "Availability zone '" + *zone + "' is invalid.");
  }
  // Sources: a snapshot, another volume, or an image.
  std::string type_id = store.default_type().id;
  if (auto snapshot_id = ref("snapshot_id")) {
    const auto* snap = store.find_snapshot(c.ctx, *snapshot_id);
    if (!snap) return error(404, "Snapshot " + *snapshot_id + " could not be found.");
    if (snap->status != "available") return error(400, "Invalid snapshot: Originating snapshot status must be one of 'available' values");
    if (!size) size = snap->size;
    if (*size < snap->size) {
      return error(400, "Invalid input received: Volume size '" + std::to_string(*size) +
                          "'GB cannot be smaller than the snapshot size " + std::to_string(snap->size) +
                          "GB. They must be >= original snapshot size.");
    }
    v.snapshot_id = snap->id;
    if (const auto* origin = store.volume_by_id(snap->volume_id)) {
      type_id = origin->type_id;
      v.bootable = origin->bootable;
      v.image_metadata = origin->image_metadata;
    }
  }
  if (auto source_id = ref("source_volid")) {
    const auto* source = store.find_volume(c.ctx, *source_id);
    if (!source) return error(404, "Volume " + *source_id + " could not be found.");
    if (source->status != "available" && source->status != "in-use") {
      return error(400, "Invalid volume: Unable to create a volume from an originating source volume when its status is not one of available, in-use");
    }
    if (!size) size = source->size;
    if (*size < source->size) {
      return error(400, "Invalid input received: Volume size '" + std::to_string(*size) +
                          "'GB cannot be smaller than original volume size " + std::to_string(source->size) +
                          "GB. They must be >= original volume size.");
    }
    v.source_volid = source->id;
    type_id = source->type_id;
    v.bootable = source->bootable;
    v.image_metadata = source->image_metadata;
  }
  auto image_ref = ref("imageRef");
  if (!image_ref) image_ref = ref("image_id");
  if (image_ref) {
    const auto* image = cloud_.images.find(c.ctx, *image_ref);
    if (!image) return error(400, "Invalid image identifier or unable to access requested image.");
    if (image->status != "active") return error(400, "Invalid input received: Image " + image->id + " is not active.");
    auto image_gb = (image->size.value_or(0) + gib - 1) / gib;
    if (!size) return error(400, invalid("size", json(nullptr), "None is not of type 'integer', 'string'"));
    if (image_gb > *size) {
      return error(400, "Invalid input received: Size of specified image " + std::to_string(image_gb) +
                          "GB is larger than volume size " + std::to_string(*size) + "GB.");
    }
    if (image->min_disk > *size) {
      return error(400, "Invalid input received: Volume size " + std::to_string(*size) +
                          "GB cannot be smaller than the image minDisk size " + std::to_string(image->min_disk) + "GB.");
    }
    v.bootable = true;
    v.image_metadata = volume_image_metadata(*image);
  }
  if (!size) return error(400, invalid("size", json(nullptr), "None is not of type 'integer', 'string'"));
  v.size = *size;
  if (auto type_ref = ref("volume_type")) {
    const auto* type = store.find_type(c.ctx, *type_ref);
    if (!type) return error(404, "Volume type with name " + *type_ref + " could not be found.");
    type_id = type->id;
  }
  v.type_id = type_id;
  if (auto refused = store.check_volume_quota(c.ctx.project_id, 1, v.size)) return error(*refused);
  auto& made = store.add_volume(std::move(v));
  // The create answer is the detail view without the show extensions (as in the API reference sample).
  return json_reply(202, {{"volume", volume_json(made, c, false)}});
}

reply cinder_api::list_volumes(const call& c, bool detail) {
  const auto& r = c.r;
  bool all_tenants = false;
  if (auto value = r.query_value("all_tenants")) {
    // A non-admin's all_tenants is ignored (Cinder bug #1917574: cinderclient always sends it).
    all_tenants = c.ctx.is_admin && (value->empty() || parse_bool(*value).value_or(true));
  }
  // From 3.31 a non-admin may filter only on the configured keys (etc/cinder/resource_filters.json).
  static const std::set<std::string> user_filters{"name", "status", "metadata", "bootable", "migration_status",
                                                  "availability_zone", "group_id", "size", "created_at",
                                                  "updated_at", "consumes_quota"};
  static const std::set<std::string> paging{"limit", "marker", "offset", "sort", "sort_key", "sort_dir",
                                            "all_tenants", "with_count"};
  std::vector<std::string> invalid_keys;
  for (const auto& [k, value] : r.query) {
    if (!c.ctx.is_admin && c.at_least(31) && !paging.count(k) && !user_filters.count(k)) invalid_keys.push_back(k);
  }
  if (!invalid_keys.empty()) {
    std::string joined;
    for (const auto& k : invalid_keys) joined += (joined.empty() ? "" : ",") + k;
    return error(400, "Invalid filters " + joined + " are found in query options.");
  }
  json metadata_filter = json::object();
  if (auto text = r.query_value("metadata")) {
    // cinderclient sends metadata as a Python dict literal; accept JSON too.
    std::string normalized = *text;
    std::replace(normalized.begin(), normalized.end(), '\'', '"');
    auto parsed = json::parse(normalized, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) return error(400, "Invalid input received: metadata must be a dict");
    metadata_filter = parsed;
  }

  std::lock_guard lock{cloud_.mutex};
  auto& store = cloud_.volumes;
  store.settle();
  auto project = r.query_value("project_id");
  std::vector<const volume_record*> list;
  for (const auto* v : store.volumes()) {
    if (all_tenants) {
      if (project && v->project_id != *project) continue;
    } else if (v->project_id != c.ctx.project_id) {
      continue;
    }
    if (auto name = r.query_value("name"); name && v->name.value_or("") != *name) continue;
    if (auto status = r.query_value("status"); status && v->status != *status) continue;
    if (auto zone = r.query_value("availability_zone"); zone && v->availability_zone != *zone) continue;
    if (auto size = r.query_value("size"); size && std::to_string(v->size) != *size) continue;
    if (auto bootable = r.query_value("bootable")) {
      if (auto b = parse_bool(*bootable); b && *b != v->bootable) continue;
    }
    bool metadata_ok = true;
    for (const auto& [k, value] : metadata_filter.items()) {
      if (!v->metadata.contains(k) || v->metadata[k] != value) metadata_ok = false;
    }
    if (!metadata_ok) continue;
    list.push_back(v);
  }
  auto total = static_cast<std::int64_t>(list.size());
  auto page = cinder_paginate<volume_record>(std::move(list), r, volume_key);
  if (failed(page)) return error(error_of(page));
  const auto& got = std::get<cinder_page<volume_record>>(page);
  json items = json::array();
  for (const auto* v : got.items) items.push_back(detail ? volume_json(*v, c, true) : volume_brief(*v, c));
  json out = {{"volumes", items}};
  if (got.full) out["volumes_links"] = next_link(c, detail ? "volumes/detail" : "volumes", got.items.back()->id);
  if (c.at_least(45) && parse_bool(r.query_value("with_count").value_or("false")).value_or(false)) out["count"] = total;
  return json_reply(200, out);
}

reply cinder_api::volume_summary(const call& c) {
  // VOLUME_SUMMARY (3.12); below it Cinder finds no method for the version.
  if (!c.at_least(12)) return error(404, "API version 3." + std::to_string(c.mv) + " is not supported on this method.");
  bool all_tenants = c.ctx.is_admin && c.r.query_value("all_tenants") &&
                     parse_bool(*c.r.query_value("all_tenants")).value_or(true);
  std::lock_guard lock{cloud_.mutex};
  auto& store = cloud_.volumes;
  store.settle();
  // cinder/db/sqlalchemy/api.py get_volume_summary: count, total size and every distinct
  // metadata value per key (shown from VOLUME_SUMMARY_METADATA, 3.36).
  std::int64_t count = 0, size = 0;
  std::map<std::string, std::set<std::string>> metadata;
  for (const auto* v : store.volumes()) {
    if (!all_tenants && v->project_id != c.ctx.project_id) continue;
    ++count;
    size += v->size;
    for (const auto& [k, value] : v->metadata.items()) metadata[k].insert(value.get<std::string>());
  }
  json summary = {{"total_count", count}, {"total_size", size}};
  if (c.at_least(36)) {
    summary["metadata"] = json::object();
    for (const auto& [k, values] : metadata) summary["metadata"][k] = json(values);
  }
  return json_reply(200, {{"volume-summary", summary}});
}

reply cinder_api::update_volume(const call& c, volume_record& v) {
  auto body = parse_json(c.r);
  if (!body || !body->contains("volume") || !(*body)["volume"].is_object()) {
    return error(400, invalid("volume", body ? body->value("volume", json{}) : json{}, "'volume' is a required property"));
  }
  const auto& in = (*body)["volume"];
  for (const auto& [k, value] : in.items()) {
    if (k != "name" && k != "description" && k != "metadata" && k != "display_name" && k != "display_description") {
      return error(400, invalid("volume", in, "Additional properties are not allowed ('" + k + "' was unexpected)"));
    }
  }
  if (in.empty()) return error(400, invalid("volume", in, "{} does not have enough properties"));
  std::string problem;
  auto name = text_field(in, in.contains("name") ? "name" : "display_name", problem);
  auto description = text_field(in, in.contains("description") ? "description" : "display_description", problem);
  if (!problem.empty()) return error(400, problem);
  if (in.contains("metadata")) {
    if (auto bad = metadata_problem(in["metadata"])) return error(400, *bad);
  }
  if (in.contains("name") || in.contains("display_name")) v.name = name;
  if (in.contains("description") || in.contains("display_description")) v.description = description;
  if (in.contains("metadata")) v.metadata = in["metadata"];   // PUT replaces the whole set
  v.updated_at = cloud_.volumes.now();
  // The extensions' attributes (os-vol-*) extend show and detail only, not update (captures/cinder/30).
  return json_reply(200, {{"volume", volume_json(v, c, false)}});
}

reply cinder_api::delete_volume(const call& c, volume_record& v) {
  auto& store = cloud_.volumes;
  bool cascade = parse_bool(c.r.query_value("cascade").value_or("false")).value_or(false);
  bool force = c.at_least(23) && parse_bool(c.r.query_value("force").value_or("false")).value_or(false);
  if (force && !c.ctx.is_admin) {
    return error(403, "Policy doesn't allow volume_extension:volume_admin_actions:force_delete to be performed.");
  }
  static const std::set<std::string> deletable{"available", "error", "error_restoring", "error_extending", "error_managing"};
  bool attached = !store.attachments_of(v).empty();
  bool status_ok = force || deletable.count(v.status);
  if (attached || !status_ok || (!cascade && store.has_snapshots(v.id))) {
    // Cinder's one message for every refused condition (cinder/volume/api.py delete).
    std::string status = force ? "" : "status must be available or error or error_restoring or error_extending or error_managing and ";
    return error(400, "Invalid volume: Volume " + status +
                        "must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, "
                        "or be disassociated from snapshots after volume transfer.");
  }
  if (cascade) {
    std::vector<std::string> doomed;
    for (const auto* s : store.snapshots()) {
      if (s->volume_id == v.id) doomed.push_back(s->id);
    }
    for (const auto& id : doomed) store.remove_snapshot(id);
  }
  // Shown "deleting" for the delay, then gone (captures/cinder/76, 77).
  store.begin_delete(v);
  return empty_reply(202);
}

reply cinder_api::volume_metadata(const call& c, volume_record& v) {
  const auto& p = c.path;
  const auto& method = c.r.method;
  auto now = cloud_.volumes.now();
  if (p.size() == 3) {
    if (method == "GET") return json_reply(200, {{"metadata", v.metadata}});
    if (method != "POST" && method != "PUT") return error(405, cinder_not_allowed);
    auto body = parse_json(c.r);
    if (!body || !body->contains("metadata")) return error(400, "Malformed request body");
    if (auto bad = metadata_problem((*body)["metadata"])) return error(400, *bad);
    // POST merges, PUT replaces (cinder/api/v3/volume_metadata.py).
    if (method == "PUT") v.metadata = json::object();
    for (const auto& [k, value] : (*body)["metadata"].items()) v.metadata[k] = value;
    v.updated_at = now;
    return json_reply(200, {{"metadata", v.metadata}});
  }
  if (p.size() != 4) return error(404, "The resource could not be found.");
  const auto& key = p[3];
  if (method == "GET") {
    if (!v.metadata.contains(key)) return error(404, "Volume " + v.id + " has no metadata with key " + key + ".");
    return json_reply(200, {{"meta", {{key, v.metadata[key]}}}});
  }
  if (method == "DELETE") {
    if (!v.metadata.contains(key)) return error(404, "Volume " + v.id + " has no metadata with key " + key + ".");
    v.metadata.erase(key);
    v.updated_at = now;
    return empty_reply(200);
  }
  if (method == "PUT") {
    auto body = parse_json(c.r);
    if (!body || !body->contains("meta") || !(*body)["meta"].is_object()) return error(400, "Malformed request body");
    const auto& meta = (*body)["meta"];
    if (meta.size() > 1) return error(400, "Request has too many items");
    if (!meta.contains(key)) return error(400, "Request body and URI mismatch");
    if (auto bad = metadata_problem(meta)) return error(400, *bad);
    v.metadata[key] = meta[key];
    v.updated_at = now;
    return json_reply(200, {{"meta", {{key, v.metadata[key]}}}});
  }
  return error(405, cinder_not_allowed);
}

} // namespace fedstack::sim
