// A request body has one deadline for the whole body (server_limits::body_timeout
// plus a second per min_body_rate bytes), not a timeout that restarts on every read:
// a client that trickles its body just fast enough for each read is cut off, while
// an upload at a decent rate may take as long as it needs.
#include <gtest/gtest.h>

#include "http/server.hpp"

using namespace fedstack::http;
using namespace std::chrono_literals;

namespace {

using clock_type = std::chrono::steady_clock;

// Reads every body the way image uploads do (piece by piece) and answers its size.
struct upload_server : ::testing::Test {
  asio::io_context io;
  server srv{io,
             [](exchange& ex) -> awaitable<void> {
               std::size_t total = 0;
               for (;;) {
                 auto piece = co_await ex.read_some();
                 if (piece.empty()) break;
                 total += piece.size();
               }
               bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
               res.body() = std::to_string(total);
               co_await ex.send(std::move(res));
             },
             [] {
               server_limits l;
               l.io_timeout = 300ms;         // each read: a 64 KiB piece arrives well within it
               l.body_timeout = 500ms;
               l.min_body_rate = 1 << 20;    // 1 MiB/s earns a second per MiB
               return l;
             }()};
  std::uint16_t port = srv.listen("127.0.0.1", 0);

  template <class T>
  T run(awaitable<T> body) {
    std::optional<T> result;
    std::exception_ptr error;
    asio::co_spawn(io, std::move(body), [&](std::exception_ptr e, T r) {
      error = e;
      result = std::move(r);
      srv.stop();
    });
    io.run_for(30s);
    if (error) std::rethrow_exception(error);
    if (!result) throw std::runtime_error("test did not finish");
    return *result;
  }

  awaitable<tcp::socket> connect() {
    tcp::socket s{co_await asio::this_coro::executor};
    co_await s.async_connect(tcp::endpoint{asio::ip::make_address("127.0.0.1"), port}, use_awaitable);
    co_return s;
  }
};

struct paced_result {
  std::size_t sent = 0;
  std::chrono::milliseconds took{};
  std::string answer;   // what the server said before closing, if it could be read
};

/// Sends a POST of `length` bytes in `piece`-byte writes every `pause`, until all
/// is sent, the server answers or closes, or `give_up` passes.
awaitable<paced_result> paced_upload(tcp::socket& s, std::size_t length, std::size_t piece,
                                     std::chrono::milliseconds pause, std::chrono::milliseconds give_up) {
  paced_result out;
  auto started = clock_type::now();
  std::string header = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
  co_await asio::async_write(s, asio::buffer(header), use_awaitable);
  std::string data(piece, 'x');
  asio::steady_timer pace{co_await asio::this_coro::executor};
  beast::error_code ec;
  while (out.sent < length && clock_type::now() - started < give_up) {
    auto n = std::min(piece, length - out.sent);
    co_await asio::async_write(s, asio::buffer(data.data(), n), asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    out.sent += n;
    pace.expires_after(pause);
    co_await pace.async_wait(use_awaitable);
    if (s.available(ec) > 0 || ec) break;   // the server answered or closed
  }
  // The answer, or the close (a reset may come instead of the answer).
  std::string all;
  std::array<char, 4096> buffer;
  for (;;) {
    auto n = co_await s.async_read_some(asio::buffer(buffer), asio::redirect_error(use_awaitable, ec));
    all.append(buffer.data(), n);
    if (ec || all.find("\r\n\r\n") != std::string::npos) break;
  }
  out.took = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started);
  out.answer = all;
  co_return out;
}

TEST_F(upload_server, a_body_trickled_just_fast_enough_for_each_read_is_cut_at_the_deadline) {
  // 16 KiB every 50 ms (320 KiB/s): each 64 KiB read completes in 200 ms, inside the
  // 300 ms per-read timeout, but the body falls behind 1 MiB/s after the 500 ms grace.
  auto out = run([this]() -> awaitable<paced_result> {
    auto s = co_await connect();
    co_return co_await paced_upload(s, 100 << 20, 16 << 10, 50ms, 6s);
  }());
  EXPECT_LT(out.took, 3s) << "the trickled body held the connection for " << out.took.count() << " ms";
  EXPECT_EQ(out.answer.find(" 200 "), std::string::npos) << out.answer;
  if (!out.answer.empty()) {
    EXPECT_NE(out.answer.find(" 408 "), std::string::npos) << out.answer;
  }
}

TEST_F(upload_server, an_upload_at_a_decent_rate_may_outlast_the_grace) {
  // 64 KiB every 25 ms (~2.5 MiB/s) for 4 MiB: about 1.6 s, three times the grace, but
  // always ahead of 1 MiB/s.
  auto out = run([this]() -> awaitable<paced_result> {
    auto s = co_await connect();
    co_return co_await paced_upload(s, 4 << 20, 64 << 10, 25ms, 20s);
  }());
  EXPECT_EQ(out.sent, std::size_t{4 << 20});
  EXPECT_GT(out.took, 1s);
  EXPECT_NE(out.answer.find("HTTP/1.1 200 OK"), std::string::npos) << out.answer;
}

} // namespace
