#pragma once
// A server list filtered by flavor (`GET /servers?flavor=<id>`): the ID is the
// federation's (docs/federation.md, "Flavors are the federation's"), which
// each cloudlet knows under its own ID of the same name and shape. Each
// cloudlet is asked with its own equal flavor's ID; one without such a flavor
// holds no server that can match, so it is not asked.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"

namespace fedstack::agent {

/// The flavor a server list's `flavor` filter names, where the client can see
/// it; nullopt when the list has no such filter or no cloudlet shows the ID
/// (the filter then goes to each cloud as it is, and Nova lists nothing).
http::awaitable<std::optional<nlohmann::json>> filtered_flavor(request& r, const std::string& filters);

/// `filters` for `c`, its `flavor` replaced by `c`'s flavor equal to `flavor`;
/// nullopt when `c` has none.
http::awaitable<std::optional<std::string>> flavor_filter_on(request& r, const nlohmann::json& flavor,
                                                             const std::string& filters,
                                                             const cloudlet_endpoints& c);

} // namespace fedstack::agent
