#include "http/server.hpp"

#include <array>
#include <cerrno>
#include <limits>
#include <list>
#include <mutex>

#include <sys/socket.h>

#include <spdlog/spdlog.h>

#include "http/splice.hpp"

namespace fedstack::http {
namespace {

constexpr std::size_t chunk_bytes = 64 * 1024;

/// The exchange of one request on a session; borrows the session's stream.
class session_exchange final : public exchange {
public:
  session_exchange(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                   bhttp::request_parser<bhttp::buffer_body>& parser, const server_limits& limits,
                   std::string remote)
    : stream_(stream), buffer_(buffer), parser_(parser), limits_(limits), remote_(std::move(remote)) {}

  const bhttp::request_header<>& request() const override { return parser_.get().base(); }
  std::string remote() const override { return remote_; }
  bool body_done() const override { return parser_.is_done(); }
  bool responded() const override { return responded_; }
  bool keep_alive() const { return keep_alive_; }
  bool complete() const { return !streaming_ || finished_; }
  bool body_timed_out() const { return body_timed_out_; }

  awaitable<std::optional<std::string>> read_body(std::size_t limit) override {
    if (auto length = parser_.content_length(); length && *length > limit) {
      keep_alive_ = false;   // the unread body would poison the connection
      co_return std::nullopt;
    }
    std::string body;
    for (;;) {
      auto piece = co_await read_some();
      if (piece.empty()) break;
      if (body.size() + piece.size() > limit) {
        keep_alive_ = false;
        co_return std::nullopt;
      }
      body.append(piece);
    }
    co_return body;
  }

  awaitable<std::string_view> read_some() override {
    co_await send_continue_if_expected();
    // Allocated on first use: most requests (GETs) have no body to read.
    if (chunk_.empty() && !parser_.is_done()) chunk_.resize(chunk_bytes);
    if (!body_started_) body_started_ = clock::now();
    while (!parser_.is_done()) {
      auto& body = parser_.get().body();
      body.data = chunk_.data();
      body.size = chunk_.size();
      auto left = time_left_for_body();
      if (left <= clock::duration::zero()) fail_body_deadline();
      // The shorter of the per-read timeout and the body's deadline bounds this read.
      bool deadline_bound = left < limits_.io_timeout;
      stream_.expires_after(deadline_bound ? left : clock::duration{limits_.io_timeout});
      beast::error_code ec;
      co_await bhttp::async_read(stream_, buffer_, parser_, asio::redirect_error(use_awaitable, ec));
      if (ec == bhttp::error::need_buffer) ec = {};
      auto produced = chunk_.size() - body.size;
      received_ += produced;
      if (ec == beast::error::timeout && deadline_bound) fail_body_deadline();
      if (ec) {
        keep_alive_ = false;
        throw boost::system::system_error(ec, "read request body");
      }
      if (produced > 0) co_return std::string_view(chunk_.data(), produced);
    }
    co_return std::string_view{};
  }

  awaitable<void> send(bhttp::response<bhttp::string_body> response) override {
    responded_ = true;
    if (!parser_.is_done()) keep_alive_ = false;
    response.keep_alive(keep_alive_ && parser_.get().keep_alive());
    keep_alive_ = response.keep_alive();
    response.prepare_payload();
    stream_.expires_after(limits_.io_timeout);
    co_await bhttp::async_write(stream_, response, use_awaitable);
  }

  awaitable<void> send_header(bhttp::response_header<> header) override {
    responded_ = true;
    streaming_ = true;
    if (!parser_.is_done()) keep_alive_ = false;
    out_.emplace(std::move(header));
    out_->keep_alive(keep_alive_ && parser_.get().keep_alive());
    keep_alive_ = out_->keep_alive();
    auto status = out_->result_int();
    bool bodiless = status < 200 || status == 204 || status == 304;
    if (!bodiless && out_->find(bhttp::field::content_length) == out_->end()) out_->chunked(true);
    out_->body().data = nullptr;
    out_->body().size = 0;
    out_->body().more = true;
    serializer_.emplace(*out_);
    stream_.expires_after(limits_.io_timeout);
    co_await bhttp::async_write_header(stream_, *serializer_, use_awaitable);
  }

  awaitable<void> send_some(std::string_view data) override {
    if (data.empty()) co_return;
    auto& body = out_->body();
    body.data = const_cast<char*>(data.data());
    body.size = data.size();
    body.more = true;
    stream_.expires_after(limits_.io_timeout);
    beast::error_code ec;
    co_await bhttp::async_write(stream_, *serializer_, asio::redirect_error(use_awaitable, ec));
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) {
      keep_alive_ = false;
      throw boost::system::system_error(ec, "write response body");
    }
  }

  awaitable<void> finish() override {
    auto& body = out_->body();
    body.data = nullptr;
    body.size = 0;
    body.more = false;
    stream_.expires_after(limits_.io_timeout);
    co_await bhttp::async_write(stream_, *serializer_, use_awaitable);
    finished_ = true;
  }

  void on_client_gone(std::function<void()> gone) override {
    stop_watching_client();
    // Shared with the wait's handler, which may run after the exchange is gone
    // (a cancelled wait completes later); allocated only when a flow watches.
    bool gone_before = client_gone();
    watch_ = std::make_shared<client_watch>();
    watch_->gone = gone_before;
    // Readable without a read: the client closed (EOF or reset), or sent more
    // (a pipelined request, which is left in the socket for the session).
    stream_.socket().async_wait(
      tcp::socket::wait_read,
      [watch = watch_, fd = stream_.socket().native_handle(), gone = std::move(gone)](const beast::error_code& ec) {
        if (ec || !watch->watching) return;
        char byte;
        auto n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
          watch->gone = true;
          gone();
        }
      });
  }

  void stop_watching_client() override {
    if (!watch_ || !watch_->watching) return;
    watch_->watching = false;
    beast::error_code ignored;
    stream_.socket().cancel(ignored);   // nothing else is pending on it while watched
  }

  bool client_gone() const override { return watch_ && watch_->gone; }

  awaitable<bool> send_spliced(std::string_view ahead, tcp::socket& source, std::uint64_t rest,
                               std::chrono::milliseconds source_timeout,
                               const std::function<void(std::size_t)>& moved) override {
    bool spliced = false;
    try {
      spliced = co_await splice_exactly(source, stream_.socket(), ahead, rest,
                                        {source_timeout, limits_.io_timeout}, moved);
    } catch (...) {
      keep_alive_ = false;   // the body is cut short: the connection cannot carry another answer
      throw;
    }
    // The serializer saw only the header; the body went around it, whole.
    finished_ = spliced;
    co_return spliced;
  }

private:
  using clock = std::chrono::steady_clock;

  /// Time left before the body's deadline (server_limits::min_body_rate).
  clock::duration time_left_for_body() const {
    if (limits_.min_body_rate == 0) return clock::duration::max();
    auto seconds = static_cast<double>(received_) / static_cast<double>(limits_.min_body_rate);
    if (seconds > 1e9) return clock::duration::max();   // decades: no deadline, and no overflow
    auto earned = std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds));
    return *body_started_ + limits_.body_timeout + earned - clock::now();
  }

  [[noreturn]] void fail_body_deadline() {
    body_timed_out_ = true;
    keep_alive_ = false;
    throw boost::system::system_error(beast::error::timeout, "request body deadline passed");
  }

  // curl and others wait for "100 Continue" before sending a large body; answer
  // it only when the handler actually wants the body.
  awaitable<void> send_continue_if_expected() {
    if (continue_sent_ || responded_) co_return;
    continue_sent_ = true;
    auto expect = request()[bhttp::field::expect];
    if (!beast::iequals(expect, "100-continue")) co_return;
    bhttp::response<bhttp::empty_body> interim{bhttp::status::continue_, 11};
    stream_.expires_after(limits_.io_timeout);
    co_await bhttp::async_write(stream_, interim, use_awaitable);
  }

  beast::tcp_stream& stream_;
  beast::flat_buffer& buffer_;
  bhttp::request_parser<bhttp::buffer_body>& parser_;
  const server_limits& limits_;
  std::string remote_;
  std::string chunk_;
  bool responded_ = false;
  bool continue_sent_ = false;
  bool keep_alive_ = true;
  bool streaming_ = false;
  bool finished_ = false;
  bool body_timed_out_ = false;
  struct client_watch {
    bool watching = true;
    bool gone = false;
  };
  std::shared_ptr<client_watch> watch_;   // none until a flow watches the client
  std::optional<clock::time_point> body_started_;
  std::uint64_t received_ = 0;
  std::optional<bhttp::response<bhttp::buffer_body>> out_;
  std::optional<bhttp::response_serializer<bhttp::buffer_body>> serializer_;
};

bhttp::response<bhttp::string_body> plain_error(bhttp::status status, std::string_view message) {
  bhttp::response<bhttp::string_body> response{status, 11};
  response.set(bhttp::field::content_type, "application/json");
  response.body() = R"({"error": {"code": )" + std::to_string(static_cast<unsigned>(status)) +
                    R"(, "title": ")" + std::string(bhttp::obsolete_reason(status)) +
                    R"(", "message": ")" + std::string(message) + "\"}}";
  response.keep_alive(false);
  return response;
}

/// Answers a connection over its limits with 503 and closes it. The client's
/// unread request is drained briefly first: closing with unread data would
/// reset the connection and could destroy the answer before the client reads it.
awaitable<void> refuse(tcp::socket socket, connection_refusal why) {
  beast::tcp_stream stream{std::move(socket)};
  stream.expires_after(std::chrono::seconds{1});
  auto response = plain_error(bhttp::status::service_unavailable,
                              why == connection_refusal::per_client
                                ? "Too many connections from this client."
                                : "Too many connections.");
  response.set(bhttp::field::retry_after, "1");
  response.prepare_payload();
  beast::error_code ec;
  co_await bhttp::async_write(stream, response, asio::redirect_error(use_awaitable, ec));
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  std::array<char, 4096> sink;
  while (!ec) co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(use_awaitable, ec));
  stream.close();
}

bool out_of_descriptors(const beast::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory || ec.value() == ENFILE;
}

} // namespace

struct server::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, handler h, server_limits limits, server::session_placement place)
    : io_(io), handler_(std::move(h)), limits_(std::move(limits)), place_(std::move(place)), acceptor_(io),
      slots_(std::make_shared<connection_slots>(limits_.max_connections,
                                                limits_.max_connections_per_client)) {}

  awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      beast::error_code ec;
      auto session_executor = place_ ? place_() : asio::any_io_executor{asio::make_strand(io_)};
      tcp::socket socket = co_await acceptor_.async_accept(session_executor,
                                                           asio::redirect_error(use_awaitable, ec));
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
      if (ec) {
        spdlog::warn("http: accept failed: {}", ec.message());
        // Accepting again at once would spin while descriptors are exhausted.
        if (out_of_descriptors(ec)) {
          asio::steady_timer pause{io_, std::chrono::milliseconds{100}};
          co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
        }
        continue;
      }
      // Responses are written in pieces; Nagle would hold each tail back for an ACK.
      socket.set_option(tcp::no_delay(true), ec);
      auto executor = socket.get_executor();
      auto peer = socket.remote_endpoint(ec);
      auto client = ec ? std::string{} : peer.address().to_string();
      auto admission = slots_->try_take(client);
      if (!admission.taken) {
        if (limits_.on_refused) limits_.on_refused(admission.refusal);
        asio::co_spawn(executor, refuse(std::move(socket), admission.refusal), asio::detached);
        continue;
      }
      asio::co_spawn(executor, run_session(std::move(socket), std::move(*admission.taken)), asio::detached);
    }
  }

  // `slot` is held for the session's lifetime: its destructor frees the connection.
  awaitable<void> run_session(tcp::socket socket, [[maybe_unused]] connection_slots::slot slot) {
    auto self = shared_from_this();
    std::string remote;
    {
      beast::error_code ec;
      auto peer = socket.remote_endpoint(ec);
      if (!ec) remote = peer.address().to_string() + ":" + std::to_string(peer.port());
    }
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    auto registration = track(stream);
    beast::flat_buffer buffer;
    buffer.reserve(chunk_bytes);   // read in large pieces (see http/client.cpp)
    bool first = true;
    try {
      for (;;) {
        bhttp::request_parser<bhttp::buffer_body> parser;
        parser.header_limit(limits_.header_bytes);
        // Boost 1.74: body_limit(boost::none) is broken; the handler enforces its own limits.
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        beast::error_code ec;
        if (buffer.size() == 0) {
          // An idle keep-alive connection may wait for its next request longer
          // than a header may take to arrive, but once it starts, the header
          // timeout runs: a slow client cannot hold the connection by trickling.
          stream->expires_after(first ? limits_.header_timeout : limits_.idle_timeout);
          auto n = co_await stream->async_read_some(buffer.prepare(chunk_bytes),
                                                    asio::redirect_error(use_awaitable, ec));
          if (ec) break;
          buffer.commit(n);
          if (!first) stream->expires_after(limits_.header_timeout);
        } else {
          stream->expires_after(limits_.header_timeout);
        }
        first = false;
        co_await bhttp::async_read_header(*stream, buffer, parser,
                                          asio::redirect_error(use_awaitable, ec));
        if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
            ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
            ec == asio::error::eof) {
          break;
        }
        if (ec) {
          auto status = ec == bhttp::error::header_limit
                          ? bhttp::status::request_header_fields_too_large
                          : bhttp::status::bad_request;
          auto response = plain_error(status, "Malformed or oversized request header.");
          response.prepare_payload();
          stream->expires_after(limits_.io_timeout);
          co_await bhttp::async_write(*stream, response, asio::redirect_error(use_awaitable, ec));
          break;
        }
        session_exchange ex{*stream, buffer, parser, limits_, remote};
        bool failed = false;
        try {
          co_await handler_(ex);
        } catch (const std::exception& e) {
          spdlog::warn("http: handler for {} {} failed: {}",
                       std::string(ex.request().method_string()),
                       std::string(ex.request().target()), e.what());
          failed = true;
        }
        ex.stop_watching_client();
        if (ex.client_gone()) break;
        if (failed || !ex.responded()) {
          if (ex.responded()) break;   // a half-sent response can only be cut off
          auto response = ex.body_timed_out()
                            ? plain_error(bhttp::status::request_timeout,
                                          "The request body did not arrive in time.")
                            : plain_error(bhttp::status::internal_server_error,
                                          "The server failed to answer the request.");
          response.prepare_payload();
          stream->expires_after(limits_.io_timeout);
          co_await bhttp::async_write(*stream, response, asio::redirect_error(use_awaitable, ec));
          break;
        }
        if (!ex.complete() || !ex.keep_alive() || !parser.is_done()) break;
      }
    } catch (const std::exception& e) {
      spdlog::debug("http: session {} ended: {}", remote, e.what());
    }
    beast::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream->close();
  }

  // Sessions are tracked so that stop() can close them.
  struct registration_guard {
    std::shared_ptr<impl> owner;
    std::list<std::weak_ptr<beast::tcp_stream>>::iterator it;
    ~registration_guard() {
      std::lock_guard lock{owner->mutex_};
      owner->sessions_.erase(it);
    }
  };
  registration_guard track(const std::shared_ptr<beast::tcp_stream>& stream) {
    std::lock_guard lock{mutex_};
    sessions_.push_front(stream);
    return registration_guard{shared_from_this(), sessions_.begin()};
  }

  void stop() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
    std::lock_guard lock{mutex_};
    for (auto& weak : sessions_) {
      if (auto stream = weak.lock()) {
        asio::post(stream->get_executor(), [stream] { stream->cancel(); });
      }
    }
  }

  asio::io_context& io_;
  handler handler_;
  server_limits limits_;
  server::session_placement place_;
  tcp::acceptor acceptor_;
  std::shared_ptr<connection_slots> slots_;
  std::mutex mutex_;
  std::list<std::weak_ptr<beast::tcp_stream>> sessions_;
};

server::server(asio::io_context& io, handler h, server_limits limits, session_placement place)
  : impl_(std::make_shared<impl>(io, std::move(h), limits, std::move(place))) {}

server::~server() { stop(); }

std::uint16_t server::listen(const std::string& address, std::uint16_t port) {
  tcp::endpoint at{asio::ip::make_address(address), port};
  auto& acceptor = impl_->acceptor_;
  acceptor.open(at.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(at);
  acceptor.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(acceptor.get_executor(), impl_->accept_loop(), asio::detached);
  return acceptor.local_endpoint().port();
}

void server::stop() { impl_->stop(); }

} // namespace fedstack::http
