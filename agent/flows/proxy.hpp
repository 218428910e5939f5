#pragma once
// The agent's request handler: serves version documents itself, forwards
// identity calls to the shared Keystone (rewriting the catalog), and forwards
// image, network and compute calls to its cloudlet, translating global IDs.

#include <functional>
#include <string_view>

#include "agent/services/context.hpp"
#include "http/server.hpp"

namespace fedstack::agent {

struct request;

/// True for the operator's paths (/metrics, /fedstack/): never forwarded to a
/// cloud, served without a token by the page server handed to the handler.
bool is_operator_path(std::string_view target);

/// Serves an operator path (pages/operator_pages.hpp); handed in so that the
/// flows do not depend on the pages.
using page_server = std::function<http::awaitable<void>(request&)>;

/// Returns the handler for the agent's HTTP server. `context` must outlive it.
http::handler make_proxy_handler(agent_context& context, page_server operator_pages);

} // namespace fedstack::agent
