#pragma once
// Finding the agent's cloudlet: authenticate as the service user and read the
// region's image, network and compute endpoints from Keystone's catalog.

#include "agent/context.hpp"

namespace fedstack::agent {

/// Asks Keystone for the catalog and returns `options.region`'s public
/// endpoints. Retries while Keystone is unreachable, up to `patience`.
/// Throws std::runtime_error with a clear message on failure.
http::awaitable<cloudlet_endpoints> discover_cloudlet(const agent_options& options,
                                                      const http::endpoint& keystone,
                                                      std::chrono::seconds patience);

} // namespace fedstack::agent
