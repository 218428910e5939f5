#pragma once
// Making what a boot needs exist on the cloudlet the scheduler chose: the
// image (bytes streamed from its primary copy's Glance, bounded memory), the
// network with its subnets, and the flavor (same ID). Each copy carries a
// "copy-of" marker and is added to the resource's entry at its owner.

#include <optional>
#include <string>

#include "agent/request.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// Raised when a dependency cannot be copied to the chosen cloudlet; the
/// create then tries the next candidate.
struct copy_failed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The entry of `global_id` with a copy on `to`, copying the image there if needed.
http::awaitable<storage::registry_entry> ensure_image_on(request& r, const storage::registry_entry& given,
                                                         const cloudlet_endpoints& to);
/// Same for a network, and every subnet of it.
http::awaitable<storage::registry_entry> ensure_network_on(request& r, const storage::registry_entry& given,
                                                           const cloudlet_endpoints& to);
/// Creates flavor `flavor_id` on `to` with the same ID and shape when `to` lacks it.
http::awaitable<void> ensure_flavor_on(request& r, const std::string& flavor_id,
                                       const cloudlet_endpoints& to);

} // namespace fedstack::agent
