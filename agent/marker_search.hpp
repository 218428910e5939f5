#pragma once
// Finding a cloud resource by the global-ID marker it carries (api/global_id.hpp)
// when no registry says where it is: after a crash cut a create short (reservation
// sweep), after a create timed out, and for a list marker whose owner is gone.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/context.hpp"
#include "api/service.hpp"
#include "http/asio.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

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

/// A resource found by its marker: where, and the item as its cloud shows it.
struct marked_resource {
  cloudlet_endpoints cloudlet;
  nlohmann::json item;
  std::string local_id;
};

/// The primary (not a copy) marked with `global_id`, on any cloudlet. Throws
/// upstream_failure (503) when it is on none that answered but one did not,
/// because then nobody can tell whether it exists.
http::awaitable<std::optional<marked_resource>> find_marked_primary(agent_context& context,
                                                                     const bhttp::fields& headers,
                                                                     storage::resource_kind kind,
                                                                     const std::string& global_id,
                                                                     bool all_projects);

} // namespace fedstack::agent
