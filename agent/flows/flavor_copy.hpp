#pragma once
// What a flavor's copy carries beyond its shape (docs/federation.md, "Flavors
// are the federation's"): its description (compute 2.55) and extra specs, read
// from the flavor's own cloudlet with the service user's token.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"

namespace fedstack::agent {

struct flavor_details {
  std::optional<std::string> description;   // none, or null in Nova's answer: nothing to copy
  nlohmann::json extra_specs = nlohmann::json::object();
};

/// Flavor `id`'s description and extra specs on `from_region`, asked with
/// `admin` (the service user's headers). Throws copy_failed when they cannot be
/// read: a copy without them would boot differently.
http::awaitable<flavor_details> read_flavor_details(request& r, const std::string& from_region, const std::string& id,
                                                    const bhttp::fields& admin);

/// `admin` for a flavor create at compute 2.55, the first that takes a description.
bhttp::fields with_description_version(bhttp::fields admin);

/// Sets `specs` on `to`'s flavor `id` (POST .../os-extra_specs); false when the cloud refused.
http::awaitable<bool> copy_extra_specs(request& r, const cloudlet_endpoints& to, const std::string& id,
                                       const nlohmann::json& specs, const bhttp::fields& admin);

} // namespace fedstack::agent
