// exchange::on_client_gone: a handler that waits on others (a list's cloud reads) learns
// that its client closed the connection, and is not told so when the client only sends
// more (a pipelined request).
#include <gtest/gtest.h>

#include "http/server.hpp"
#include "run_until_done.hpp"

using namespace fedstack::http;
using namespace std::chrono_literals;

namespace {

struct watching_server : ::testing::Test {
  asio::io_context io;
  bool told_gone = false;
  bool waited_out = false;
  int watches = 0;   // handlers that started watching their client
  // Waits up to 1 s for the client to leave, as a list waits for its clouds.
  server srv{io, [this](exchange& ex) -> awaitable<void> {
               asio::steady_timer wait{co_await asio::this_coro::executor, 1s};
               ex.on_client_gone([this, &wait] {
                 told_gone = true;
                 wait.cancel();
               });
               ++watches;
               beast::error_code ec;
               co_await wait.async_wait(asio::redirect_error(use_awaitable, ec));
               waited_out = !ec;
               ex.stop_watching_client();
               if (ex.client_gone()) co_return;
               bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
               res.body() = "done";
               co_await ex.send(std::move(res));
             }};
  std::uint16_t port = srv.listen("127.0.0.1", 0);

  template <class Body>
  auto run(Body body) {
    return test_support::run_until_done(io, std::move(body), [this] { srv.stop(); });
  }

  awaitable<tcp::socket> send(const std::string& requests) {
    tcp::socket s{co_await asio::this_coro::executor};
    co_await s.async_connect(tcp::endpoint{asio::ip::make_address("127.0.0.1"), port}, use_awaitable);
    co_await asio::async_write(s, asio::buffer(requests), use_awaitable);
    co_return s;
  }

  /// Until `n` handlers watch their client (the test's side runs on the same thread).
  awaitable<void> until_watching(int n) {
    while (watches < n) {
      asio::steady_timer poll{co_await asio::this_coro::executor, 5ms};
      co_await poll.async_wait(use_awaitable);
    }
  }
};

TEST_F(watching_server, a_client_that_closes_is_noticed_at_once) {
  auto took = run([this]() -> awaitable<std::chrono::milliseconds> {
    auto started = std::chrono::steady_clock::now();
    auto s = co_await send("GET /list HTTP/1.1\r\nHost: x\r\n\r\n");
    co_await until_watching(1);
    s.close();
    while (!told_gone && std::chrono::steady_clock::now() - started < 5s) {
      asio::steady_timer poll{co_await asio::this_coro::executor, 10ms};
      co_await poll.async_wait(use_awaitable);
    }
    co_return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  });
  EXPECT_TRUE(told_gone);
  EXPECT_FALSE(waited_out);
  EXPECT_LT(took, 900ms);
}

TEST_F(watching_server, a_pipelined_request_is_not_a_client_gone_and_is_served) {
  auto answer = run([this]() -> awaitable<std::string> {
    auto s = co_await send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    co_await until_watching(1);   // the next request then wakes the watch, and is not a leave
    co_await asio::async_write(s, asio::buffer(std::string("GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")),
                               use_awaitable);
    std::string all;
    std::array<char, 4096> buffer;
    for (;;) {
      beast::error_code ec;
      auto n = co_await s.async_read_some(asio::buffer(buffer), asio::redirect_error(use_awaitable, ec));
      all.append(buffer.data(), n);
      if (ec) break;
    }
    co_return all;
  });
  EXPECT_FALSE(told_gone);
  // Both answered: the second request stayed in the socket for the session.
  auto first = answer.find("done");
  ASSERT_NE(first, std::string::npos) << answer;
  EXPECT_NE(answer.find("done", first + 4), std::string::npos) << answer;
}

} // namespace
