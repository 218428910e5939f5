#pragma once
// An asynchronous HTTP/1.1 server on Beast and Asio coroutines. It reads each
// request's header, then hands an `exchange` to the application's handler, which
// pulls the body (whole or in chunks) and sends a response (whole or streamed).
// Image bytes therefore never have to be held in memory.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/asio.hpp"
#include "http/connection_slots.hpp"

namespace fedstack::http {

struct server_limits {
  /// Largest request header accepted; larger ones get 431.
  std::uint32_t header_bytes = 16 * 1024;
  /// Time allowed for reading one request header (slow clients are cut off).
  std::chrono::milliseconds header_timeout{30'000};
  /// Time allowed for each read or write of a body chunk.
  std::chrono::milliseconds io_timeout{60'000};
  /// A request body must arrive whole within body_timeout plus one second for
  /// every min_body_rate bytes received, counted from the handler's first read:
  /// one deadline for the whole body, which a trickling client cannot push back,
  /// while a large upload at a decent rate earns the time it needs. Past it the
  /// client gets 408 and the connection is closed. min_body_rate 0: no deadline.
  std::chrono::milliseconds body_timeout{60'000};
  std::uint64_t min_body_rate = 32 * 1024;   // bytes per second
  /// Time an idle keep-alive connection is kept. Once the next request's first
  /// byte arrives, its header must be complete within header_timeout.
  std::chrono::milliseconds idle_timeout{60'000};
  /// Connections held at once, in total and from one client address (0: no
  /// limit). Beyond them a connection gets 503 and is closed.
  std::size_t max_connections = 0;
  std::size_t max_connections_per_client = 0;
  /// Told of every refused connection (metrics); called on a session's strand.
  std::function<void(connection_refusal)> on_refused;
};

/// One request and its response on a session. Valid only while the handler runs.
class exchange {
public:
  virtual ~exchange() = default;

  virtual const bhttp::request_header<>& request() const = 0;
  /// The peer's address, for logs.
  virtual std::string remote() const = 0;

  /// Reads the whole body. Returns nullopt when it is larger than `limit`
  /// (the caller then answers 413; the connection is closed afterwards).
  virtual awaitable<std::optional<std::string>> read_body(std::size_t limit) = 0;
  /// Reads the next piece of the body; an empty view means the body is complete.
  /// The view is valid until the next call. Throws on I/O errors.
  virtual awaitable<std::string_view> read_some() = 0;
  /// True when the whole request body has been read.
  virtual bool body_done() const = 0;

  /// Sends a complete response (Content-Length is set from the body).
  virtual awaitable<void> send(bhttp::response<bhttp::string_body> response) = 0;

  /// Streams a response: the header first (with Content-Length, or chunked when
  /// it has none), then any number of `send_some`, then `finish`.
  virtual awaitable<void> send_header(bhttp::response_header<> header) = 0;
  virtual awaitable<void> send_some(std::string_view data) = 0;
  virtual awaitable<void> finish() = 0;
  /// Instead of send_some and finish, after a header with Content-Length:
  /// sends `ahead`, then moves exactly `rest` bytes from `source` to the client
  /// without copying them (http/splice.hpp; the process must ignore SIGPIPE).
  /// Returns false, having sent nothing, when the kernel cannot splice them.
  /// Throws relay_error.
  virtual awaitable<bool> send_spliced(std::string_view ahead, tcp::socket& source, std::uint64_t rest,
                                       std::chrono::milliseconds source_timeout,
                                       const std::function<void(std::size_t)>& moved) = 0;

  /// True once a response (or its header) has been sent.
  virtual bool responded() const = 0;

  /// While the handler waits on others (a list's cloud reads) and reads nothing
  /// itself: calls `gone` (on the session's executor) if the client closes its
  /// connection. At most one watch at a time; end it with stop_watching_client
  /// before reading or writing again.
  virtual void on_client_gone(std::function<void()> gone) = 0;
  virtual void stop_watching_client() = 0;
  /// True once a watch saw the client close.
  virtual bool client_gone() const = 0;
};

using handler = std::function<awaitable<void>(exchange&)>;

/// Accepts connections on one address and runs `handler` for every request.
/// Accepts on the io_context it is given; each connection's session runs on the
/// executor `place` returns for it, by default a strand of that io_context (a
/// context run by several threads needs one; a context per thread, as
/// io_threads.hpp has, does not). `stop()` closes the acceptor and all sessions.
class server {
public:
  using session_placement = std::function<asio::any_io_executor()>;
  server(asio::io_context& io, handler h, server_limits limits = {}, session_placement place = {});
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and starts accepting; port 0 picks a free port. Returns the bound port.
  std::uint16_t listen(const std::string& address, std::uint16_t port);
  void stop();

private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

} // namespace fedstack::http
