#include "sim/volume_store.hpp"

#include <algorithm>

namespace fedstack::sim {
namespace {

// Cinder's [DEFAULT] quota_* options (cinder/quota.py); -1 is unlimited.
const std::map<std::string, std::int64_t, std::less<>>& default_quotas() {
  static const std::map<std::string, std::int64_t, std::less<>> defaults{
    {"volumes", 10}, {"snapshots", 10}, {"gigabytes", 1000}, {"backups", 10},
    {"backup_gigabytes", 1000}, {"groups", 10}, {"per_volume_gigabytes", -1}};
  return defaults;
}

/// Cinder's QuotaError: 413, its message prefixed with the exception's name by the fault wrapper.
api_error over_limit(std::string message) { return {413, std::move(message), "OverQuota"}; }

template <class Map>
auto* find_in(Map& map, std::string_view id) {
  auto it = map.find(id);
  return it == map.end() ? nullptr : &it->second;
}

} // namespace

json volume_image_metadata(const image_record& image) {
  return {{"image_id", image.id},
          {"image_name", image.name.value_or("")},
          {"checksum", image.checksum.value_or("")},
          {"container_format", image.container_format.value_or("")},
          {"disk_format", image.disk_format.value_or("")},
          {"min_disk", std::to_string(image.min_disk)},
          {"min_ram", std::to_string(image.min_ram)},
          {"size", std::to_string(image.size.value_or(0))}};
}

volume_store::volume_store(std::string region, volume_options options, clock_fn clock)
  : zone_(std::move(region)), options_(options), clock_(std::move(clock)), service_uuid_(new_uuid()) {
  // Cinder (Wallaby on) makes "__DEFAULT__" when it first starts; each cloud has its own ID.
  volume_type_record type;
  type.id = name_uuid("volume-type/" + zone_ + "/__DEFAULT__");
  type.name = "__DEFAULT__";
  type.description = "Default Volume Type";
  type.created_at = clock_();
  default_type_id_ = type.id;
  types_.emplace(type.id, type);
}

void volume_store::settle(std::string& status, std::optional<pending_status>& pending,
                          std::optional<time_point>& updated) {
  if (!pending || clock_() < pending->at) return;
  status = pending->to;
  updated = pending->at;
  pending.reset();
}

void volume_store::settle() {
  std::vector<std::string> gone;
  for (auto& [id, v] : volumes_) {
    auto was = v.status;
    settle(v.status, v.pending, v.updated_at);
    if (was == v.status) continue;
    if (was == "detaching") {
      for (auto it = v.attachment_ids.begin(); it != v.attachment_ids.end();) {
        auto a = attachments_.find(*it);
        if (a == attachments_.end() || a->second.status == "detaching") {
          if (a != attachments_.end()) attachments_.erase(a);
          it = v.attachment_ids.erase(it);
        } else {
          ++it;
        }
      }
    }
    if (v.status == "deleted") gone.push_back(id);
  }
  for (const auto& id : gone) remove_volume(id);
  for (auto& [id, s] : snapshots_) settle(s.status, s.pending, s.updated_at);
  for (auto& [id, b] : backups_) settle(b.status, b.pending, b.updated_at);
}

// --- volume types ---

const volume_type_record& volume_store::default_type() const { return types_.at(default_type_id_); }

const volume_type_record* volume_store::find_type(const auth_context& ctx, std::string_view id_or_name) const {
  const volume_type_record* found = nullptr;
  if (auto it = types_.find(id_or_name); it != types_.end()) found = &it->second;
  for (const auto& [id, t] : types_) {
    if (!found && t.name == id_or_name) found = &t;
  }
  if (!found || found->is_public || ctx.is_admin || found->access.count(ctx.project_id)) return found;
  return nullptr;
}

volume_type_record* volume_store::type_mutable(std::string_view id) { return find_in(types_, id); }

std::vector<const volume_type_record*> volume_store::types(const auth_context& ctx) const {
  std::vector<const volume_type_record*> out;
  for (const auto& [id, t] : types_) {
    if (t.is_public || ctx.is_admin || t.access.count(ctx.project_id)) out.push_back(&t);
  }
  return out;
}

outcome<const volume_type_record*> volume_store::create_type(volume_type_record type) {
  for (const auto& [id, t] : types_) {
    if (t.name == type.name) return conflict("Volume Type " + type.name + " already exists.");
  }
  type.id = new_uuid();
  type.created_at = clock_();
  auto id = type.id;
  return &types_.emplace(id, std::move(type)).first->second;
}

std::optional<api_error> volume_store::delete_type(std::string_view id) {
  auto it = types_.find(id);
  if (it == types_.end()) return not_found("Volume type " + std::string{id} + " could not be found.");
  if (it->first == default_type_id_) {
    return bad_request("Target volume type is still in use. Default volume type can not be deleted.");
  }
  for (const auto& [vid, v] : volumes_) {
    if (v.type_id == id) return bad_request("Target volume type is still in use. Volume Type " + std::string{id} + " deletion is not allowed with volumes present with the type.");
  }
  types_.erase(it);
  return std::nullopt;
}

// --- volumes ---

std::int64_t volume_store::allocated_capacity_gb() const {
  std::int64_t used = 0;
  for (const auto& [id, v] : volumes_) {
    if (v.scheduled) used += v.size;
  }
  return used;
}

std::int64_t volume_store::free_capacity_gb() const { return options_.capacity_gb - allocated_capacity_gb(); }

volume_record& volume_store::add_volume(volume_record v) {
  auto now = clock_();
  v.created_at = now;
  v.availability_zone = zone_;
  v.sequence = next_sequence_++;
  // Like Cinder's CapacityFilter: no room on the pool is "No valid backend", the volume ends in error.
  v.scheduled = free_capacity_gb() >= v.size;
  v.status = "creating";
  v.pending = pending_status{v.scheduled ? "available" : "error",
                             now + std::chrono::duration_cast<time_point::duration>(options_.create_delay)};
  auto id = v.id;
  return volumes_.insert_or_assign(id, std::move(v)).first->second;
}

const volume_record* volume_store::find_volume(const auth_context& ctx, std::string_view id) const {
  auto it = volumes_.find(id);
  if (it == volumes_.end() || (!ctx.is_admin && it->second.project_id != ctx.project_id)) return nullptr;
  return &it->second;
}

volume_record* volume_store::volume_mutable(const auth_context& ctx, std::string_view id) {
  return const_cast<volume_record*>(find_volume(ctx, id));
}

volume_record* volume_store::volume_by_id(std::string_view id) { return find_in(volumes_, id); }

std::vector<const volume_record*> volume_store::volumes() const {
  std::vector<const volume_record*> out;
  for (const auto& [id, v] : volumes_) out.push_back(&v);
  return out;
}

void volume_store::remove_volume(std::string_view id) {
  auto it = volumes_.find(id);
  if (it == volumes_.end()) return;
  for (const auto& a : it->second.attachment_ids) attachments_.erase(a);
  volumes_.erase(it);
}

void volume_store::begin_delete(volume_record& v) { set_status_for_a_while(v, "deleting", "deleted"); }

void volume_store::set_status_for_a_while(volume_record& v, std::string now_status, std::string to) {
  auto now = clock_();
  v.status = std::move(now_status);
  v.updated_at = now;
  v.pending = pending_status{std::move(to), now + std::chrono::duration_cast<time_point::duration>(options_.create_delay)};
}

bool volume_store::grow(volume_record& v, std::int64_t new_size) {
  if (v.scheduled && free_capacity_gb() < new_size - v.size) return false;
  v.size = new_size;
  return true;
}

// --- attachments ---

volume_attachment_record& volume_store::add_attachment(volume_record& v, volume_attachment_record a) {
  a.id = new_uuid();
  a.volume_id = v.id;
  a.project_id = v.project_id;
  v.attachment_ids.push_back(a.id);
  // Cinder's attachment_create reserves the volume until the attach completes.
  if (v.status == "available") v.status = "reserved";
  v.updated_at = clock_();
  auto id = a.id;
  return attachments_.insert_or_assign(id, std::move(a)).first->second;
}

void volume_store::complete_attachment(volume_attachment_record& a) {
  a.status = "attached";
  a.attached_at = clock_();
  if (auto* v = volume_by_id(a.volume_id)) {
    v->status = "in-use";
    v->updated_at = clock_();
  }
}

void volume_store::remove_attachment(std::string_view id) {
  auto it = attachments_.find(id);
  if (it == attachments_.end()) return;
  if (auto* v = volume_by_id(it->second.volume_id)) {
    std::erase(v->attachment_ids, it->second.id);
    if (v->attachment_ids.empty() && (v->status == "in-use" || v->status == "reserved" ||
                                      v->status == "attaching" || v->status == "detaching")) {
      v->status = "available";
    }
    v->updated_at = clock_();
  }
  attachments_.erase(it);
}

void volume_store::begin_detach(volume_attachment_record& a) {
  a.status = "detaching";
  auto* v = volume_by_id(a.volume_id);
  if (!v) return;
  bool others = std::any_of(v->attachment_ids.begin(), v->attachment_ids.end(), [&](const std::string& id) {
    auto it = attachments_.find(id);
    return it != attachments_.end() && it->second.status == "attached";
  });
  set_status_for_a_while(*v, "detaching", others ? "in-use" : "available");
}

std::optional<api_error> volume_store::reservation_refusal(const volume_record& v, const std::string& server_id) const {
  if (v.status.find("error") != std::string::npos) {
    return bad_request("Invalid volume: Volume attachments can not be created if the volume is in an error state. "
                       "The Volume " + v.id + " currently has a status of: " + v.status + " ");
  }
  bool fits = v.status == "available" || v.status == "downloading" || (v.multiattach && v.status == "in-use");
  if (fits) return std::nullopt;
  // The same instance may reserve again (Nova retries).
  if (!server_id.empty() && (v.status == "in-use" || v.status == "reserved")) {
    for (const auto* a : attachments_of(v)) {
      if (a->server_id == server_id) return std::nullopt;
    }
  }
  auto statuses = v.multiattach ? std::string{"available or in-use or downloading"} : std::string{"available or downloading"};
  return bad_request("Invalid volume: Volume " + v.id + " status must be " + statuses +
                     " to reserve, but the current status is " + v.status + ".");
}

volume_attachment_record* volume_store::attachment(std::string_view id) { return find_in(attachments_, id); }

const volume_attachment_record* volume_store::find_attachment(const auth_context& ctx, std::string_view id) const {
  auto it = attachments_.find(id);
  if (it == attachments_.end() || (!ctx.is_admin && it->second.project_id != ctx.project_id)) return nullptr;
  return &it->second;
}

std::vector<const volume_attachment_record*> volume_store::attachments() const {
  std::vector<const volume_attachment_record*> out;
  for (const auto& [id, a] : attachments_) out.push_back(&a);
  return out;
}

std::vector<const volume_attachment_record*> volume_store::attachments_of(const volume_record& v) const {
  std::vector<const volume_attachment_record*> out;
  for (const auto& id : v.attachment_ids) {
    if (auto it = attachments_.find(id); it != attachments_.end()) out.push_back(&it->second);
  }
  return out;
}

std::vector<const volume_attachment_record*> volume_store::attachments_of_server(std::string_view server_id) const {
  std::vector<const volume_attachment_record*> out;
  for (const auto& [id, a] : attachments_) {
    if (a.server_id == server_id) out.push_back(&a);
  }
  std::stable_sort(out.begin(), out.end(), [](auto* x, auto* y) {
    if ((x->boot_index == 0) != (y->boot_index == 0)) return x->boot_index == 0;
    return x->device < y->device;
  });
  return out;
}

volume_attachment_record* volume_store::attachment_between(std::string_view volume_id, std::string_view server_id) {
  for (auto& [id, a] : attachments_) {
    if (a.volume_id == volume_id && a.server_id == server_id && a.status != "detached") return &a;
  }
  return nullptr;
}

// --- snapshots ---

snapshot_record& volume_store::add_snapshot(snapshot_record s) {
  auto now = clock_();
  s.created_at = now;
  s.sequence = next_sequence_++;
  s.status = "creating";
  s.pending = pending_status{"available", now + std::chrono::duration_cast<time_point::duration>(options_.create_delay)};
  auto id = s.id;
  return snapshots_.insert_or_assign(id, std::move(s)).first->second;
}

const snapshot_record* volume_store::find_snapshot(const auth_context& ctx, std::string_view id) const {
  auto it = snapshots_.find(id);
  if (it == snapshots_.end() || (!ctx.is_admin && it->second.project_id != ctx.project_id)) return nullptr;
  return &it->second;
}

snapshot_record* volume_store::snapshot_mutable(const auth_context& ctx, std::string_view id) {
  return const_cast<snapshot_record*>(find_snapshot(ctx, id));
}

std::vector<const snapshot_record*> volume_store::snapshots() const {
  std::vector<const snapshot_record*> out;
  for (const auto& [id, s] : snapshots_) out.push_back(&s);
  return out;
}

bool volume_store::has_snapshots(std::string_view volume_id) const {
  return std::any_of(snapshots_.begin(), snapshots_.end(), [&](const auto& entry) { return entry.second.volume_id == volume_id; });
}

void volume_store::remove_snapshot(std::string_view id) {
  if (auto it = snapshots_.find(id); it != snapshots_.end()) snapshots_.erase(it);
}

// --- backups ---

backup_record& volume_store::add_backup(backup_record b) {
  auto now = clock_();
  b.created_at = now;
  b.data_timestamp = now;
  b.sequence = next_sequence_++;
  b.status = "creating";
  b.pending = pending_status{"available", now + std::chrono::duration_cast<time_point::duration>(options_.create_delay)};
  auto id = b.id;
  return backups_.insert_or_assign(id, std::move(b)).first->second;
}

const backup_record* volume_store::find_backup(const auth_context& ctx, std::string_view id) const {
  auto it = backups_.find(id);
  if (it == backups_.end() || (!ctx.is_admin && it->second.project_id != ctx.project_id)) return nullptr;
  return &it->second;
}

backup_record* volume_store::backup_mutable(const auth_context& ctx, std::string_view id) {
  return const_cast<backup_record*>(find_backup(ctx, id));
}

std::vector<const backup_record*> volume_store::backups() const {
  std::vector<const backup_record*> out;
  for (const auto& [id, b] : backups_) out.push_back(&b);
  return out;
}

void volume_store::remove_backup(std::string_view id) {
  if (auto it = backups_.find(id); it != backups_.end()) backups_.erase(it);
}

void volume_store::move_snapshots(std::string_view volume_id, const std::string& project) {
  for (auto& [id, s] : snapshots_)
    if (s.volume_id == volume_id) s.project_id = project;
}

// --- transfers ---

transfer_record& volume_store::add_transfer(transfer_record t) {
  t.created_at = clock_();
  t.sequence = next_sequence_++;
  auto id = t.id;
  return transfers_.insert_or_assign(id, std::move(t)).first->second;
}

transfer_record* volume_store::transfer(std::string_view id) {
  auto it = transfers_.find(id);
  return it == transfers_.end() ? nullptr : &it->second;
}

std::vector<const transfer_record*> volume_store::transfers() const {
  std::vector<const transfer_record*> out;
  for (const auto& [id, t] : transfers_) out.push_back(&t);
  return out;
}

void volume_store::remove_transfer(std::string_view id) {
  if (auto it = transfers_.find(id); it != transfers_.end()) transfers_.erase(it);
}

// --- quotas ---

const std::vector<std::string>& volume_store::quota_resources() {
  static const std::vector<std::string> names{"volumes", "snapshots", "gigabytes", "backups",
                                              "backup_gigabytes", "groups", "per_volume_gigabytes"};
  return names;
}

std::int64_t volume_store::quota_limit(const std::string& project, const std::string& resource) const {
  if (auto p = quotas_.find(project); p != quotas_.end()) {
    if (auto r = p->second.find(resource); r != p->second.end()) return r->second;
  }
  return default_quota(resource);
}

std::int64_t volume_store::default_quota(const std::string& resource) {
  auto d = default_quotas().find(resource);
  return d == default_quotas().end() ? -1 : d->second;
}

void volume_store::set_quota(const std::string& project, const std::string& resource, std::int64_t value) {
  quotas_[project][resource] = value;
}

void volume_store::reset_quotas(const std::string& project) { quotas_.erase(project); }

std::int64_t volume_store::quota_in_use(const std::string& project, const std::string& resource) const {
  std::int64_t n = 0;
  if (resource == "volumes" || resource == "gigabytes") {
    for (const auto& [id, v] : volumes_) {
      if (v.project_id == project) n += resource == "volumes" ? 1 : v.size;
    }
  }
  if (resource == "snapshots" || resource == "gigabytes") {
    // Snapshots count against gigabytes too (Cinder's no_snapshot_gb_quota defaults to false).
    for (const auto& [id, s] : snapshots_) {
      if (s.project_id == project) n += resource == "snapshots" ? 1 : s.size;
    }
  }
  if (resource == "backups" || resource == "backup_gigabytes") {
    for (const auto& [id, b] : backups_) {
      if (b.project_id == project) n += resource == "backups" ? 1 : b.size;
    }
  }
  return n;
}

std::optional<api_error> volume_store::check_volume_quota(const std::string& project, std::int64_t volumes,
                                                          std::int64_t gigabytes) const {
  auto per_volume = quota_limit(project, "per_volume_gigabytes");
  if (volumes > 0 && per_volume >= 0 && gigabytes / volumes > per_volume) {
    return over_limit("VolumeSizeExceedsLimit: Requested volume size " + std::to_string(gigabytes / volumes) +
                            "G is larger than maximum allowed limit " + std::to_string(per_volume) + "G.");
  }
  auto gb_limit = quota_limit(project, "gigabytes");
  auto gb_used = quota_in_use(project, "gigabytes");
  if (gb_limit >= 0 && gb_used + gigabytes > gb_limit) {
    return over_limit("VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. "
                          "Requested " + std::to_string(gigabytes) + "G, quota is " + std::to_string(gb_limit) +
                            "G and " + std::to_string(gb_used) + "G has been consumed.");
  }
  auto count_limit = quota_limit(project, "volumes");
  if (volumes > 0 && count_limit >= 0 && quota_in_use(project, "volumes") + volumes > count_limit) {
    return over_limit("VolumeLimitExceeded: Maximum number of volumes allowed (" + std::to_string(count_limit) +
                            ") exceeded for quota 'volumes'.");
  }
  return std::nullopt;
}

std::optional<api_error> volume_store::check_snapshot_quota(const std::string& project, std::int64_t gigabytes) const {
  auto limit = quota_limit(project, "snapshots");
  if (limit >= 0 && quota_in_use(project, "snapshots") + 1 > limit) {
    return over_limit("SnapshotLimitExceeded: Maximum number of snapshots allowed (" + std::to_string(limit) + ") exceeded");
  }
  return check_volume_quota(project, 0, gigabytes);
}

std::optional<api_error> volume_store::check_backup_quota(const std::string& project, std::int64_t gigabytes) const {
  auto limit = quota_limit(project, "backups");
  if (limit >= 0 && quota_in_use(project, "backups") + 1 > limit) {
    return over_limit("BackupLimitExceeded: Maximum number of backups allowed (" + std::to_string(limit) + ") exceeded");
  }
  auto gb_limit = quota_limit(project, "backup_gigabytes");
  auto used = quota_in_use(project, "backup_gigabytes");
  if (gb_limit >= 0 && used + gigabytes > gb_limit) {
    return over_limit("VolumeBackupSizeExceedsAvailableQuota: Requested backup exceeds allowed Backup gigabytes quota. "
                          "Requested " + std::to_string(gigabytes) + "G, quota is " + std::to_string(gb_limit) +
                            "G and " + std::to_string(used) + "G has been consumed.");
  }
  return std::nullopt;
}

} // namespace fedstack::sim
