#pragma once
// A volume made from an image (`volume create --image I`, `imageRef`): Cinder reads
// the image from its own cloud's Glance, so the image is copied to each candidate
// cloudlet before the create is tried there, as a boot's image is (copies.hpp).

#include <optional>

#include <nlohmann/json.hpp>

#include "agent/flows/boot_needs.hpp"
#include "agent/flows/request.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// The entry of a volume create's `imageRef` when it is a global ID the caller may
/// use; nullopt otherwise (a cloud's own ID reaches the cloud as given).
http::awaitable<std::optional<storage::registry_entry>> volume_image_of(request& r, const nlohmann::json& doc);

/// Makes `image` exist on `c` (copied there if it is not) and names that copy as the
/// create's `imageRef` in `doc`; why not, when it cannot be copied.
http::awaitable<std::optional<not_ready>> prepare_volume_image_on(request& r, storage::registry_entry& image,
                                                                  nlohmann::json& doc, const cloudlet_endpoints& c);

} // namespace fedstack::agent
