#pragma once
// What the proxy flows share to work across cloudlets (internal to agent/):
// the directory of cloudlets, calls to any of them on a client's behalf,
// concurrent fan-out under a deadline, and ID translation for one cloudlet.
// Coroutines here take class-type arguments by reference: GCC 12 destroys a
// temporary passed by value to a coroutine twice (docs/decisions.md).

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/request.hpp"
#include "api/service.hpp"

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

/// Headers for a call the agent makes for the client: its token, its request
/// id, JSON both ways, and (compute) its microversion.
bhttp::fields client_call_headers(const request& r);

/// One JSON call to `cloudlet`'s `service` with `headers`. Throws upstream_failure.
http::awaitable<http::response> call_cloudlet(agent_context& context, const cloudlet_endpoints& cloudlet,
                                              api::service_type service, bhttp::verb method,
                                              const std::string& target, const bhttp::fields& headers,
                                              const std::string& body = {});

/// Runs `tasks` concurrently and waits until all are done or `deadline`
/// passed: which finished in time. Tasks must not touch the request (they may
/// outlive it) and must catch their own exceptions.
http::awaitable<std::vector<bool>> run_all(std::vector<std::function<http::awaitable<void>()>> tasks,
                                           std::chrono::milliseconds deadline);

/// Global -> local on `cloudlet` for every global ID in `texts` that has a copy
/// there (the owner's registry answers; what was learned is kept in aliases).
/// `known` seeds the map: those IDs are not asked about.
http::awaitable<std::map<std::string, std::string>>
ids_to_local(request& r, const std::string& cloudlet, const std::vector<std::string_view>& texts,
             const std::map<std::string, std::string>& known = {});

/// Local -> global for an answer from `cloudlet`: markers in the body (which are
/// then stripped), this agent's registry, and the aliases it learned. `known`
/// seeds the map. Returns the map used.
http::awaitable<std::map<std::string, std::string>>
ids_to_global(request& r, const std::string& cloudlet, api::service_type service,
              nlohmann::json* body, const std::vector<std::string>& local_ids,
              const std::map<std::string, std::string>& known = {});

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

/// Milliseconds since the epoch (registry timestamps).
std::int64_t now_unix_ms();

} // namespace fedstack::agent
