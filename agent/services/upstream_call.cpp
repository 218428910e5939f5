#include "agent/services/upstream_call.hpp"

#include <array>

#include "agent/services/upstream_names.hpp"
#include "metrics/catalog.hpp"

namespace fedstack::agent {
namespace {

bool is_hop_by_hop(bhttp::field name, std::string_view text) {
  switch (name) {
    case bhttp::field::connection:
    case bhttp::field::keep_alive:
    case bhttp::field::proxy_connection:
    case bhttp::field::te:
    case bhttp::field::trailer:
    case bhttp::field::transfer_encoding:
    case bhttp::field::upgrade:
    case bhttp::field::proxy_authorization:
    case bhttp::field::content_length:
      return true;
    default:
      return beast::iequals(text, "proxy-connection");
  }
}

/// A deadline that passed: Beast's stream timeout, or the pooled fetch's timer cancelling the socket.
bool is_timeout(const boost::system::error_code& code) {
  return code == beast::error::timeout || code == boost::asio::error::operation_aborted;
}

} // namespace

void copy_request_headers(const bhttp::fields& from, bhttp::fields& to) {
  for (const auto& f : from) {
    auto name = f.name();
    if (is_hop_by_hop(name, f.name_string()) || name == bhttp::field::host ||
        name == bhttp::field::expect || name == bhttp::field::accept_encoding)
      continue;
    to.insert(f.name_string(), f.value());
  }
}

void copy_response_headers(const bhttp::fields& from, bhttp::fields& to) {
  for (const auto& f : from) {
    if (is_hop_by_hop(f.name(), f.name_string())) continue;
    to.insert(f.name_string(), f.value());
  }
}

void throw_upstream_failure(const http::endpoint& to, const boost::system::system_error& error) {
  auto code = error.code();
  if (is_timeout(code))
    throw upstream_failure(504, "The upstream service at " + to.to_string() +
                                  " did not answer in time.");
  // A refused certificate says why in the error's text (http/upstream_stream.hpp).
  bool tls = std::string_view(code.category().name()).substr(0, 8) == "asio.ssl";
  throw upstream_failure(503, "The upstream service at " + to.to_string() +
                                " is unavailable: " + (tls ? std::string(error.what()) : code.message()) + ".");
}

http::awaitable<http::response> call_upstream(const http::endpoint& to, bhttp::verb method,
                                              const std::string& target,
                                              const bhttp::fields& client_headers,
                                              std::string body, std::chrono::milliseconds timeout,
                                              http::connection_pool* pool,
                                              std::string_view request_id) {
  bhttp::request<bhttp::string_body> request{method, to.base_path + target, 11};
  copy_request_headers(client_headers, request.base());
  request.set(bhttp::field::host, to.host + ":" + std::to_string(to.port));
  if (!request_id.empty()) request.set("X-Openstack-Request-Id", request_id);
  request.body() = std::move(body);
  auto name = upstream_names::global().find(to);
  const auto& m = metrics::fedstack();
  auto started = std::chrono::steady_clock::now();
  auto observe = [&] {
    m.upstream_duration.observe({name.cloudlet, name.service},
                                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  };
  std::optional<boost::system::system_error> failure;
  try {
    http::response answer;
    if (pool && (method == bhttp::verb::get || method == bhttp::verb::head))
      answer = co_await http::fetch(*pool, to, std::move(request), timeout);
    else
      answer = co_await http::fetch(to, std::move(request), timeout);
    observe();
    co_return answer;
  } catch (const boost::system::system_error& error) {
    failure = error;
  }
  observe();
  m.upstream_failures.add({name.cloudlet, name.service, is_timeout(failure->code()) ? "504" : "503"});
  throw_upstream_failure(to, *failure);
}

namespace {

class network_upstream_calls final : public upstream_calls {
public:
  http::awaitable<http::response> call(const http::endpoint& to, bhttp::verb method, const std::string& target,
                                       const bhttp::fields& client_headers, std::string body,
                                       std::chrono::milliseconds timeout, http::connection_pool* pool,
                                       std::string_view request_id) override {
    co_return co_await call_upstream(to, method, target, client_headers, std::move(body), timeout, pool,
                                     request_id);
  }
};

} // namespace

std::unique_ptr<upstream_calls> make_network_upstream_calls() {
  return std::make_unique<network_upstream_calls>();
}

} // namespace fedstack::agent
