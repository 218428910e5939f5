#pragma once
// Finding a cloud resource by the global-ID marker it carries (api/global_id.hpp)
// when no registry says where it is: after a crash cut a create short (reservation
// sweep), after a create answered 5xx or timed out (create_flow.cpp), for an
// abandoned attempt (reservation_sweep.cpp) and for a list marker whose owner is gone.
// Every search follows the cloud's next links through all pages (Nova's and
// Glance's pages hold 1,000 at most), up to max_marker_pages.

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/services/context.hpp"
#include "api/service.hpp"
#include "http/asio.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// Pages one search reads before it gives up (and says it could not tell).
inline constexpr std::size_t max_marker_pages = 100;

/// The list call that shows resources of one kind carrying a marker.
struct marker_search {
  api::service_type service;
  std::string path;         // filtered on the marker where the API can
  std::string collection;
};

/// Glance filters on the image property and Neutron on the tag; Nova cannot
/// filter on metadata, so its whole server list is read. `all_projects` adds
/// all_tenants=1 (for the service user). nullopt for kinds that carry no marker.
std::optional<marker_search> search_for_marker(storage::resource_kind kind,
                                               const std::string& global_id, bool all_projects);

/// The next page of a list, from Glance's `next` or a `<collection>_links`
/// link (Nova, Neutron); empty at the end.
std::string next_page(api::service_type service, const std::string& collection, const nlohmann::json& doc);

/// Every item of `kind` on cloudlet `c` marked with `global_id` (primaries and
/// copies, whatever their attempt token; the servers of a boot of several by
/// their own global IDs or by the boot's, api::marker::shared_id), over all pages. Throws
/// upstream_failure when the cloudlet does not answer, answers other than 200,
/// or has more than max_marker_pages pages: then nobody can tell what it holds.
http::awaitable<std::vector<nlohmann::json>> list_marked_on(agent_context& context, const bhttp::fields& headers,
                                                            const cloudlet_endpoints& c,
                                                            storage::resource_kind kind,
                                                            const std::string& global_id, bool all_projects);

/// A resource found by its marker: where, and the item as its cloud shows it.
struct marked_resource {
  cloudlet_endpoints cloudlet;
  nlohmann::json item;
  std::string local_id;
};

/// Whether a search for a primary may answer a snapshot the agent recorded
/// (createImage: its `fedstack_snapshot_of` equals its `instance_uuid`). Only
/// reads take it; the sweeps that adopt or delete never do.
enum class recorded_snapshots { skip, accept };

/// The primary (not a copy, not a snapshot or shelve image, except a recorded
/// snapshot when `snapshots` accepts it) marked with `global_id`, on any
/// cloudlet, leaving out those whose attempt token is in `abandoned_tokens`.
/// Throws upstream_failure (503) when it is on none that answered but one did
/// not, because then nobody can tell whether it exists.
http::awaitable<std::optional<marked_resource>> find_marked_primary(agent_context& context,
                                                                     const bhttp::fields& headers,
                                                                     storage::resource_kind kind,
                                                                     const std::string& global_id,
                                                                     bool all_projects,
                                                                     const std::set<std::string>& abandoned_tokens = {},
                                                                     recorded_snapshots snapshots = recorded_snapshots::skip);

} // namespace fedstack::agent
