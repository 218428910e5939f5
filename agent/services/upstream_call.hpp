#pragma once
// Calls to a cloud's services on behalf of a client: which headers travel,
// and how a silent or absent upstream becomes 504 or 503.

#include <memory>
#include <stdexcept>
#include <string>

#include "http/client.hpp"

namespace fedstack::agent {

/// An upstream that did not answer in time (504) or could not be reached (503).
struct upstream_failure : std::runtime_error {
  upstream_failure(unsigned status, const std::string& message)
    : std::runtime_error(message), status(status) {}
  unsigned status;
};

/// Copies the client's end-to-end headers for an upstream request: drops
/// hop-by-hop headers, Host, Content-Length, Expect and Accept-Encoding (the
/// agent rewrites bodies, so it wants them uncompressed).
void copy_request_headers(const bhttp::fields& from, bhttp::fields& to);

/// Copies an upstream response's end-to-end headers for the client (drops
/// hop-by-hop headers and Content-Length, which the agent recomputes).
void copy_response_headers(const bhttp::fields& from, bhttp::fields& to);

/// Sends a request with a whole body to `to` (its base path prefixed to
/// `target`) and reads the whole answer. GET and HEAD go over a pooled
/// keep-alive connection when `pool` is given. A non-empty `request_id` is
/// sent as X-Openstack-Request-Id, so one call can be followed across agents
/// and clouds. Times the call (metrics). Throws upstream_failure.
http::awaitable<http::response> call_upstream(const http::endpoint& to, bhttp::verb method,
                                              const std::string& target,
                                              const bhttp::fields& client_headers,
                                              std::string body, std::chrono::milliseconds timeout,
                                              http::connection_pool* pool = nullptr,
                                              std::string_view request_id = {});

/// Every whole-body call the flows make to a cloud or to Keystone goes through
/// one of these: call_upstream in the agent, fake clouds in a hermetic test.
class upstream_calls {
public:
  virtual ~upstream_calls() = default;
  /// As call_upstream. Throws upstream_failure.
  virtual http::awaitable<http::response> call(const http::endpoint& to, bhttp::verb method,
                                               const std::string& target, const bhttp::fields& client_headers,
                                               std::string body, std::chrono::milliseconds timeout,
                                               http::connection_pool* pool, std::string_view request_id) = 0;
};

/// The agent's: call_upstream over the network.
std::unique_ptr<upstream_calls> make_network_upstream_calls();

/// Maps an I/O error while talking to `to` onto upstream_failure.
[[noreturn]] void throw_upstream_failure(const http::endpoint& to,
                                         const boost::system::system_error& error);

} // namespace fedstack::agent
