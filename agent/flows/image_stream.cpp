// Image bytes through the agent: relayed piece by piece between client and
// cloud, so memory stays bounded whatever the image size.

#include <array>
#include <functional>
#include <memory>

#include "agent/flows/request.hpp"
#include "agent/services/upstream_call.hpp"
#include "http/splice.hpp"
#include "metrics/catalog.hpp"

namespace fedstack::agent {
namespace {

/// One write at a time in the background, so that the next piece can be read
/// while the last one is written. The caller waits for it before it reuses
/// that piece's buffer, and before it leaves: the write refers to its locals.
class background_write {
public:
  explicit background_write(const http::asio::any_io_executor& executor)
    : executor_(executor), state_(std::make_shared<state>(executor)) {}

  void start(http::awaitable<void> write) {
    state_->running = true;
    state_->done.expires_at(http::asio::steady_timer::time_point::max());
    // The completion runs on our executor (bound: co_spawn alone does not promise it).
    http::asio::co_spawn(executor_, std::move(write),
                         http::asio::bind_executor(executor_, [s = state_](std::exception_ptr error) {
                           s->error = error;
                           s->running = false;
                           s->done.cancel();
                         }));
  }

  /// Waits for the write started last (if any); rethrows its failure.
  http::awaitable<void> wait() {
    if (state_->running) {
      boost::system::error_code woken;   // the completion cancels the wait
      co_await state_->done.async_wait(http::asio::redirect_error(http::use_awaitable, woken));
    }
    if (auto error = std::exchange(state_->error, nullptr)) std::rethrow_exception(error);
  }

private:
  struct state {
    explicit state(const http::asio::any_io_executor& executor) : done(executor) {}
    bool running = false;
    std::exception_ptr error;
    http::asio::steady_timer done;
  };
  http::asio::any_io_executor executor_;
  std::shared_ptr<state> state_;
};

/// Moves a body piece by piece from `read` (an empty piece: the end) to
/// `write`, reading piece n+1 while piece n is written: two buffers of one
/// piece (at most 64 KiB) each, used in turn. A failure on the cloud's side
/// becomes upstream_failure; one on the client's ends the request as it is.
http::awaitable<void> relay(const std::function<http::awaitable<std::string_view>()>& read,
                            const std::function<http::awaitable<void>(std::string_view)>& write,
                            bool cloud_reads, const http::endpoint& cloud, const std::string& direction) {
  auto& relayed = metrics::fedstack().image_bytes;
  std::array<std::string, 2> pieces;
  std::size_t next = 0;
  std::size_t writing_bytes = 0;
  background_write writing{co_await http::asio::this_coro::executor};
  for (;;) {
    std::string_view piece;
    std::exception_ptr read_failure;
    try {
      piece = co_await read();
      pieces[next].assign(piece);   // the reader's view lasts only until its next read
    } catch (...) {
      read_failure = std::current_exception();
    }
    std::exception_ptr write_failure;
    try {
      co_await writing.wait();   // also before leaving: the write uses our buffers
    } catch (...) {
      write_failure = std::current_exception();
    }
    auto cloud_failure = cloud_reads ? read_failure : write_failure;
    auto client_failure = cloud_reads ? write_failure : read_failure;
    if (client_failure) std::rethrow_exception(client_failure);
    if (cloud_failure) {
      try {
        std::rethrow_exception(cloud_failure);
      } catch (const boost::system::system_error& error) {
        throw_upstream_failure(cloud, error);
      }
    }
    if (writing_bytes > 0) relayed.add({direction}, static_cast<double>(writing_bytes));
    if (piece.empty()) co_return;
    writing_bytes = piece.size();
    writing.start(write(pieces[next]));
    next = 1 - next;
  }
}

} // namespace

http::awaitable<void> handle_image_upload(request& r, const std::string& local_path) {
  const auto& to = r.target.image;
  auto timeout = r.context.upstream_timeout();
  http::upstream up{co_await http::asio::this_coro::executor};
  try {
    co_await up.connect(to, r.context.connect_timeout());
    bhttp::request_header<> head;
    head.method(bhttp::verb::put);
    head.target(to.base_path + local_path);
    head.version(11);
    copy_request_headers(r.header(), head);
    head.set(bhttp::field::host, to.host + ":" + std::to_string(to.port));
    head.set("X-Openstack-Request-Id", r.request_id);
    // Keep the client's framing: a known length stays a length, otherwise chunked.
    if (auto length = r.header()[bhttp::field::content_length]; !length.empty())
      head.set(bhttp::field::content_length, length);
    else
      head.set(bhttp::field::transfer_encoding, "chunked");
    co_await up.send_header(std::move(head), timeout);
  } catch (const boost::system::system_error& error) {
    throw_upstream_failure(to, error);
  }
  std::function<http::awaitable<std::string_view>()> from_client = [&r] { return r.exchange.read_some(); };
  std::function<http::awaitable<void>(std::string_view)> to_cloud = [&up, timeout](std::string_view piece) {
    return up.send_some(piece, timeout);
  };
  co_await relay(from_client, to_cloud, false, to, "upload");
  http::response answer;
  try {
    co_await up.finish(timeout);
    co_await up.read_header(timeout);
    answer.status = up.header().result_int();
    for (const auto& f : up.header()) answer.headers.insert(f.name_string(), f.value());
    answer.body = co_await up.read_body(1 << 20, timeout);
  } catch (const boost::system::system_error& error) {
    throw_upstream_failure(to, error);
  }
  co_await send_upstream_response(r, answer, std::move(answer.body));
}

http::awaitable<void> handle_image_download(request& r, const std::string& local_path) {
  const auto& to = r.target.image;
  auto timeout = r.context.upstream_timeout();
  http::upstream up{co_await http::asio::this_coro::executor};
  try {
    co_await up.connect(to, r.context.connect_timeout());
    bhttp::request<bhttp::string_body> request{bhttp::verb::get, to.base_path + local_path, 11};
    copy_request_headers(r.header(), request.base());
    request.set(bhttp::field::host, to.host + ":" + std::to_string(to.port));
    request.set("X-Openstack-Request-Id", r.request_id);
    co_await up.send(std::move(request), timeout);
    co_await up.read_header(timeout);
  } catch (const boost::system::system_error& error) {
    throw_upstream_failure(to, error);
  }
  bhttp::response_header<> head;
  head.result(up.header().result_int());
  head.version(11);
  copy_response_headers(up.header(), head);
  keep_location_on_agent(r, head);
  if (auto length = up.header()[bhttp::field::content_length]; !length.empty())
    head.set(bhttp::field::content_length, length);
  if (head.find("X-Openstack-Request-Id") == head.end()) head.set("X-Openstack-Request-Id", r.request_id);
  r.status = up.header().result_int();
  co_await r.exchange.send_header(std::move(head));
  // A cloud failure from here on (headers are out) can only cut the connection.
  // splice(2) moves socket bytes: over TLS they are ciphertext, so TLS clouds are copied.
  if (auto length = up.body_length();
      length && !up.body_done() && !up.encrypted() && !r.context.options.copy_downloads) {
    auto ahead = up.read_ahead().substr(0, *length);
    auto& relayed = metrics::fedstack().image_bytes;
    std::function<void(std::size_t)> count = [&relayed](std::size_t n) {
      relayed.add({"download"}, static_cast<double>(n));
    };
    bool spliced = false;
    try {
      spliced = co_await r.exchange.send_spliced(ahead, up.socket(), *length - ahead.size(), timeout, count);
    } catch (const http::relay_error& error) {
      if (error.at_source) throw_upstream_failure(to, error);
      throw;
    }
    if (spliced) co_return;
  }
  std::function<http::awaitable<std::string_view>()> from_cloud = [&up, timeout] { return up.read_some(timeout); };
  std::function<http::awaitable<void>(std::string_view)> to_client = [&r](std::string_view piece) {
    return r.exchange.send_some(piece);
  };
  co_await relay(from_cloud, to_client, true, to, "download");
  co_await r.exchange.finish();
}

} // namespace fedstack::agent
