#pragma once
// Cinder's state for one cloudlet: volume types, volumes, snapshots,
// attachments, backups, quotas and the one storage pool volumes are carved
// from. Nova's boot from volume and os-volume_attachments use it directly (a
// cloudlet's Nova and Cinder share the process). A transition that real Cinder
// finishes in the background (creating -> available, extending -> available)
// (and deleting -> gone, detaching -> available) is stored with the time it
// completes and applied by settle(), so no timers run. Not thread-safe: the cloudlet's mutex guards it.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/api_error.hpp"
#include "sim/identity.hpp"
#include "sim/image_store.hpp"
#include "sim/util.hpp"

namespace fedstack::sim {

struct volume_options {
  std::chrono::milliseconds create_delay{1000};   // creating -> available (and the other background steps)
  std::int64_t capacity_gb = 1000;                // the pool's size; a volume beyond it ends in "error"
};

/// A status that becomes `to` at `at` (Cinder's volume service finishing in the background).
struct pending_status {
  std::string to;
  time_point at;
};

struct volume_type_record {
  std::string id, name;
  std::optional<std::string> description;
  bool is_public = true;
  json extra_specs = json::object();
  std::set<std::string> access;   // projects allowed to use a private type
  time_point created_at;
};

struct volume_attachment_record {
  std::string id, volume_id, server_id, project_id;
  std::string status = "reserved";   // reserved -> attached -> detaching (Cinder's attach_status)
  std::string mode = "rw";
  std::string device, host_name;
  json connector;                    // null until a connector is given
  std::optional<time_point> attached_at, detached_at;
  // Nova's block device mapping, for attachments Nova made (nova_volumes.cpp).
  std::string bdm_uuid;
  std::optional<int> boot_index;     // 0: the server's root disk
  std::optional<std::string> tag;
  bool delete_on_termination = false;
};

struct volume_record {
  std::string id, project_id, user_id, availability_zone, type_id;
  std::optional<std::string> name, description, snapshot_id, source_volid, backup_id;
  std::int64_t size = 1;
  std::string status = "creating";
  std::optional<pending_status> pending;
  std::optional<std::string> migration_status;
  json metadata = json::object();
  json image_metadata;               // null, or volume_image_metadata for a volume made from an image
  bool bootable = false, multiattach = false;
  bool scheduled = false;            // holds pool capacity; host and service set
  time_point created_at;
  std::optional<time_point> updated_at;
  std::uint64_t sequence = 0;
  std::vector<std::string> attachment_ids;   // in creation order
};

struct snapshot_record {
  std::string id, volume_id, project_id, user_id;
  std::optional<std::string> name, description;
  std::int64_t size = 1;
  std::string status = "creating";
  std::optional<pending_status> pending;
  json metadata = json::object();
  time_point created_at;
  std::optional<time_point> updated_at;
  std::uint64_t sequence = 0;
};

/// A volume offered to another project (Cinder's transfers table): the key is shown once, at create.
struct transfer_record {
  std::string id, volume_id, auth_key, source_project_id;
  std::optional<std::string> name;
  bool no_snapshots = false;
  time_point created_at;
  std::uint64_t sequence = 0;
};

struct backup_record {
  std::string id, volume_id, project_id, user_id, container;
  std::optional<std::string> name, description, snapshot_id;
  std::int64_t size = 1, object_count = 0;
  std::string status = "creating";
  std::optional<pending_status> pending;
  bool incremental = false;
  json metadata = json::object();
  time_point created_at;
  std::optional<time_point> updated_at, data_timestamp;
  std::uint64_t sequence = 0;
};

/// A project's usage of one quota resource.
struct quota_usage {
  std::int64_t in_use = 0, limit = -1;
};

/// What Cinder copies from the image a volume is made from (volume_image_metadata), as strings.
json volume_image_metadata(const image_record& image);

class volume_store {
public:
  volume_store(std::string region, volume_options options, clock_fn clock);

  const std::string& zone() const { return zone_; }
  /// The pool's host as Cinder names it: "<host>@<backend>#<pool>".
  std::string host() const { return zone_ + "@sim#sim"; }
  const std::string& service_uuid() const { return service_uuid_; }
  time_point now() const { return clock_(); }
  const volume_options& options() const { return options_; }
  /// Applies every pending status whose time has come. Call before reading.
  void settle();

  // Volume types
  const volume_type_record& default_type() const;
  /// By ID or name, public or accessible to the caller (admins see all).
  const volume_type_record* find_type(const auth_context& ctx, std::string_view id_or_name) const;
  volume_type_record* type_mutable(std::string_view id);
  std::vector<const volume_type_record*> types(const auth_context& ctx) const;
  outcome<const volume_type_record*> create_type(volume_type_record type);
  std::optional<api_error> delete_type(std::string_view id);

  // Volumes
  /// Takes a new volume in "creating": schedules it on the pool (capacity
  /// permitting) and sets it to become available, or error, after the delay.
  volume_record& add_volume(volume_record v);
  /// The volume when the caller's project owns it (admins see all).
  const volume_record* find_volume(const auth_context& ctx, std::string_view id) const;
  volume_record* volume_mutable(const auth_context& ctx, std::string_view id);
  volume_record* volume_by_id(std::string_view id);
  std::vector<const volume_record*> volumes() const;
  void remove_volume(std::string_view id);
  /// Cinder's delete: "deleting" for the delay, then gone (settle() removes it).
  void begin_delete(volume_record& v);
  /// Sets a status that becomes `to` after the delay (extending -> available).
  void set_status_for_a_while(volume_record& v, std::string now_status, std::string to);
  /// Grows a volume (os-extend), taking pool capacity; false when the pool is full.
  bool grow(volume_record& v, std::int64_t new_size);
  std::int64_t free_capacity_gb() const;
  std::int64_t allocated_capacity_gb() const;

  // Attachments (Cinder's volume_attachment table; Nova's attaches land here too)
  /// Why Cinder's _attachment_reserve would refuse attaching `v` to `server_id`; nullopt when allowed.
  std::optional<api_error> reservation_refusal(const volume_record& v, const std::string& server_id) const;
  volume_attachment_record& add_attachment(volume_record& v, volume_attachment_record a);
  /// Marks the attachment attached and the volume in-use.
  void complete_attachment(volume_attachment_record& a);
  /// Forgets the attachment; the volume goes back to available when none is left.
  void remove_attachment(std::string_view id);
  /// Nova's detach: the volume is "detaching" and still lists the attachment for the
  /// delay; then the attachment is gone and the volume available (in-use if others remain).
  void begin_detach(volume_attachment_record& a);
  volume_attachment_record* attachment(std::string_view id);
  /// The caller's (admins: any) attachment.
  const volume_attachment_record* find_attachment(const auth_context& ctx, std::string_view id) const;
  std::vector<const volume_attachment_record*> attachments() const;
  std::vector<const volume_attachment_record*> attachments_of(const volume_record& v) const;
  /// The attachments of one server, root disk first, then in attach order.
  std::vector<const volume_attachment_record*> attachments_of_server(std::string_view server_id) const;
  /// The attached (or reserved) attachment joining `volume_id` and `server_id`, if any.
  volume_attachment_record* attachment_between(std::string_view volume_id, std::string_view server_id);

  // Snapshots
  snapshot_record& add_snapshot(snapshot_record s);
  const snapshot_record* find_snapshot(const auth_context& ctx, std::string_view id) const;
  snapshot_record* snapshot_mutable(const auth_context& ctx, std::string_view id);
  std::vector<const snapshot_record*> snapshots() const;
  bool has_snapshots(std::string_view volume_id) const;
  /// A transfer's accept: the volume's snapshots go to `project` with it.
  void move_snapshots(std::string_view volume_id, const std::string& project);
  void remove_snapshot(std::string_view id);

  // Backups
  backup_record& add_backup(backup_record b);
  const backup_record* find_backup(const auth_context& ctx, std::string_view id) const;
  backup_record* backup_mutable(const auth_context& ctx, std::string_view id);
  std::vector<const backup_record*> backups() const;
  void remove_backup(std::string_view id);

  // Transfers (the volume is "awaiting-transfer" while one is open)
  transfer_record& add_transfer(transfer_record t);
  transfer_record* transfer(std::string_view id);
  std::vector<const transfer_record*> transfers() const;
  void remove_transfer(std::string_view id);

  // Quotas (Cinder's defaults; an admin may set a project's)
  /// Resource names in the order Cinder shows them.
  static const std::vector<std::string>& quota_resources();
  /// Cinder's default for `resource`; per-type quotas ("volumes___DEFAULT__") are unlimited.
  static std::int64_t default_quota(const std::string& resource);
  std::int64_t quota_limit(const std::string& project, const std::string& resource) const;
  void set_quota(const std::string& project, const std::string& resource, std::int64_t value);
  void reset_quotas(const std::string& project);
  std::int64_t quota_in_use(const std::string& project, const std::string& resource) const;
  /// Refuses, with Cinder's 413, adding `volumes` volumes of `gigabytes` GB in total.
  std::optional<api_error> check_volume_quota(const std::string& project, std::int64_t volumes,
                                              std::int64_t gigabytes) const;
  std::optional<api_error> check_snapshot_quota(const std::string& project, std::int64_t gigabytes) const;
  std::optional<api_error> check_backup_quota(const std::string& project, std::int64_t gigabytes) const;

  std::uint64_t next_sequence() { return next_sequence_++; }

private:
  void settle(std::string& status, std::optional<pending_status>& pending, std::optional<time_point>& updated);

  std::string zone_;
  volume_options options_;
  clock_fn clock_;
  std::string service_uuid_;
  std::string default_type_id_;
  std::map<std::string, volume_type_record, std::less<>> types_;
  std::map<std::string, volume_record, std::less<>> volumes_;
  std::map<std::string, volume_attachment_record, std::less<>> attachments_;
  std::map<std::string, snapshot_record, std::less<>> snapshots_;
  std::map<std::string, backup_record, std::less<>> backups_;
  std::map<std::string, transfer_record, std::less<>> transfers_;
  std::map<std::string, std::map<std::string, std::int64_t>> quotas_;   // project -> resource -> set value
  std::uint64_t next_sequence_ = 0;
};

} // namespace fedstack::sim
