#pragma once
// A connection to an upstream: plain TCP, or TLS over it (https endpoints). Beast's
// HTTP operations take it like any stream; timeouts stay those of the TCP stream.

#include <memory>
#include <string>
#include <utility>

#include <boost/beast/ssl/ssl_stream.hpp>

#include "http/asio.hpp"
#include "http/endpoint.hpp"

namespace fedstack::http {

class upstream_stream {
public:
  using executor_type = beast::tcp_stream::executor_type;

  explicit upstream_stream(asio::any_io_executor ex) : plain_(std::move(ex)) {}

  /// Connects to `to` within `timeout`, and for https shakes hands and checks
  /// the certificate (tls_client.hpp). Throws boost::system::system_error; a
  /// refused certificate says why ("certificate verify failed: ...").
  awaitable<void> connect(const endpoint& to, std::chrono::milliseconds timeout);

  /// The TCP stream under any TLS: its timeouts apply to every operation.
  beast::tcp_stream& tcp() { return tls_ ? tls_->next_layer() : plain_; }
  tcp::socket& socket() { return tcp().socket(); }
  /// True for TLS: the socket's bytes are not the HTTP bytes (no splice).
  bool encrypted() const { return tls_ != nullptr; }

  executor_type get_executor() { return tcp().get_executor(); }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    if (tls_) return tls_->async_read_some(buffers, std::forward<Handler>(handler));
    return plain_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    if (tls_) return tls_->async_write_some(buffers, std::forward<Handler>(handler));
    return plain_.async_write_some(buffers, std::forward<Handler>(handler));
  }

private:
  beast::tcp_stream plain_;   // moved into tls_ once it is made
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_;
};

} // namespace fedstack::http
