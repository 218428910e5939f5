#pragma once
// What an owner checks on the clouds before it takes another agent's word
// (actors/node.hpp): a copy reported on a cloudlet that agent does not serve
// must exist there with the copy marker of the entry's global ID (a peer
// cannot point later boots at a resource of its choosing), and a record is
// erased for another agent only once its primary is gone from its cloud, and
// given to another project only once its cloud shows it in that project.

#include <functional>
#include <string>

#include "agent/services/context.hpp"
#include "http/asio.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// True when `copy.local_id` on `copy.cloudlet` is a `kind` resource marked as
/// a copy of `global_id`, as the cloud shows it to the agent's service user.
/// False when it is not, or the cloudlet is unknown or does not answer.
http::awaitable<bool> is_marked_copy(agent_context& context, storage::resource_kind kind,
                                     std::string global_id, storage::cloud_copy copy);

/// True when `copy.local_id` on `copy.cloudlet` is a floating IP marked as the
/// primary of `global_id` (not a copy) in `project`, as the service user sees
/// it: what an owner checks before it rebinds the entry of a floating IP
/// another agent moved to that cloudlet. False when it cannot tell.
http::awaitable<bool> is_moved_floating_ip(agent_context& context, std::string global_id, std::string project,
                                           storage::cloud_copy copy);

/// is_moved_floating_ip, then `done` with its answer.
http::awaitable<void> report_moved_floating_ip(agent_context& context, std::string global_id, std::string project,
                                               storage::cloud_copy copy, std::function<void(bool)> done);

/// True when the resource `primary` names is gone from its cloud (404), or,
/// for a server, being deleted: what an owner checks before it honours
/// another agent's erase after a delete through that agent.
http::awaitable<bool> is_gone(agent_context& context, storage::resource_kind kind, storage::cloud_copy primary);

/// True when the volume or volume snapshot `primary` names belongs to `project` on
/// its cloud, as the service user sees it (`os-vol-tenant-attr:tenant_id`,
/// `os-extended-snapshot-attributes:project_id`): what an owner checks before it
/// gives an entry to the project that accepted a volume transfer through another
/// agent. False for every other kind, or when it cannot tell.
http::awaitable<bool> is_owned_by(agent_context& context, storage::resource_kind kind, storage::cloud_copy primary,
                                  std::string project);

/// is_owned_by, then `done` with its answer.
http::awaitable<void> report_owned_by(agent_context& context, storage::resource_kind kind,
                                      storage::cloud_copy primary, std::string project,
                                      std::function<void(bool)> done);

/// is_gone, then `done` with its answer.
http::awaitable<void> report_gone(agent_context& context, storage::resource_kind kind, storage::cloud_copy primary,
                                  std::function<void(bool)> done);

/// is_marked_copy, then `done` with its answer (for callers outside coroutines).
http::awaitable<void> report_marked_copy(agent_context& context, storage::resource_kind kind,
                                         std::string global_id, storage::cloud_copy copy,
                                         std::function<void(bool)> done);

} // namespace fedstack::agent
