#pragma once
// addSecurityGroup and removeSecurityGroup on a server another cloudlet holds
// (rules/security_group_action.hpp): the group the client made through this
// agent is copied there first, as for a boot (security_groups.hpp), and the
// action names it by its name.

#include <string>

#include "agent/flows/request.hpp"

namespace fedstack::agent {

/// Prepares `body` (a server action) for the server's cloudlet `at`. False when
/// the call is to be forwarded (`body` possibly renamed); true when a failed
/// copy was answered to the client.
http::awaitable<bool> prepare_security_group_action(request& r, const cloudlet_endpoints& at, std::string& body);

} // namespace fedstack::agent
