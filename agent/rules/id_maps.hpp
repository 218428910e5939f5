#pragma once
// The maps between a cloud's own IDs and the federation's global IDs, built
// from what the flows gathered (flows/federation.cpp asks the registry and the
// aliases; this decides what the answers mean), and the lookup that
// api::rewrite_uuids translates a text with.
//
// Local -> global, strongest first: a marker on the item itself (the cloud
// says what the item is), what the caller already knew, the registry's
// mappings, the aliases this agent learned. Global -> local: what the caller
// knew, then the copy the registry entry lists on the cloudlet (the primary or
// a copy made for a boot, whichever lives there).

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/service.hpp"
#include "api/uuid.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// ID -> ID: local -> global for a cloud's answers, global -> local for calls to it.
using id_map = std::map<std::string, std::string>;

/// Looks an ID up in `map` for api::rewrite_uuids: its value, or nullopt to
/// leave the ID as written. The function refers to `map`, which must outlive it.
api::uuid_map lookup_in(const id_map& map);

/// `map` turned around; where two keys share a value, the first key (in the
/// map's order) wins.
id_map reversed(const id_map& map);

/// A marker found on an item of a cloud's answer.
struct marked_id {
  std::string local_id;
  std::string global_id;
  bool is_copy = false;   // a copy made for a boot: its local ID stands for the same global ID
};

/// The markers of every object in `doc` (at any depth) that has a string
/// "id", in document order, primaries and copies alike; every marker is
/// removed from `doc`, as a client must not see it.
std::vector<marked_id> take_markers(nlohmann::json& doc, api::service_type service);

/// What the owners answered for the global IDs markers name: an entry, or nullopt
/// when there is none; a global ID whose owner could not be asked is absent.
using looked_up_entries = std::map<std::string, std::optional<storage::registry_entry>>;

/// Of `markers` read on `cloudlet`, those that name their own item. Cinder copies a
/// backup's metadata, marker included, into the backup an import makes from its
/// exported record, and a backup's volume metadata into the volume a restore writes
/// (cinder/backup/api.py `_get_import_backup`, the backup manager's `import_record`;
/// cinder/backup/driver.py `_restore_vol_meta`). A marker stands when its global ID's
/// entry is a reservation (its create may still bind the item) or lists this very item
/// on `cloudlet`; with no entry (or a tombstone), or an entry listing another item there or none, it is
/// a copied marker, and the item is shown as an unrecorded one is, by its own ID. A
/// marker whose global ID is not in `entries` (its owner not asked) stands, as before.
std::vector<marked_id> own_markers(const std::vector<marked_id>& markers, const looked_up_entries& entries,
                                   std::string_view cloudlet);

/// Where the global IDs of a cloud's answer come from (see the top of the file).
struct global_id_sources {
  id_map known;                              ///< what the caller knew (local -> global)
  std::vector<marked_id> markers;            ///< take_markers on the answer
  std::vector<storage::id_mapping> registry; ///< the registry's answer for ids_needing_registry
  id_map aliases;                            ///< learned earlier (local -> global)
};

/// Local -> global from every source; where sources disagree, a marker wins
/// over what was known, which wins over the registry, which wins over the aliases.
id_map local_to_global(const global_id_sources& sources);

/// The IDs of `local_ids` the registry must be asked about: not in `known`,
/// and not already global (a marker's, or one a client stored).
std::vector<std::string> ids_needing_registry(const std::vector<std::string>& local_ids,
                                              const id_map& known);

/// The global IDs in `texts` (each once, in order) that are not in `known`
/// (global -> local): the ones to ask the registry about.
std::vector<std::string> global_ids_to_look_up(const std::vector<std::string_view>& texts,
                                               const id_map& known);

/// Global -> local on `cloudlet`: `known`, then for each of `entries` (the
/// registry's, by the ID they were asked for) its copy on `cloudlet` (primary
/// or copy) if it has one. An entry without a copy there adds nothing: the ID
/// stays global in a call to that cloud.
id_map global_to_local(const id_map& known, const std::map<std::string, storage::registry_entry>& entries,
                       std::string_view cloudlet);

} // namespace fedstack::agent
