#pragma once
// Flavors are the federation's (docs/federation.md, "Flavors are the
// federation's"): every flavor call through any agent. Lists are the union of
// every cloudlet's flavors, one per name and shape (rules/flavor_rule.hpp);
// a flavor is shown, read and changed wherever it lives; a change or delete
// reaches every cloudlet's flavor of the same name and shape, never another
// shape; creates are made on this agent's cloudlet, refused when a cloudlet
// already holds the name or ID. Boots find their flavor here too (boot_needs.cpp).

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"

namespace fedstack::agent {

/// Every call under `/v2.1/flavors` (flow::flavor). `body`: the client's JSON.
http::awaitable<void> handle_flavor(request& r, std::string body);

/// A flavor as the cloudlet that holds it shows it to the client.
struct located_flavor {
  cloudlet_endpoints cloudlet;
  nlohmann::json flavor;   // the "flavor" object of its GET
  http::response answer;   // that GET's answer, as the cloud gave it
};

/// The flavor `id` where the client can see it: this agent's cloudlet first,
/// then every other at once, the first by region name that shows it. nullopt
/// when none does; `unreachable` (if given) gets the cloudlets that could not tell.
http::awaitable<std::optional<located_flavor>> locate_flavor(request& r, const std::string& id,
                                                             std::vector<std::string>* unreachable = nullptr);

/// The ID the federation shows for `flavor` (rules/flavor_rule.hpp,
/// shown_id): this cloudlet's equal flavor's, else the first cloudlet's by
/// region name; nullopt when no cloudlet answered.
http::awaitable<std::optional<std::string>> federation_flavor_id(request& r, const nlohmann::json& flavor);

/// For a private flavor, the projects that `from_region`'s flavor is given
/// to are given `to`'s equal flavor `id_there` too (by the agent's service
/// user: access is an admin's to change), so a copy made for a boot is usable
/// by the projects that may use the flavor. Failures are logged: the target's
/// Nova then judges the boot.
http::awaitable<void> share_flavor_access(request& r, const nlohmann::json& flavor, const std::string& from_region,
                                          const cloudlet_endpoints& to, const std::string& id_there);

} // namespace fedstack::agent
