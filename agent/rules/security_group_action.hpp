#pragma once
// Nova's addSecurityGroup and removeSecurityGroup server actions on a server of
// another cloudlet: Nova there finds the group by name or ID in its own Neutron
// (nova/network/security_group_api.py, add_to_instance), where the group the
// client made through this agent is not. An add copies the group there first, as
// a boot does (flows/security_groups.hpp); both name it there by its name.

#include <optional>
#include <string>

#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include "api/route.hpp"

namespace fedstack::agent {

struct security_group_action {
  bool add = false;   // addSecurityGroup; else removeSecurityGroup
  std::string given;  // the body's "name": a name or, as the openstack CLI sends it, an ID
};

/// The action of `POST /servers/{id}/action` when it adds or removes a security
/// group other than "default" (every project's on every cloud); nullopt otherwise.
std::optional<security_group_action> security_group_action_of(const api::route& route,
                                                              boost::beast::http::verb method,
                                                              const nlohmann::json& body);

/// `body` with the group named `name` (Nova elsewhere knows it by name only).
nlohmann::json name_action_group(nlohmann::json body, const std::string& name);

} // namespace fedstack::agent
