#pragma once
// The federation's cloudlets as the flows and tasks see them: the directory
// (own and every other region of the shared Keystone) and the one way to call
// a cloud's service, through the context's upstream_calls (a test's fake clouds
// stand in there). Coroutines take class-type arguments by reference: GCC 12
// destroys a temporary passed by value to a coroutine twice (docs/decisions.md).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/services/context.hpp"
#include "api/service.hpp"
#include "storage/unix_time.hpp"

namespace fedstack::agent {

/// The cloudlet of `region`; on a miss the directory is read again from the
/// service session's catalog (a region added to Keystone after start).
std::optional<cloudlet_endpoints> find_cloudlet(agent_context& context, const std::string& region);
/// Every cloudlet, own first, the rest by region name.
std::vector<cloudlet_endpoints> all_cloudlets(agent_context& context);

const http::endpoint& endpoint_of(const cloudlet_endpoints& cloudlet, api::service_type service);
/// "http(s)://host[:port]/base" of an endpoint as its catalog entry wrote it
/// (what its answers' links start with).
std::string root_url(const http::endpoint& endpoint);

/// One JSON call to `cloudlet`'s `service` with `headers`. Throws upstream_failure.
http::awaitable<http::response> call_cloudlet(agent_context& context, const cloudlet_endpoints& cloudlet,
                                              api::service_type service, bhttp::verb method,
                                              const std::string& target, const bhttp::fields& headers,
                                              const std::string& body = {});

} // namespace fedstack::agent
