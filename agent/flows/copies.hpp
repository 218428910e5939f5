#pragma once
// Making what a boot needs exist on the cloudlet the scheduler chose: the
// image (bytes streamed from its primary copy's Glance, bounded memory), the
// network with its subnets, and the flavor (matched by name and shape). Each
// image or network copy carries a "copy-of" marker and is added to the
// resource's entry at its owner.

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// Raised when a dependency cannot be copied to the chosen cloudlet; the
/// create then tries the next candidate.
struct copy_failed : std::runtime_error {
  explicit copy_failed(const std::string& what, unsigned status = 503)
    : std::runtime_error(what), status(status) {}
  /// What the client is answered when no candidate is left.
  unsigned status;
};

/// The entry of `global_id` with a copy on `to`, copying the image there if needed,
/// from `source` when given (an image made on its cloud directly, which its
/// entry never lists: direct_images.hpp), else from the entry's primary.
http::awaitable<storage::registry_entry> ensure_image_on(request& r, const storage::registry_entry& given,
                                                         const cloudlet_endpoints& to,
                                                         const storage::cloud_copy* source = nullptr);
/// A network made on its cloud directly, which its entry never lists
/// (direct_networks.hpp): where it is, and the entry of the copies of each of
/// its subnets, which carry no marker either.
struct direct_network_source {
  storage::cloud_copy network;
  std::function<http::awaitable<storage::registry_entry>(const nlohmann::json& subnet)> subnet_entry;
};

/// Same for a network, and every subnet of it; from `source` when given.
http::awaitable<storage::registry_entry> ensure_network_on(request& r, const storage::registry_entry& given,
                                                           const cloudlet_endpoints& to,
                                                           const direct_network_source* source = nullptr);
/// Makes a Neutron resource (`fields` of a `kind` item) on `to` with `headers`,
/// marked as a copy of `global_id` (or, `is_copy` false, as its primary): its
/// create carries a pending description, so that a create answered 5xx or not
/// at all is found by its token; not found, the attempt is recorded as
/// abandoned (its owner deletes what it makes later) and copy_failed is thrown.
/// Returns the made resource's ID.
http::awaitable<std::string> make_neutron_copy(request& r, const cloudlet_endpoints& to, storage::resource_kind kind,
                                               const std::string& global_id, nlohmann::json fields,
                                               const bhttp::fields& headers, const std::string& project,
                                               bool is_copy = true);

/// The ID under which `to` offers `flavor` (as `from_region`, its cloudlet, shows it):
/// the same ID with the same shape, else `to`'s own flavor of the same name and
/// shape, else a copy made there under the same ID and name, with the flavor's
/// description and extra specs. Clouds number their flavors independently
/// (docs/federation.md, "What a boot needs on another cloudlet").
/// `found`: that ID as a look-up there just found it (flavor_like_on): not asked again.
http::awaitable<std::string> ensure_flavor_on(request& r, const nlohmann::json& flavor, const std::string& from_region,
                                              const cloudlet_endpoints& to,
                                              std::optional<std::string> found = std::nullopt);
/// The ID of `on`'s flavor with `flavor`'s ID and shape, else with its name and
/// shape; nullopt when `on` has none (nothing is copied).
http::awaitable<std::optional<std::string>> flavor_like_on(request& r, const nlohmann::json& flavor,
                                                           const cloudlet_endpoints& on);

} // namespace fedstack::agent
