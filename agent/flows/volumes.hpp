#pragma once
// Block Storage across cloudlets (docs/federation.md, "Volumes"; decisions in
// rules/volume_rule.hpp): where a volume or volume snapshot create goes, and the
// attachments a server's cloud cannot make. Reads, updates, actions, deletes and
// lists of volumes are the generic flows' (resource_proxy.cpp, list_flow.cpp).

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// The cloudlets a volume or snapshot create tries, in order, or why it goes nowhere.
struct volume_placement {
  std::vector<cloudlet_endpoints> cloudlets;
  std::optional<std::string> refusal;   // 400
};

/// A snapshot, or a volume made from a snapshot or another volume, goes to its
/// source's cloudlet; any other volume where the scheduler puts it (its disk
/// weigher with the volume's size), a pinned `availability_zone` winning. The
/// zone is taken out of `doc` (inside the chosen cloud its own default applies).
/// Cloudlets without Block Storage are not candidates.
http::awaitable<volume_placement> place_volume_create(request& r, storage::resource_kind kind, nlohmann::json& doc);

/// The cloudlet of the primary of a global ID the caller may use; nullopt for
/// any other ID (it reaches a cloud untranslated, whose answer is the client's).
http::awaitable<std::optional<cloudlet_endpoints>> home_of_source(request& r, const std::string& id);

/// For a volume attachment made or swapped on `server_cloudlet` (`POST` or `PUT
/// /servers/{id}/os-volume_attachments`): true when the client was answered 409
/// because the volume lives on another cloudlet.
http::awaitable<bool> refuse_cross_cloudlet_attachment(request& r, const cloudlet_endpoints& server_cloudlet,
                                                       const std::string& body);

} // namespace fedstack::agent
