#include "agent/flows/owner_lookup.hpp"

#include <spdlog/spdlog.h>

#include "agent/flows/federation.hpp"
#include "agent/rules/admin_scope.hpp"
#include "agent/flows/visible_entry.hpp"
#include "agent/services/registry_client.hpp"

namespace fedstack::agent {

http::awaitable<owner_answer> ask_owner(request& r, const std::string& global_id) {
  owner_answer answer;
  try {
    answer.entry = co_await visible_entry(r, global_id);
  } catch (const registry_unavailable& e) {
    answer.unavailable = e.what();
  }
  co_return answer;
}

http::awaitable<std::optional<marked_resource>> find_unplaced(request& r, storage::resource_kind kind,
                                                              const std::string& global_id,
                                                              const std::string& why) {
  spdlog::info("{} {}: not placed by its owner ({}); looking for it on the clouds", r.request_id, global_id, why);
  auto headers = client_call_headers(r);
  // An admin may act on any project's resource: Nova shows another project's
  // server to an admin only with all_tenants, which it refuses to anyone else.
  // A read: a snapshot the agent recorded is the primary of its global ID.
  auto found = co_await find_marked_primary(r.context, headers, kind, global_id,
                                            search_all_projects(r.identity->is_admin), {},
                                            recorded_snapshots::accept);
  // Cinder copies markers (an imported backup revives a deleted one's ID and marker):
  // an item whose marker an existing entry does not explain is not that global ID's.
  bool cinder = kind == storage::resource_kind::volume || kind == storage::resource_kind::volume_snapshot ||
                kind == storage::resource_kind::volume_backup;
  if (found && cinder) {
    std::vector<marked_id> read{marked_id{found->local_id, global_id, false}};
    auto own = co_await own_markers_on(r, found->cloudlet.region, read);
    if (own.empty()) found.reset();
  }
  co_return found;
}

} // namespace fedstack::agent
