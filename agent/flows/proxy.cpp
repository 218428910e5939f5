#include "agent/flows/proxy.hpp"

#include <chrono>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/flows/request.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/errors.hpp"
#include "api/json_depth.hpp"
#include "api/microversion.hpp"
#include "api/urls.hpp"
#include "api/uuid.hpp"
#include "api/versions.hpp"
#include "metrics/catalog.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

/// The request id clients and logs see; a client's own id is kept.
std::string request_id_of(const bhttp::request_header<>& header) {
  auto given = header["X-Openstack-Request-Id"];
  if (!given.empty() && given.size() <= 64) return std::string(given);
  return "req-" + api::make_uuid();
}

http::awaitable<void> serve_document(request& r) {
  auto doc = api::version_document(r.route, r.context.base_url, r.context.compute_range, r.context.volume_range);
  if (!doc) co_return co_await send_error(r, 404, "");
  bhttp::fields headers;
  for (const auto& [name, value] : doc->headers) headers.set(name, value);
  if (r.route.service == api::service_type::compute) {
    headers.set("OpenStack-API-Version", api::openstack_api_version_header(r.context.compute_range.min));
    headers.set("X-OpenStack-Nova-API-Version", api::nova_api_version_header(r.context.compute_range.min));
    headers.set(bhttp::field::vary, api::microversion_vary_header);
  }
  if (r.route.service == api::service_type::volume) {
    headers.set("OpenStack-API-Version", api::volume_api_version_header(r.context.volume_range.min));
    headers.set(bhttp::field::vary, "OpenStack-API-Version");
  }
  co_await send_json(r, static_cast<unsigned>(doc->status), doc->body.dump(), &headers);
}

/// A header's value, or nullopt when the request does not carry it.
std::optional<std::string_view> header_value(const bhttp::request_header<>& header,
                                             std::string_view name) {
  auto it = header.find(name);
  if (it == header.end()) return std::nullopt;
  return it->value();
}

/// The `api` label of a request: the OpenStack service, or "operator" for /metrics and /fedstack/.
std::string api_label(const request& r) {
  if (is_operator_path(r.header().target())) return "operator";
  auto name = api::to_string(r.route.service);
  return name.empty() ? "unknown" : std::string(name);
}

void record_request(const request& r, double seconds) {
  const auto& m = metrics::fedstack();
  auto api = api_label(r);
  // Methods outside HTTP's usual set share one label, so clients cannot grow the series.
  auto method = std::string(r.header().method_string());
  if (r.header().method() == bhttp::verb::unknown) method = "other";
  m.http_requests.add({api, method, std::to_string(r.status)});
  m.http_request_duration.observe({api}, seconds);
}

http::awaitable<void> dispatch(request& r, const page_server& operator_pages) {
  auto choice = choose_flow(r.route, r.header().method(), is_operator_path(r.header().target()));
  switch (choice.flow) {
    case flow::operator_page:
      co_return co_await operator_pages(r);
    case flow::malformed:
      co_return co_await send_error(r, 400, "Malformed request path: " + r.route.reason);
    case flow::not_found:
      co_return co_await send_error(r, 404, "The resource could not be found.");
    case flow::version_document:
      co_return co_await serve_document(r);
    case flow::method_not_allowed: {
      bhttp::fields headers;
      headers.set(bhttp::field::allow, r.route.allow);
      co_return co_await send_error(r, 405, "The method is not allowed for this resource.", &headers);
    }
    case flow::identity:
      co_return co_await handle_identity(r);
    default:
      break;
  }
  if (!co_await authenticate(r)) co_return;
  if (r.route.service == api::service_type::compute) {
    auto version = api::negotiate_microversion(header_value(r.header(), "OpenStack-API-Version"),
                                               header_value(r.header(), "X-OpenStack-Nova-API-Version"),
                                               r.context.compute_range);
    if (version.status == api::microversion_status::bad_request)
      co_return co_await send_error(r, 400, version.message);
    if (version.status == api::microversion_status::not_acceptable) {
      r.compute_version = version.version;   // echoed on the 406, as Nova does
      co_return co_await send_error(r, 406, version.message);
    }
    r.compute_version = version.version;
  }
  if (r.route.service == api::service_type::volume) {
    // Cinder took Nova's negotiation and its 400 and 406 (api_version_request.py).
    auto version = api::negotiate_volume_microversion(header_value(r.header(), "OpenStack-API-Version"),
                                                      r.context.volume_range);
    if (version.status == api::microversion_status::bad_request)
      co_return co_await send_error(r, 400, version.message);
    if (version.status == api::microversion_status::not_acceptable) {
      r.volume_version = version.version;   // echoed on the 406, as Cinder does (captures/cinder/17)
      co_return co_await send_error(r, 406, version.message);
    }
    r.volume_version = version.version;
  }
  co_await handle_resource(r, choice);
}

} // namespace

void set_compute_version_headers(const request& r, bhttp::fields& headers) {
  if (r.route.service == api::service_type::volume && r.volume_version) {
    headers.set("OpenStack-API-Version", api::volume_api_version_header(*r.volume_version));
    headers.set(bhttp::field::vary, "OpenStack-API-Version");
    return;
  }
  if (r.route.service != api::service_type::compute || !r.compute_version) return;
  headers.set("OpenStack-API-Version", api::openstack_api_version_header(*r.compute_version));
  headers.set("X-OpenStack-Nova-API-Version", api::nova_api_version_header(*r.compute_version));
  headers.set(bhttp::field::vary, api::microversion_vary_header);
  headers.set("X-Compute-Request-Id", r.request_id);
}

http::awaitable<void> send_json(request& r, unsigned status, std::string body,
                                const bhttp::fields* extra_headers) {
  bhttp::response<bhttp::string_body> response{static_cast<bhttp::status>(status), 11};
  if (extra_headers)
    for (const auto& f : *extra_headers) response.set(f.name_string(), f.value());
  response.set(bhttp::field::content_type, "application/json");
  response.set("X-Openstack-Request-Id", r.request_id);
  set_compute_version_headers(r, response.base());
  response.body() = std::move(body);
  r.status = status;
  co_await r.exchange.send(std::move(response));
}

http::awaitable<void> send_error(request& r, unsigned status, const std::string& message,
                                 const bhttp::fields* extra_headers) {
  auto error = api::error_body(r.route.service, static_cast<int>(status), message);
  bhttp::response<bhttp::string_body> response{static_cast<bhttp::status>(status), 11};
  if (extra_headers)
    for (const auto& f : *extra_headers) response.set(f.name_string(), f.value());
  response.set(bhttp::field::content_type, error.content_type);
  response.set("X-Openstack-Request-Id", r.request_id);
  if (status == 401) response.set(bhttp::field::www_authenticate, "Keystone uri=\"" + r.context.base_url + "\"");
  set_compute_version_headers(r, response.base());   // Nova's faults carry them too (wsgi.Fault)
  response.body() = std::move(error.body);
  r.status = status;
  co_await r.exchange.send(std::move(response));
}

void keep_location_on_agent(const request& r, bhttp::fields& headers) {
  auto location = headers.find(bhttp::field::location);
  if (location == headers.end() || api::stays_on_agent(location->value(), r.context.base_url)) return;
  spdlog::warn("{}: dropped a Location header that points elsewhere: {}", r.request_id,
               std::string(location->value()).substr(0, 200));
  headers.erase(bhttp::field::location);
}

http::awaitable<void> send_upstream_response(request& r, const http::response& upstream,
                                             std::string body) {
  bhttp::response<bhttp::string_body> response{static_cast<bhttp::status>(upstream.status), 11};
  copy_response_headers(upstream.headers, response.base());
  keep_location_on_agent(r, response.base());
  if (response.find("X-Openstack-Request-Id") == response.end())
    response.set("X-Openstack-Request-Id", r.request_id);
  // A cloud's answer has them already; an answer the agent composed from one
  // (an attempt found by its marker) has not. A volume answer names the client's
  // version even where the agent asked at another (a backup create: rules/backup_rule.hpp).
  if (r.route.service == api::service_type::volume ||
      (response.find("X-OpenStack-Nova-API-Version") == response.end() &&
       response.find("OpenStack-API-Version") == response.end()))
    set_compute_version_headers(r, response.base());
  response.body() = std::move(body);
  r.status = upstream.status;
  co_await r.exchange.send(std::move(response));
}

http::awaitable<std::optional<std::string>> read_json_body(request& r) {
  const auto& options = r.context.options;
  auto read = co_await r.exchange.read_body(static_cast<std::size_t>(options.max_body_bytes));
  if (!read) {
    co_await send_error(r, 413, "The request body is too large.");
    co_return std::nullopt;
  }
  auto limit = static_cast<std::size_t>(options.max_json_depth);
  if (api::json_nesting_depth(*read, limit + 1) > limit) {
    co_await send_error(r, 400, "The request body nests arrays and objects more than " +
                                  std::to_string(limit) + " levels deep.");
    co_return std::nullopt;
  }
  co_return read;
}

http::awaitable<bool> authenticate(request& r) {
  auto token = std::string(r.header()["X-Auth-Token"]);
  auto& cache = *r.context.tokens;
  if (token.empty() || token.size() > 8192) {
    co_await send_error(r, 401, "The request you have made requires authentication.");
    co_return false;
  }
  auto now = std::chrono::system_clock::now();
  const auto& m = metrics::fedstack();
  if (auto known = cache.find(token, now)) {
    m.token_cache_lookups.add({"hit"});
    r.identity = std::move(known);
    co_return true;
  }
  auto& refused = *r.context.refused;
  if (refused.contains(token, std::chrono::steady_clock::now())) {
    m.token_cache_lookups.add({"refused"});
    co_await send_error(r, 401, "The request you have made requires authentication.");
    co_return false;
  }
  m.token_cache_lookups.add({"miss"});
  // Keystone lets a token validate itself, so the agent needs no admin token here.
  bhttp::fields headers;
  headers.set("X-Auth-Token", token);
  headers.set("X-Subject-Token", token);
  headers.set(bhttp::field::accept, "application/json");
  auto answer = co_await r.context.upstream->call(r.context.keystone, bhttp::verb::get,
                                       "/v3/auth/tokens?nocatalog", headers, {},
                                       r.context.upstream_timeout(), &r.context.pool, r.request_id);
  m.keystone_validations.add({answer.status == 200 ? "valid" : "invalid"});
  // Only Keystone's word that the token is bad is remembered, not its failures (5xx).
  if (answer.status == 401 || answer.status == 404) refused.insert(token, std::chrono::steady_clock::now());
  if (answer.status != 200) {
    co_await send_error(r, 401, "The request you have made requires authentication.");
    co_return false;
  }
  auto body = json::parse(answer.body, nullptr, false);
  const auto& t = body.is_object() ? body.value("token", json::object()) : json::object();
  auto expires = parse_keystone_time(t.value("expires_at", std::string{}));
  if (!expires || !t.contains("project")) {
    co_await send_error(r, 401, "The token is not scoped to a project.");
    co_return false;
  }
  token_identity identity;
  identity.user_id = t.value("user", json::object()).value("id", std::string{});
  identity.project_id = t["project"].value("id", std::string{});
  identity.expires_at = *expires;
  for (const auto& role : t.value("roles", json::array()))
    if (role.value("name", std::string{}) == "admin") identity.is_admin = true;
  cache.insert(token, identity);
  r.identity = std::move(identity);
  co_return true;
}

bool is_operator_path(std::string_view target) {
  auto path = path_of(target);
  return path == "/metrics" || path == "/fedstack" || path.rfind("/fedstack/", 0) == 0;
}

http::handler make_proxy_handler(agent_context& context, page_server operator_pages) {
  return [&context, operator_pages = std::move(operator_pages)](http::exchange& ex) -> http::awaitable<void> {
    auto started = std::chrono::steady_clock::now();
    const auto& header = ex.request();
    request r{context, ex, api::classify(header.method_string(), header.target()),
              request_id_of(header), std::nullopt, context.cloudlet, std::nullopt, std::nullopt};
    // Failures are answered after the catch blocks: co_await is not allowed inside them.
    std::optional<std::pair<unsigned, std::string>> failure;
    try {
      co_await dispatch(r, operator_pages);
    } catch (const upstream_failure& e) {
      spdlog::warn("{} upstream failure: {}", r.request_id, e.what());
      failure.emplace(e.status, e.what());
    } catch (const placement_unavailable& e) {
      spdlog::error("{} scheduler failure: {}", r.request_id, e.what());
      failure.emplace(503, "The agent's scheduler is unavailable; nothing was changed.");
    } catch (const registry_unavailable& e) {
      spdlog::error("{} registry failure: {}", r.request_id, e.what());
      failure.emplace(503, std::string("A registry of the federation is unavailable: ") + e.what());
    } catch (const boost::system::system_error& e) {
      // The client went away or stalled mid-body: nothing more can be said to it.
      spdlog::info("{} client connection failed: {}", r.request_id, e.what());
      if (!ex.responded()) throw;
    }
    if (failure && !ex.responded()) co_await send_error(r, failure->first, failure->second);
    auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
    record_request(r, elapsed.count() / 1000.0);
    if (spdlog::should_log(spdlog::level::info))   // spares the strings below when it is off
      spdlog::info("{} {} {} {} upstream={} {:.1f}ms", r.request_id,
                   std::string(header.method_string()), std::string(header.target()), r.status,
                   r.upstream, elapsed.count());
  };
}

} // namespace fedstack::agent
