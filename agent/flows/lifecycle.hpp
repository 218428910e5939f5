#pragma once
// Calls on one recorded server, network, subnet or port that need more than a
// forward to its cloudlet (rules/lifecycle_rule.hpp; docs/federation.md,
// "Lifecycle anywhere"): resize and rebuild make the flavor and the image
// exist on the server's cloudlet first; createImage records the snapshot as a
// federation image; unshelve keeps the server on its cloudlet; replacing or
// deleting every tag (Neutron) or all metadata (Nova) keeps the agent's markers.

#include <map>
#include <string>

#include "agent/flows/request.hpp"
#include "agent/rules/lifecycle_rule.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// r.target is the resource's cloudlet; `entry` its record there; `known_local`
/// (global -> local on r.target) the IDs already placed.
http::awaitable<void> handle_lifecycle(request& r, lifecycle_step step, const storage::registry_entry& entry,
                                       std::string body, std::map<std::string, std::string> known_local);

/// The call forwarded to r.target with IDs translated both ways (resource_proxy.cpp).
http::awaitable<void> forward_to_target(request& r, std::string body,
                                        const std::map<std::string, std::string>& known_local);

} // namespace fedstack::agent
