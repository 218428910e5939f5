#pragma once
// The servers of one boot of several (min_count/max_count above 1). Nova gives
// them all the same metadata and refuses a metadata change while a server is
// building (409 "Cannot 'update metadata' instance ... while it is in vm_state
// building"), so none can get a marker of its own in time. The boot's marker
// therefore carries the reservation's global ID with api::multi_key, and each
// server's global ID is derived from it and the server's cloud ID
// (api::server_global_id), by every agent alike and from the server alone.
// Binding writes one entry per server and erases the reservation last, so a
// crash at any step leaves the reservation for the sweep to finish the same
// way (docs/federation.md, "min_count > 1"; docs/faults.md).

#include <string>
#include <vector>

#include "agent/services/context.hpp"
#include "http/asio.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

struct boot_servers {
  std::vector<storage::registry_entry> bound;
  /// Every server of the boot on the cloudlet was listed and bound, and the
  /// reservation erased; false: only `first`, the reservation stays (reserved,
  /// its attempt set) for the reservation sweep.
  bool complete = false;
};

/// Binds each server on `c` that the attempt `token` of the boot `reservation`
/// made, and `first` (the one Nova answered with) in any case, under its own
/// derived global ID, filed under the project Nova names; then erases the
/// reservation. Idempotent: the same servers get the same entries again.
http::awaitable<boot_servers> bind_boot_servers(agent_context& context, const bhttp::fields& headers,
                                                const cloudlet_endpoints& c,
                                                const storage::registry_entry& reservation, const std::string& token,
                                                const std::string& first, bool all_projects);

} // namespace fedstack::agent
