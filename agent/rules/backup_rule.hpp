#pragma once
// Cinder's volume backups across cloudlets (docs/federation.md, "Volumes"): a backup
// is made on its volume's cloudlet (its backup service reads that backend), carries
// the reconciler's marker in its metadata, and is restored on its own cloudlet.

#include <optional>
#include <string>

#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include "api/microversion.hpp"
#include "api/route.hpp"

namespace fedstack::agent {

/// Cinder takes a backup's `metadata` in a create from 3.43 and shows it from 3.43
/// (cinder/api/v3/backups.py: create_backup_v343 schema; cinder/api/v3/views/backups.py).
inline constexpr api::microversion backup_metadata_version{3, 43};

/// The version a backup create is sent to its cloud at: the client's, raised to 3.43
/// so that the marker can ride in the metadata. The create's answer is Cinder's
/// summary view (`id`, `name`, `links`) at every version, so the client sees no difference.
api::microversion backup_create_version(std::optional<api::microversion> client);

/// `POST /backups/{id}/restore`.
bool is_backup_restore(const api::route& route, boost::beast::http::verb method);

/// The volume a restore body names (`{"restore": {"volume_id": ...}}`); empty for a
/// restore into a new volume or a body Cinder will refuse.
std::string restore_volume(const nlohmann::json& body);

/// Why backup `backup_id` on `backup_cloudlet` cannot be restored into volume
/// `volume_id` on `volume_cloudlet` (409); nullopt when they are the same cloudlet.
std::optional<std::string> cross_cloudlet_restore(const std::string& backup_id, const std::string& backup_cloudlet,
                                                  const std::string& volume_id, const std::string& volume_cloudlet);

/// The new volume a restore made, from Cinder's answer (`{"restore": {"volume_id": ...}}`).
std::string restored_volume(const nlohmann::json& answer);

} // namespace fedstack::agent
