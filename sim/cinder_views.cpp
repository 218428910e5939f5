// How Cinder (Zed) renders its resources, field by field and by microversion:
// cinder/api/v2/views/volumes.py + v3/views/volumes.py and the extensions that
// extend show and detail (os-vol-tenant-attr, os-vol-host-attr, os-vol-mig-status-attr).
#include "sim/cinder.hpp"

namespace fedstack::sim {
namespace {

json stamp(const std::optional<time_point>& at) {
  return at ? json(format_time(*at, time_style::micros_naive)) : json(nullptr);
}

json optional_text(const std::optional<std::string>& text) { return text ? json(*text) : json(nullptr); }

} // namespace

json cinder_api::links(const call& c, std::string_view collection, std::string_view id) const {
  auto project = c.project.empty() ? std::string{} : "/" + c.project;
  auto tail = std::string{collection} + "/" + std::string{id};
  return json::array({{{"href", base_url_ + "/v3" + project + "/" + tail}, {"rel", "self"}},
                      {{"href", base_url_ + project + "/" + tail}, {"rel", "bookmark"}}});
}

json cinder_api::next_link(const call& c, std::string_view collection, const std::string& last_id) const {
  std::string query;
  for (const auto& [k, v] : c.r.query) {
    if (k != "marker") query += url_encode(k) + "=" + url_encode(v) + "&";
  }
  auto project = c.project.empty() ? std::string{} : "/" + c.project;
  return json::array({{{"rel", "next"},
                       {"href", base_url_ + "/v3" + project + "/" + std::string{collection} + "?" + query +
                                  "marker=" + url_encode(last_id)}}});
}

json cinder_api::volume_brief(const volume_record& v, const call& c) const {
  return {{"id", v.id}, {"links", links(c, "volumes", v.id)}, {"name", optional_text(v.name)}};
}

json cinder_api::volume_json(const volume_record& v, const call& c, bool with_extensions) const {
  const auto& store = cloud_.volumes;
  const auto* type = store.find_type(c.ctx, v.type_id);
  bool admin = c.ctx.is_admin;
  json attachments = json::array();
  for (const auto* a : store.attachments_of(v)) {
    // A detaching volume still lists its attachment until the detach is done (captures/cinder/71).
    if (a->status != "attached" && a->status != "detaching") continue;
    attachments.push_back({{"id", v.id},
                           {"attachment_id", a->id},
                           {"volume_id", v.id},
                           {"server_id", a->server_id},
                           {"host_name", admin && !a->host_name.empty() ? json(a->host_name) : json(nullptr)},
                           {"device", a->device},
                           {"attached_at", stamp(a->attached_at)}});
  }
  json out = {
    {"id", v.id},
    {"status", v.status},
    {"size", v.size},
    {"availability_zone", v.availability_zone},
    {"created_at", format_time(v.created_at, time_style::micros_naive)},
    {"updated_at", stamp(v.updated_at)},
    {"name", optional_text(v.name)},
    {"description", optional_text(v.description)},
    {"volume_type", type ? json(type->name) : json(v.type_id)},
    {"snapshot_id", optional_text(v.snapshot_id)},
    {"source_volid", optional_text(v.source_volid)},
    {"metadata", v.metadata},
    {"links", links(c, "volumes", v.id)},
    {"user_id", v.user_id},
    {"bootable", v.bootable ? "true" : "false"},
    {"encrypted", false},
    {"replication_status", nullptr},
    {"consistencygroup_id", nullptr},
    {"multiattach", v.multiattach},
    {"attachments", attachments},
  };
  if (admin) out["migration_status"] = optional_text(v.migration_status);
  if (c.at_least(13)) out["group_id"] = nullptr;
  if (admin && c.at_least(21)) out["provider_id"] = nullptr;
  if (c.at_least(48)) {
    // Set once the scheduler has placed the volume on a backend; LVM exports targets one per volume.
    out["shared_targets"] = v.scheduled ? json(false) : (c.at_least(69) ? json(nullptr) : json(true));
    out["service_uuid"] = v.scheduled ? json(store.service_uuid()) : json(nullptr);
  }
  if (admin && c.at_least(61)) out["cluster_name"] = nullptr;
  if (c.at_least(63)) out["volume_type_id"] = v.type_id;
  if (c.at_least(65)) out["consumes_quota"] = true;
  if (with_extensions) {
    out["os-vol-tenant-attr:tenant_id"] = v.project_id;
    if (admin) {
      out["os-vol-host-attr:host"] = v.scheduled ? json(store.host()) : json(nullptr);
      out["os-vol-mig-status-attr:migstat"] = optional_text(v.migration_status);
      out["os-vol-mig-status-attr:name_id"] = nullptr;
    }
    if (!v.image_metadata.is_null()) out["volume_image_metadata"] = v.image_metadata;
  }
  return out;
}

json cinder_api::type_json(const volume_type_record& t, const call& c, bool with_access) const {
  json specs = json::object();
  // Non-admins see only the user-visible extra specs (cinder/policies/type_extra_specs.py).
  for (const auto& [k, v] : t.extra_specs.items()) {
    if (c.ctx.is_admin || k == "multiattach" || k == "RESKEY:availability_zones" || k == "replication_enabled") {
      specs[k] = v;
    }
  }
  json out = {{"id", t.id},
              {"name", t.name},
              {"is_public", t.is_public},
              {"description", optional_text(t.description)},
              {"extra_specs", specs}};
  if (c.ctx.is_admin) out["qos_specs_id"] = nullptr;
  if (with_access) out["os-volume-type-access:is_public"] = t.is_public;
  return out;
}

json cinder_api::snapshot_json(const snapshot_record& s, const call& c, bool with_extensions) const {
  json out = {{"id", s.id},
              {"created_at", format_time(s.created_at, time_style::micros_naive)},
              {"updated_at", stamp(s.updated_at)},
              {"name", optional_text(s.name)},
              {"description", optional_text(s.description)},
              {"volume_id", s.volume_id},
              {"status", s.status},
              {"size", s.size},
              {"metadata", s.metadata}};
  if (c.at_least(14)) out["group_snapshot_id"] = nullptr;
  if (c.at_least(41)) out["user_id"] = s.user_id;
  if (c.at_least(65)) out["consumes_quota"] = true;
  if (!with_extensions) return out;
  out["os-extended-snapshot-attributes:progress"] = s.status == "available" ? "100%" : "0%";
  out["os-extended-snapshot-attributes:project_id"] = s.project_id;
  return out;
}

json cinder_api::attachment_json(const volume_attachment_record& a, bool detail) const {
  json out = {{"id", a.id}, {"status", a.status}, {"instance", a.server_id.empty() ? json(nullptr) : json(a.server_id)},
              {"volume_id", a.volume_id}};
  if (!detail) return out;
  out["attached_at"] = stamp(a.attached_at);
  out["detached_at"] = stamp(a.detached_at);
  out["attach_mode"] = a.mode;
  // What a connector would get from an LVM/iSCSI backend; the sim has no target.
  out["connection_info"] = a.connector.is_null()
                             ? json::object()
                             : json{{"driver_volume_type", "iscsi"},
                                    {"target_discovered", false},
                                    {"target_iqn", "iqn.2010-10.org.openstack:volume-" + a.volume_id},
                                    {"target_portal", "127.0.0.1:3260"},
                                    {"target_lun", 0},
                                    {"volume_id", a.volume_id},
                                    {"auth_method", "CHAP"},
                                    {"attachment_id", a.id},
                                    {"access_mode", a.mode},
                                    {"encrypted", false},
                                    {"cacheable", false},
                                    {"enforce_multipath", false}};
  return out;
}

json cinder_api::backup_json(const backup_record& b, const call& c, bool detail) const {
  json out = {{"id", b.id}, {"links", links(c, "backups", b.id)}, {"name", optional_text(b.name)}};
  if (!detail) return out;
  out["status"] = b.status;
  out["size"] = b.size;
  out["object_count"] = b.object_count;
  out["availability_zone"] = cloud_.volumes.zone();
  out["container"] = b.status == "available" ? json(b.container) : json(nullptr);
  out["created_at"] = format_time(b.created_at, time_style::micros_naive);
  out["updated_at"] = stamp(b.updated_at);
  out["description"] = optional_text(b.description);
  out["fail_reason"] = nullptr;
  out["volume_id"] = b.volume_id;
  out["is_incremental"] = b.incremental;
  out["has_dependent_backups"] = false;
  out["snapshot_id"] = optional_text(b.snapshot_id);
  out["data_timestamp"] = stamp(b.data_timestamp);
  if (c.at_least(18) && c.ctx.is_admin) out["os-backup-project-attr:project_id"] = b.project_id;
  if (c.at_least(43)) out["metadata"] = b.metadata;
  if (c.at_least(51)) out["availability_zone"] = cloud_.volumes.zone();
  if (c.at_least(56)) out["user_id"] = b.user_id;
  return out;
}

} // namespace fedstack::sim
