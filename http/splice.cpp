#include "http/splice.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

namespace fedstack::http {
namespace {

/// A pipe's size is a hint: a larger one lets each splice move more, but the
/// kernel caps it (fs.pipe-max-size) and may refuse; the default then serves.
constexpr int wanted_pipe_bytes = 1 << 20;

beast::error_code last_error() { return {errno, boost::system::system_category()}; }

/// splice's flags: a hint to move pages rather than copy them, and never block
/// on the pipe (the sockets are made non-blocking by the caller).
constexpr unsigned splice_flags = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;

class pipe_pair {
public:
  pipe_pair() {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return;
    read_end_ = fds[0];
    write_end_ = fds[1];
    auto size = ::fcntl(write_end_, F_SETPIPE_SZ, wanted_pipe_bytes);
    if (size < 0) size = ::fcntl(write_end_, F_GETPIPE_SZ);
    capacity_ = size > 0 ? static_cast<std::size_t>(size) : 64 * 1024;
  }
  ~pipe_pair() {
    if (read_end_ >= 0) ::close(read_end_);
    if (write_end_ >= 0) ::close(write_end_);
  }
  pipe_pair(const pipe_pair&) = delete;
  pipe_pair& operator=(const pipe_pair&) = delete;

  bool open() const { return read_end_ >= 0; }
  int read_end() const { return read_end_; }
  int write_end() const { return write_end_; }
  std::size_t capacity() const { return capacity_; }

private:
  int read_end_ = -1;
  int write_end_ = -1;
  std::size_t capacity_ = 0;
};

/// splice(2) and raw writes follow the socket's own blocking mode, which Asio
/// leaves blocking until one of its operations would block: made non-blocking
/// for the relay, as it was afterwards.
class non_blocking_scope {
public:
  explicit non_blocking_scope(tcp::socket& socket) : socket_(socket), was_(socket.non_blocking()) {
    socket_.non_blocking(true);
  }
  ~non_blocking_scope() {
    beast::error_code ignored;
    socket_.non_blocking(was_, ignored);
  }
  non_blocking_scope(const non_blocking_scope&) = delete;
  non_blocking_scope& operator=(const non_blocking_scope&) = delete;

private:
  tcp::socket& socket_;
  bool was_;
};

/// Waits until `socket` is ready for `what`, at most `timeout`. The timer's
/// handler may already be queued when the wait ends; `state` tells it so.
awaitable<beast::error_code> wait_ready(tcp::socket& socket, tcp::socket::wait_type what,
                                        std::chrono::milliseconds timeout) {
  struct watch {
    bool waiting = true;
    bool fired = false;
  };
  auto state = std::make_shared<watch>();
  asio::steady_timer timer{socket.get_executor(), timeout};
  timer.async_wait([state, &socket](const beast::error_code& ec) {
    if (ec || !state->waiting) return;
    state->fired = true;
    beast::error_code ignored;
    socket.cancel(ignored);
  });
  beast::error_code ec;
  co_await socket.async_wait(what, asio::redirect_error(use_awaitable, ec));
  state->waiting = false;
  timer.cancel();
  if (state->fired) co_return beast::error::timeout;
  co_return ec;
}

bool splice_refused(int error) { return error == EINVAL || error == ENOSYS || error == EOPNOTSUPP; }

} // namespace

awaitable<bool> splice_exactly(tcp::socket& source, tcp::socket& sink, std::string_view ahead,
                               std::uint64_t bytes, relay_timeouts timeouts,
                               const std::function<void(std::size_t)>& moved) {
  pipe_pair pipe;
  if (bytes > 0 && !pipe.open()) co_return false;   // out of descriptors: the caller copies
  non_blocking_scope source_mode{source};
  non_blocking_scope sink_mode{sink};
  std::uint64_t unread = bytes;   // still at the source
  std::size_t piped = 0;          // in the pipe, not yet at the sink
  bool touched = false;           // anything read or written yet
  while (unread > 0 || piped > 0 || !ahead.empty()) {
    bool progressed = false;
    if (unread > 0 && piped < pipe.capacity()) {
      auto room = static_cast<std::size_t>(std::min<std::uint64_t>(unread, pipe.capacity() - piped));
      auto n = ::splice(source.native_handle(), nullptr, pipe.write_end(), nullptr, room, splice_flags);
      if (n > 0) {
        unread -= static_cast<std::uint64_t>(n);
        piped += static_cast<std::size_t>(n);
        progressed = touched = true;
      } else if (n == 0) {
        throw relay_error(asio::error::eof, "read body to relay", true);
      } else if (errno == EINTR) {
        continue;
      } else if (errno != EAGAIN) {
        if (!touched && splice_refused(errno)) co_return false;
        throw relay_error(last_error(), "read body to relay", true);
      }
    }
    // The bytes read ahead go first, then the pipe's.
    if (!ahead.empty()) {
      beast::error_code ec;
      auto n = sink.write_some(asio::buffer(ahead.data(), ahead.size()), ec);
      if (ec && ec != asio::error::would_block) throw relay_error(ec, "write relayed body", false);
      if (n > 0) {
        ahead.remove_prefix(n);
        moved(n);
        progressed = touched = true;
      }
    } else if (piped > 0) {
      auto n = ::splice(pipe.read_end(), nullptr, sink.native_handle(), nullptr, piped, splice_flags);
      if (n > 0) {
        piped -= static_cast<std::size_t>(n);
        moved(static_cast<std::size_t>(n));
        progressed = true;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n == 0 || errno != EAGAIN) {
        throw relay_error(n == 0 ? beast::error_code{asio::error::broken_pipe} : last_error(),
                          "write relayed body", false);
      }
    }
    if (progressed) continue;
    // Nothing moved: something waits for the sink (it is full) or the pipe
    // is empty and the source has nothing yet.
    bool for_sink = !ahead.empty() || piped > 0;
    beast::error_code ec;
    if (for_sink)
      ec = co_await wait_ready(sink, tcp::socket::wait_write, timeouts.sink);
    else
      ec = co_await wait_ready(source, tcp::socket::wait_read, timeouts.source);
    if (ec) throw relay_error(ec, for_sink ? "wait to write relayed body" : "wait for body to relay", !for_sink);
  }
  co_return true;
}

} // namespace fedstack::http
