#pragma once
// Who may see and use a resource named by a global ID (docs/federation.md,
// "Who sees what"): the registry only maps IDs; the cloud that holds the
// resource's primary copy decides, by its own visibility rules, with the
// caller's token. An entry of the caller's own project is used as is; another
// project's entry (a public or shared image, a shared network, a network an
// admin made in another project) only if that cloud shows its primary to the
// caller (GET answers 200); otherwise it is unknown, the same 404 as an ID
// nobody made, so that its existence is not revealed.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/service.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

enum class entry_use {
  own,        // the caller's project's entry: used
  ask_cloud,  // another project's: used only if the owning cloud shows `path` to the caller
  unknown,    // nothing usable: as if the ID did not exist
};

/// What to do with the entry an owner found for a global ID in any project.
struct entry_visibility {
  entry_use use = entry_use::unknown;
  /// For ask_cloud: the cloudlet of the primary and the GET that shows it there.
  std::string cloudlet;
  api::service_type service = api::service_type::none;
  std::string path;
};

/// `entry` as found in any project (nullopt: none). Another project's entry is
/// asked about only when it is bound, has a primary, and is of a kind a cloud
/// shows by ID (not a flavor: those are the clouds', not recorded here).
entry_visibility visibility_of(const std::string& caller_project, const std::optional<storage::registry_entry>& entry);

/// The owning cloud's answer to the caller's GET of the primary: used only on
/// 200; any other answer (404, 403, 5xx, none) leaves it unknown.
bool shown_to_caller(unsigned status);

/// The GET that shows one resource of `kind` by its cloud ID (image, network,
/// subnet, port, server); nullopt for kinds a cloud does not show that way.
std::optional<std::pair<api::service_type, std::string>> show_call(storage::resource_kind kind,
                                                                  const std::string& local_id);

/// How a boot's copy of another project's resource is made on a cloudlet
/// without one, so that the copy is visible there exactly as the primary is
/// on its cloud: by the agent's service user, owned by the entry's project,
/// with the primary's visibility (Glance) or sharing (Neutron). A copy of the
/// caller's own resource is made with the caller's token, as always.
struct copy_maker {
  bool as_service = false;
  /// Added to the copy's create body (Glance: owner, visibility; Neutron:
  /// project_id, shared, router:external).
  nlohmann::json fields = nlohmann::json::object();
  /// A shared image: the caller's project becomes a member of the copy, as it
  /// is of the primary (the owning Glance showed it to the caller).
  std::optional<std::string> member;
};

/// `primary` is the item as the owning cloud showed it (Glance's image,
/// Neutron's network or subnet object).
copy_maker copy_maker_for(storage::resource_kind kind, const std::string& caller_project,
                          const std::string& entry_project, const nlohmann::json& primary);

} // namespace fedstack::agent
