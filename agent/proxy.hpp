#pragma once
// The agent's request handler: serves version documents itself, forwards
// identity calls to the shared Keystone (rewriting the catalog), and forwards
// image, network and compute calls to its cloudlet, translating global IDs.

#include "agent/context.hpp"
#include "http/server.hpp"

namespace fedstack::agent {

/// Returns the handler for the agent's HTTP server. `context` must outlive it.
http::handler make_proxy_handler(agent_context& context);

} // namespace fedstack::agent
