// Image bytes through the agent: relayed piece by piece between client and
// cloud, so memory stays bounded whatever the image size.

#include <array>
#include <memory>

#include "agent/request.hpp"
#include "agent/upstream_call.hpp"
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
  // Reading piece n+1 from the client overlaps writing piece n to the cloud:
  // two buffers of one piece (at most 64 KiB) each, used in turn.
  auto& uploaded = metrics::fedstack().image_bytes;
  std::array<std::string, 2> pieces;
  std::size_t next = 0;
  std::size_t writing_bytes = 0;
  auto executor = co_await http::asio::this_coro::executor;
  background_write writing{executor};
  for (;;) {
    std::string_view piece;
    std::exception_ptr client_failure;
    try {
      piece = co_await r.exchange.read_some();
      pieces[next].assign(piece);   // the exchange's view lasts only until its next read
    } catch (...) {
      client_failure = std::current_exception();
    }
    std::exception_ptr cloud_failure;
    try {
      co_await writing.wait();
    } catch (...) {
      cloud_failure = std::current_exception();
    }
    if (client_failure) std::rethrow_exception(client_failure);   // it ends the request
    if (cloud_failure) {
      try {
        std::rethrow_exception(cloud_failure);
      } catch (const boost::system::system_error& error) {
        throw_upstream_failure(to, error);
      }
    }
    if (writing_bytes > 0) uploaded.add({"upload"}, static_cast<double>(writing_bytes));
    if (piece.empty()) break;
    writing_bytes = piece.size();
    writing.start(up.send_some(pieces[next], timeout));
    next = 1 - next;
  }
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
  for (;;) {
    std::string_view piece;
    try {
      piece = co_await up.read_some(timeout);
    } catch (const boost::system::system_error& error) {
      // Headers are out: the only honest signal left is cutting the connection.
      throw_upstream_failure(to, error);
    }
    if (piece.empty()) break;
    co_await r.exchange.send_some(piece);
    metrics::fedstack().image_bytes.add({"download"}, static_cast<double>(piece.size()));
  }
  co_await r.exchange.finish();
}

} // namespace fedstack::agent
