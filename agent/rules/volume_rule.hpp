#pragma once
// Block Storage v3 across cloudlets (docs/federation.md, "Volumes"): where a volume or a
// volume snapshot is made, where a boot that uses volumes goes, and which attachments
// one cloudlet cannot make. A Cinder volume lives on one cloud's backend and Nova
// attaches only its own cloud's volumes, so everything a volume is made from or
// attached to must be on the volume's cloudlet.

#include <optional>
#include <string>
#include <vector>

#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include "api/route.hpp"

#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// What a volume or snapshot create names that decides its cloudlet.
struct volume_create_needs {
  /// `availability_zone` of a volume create (a cloudlet's name here).
  std::string pinned_zone;
  /// The resource it is made from, which fixes its cloudlet: a snapshot's volume
  /// (`volume_id`), a volume's `snapshot_id` or `source_volid`. Empty when none.
  std::string source_id;
  storage::resource_kind source_kind = storage::resource_kind::volume;
  /// The size asked for (GiB), for the scheduler's disk weigher.
  std::int64_t size_gb = 0;
  /// `imageRef` of a volume made from an image (copied to the cloudlet first).
  std::string image_id;
};

/// Reads `body` (`{"volume": ...}`, `{"snapshot": ...}` or `{"backup": ...}`) for `kind`.
volume_create_needs read_volume_create(storage::resource_kind kind, const nlohmann::json& body);

/// Where a create tied to `source_cloudlet` goes: there, unless a pinned zone names
/// another cloudlet (then why it is refused, for a 400).
struct source_placement {
  std::string cloudlet;
  std::optional<std::string> refusal;
};
source_placement place_at_source(const volume_create_needs& needs, const std::string& source_cloudlet);

/// A boot's block devices that are the federation's volumes or snapshots
/// (`block_device_mapping_v2` items with `source_type` volume or snapshot and a `uuid`;
/// legacy `block_device_mapping` items' `volume_id` and `snapshot_id`).
std::vector<std::string> boot_volume_ids(const nlohmann::json& server);

/// The image of a `--boot-from-volume` boot: the `uuid` of an item with `source_type`
/// image (Nova makes the volume from it on the server's cloud); empty when none.
std::string boot_volume_image(const nlohmann::json& server);

/// Where a boot whose volumes live on `volume_cloudlets` goes: the one cloudlet they
/// share, unless the boot is pinned elsewhere or they are on several (why, for a 400).
source_placement place_boot_with_volumes(const std::string& pinned_zone,
                                         const std::vector<std::string>& volume_cloudlets);

/// `POST /servers/{id}/os-volume_attachments` (attach) or `PUT .../{volume}` (swap).
bool is_volume_attachment_change(const api::route& route, boost::beast::http::verb method);

/// Why a volume on `volume_cloudlet` cannot be attached to a server on
/// `server_cloudlet` (409 conflictingRequest); nullopt when they are the same.
std::optional<std::string> cross_cloudlet_attachment(const std::string& volume_id, const std::string& volume_cloudlet,
                                                     const std::string& server_id,
                                                     const std::string& server_cloudlet);

} // namespace fedstack::agent
