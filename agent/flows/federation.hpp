#pragma once
// What the proxy flows share to work across cloudlets: headers for calls on a
// client's behalf and ID translation for one cloudlet (the directory and the
// calls: services/cloudlets.hpp; what the maps hold: rules/id_maps.hpp).
// Coroutines here take class-type arguments by reference: GCC 12 destroys a
// temporary passed by value to a coroutine twice (docs/decisions.md).

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"
#include "agent/rules/id_maps.hpp"
#include "agent/services/cloudlets.hpp"
#include "agent/services/fan_out.hpp"
#include "api/list_scan.hpp"
#include "api/service.hpp"

namespace fedstack::agent {

/// Headers for a call the agent makes for the client: its token, its request
/// id, JSON both ways, and (compute) its microversion.
bhttp::fields client_call_headers(const request& r);

/// Global -> local on `cloudlet` for every global ID in `texts` that has a copy
/// there and that the caller may use (visible_entry.hpp: its project's, or
/// another's its cloud shows the caller); what was learned is kept in aliases.
/// `known` seeds the map: those IDs are not asked about.
http::awaitable<std::map<std::string, std::string>>
ids_to_local(request& r, const std::string& cloudlet, const std::vector<std::string_view>& texts,
             const std::map<std::string, std::string>& known = {});

/// Local -> global for an answer from `cloudlet`: markers in the body (which are
/// then stripped), this agent's registry, and the aliases it learned. `known`
/// seeds the map. `other_projects`: for an admin's answer holding other
/// projects' items, whose records translate what the caller's project does not
/// (rules/admin_scope.hpp). Returns the map used.
http::awaitable<std::map<std::string, std::string>>
ids_to_global(request& r, const std::string& cloudlet, api::service_type service,
              nlohmann::json* body, const std::vector<std::string>& local_ids,
              const std::map<std::string, std::string>& known = {},
              const std::vector<std::string>& other_projects = {});

/// ids_to_global for an answer scanned without a tree (api/list_scan.hpp): the
/// markers found on it (the client's text is written without them) and the
/// references its items hold, asked about only when an ID is still unknown.
http::awaitable<std::map<std::string, std::string>>
ids_to_global_scanned(request& r, const std::string& cloudlet, api::service_type service,
                      const std::vector<marked_id>& markers,
                      const std::vector<api::scanned_reference>& references,
                      const std::vector<std::string>& local_ids,
                      const std::vector<std::string>& other_projects);

/// Of `markers` read on `cloudlet`, those that name their own item (rules/id_maps.hpp,
/// own_markers: Cinder copies markers into imported backups and restored volumes),
/// each marker's global ID asked of its owner once. A marker whose owner cannot be
/// asked stands.
http::awaitable<std::vector<marked_id>> own_markers_on(request& r, const std::string& cloudlet,
                                                       const std::vector<marked_id>& markers);

/// Rewrites a cloud's answer for the client: IDs through `to_global`, the
/// cloud's service root to the agent's.
std::string rewrite_for_client(const request& r, const cloudlet_endpoints& cloudlet,
                               api::service_type service, std::string_view text,
                               const std::map<std::string, std::string>& to_global);

/// Rewrites the answer's Location header for the client like the body.
void rewrite_location(const request& r, const cloudlet_endpoints& cloudlet, api::service_type service,
                      bhttp::fields& headers, const std::map<std::string, std::string>& to_global);

/// rewrite_for_client on a parsed document, in place: its strings (keys and
/// values) rather than its text, so it need not be written out and parsed again.
void rewrite_json_for_client(const request& r, const cloudlet_endpoints& cloudlet,
                             api::service_type service, nlohmann::json& doc,
                             const std::map<std::string, std::string>& to_global);

} // namespace fedstack::agent
