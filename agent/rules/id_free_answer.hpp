#pragma once
// Answers that cannot name a resource of the federation, so that a relayed one
// skips the ID scan (agent/flows/client_answer.cpp; issue 20).

#include "api/route.hpp"

namespace fedstack::agent {

/// True for Glance's schemas (`/v2/schemas/...`) and Neutron's extensions
/// (`/v2.0/extensions[/<alias>]`): documents about the API, the same for every
/// caller, built from the service's code and configuration rather than from
/// any resource (no ID, no marker to translate; a UUID-shaped string there is
/// text, not an ID). Nothing under a resource collection qualifies. Version
/// documents never reach a translation: the agent serves them itself.
bool answer_names_no_resource(const api::route& route);

} // namespace fedstack::agent
