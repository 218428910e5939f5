#pragma once
// Below compute microversion 2.47 a server names its flavor by ID, and each
// cloud numbers its own flavors. A server that lives on another cloudlet is
// shown with the ID the federation's flavor list shows for its flavor (this
// agent's cloudlet's of the same name and shape, else the first cloudlet's by
// region name: rules/flavor_rule.hpp), so `flavor show` of it finds the same.
// From 2.47 on Nova embeds the flavor's name and shape instead of its ID.

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"

namespace fedstack::agent {

/// Rewrites, in an answer from `from` ({"server": ...} or {"servers": [...]}),
/// each server's flavor ID and links to the federation's ID of its flavor.
/// A flavor that cannot be read is left as it is.
http::awaitable<void> show_own_flavor_ids(request& r, const cloudlet_endpoints& from, nlohmann::json& doc);

} // namespace fedstack::agent
