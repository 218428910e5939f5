#pragma once
// The reconciler's rule as pure functions (docs/faults.md, "The reconciler's
// rule"): the federation deletes a cloud resource only when its marker proves
// that it came from a create attempt THIS agent made and recorded as
// abandoned, that it was never bound, and that the record has expired. Every
// other marked resource that no registry explains is only listed.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/global_id.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// An image Nova made from a server (snapshot, backup, shelve): Nova copies the
/// base image's properties, markers included, into it. It is the tenant's, never ours.
bool is_derived_image(const nlohmann::json& image);

/// The project that owns an item as its cloud shows it (Glance's owner,
/// Neutron's project_id or tenant_id, Nova's tenant_id); empty if none.
std::string owner_project(const nlohmann::json& item);

/// A marked resource found on the abandoned attempt's cloudlet.
struct marked_item {
  std::string local_id;
  api::marker marker;
  std::string project_id;
  bool derived_image = false;
};

/// The item as reclaim decisions need it; nullopt without a marker or an id.
std::optional<marked_item> to_marked_item(api::service_type service, const nlohmann::json& item);

enum class reclaim_action {
  keep,         // decide later: the record stays
  delete_one,   // delete `local_id`, then forget the record
  forget,       // nothing of this attempt may be deleted: forget the record
};

struct reclaim_decision {
  reclaim_action action = reclaim_action::keep;
  std::string local_id;
  std::string reason;
};

/// What the owner does about one abandoned attempt. `found`: the marked items
/// of the record's global ID on the record's cloudlet, nullopt when that
/// cloudlet could not be asked; `entry`: the global ID's registry entry now.
/// Deletes at most one resource: the single item whose token, global ID and
/// project match the record, that is a primary, not a derived image, and not
/// the copy the entry is bound to; and only once the record is older than
/// `min_age_ms`. When nothing of the attempt is there, the record is kept
/// until it is `forget_after_ms` old: a cloud that held the create may still
/// make it.
reclaim_decision decide_reclaim(const storage::abandoned_attempt& record,
                                const std::optional<std::vector<marked_item>>& found,
                                const std::optional<storage::registry_entry>& entry,
                                std::int64_t now_unix_ms, std::int64_t min_age_ms, std::int64_t forget_after_ms);

/// True when `entry` accounts for the resource `local_id` on `cloudlet`: a
/// reservation (its create may still bind it) or a bound entry that lists it.
bool entry_explains(const std::optional<storage::registry_entry>& entry, const std::string& cloudlet,
                    const std::string& local_id);

/// True when a marked volume (or volume snapshot, which Cinder moves with its volume
/// unless the transfer is `no_snapshots`) that `project` (its project on the cloud) has
/// no entry for is a volume transfer's: `any`, its global ID's entry whatever its
/// project, is another project's and lists this very item. Its entry should follow it
/// to `project` (registry give), not be reported as an orphan.
bool is_transferred_volume(storage::resource_kind kind, const std::optional<storage::registry_entry>& any,
                           const std::string& cloudlet, const std::string& local_id, const std::string& project);

} // namespace fedstack::agent
