#pragma once
// Finding the agent's cloudlet: authenticate as the service user and read the
// region's image, network and compute endpoints from Keystone's catalog.

#include "agent/services/context.hpp"
#include "agent/services/service_session.hpp"

namespace fedstack::agent {

/// Reads `region`'s public endpoints from the service session's catalog.
/// Retries while Keystone is unreachable, up to `patience`. Throws
/// std::runtime_error with a clear message on failure.
http::awaitable<cloudlet_endpoints> discover_cloudlet(service_session& session,
                                                      const std::string& region,
                                                      std::chrono::seconds patience);

/// Every region of `catalog` with public image, network and compute endpoints:
/// the cloudlets of the federation.
std::vector<cloudlet_endpoints> cloudlets_in_catalog(const nlohmann::json& catalog);

/// Names each cloudlet's endpoints in upstream_names::global() (metric labels).
void name_upstreams(const std::vector<cloudlet_endpoints>& cloudlets);

} // namespace fedstack::agent
