#pragma once
// Cinder's backups across cloudlets (docs/federation.md, "Volumes"; decisions in
// rules/backup_rule.hpp). Creates are the generic create flow's (placed at their
// volume by volumes.hpp), lists the list flow's, shows and deletes resource_proxy's;
// this is the restore, which must stay on the backup's cloudlet and whose new
// volume the federation records.

#include <string>

#include "agent/flows/request.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// `POST /backups/{id}/restore` of `backup`, whose primary is on `c`. True when
/// answered here: 409 for a volume on another cloudlet, or a restore into a new
/// volume, which is recorded under a new global ID (bound, then marked) before the
/// answer names it. False: the call is forwarded as any other.
http::awaitable<bool> handle_backup_restore(request& r, const storage::registry_entry& backup,
                                            const cloudlet_endpoints& c, const std::string& body);

} // namespace fedstack::agent
