#include <gtest/gtest.h>

#include <thread>

#include "http/client.hpp"
#include "http/server.hpp"
#include "tests/http/run_until_done.hpp"

using namespace fedstack::http;
using namespace std::chrono_literals;

namespace {

// A server on port 0 whose handler answers by path:
//  /echo    -> the request body (read whole, limit 1 KiB; 413 above)
//  /count   -> streams the body and answers with its byte count
//  /stream  -> a streamed body of N bytes (N from the query), chunked
struct test_server : ::testing::Test {
  asio::io_context io;
  server srv{io, [](exchange& ex) -> awaitable<void> {
               auto target = std::string(ex.request().target());
               bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
               if (target == "/echo") {
                 auto body = co_await ex.read_body(1024);
                 if (!body) {
                   res.result(bhttp::status::payload_too_large);
                   co_await ex.send(std::move(res));
                   co_return;
                 }
                 res.body() = *body;
               } else if (target == "/count") {
                 std::size_t total = 0;
                 for (auto piece = co_await ex.read_some(); !piece.empty();
                      piece = co_await ex.read_some())
                   total += piece.size();
                 res.body() = std::to_string(total);
               } else if (target.rfind("/stream?", 0) == 0) {
                 auto n = std::stoul(target.substr(8));
                 bhttp::response_header<> head;
                 head.result(bhttp::status::ok);
                 head.version(11);
                 co_await ex.send_header(std::move(head));
                 std::string block(1000, 'x');
                 for (std::size_t sent = 0; sent < n; sent += block.size())
                   co_await ex.send_some(std::string_view(block).substr(0, std::min(block.size(), n - sent)));
                 co_await ex.finish();
                 co_return;
               } else if (target == "/throw") {
                 throw std::runtime_error("boom");
               } else {
                 res.result(bhttp::status::not_found);
               }
               co_await ex.send(std::move(res));
             }};
  std::uint16_t port = srv.listen("127.0.0.1", 0);

  template <class F>
  auto run(F&& body) {
    return test_support::run_until_done(io, std::forward<F>(body), [this] { srv.stop(); });
  }
  endpoint at() const { return endpoint{"127.0.0.1", port, ""}; }
};

bhttp::request<bhttp::string_body> make(bhttp::verb verb, std::string target, std::string body = {}) {
  bhttp::request<bhttp::string_body> req{verb, target, 11};
  req.body() = std::move(body);
  return req;
}

} // namespace

TEST_F(test_server, echoes_a_small_body) {
  auto res = run([&]() -> awaitable<response> {
    co_return co_await fetch(at(), make(bhttp::verb::post, "/echo", "hello"), 5s);
  });
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(res.body, "hello");
}

TEST_F(test_server, rejects_a_body_over_the_limit_with_413) {
  auto res = run([&]() -> awaitable<response> {
    co_return co_await fetch(at(), make(bhttp::verb::post, "/echo", std::string(5000, 'a')), 5s);
  });
  EXPECT_EQ(res.status, 413u);
}

TEST_F(test_server, streams_a_chunked_upload_of_several_megabytes) {
  constexpr std::size_t total = 5 * 1024 * 1024 + 17;
  auto res = run([&]() -> awaitable<response> {
    upstream up{co_await asio::this_coro::executor};
    co_await up.connect(at(), 5s);
    bhttp::request_header<> head;
    head.method(bhttp::verb::put);
    head.target("/count");
    head.version(11);
    head.set(bhttp::field::transfer_encoding, "chunked");
    co_await up.send_header(std::move(head), 5s);
    std::string block(100'000, 'z');
    for (std::size_t sent = 0; sent < total; sent += block.size())
      co_await up.send_some(std::string_view(block).substr(0, std::min(block.size(), total - sent)), 5s);
    co_await up.finish(5s);
    co_await up.read_header(5s);
    const auto& header = up.header();
    response r;
    r.status = header.result_int();
    r.body = co_await up.read_body(1024, 5s);
    co_return r;
  });
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(res.body, std::to_string(total));
}

TEST_F(test_server, streams_a_download_piece_by_piece) {
  auto size = run([&]() -> awaitable<std::size_t> {
    upstream up{co_await asio::this_coro::executor};
    co_await up.connect(at(), 5s);
    co_await up.send(make(bhttp::verb::get, "/stream?2500000"), 5s);
    co_await up.read_header(5s);
    std::size_t total = 0;
    for (auto piece = co_await up.read_some(5s); !piece.empty(); piece = co_await up.read_some(5s))
      total += piece.size();
    co_return total;
  });
  EXPECT_EQ(size, 2'500'000u);
}

TEST_F(test_server, a_throwing_handler_gives_500_and_the_server_lives_on) {
  auto statuses = run([&]() -> awaitable<std::pair<unsigned, unsigned>> {
    auto first = co_await fetch(at(), make(bhttp::verb::get, "/throw"), 5s);
    auto second = co_await fetch(at(), make(bhttp::verb::post, "/echo", "still here"), 5s);
    co_return std::pair{first.status, second.status};
  });
  EXPECT_EQ(statuses.first, 500u);
  EXPECT_EQ(statuses.second, 200u);
}

TEST_F(test_server, pooled_fetches_reuse_one_connection) {
  connection_pool pool;
  auto statuses = run([&]() -> awaitable<std::vector<unsigned>> {
    std::vector<unsigned> result;
    for (int i = 0; i < 5; ++i)
      result.push_back((co_await fetch(pool, at(), make(bhttp::verb::get, "/count"), 5s)).status);
    co_return result;
  });
  EXPECT_EQ(statuses, (std::vector<unsigned>(5, 200u)));
  EXPECT_EQ(pool.reused(), 4u);   // one connect, four reuses
  EXPECT_EQ(pool.idle(), 1u);
}

TEST(pooled_fetch, retries_on_a_fresh_connection_when_the_pooled_one_was_closed) {
  asio::io_context io;
  auto handler = [](exchange& ex) -> awaitable<void> {
    bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
    res.body() = "fresh";
    co_await ex.send(std::move(res));
  };
  auto first = std::make_unique<server>(io, handler);
  auto port = first->listen("127.0.0.1", 0);
  endpoint at{"127.0.0.1", port, ""};
  connection_pool pool;
  std::vector<std::string> bodies;
  std::exception_ptr error;
  asio::co_spawn(io, [&]() -> awaitable<void> {
    bodies.push_back((co_await fetch(pool, at, make(bhttp::verb::get, "/a"), 5s)).body);
    // The upstream restarts: the pooled connection is dead, the port serves again.
    first->stop();
    first.reset();
    // Let the posted close of the acceptor and the session run before rebinding.
    auto executor = co_await asio::this_coro::executor;
    for (int i = 0; i < 3; ++i) co_await asio::post(executor, use_awaitable);
    server second{io, handler};
    second.listen("127.0.0.1", port);
    bodies.push_back((co_await fetch(pool, at, make(bhttp::verb::get, "/b"), 5s)).body);
    second.stop();
  }, [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) std::rethrow_exception(error);
  EXPECT_EQ(bodies, (std::vector<std::string>{"fresh", "fresh"}));
  EXPECT_EQ(pool.reused(), 1u);   // the dead connection was tried, then replaced
}
