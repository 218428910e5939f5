#pragma once
// An HTTP/1.1 client for upstream calls, on Asio coroutines. Each operation has
// its own timeout; a timeout surfaces as beast::error::timeout.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/asio.hpp"
#include "http/connection_pool.hpp"
#include "http/endpoint.hpp"
#include "http/upstream_stream.hpp"

namespace fedstack::http {

/// One connection to an upstream. Used for a single request/response; streaming
/// both ways.
class upstream {
public:
  explicit upstream(asio::any_io_executor ex);

  awaitable<void> connect(const endpoint& to, std::chrono::milliseconds timeout);

  /// Sends the request header; the body follows with `send_some` and `finish`
  /// (Content-Length or chunked as the header says).
  awaitable<void> send_header(bhttp::request_header<> header, std::chrono::milliseconds timeout);
  awaitable<void> send_some(std::string_view data, std::chrono::milliseconds timeout);
  awaitable<void> finish(std::chrono::milliseconds timeout);

  /// Sends a whole request with a string body.
  awaitable<void> send(bhttp::request<bhttp::string_body> request, std::chrono::milliseconds timeout);

  /// Reads the response header (set `head_request` for HEAD: no body follows).
  awaitable<void> read_header(std::chrono::milliseconds timeout, bool head_request = false);
  /// The response header, valid after read_header.
  const bhttp::response_header<>& header() const { return parser_.get().base(); }
  /// Reads the next piece of the response body; empty when complete.
  awaitable<std::string_view> read_some(std::chrono::milliseconds timeout);
  /// Reads the whole response body (at most `limit` bytes; throws when larger).
  awaitable<std::string> read_body(std::size_t limit, std::chrono::milliseconds timeout);
  bool body_done() const;

  /// For relaying the body socket to socket (splice.hpp), after read_header:
  /// its length when the answer has a Content-Length (not chunked), the body
  /// bytes already read with the header, and the socket the rest arrives on.
  /// This upstream cannot read the body any more once the socket is used so.
  /// Not over TLS (`encrypted()`): its socket carries ciphertext.
  std::optional<std::uint64_t> body_length() const;
  std::string_view read_ahead() const;
  tcp::socket& socket() { return stream_.socket(); }
  bool encrypted() const { return stream_.encrypted(); }

private:
  upstream_stream stream_;
  beast::flat_buffer buffer_;
  std::string chunk_;
  bhttp::response_parser<bhttp::buffer_body> parser_;
  std::optional<bhttp::request<bhttp::buffer_body>> out_;
  std::optional<bhttp::request_serializer<bhttp::buffer_body>> serializer_;
};

/// A whole response, for small JSON calls.
struct response {
  unsigned status = 0;
  bhttp::fields headers;
  std::string body;
};

/// Sends one request with a string body and reads the whole answer.
/// Throws boost::system::system_error (beast::error::timeout on timeout).
awaitable<response> fetch(const endpoint& to, bhttp::request<bhttp::string_body> request,
                          std::chrono::milliseconds timeout, std::size_t body_limit = 64 << 20);

/// As fetch, over a pooled keep-alive connection when `pool` has one. Only for
/// requests that are safe to repeat (GET, HEAD): a pooled connection the
/// upstream closed while idle fails before any answer, and the request is then
/// sent once more on a fresh connection.
awaitable<response> fetch(connection_pool& pool, const endpoint& to,
                          bhttp::request<bhttp::string_body> request,
                          std::chrono::milliseconds timeout, std::size_t body_limit = 64 << 20);

} // namespace fedstack::http
