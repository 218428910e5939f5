#include "bench/thesis/http_session.hpp"

#include <exception>
#include <stdexcept>

namespace fedstack::bench {

using namespace http;

awaitable<void> http_session::open(connection& c, const endpoint& to) {
  tcp::resolver resolver{executor_};
  auto results = co_await resolver.async_resolve(to.host, std::to_string(to.port), use_awaitable);
  c.stream.expires_after(timeout_);
  co_await c.stream.async_connect(results, use_awaitable);
  c.stream.socket().set_option(tcp::no_delay(true));
  c.open = true;
  ++connects_;
}

awaitable<http_answer> http_session::call(bhttp::verb method, const std::string& url,
                                          const std::string& token, const std::string& body,
                                          const std::string& content_type) {
  auto to = parse_endpoint(url);
  if (!to) throw std::runtime_error("not an http:// URL: " + url);
  auto key = to->host + ":" + std::to_string(to->port);
  auto& slot = connections_[key];
  if (!slot) slot = std::make_unique<connection>(executor_);
  auto& c = *slot;

  bhttp::request<bhttp::string_body> request{method, to->base_path.empty() ? "/" : to->base_path, 11};
  request.set(bhttp::field::host, key);
  request.set(bhttp::field::accept, "application/json");
  if (!token.empty()) request.set("X-Auth-Token", token);
  if (!body.empty() || method == bhttp::verb::put || method == bhttp::verb::post) {
    request.set(bhttp::field::content_type, content_type);
    request.body() = body;
    request.prepare_payload();
  }
  request.keep_alive(true);

  // A kept-alive connection the server closed while idle fails before any
  // answer; the request then goes once more on a fresh connection.
  for (int attempt = 0;; ++attempt) {
    bool reused = c.open;
    std::exception_ptr failure;
    try {
      if (!c.open) co_await open(c, *to);
      c.stream.expires_after(timeout_);
      co_await bhttp::async_write(c.stream, request, use_awaitable);
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(64 << 20);
      co_await bhttp::async_read(c.stream, c.buffer, parser, use_awaitable);
      auto& response = parser.get();
      http_answer answer{response.result_int(), std::move(response.body()), {}};
      if (auto it = response.find("X-Subject-Token"); it != response.end()) answer.subject_token = std::string{it->value()};
      if (!response.keep_alive()) {
        beast::error_code ignored;
        c.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        c.stream.close();
        c.open = false;
        c.buffer.clear();
      }
      co_return answer;
    } catch (const boost::system::system_error&) {
      failure = std::current_exception();
    }
    c.stream.close();
    c.open = false;
    c.buffer.clear();
    if (!reused || attempt > 0) std::rethrow_exception(failure);
  }
}

} // namespace fedstack::bench
