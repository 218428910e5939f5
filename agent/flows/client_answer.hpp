#pragma once
// A cloud's answer as the client sees it: the cloud's IDs made global, its
// links the agent's, a server's zone the cloudlet it lives on and its flavor
// this agent's cloudlet's. One translation for every answer relayed about one
// resource: reads and writes (resource_proxy.cpp) and creates (create_flow.cpp).

#include <map>
#include <string>

#include "agent/flows/request.hpp"

namespace fedstack::agent {

/// The body to send for `answer` from `from` (whose Location header is
/// rewritten in place). `known` (cloud ID -> global ID) need not be asked of
/// the registries.
http::awaitable<std::string> translate_answer(request& r, const cloudlet_endpoints& from, http::response& answer,
                                              const std::map<std::string, std::string>& known);

} // namespace fedstack::agent
