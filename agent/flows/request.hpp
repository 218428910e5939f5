#pragma once
// One client request as it moves through the proxy (internal to agent/).

#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "agent/rules/flow_choice.hpp"
#include "agent/services/context.hpp"
#include "api/microversion.hpp"
#include "api/route.hpp"
#include "http/server.hpp"

namespace fedstack::agent {

struct request {
  agent_context& context;
  http::exchange& exchange;
  api::route route;
  std::string request_id;
  /// Who the token belongs to (set for every call outside identity).
  std::optional<token_identity> identity;
  /// The cloudlet the call is forwarded to (own unless the resource lives elsewhere).
  cloudlet_endpoints target;
  /// The compute microversion negotiated for the call (compute calls past the
  /// token check): every compute answer names it, as Nova's do.
  std::optional<api::microversion> compute_version;
  /// The Block Storage microversion negotiated for a volume call, likewise.
  std::optional<api::microversion> volume_version;
  /// For the request log.
  unsigned status = 0;
  std::string upstream = "-";

  const bhttp::request_header<>& header() const { return exchange.request(); }
};

/// Sets Nova's microversion headers (OpenStack-API-Version, X-OpenStack-Nova-API-Version,
/// Vary) and X-Compute-Request-Id on a compute answer once a version was negotiated;
/// on a volume answer, Cinder's (OpenStack-API-Version: volume X.Y, Vary).
void set_compute_version_headers(const request& r, bhttp::fields& headers);
/// Sends a JSON answer with the common headers (request id, content type, and
/// a compute answer's microversion headers).
http::awaitable<void> send_json(request& r, unsigned status, std::string body,
                                const bhttp::fields* extra_headers = nullptr);
/// Sends an OpenStack-shaped error for the request's service.
http::awaitable<void> send_error(request& r, unsigned status, const std::string& message,
                                 const bhttp::fields* extra_headers = nullptr);
/// Removes a Location header that would send the client anywhere but this agent
/// (the last check on every answer relayed from a cloud or Keystone).
void keep_location_on_agent(const request& r, bhttp::fields& headers);
/// Sends an upstream response back, with its headers and the given (rewritten) body.
http::awaitable<void> send_upstream_response(request& r, const http::response& upstream,
                                             std::string body);

/// The flows, one per file.
http::awaitable<void> handle_identity(request& r);
/// A call to an image, network or compute API, after its token was checked:
/// reads its body and runs the flow `choice` names (rules/flow_choice.hpp).
http::awaitable<void> handle_resource(request& r, const flow_choice& choice);
/// Image bytes to and from r.target's Glance.
http::awaitable<void> handle_image_upload(request& r, const std::string& local_path);
http::awaitable<void> handle_image_download(request& r, const std::string& local_path);
/// Creates placed by the scheduler (images, servers) or by their network
/// (networks, subnets, ports): create_flow.cpp. `body` is the client's JSON.
http::awaitable<void> handle_create(request& r, std::string body);
/// Lists across every cloudlet, merged (list_flow.cpp).
http::awaitable<void> handle_list(request& r);
/// One availability zone per cloudlet (list_flow.cpp).
http::awaitable<void> handle_zone_list(request& r);
/// Hypervisor statistics and lists, limits and quota sets over every cloudlet (operator_views.cpp).
http::awaitable<void> handle_operator_view(request& r);

/// Reads a JSON request body within --max-body-bytes and --max-json-depth; on
/// failure answers 413 or 400 and returns nullopt.
http::awaitable<std::optional<std::string>> read_json_body(request& r);

/// Validates the request's token (cache first, then Keystone); on failure sends 401
/// and returns false.
http::awaitable<bool> authenticate(request& r);

} // namespace fedstack::agent
