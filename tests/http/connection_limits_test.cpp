// Connection limits and slow clients: one client address cannot take every
// connection, and a client trickling a header is cut off at the header timeout
// even on a keep-alive connection whose idle timeout is much longer.
#include <gtest/gtest.h>

#include "http/client.hpp"
#include "http/connection_slots.hpp"
#include "http/server.hpp"

using namespace fedstack::http;
using namespace std::chrono_literals;

namespace {

TEST(connection_slots, caps_each_client_and_frees_on_release) {
  auto slots = std::make_shared<connection_slots>(0, 2);
  auto a1 = slots->try_take("10.0.0.1");
  auto a2 = slots->try_take("10.0.0.1");
  auto a3 = slots->try_take("10.0.0.1");
  auto b1 = slots->try_take("10.0.0.2");
  ASSERT_TRUE(a1.taken && a2.taken && b1.taken);
  ASSERT_FALSE(a3.taken);
  EXPECT_EQ(a3.refusal, connection_refusal::per_client);
  EXPECT_EQ(slots->open_from("10.0.0.1"), 2u);
  EXPECT_EQ(slots->open(), 3u);
  a1.taken.reset();
  EXPECT_EQ(slots->open_from("10.0.0.1"), 1u);
  EXPECT_TRUE(slots->try_take("10.0.0.1").taken);   // taken and given back at once
  EXPECT_EQ(slots->open(), 2u);
}

TEST(connection_slots, caps_the_total_across_clients) {
  auto slots = std::make_shared<connection_slots>(2, 0);
  auto a = slots->try_take("a");
  auto b = slots->try_take("b");
  auto c = slots->try_take("c");
  ASSERT_TRUE(a.taken && b.taken);
  ASSERT_FALSE(c.taken);
  EXPECT_EQ(c.refusal, connection_refusal::total);
  b.taken.reset();
  EXPECT_TRUE(slots->try_take("c").taken);
}

TEST(connection_slots, a_moved_slot_is_given_back_once) {
  auto slots = std::make_shared<connection_slots>(0, 0);
  {
    auto a = slots->try_take("a");
    std::optional<connection_slots::slot> moved{std::move(*a.taken)};
    a.taken.reset();
    EXPECT_EQ(slots->open(), 1u);
  }
  EXPECT_EQ(slots->open(), 0u);
}

// A server on port 0 with small limits; every request is answered "ok".
struct limited_server : ::testing::Test {
  asio::io_context io;
  std::vector<connection_refusal> refusals;
  server srv{io,
             [](exchange& ex) -> awaitable<void> {
               bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
               res.body() = "ok";
               co_await ex.send(std::move(res));
             },
             [this] {
               server_limits l;
               l.header_timeout = 300ms;
               l.idle_timeout = 20s;
               l.max_connections_per_client = 2;
               l.on_refused = [this](connection_refusal r) { refusals.push_back(r); };
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
    io.run_for(30s);   // a guard: every test finishes long before
    if (error) std::rethrow_exception(error);
    if (!result) throw std::runtime_error("test did not finish");
    return *result;
  }

  /// A raw client connection from `source` (a loopback address).
  awaitable<tcp::socket> connect_from(const char* source) {
    tcp::socket s{co_await asio::this_coro::executor};
    s.open(tcp::v4());
    s.bind(tcp::endpoint{asio::ip::make_address(source), 0});
    co_await s.async_connect(tcp::endpoint{asio::ip::make_address("127.0.0.1"), port}, use_awaitable);
    co_return s;
  }
};

/// Everything the server sends until it closes the connection.
awaitable<std::string> read_to_close(tcp::socket& s) {
  std::string all;
  std::array<char, 4096> buffer;
  for (;;) {
    beast::error_code ec;
    auto n = co_await s.async_read_some(asio::buffer(buffer), asio::redirect_error(use_awaitable, ec));
    all.append(buffer.data(), n);
    if (ec) co_return all;
  }
}

awaitable<std::string> get(tcp::socket& s) {
  std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  co_await asio::async_write(s, asio::buffer(request), use_awaitable);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  co_await bhttp::async_read(s, buffer, res, use_awaitable);
  co_return std::to_string(res.result_int()) + " " + res.body();
}

/// Sends a 400-byte header one byte every 20 ms (over 8 s in all) until the
/// server answers or closes; returns the bytes sent.
awaitable<std::size_t> trickle_header(tcp::socket& s) {
  std::string header = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(400, 'a') + "\r\n\r\n";
  std::size_t sent = 0;
  asio::steady_timer pace{co_await asio::this_coro::executor};
  for (; sent < header.size(); ++sent) {
    beast::error_code ec;
    co_await asio::async_write(s, asio::buffer(&header[sent], 1), asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    pace.expires_after(20ms);
    co_await pace.async_wait(use_awaitable);
    if (s.available(ec) > 0 || ec) break;   // the server answered or closed
  }
  co_return sent;
}

/// Sends a GET and reads the answer; "" when the server closed instead.
awaitable<std::string> try_get(tcp::socket& s) {
  std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  beast::error_code ec;
  co_await asio::async_write(s, asio::buffer(request), asio::redirect_error(use_awaitable, ec));
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  co_await bhttp::async_read(s, buffer, res, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return std::string{};
  co_return std::to_string(res.result_int()) + " " + res.body();
}

TEST_F(limited_server, a_client_over_its_limit_gets_503_and_others_are_served) {
  auto out = run([this]() -> awaitable<std::vector<std::string>> {
    std::vector<std::string> seen;
    auto a1 = co_await connect_from("127.0.0.1");
    auto a2 = co_await connect_from("127.0.0.1");
    seen.push_back(co_await get(a1));
    auto a3 = co_await connect_from("127.0.0.1");   // the third from one address
    seen.push_back(co_await read_to_close(a3));
    auto b = co_await connect_from("127.0.0.2");    // another client is not starved
    seen.push_back(co_await get(b));
    co_return seen;
  }());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], "200 ok");
  EXPECT_NE(out[1].find("HTTP/1.1 503"), std::string::npos) << out[1];
  EXPECT_NE(out[1].find("Retry-After: 1"), std::string::npos) << out[1];
  EXPECT_NE(out[1].find("Too many connections from this client."), std::string::npos) << out[1];
  EXPECT_EQ(out[2], "200 ok");
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0], connection_refusal::per_client);
}

TEST_F(limited_server, a_closed_connection_frees_its_slot) {
  auto out = run([this]() -> awaitable<std::string> {
    auto a1 = co_await connect_from("127.0.0.1");
    auto a2 = co_await connect_from("127.0.0.1");
    co_await get(a1);
    co_await get(a2);
    a1.close();
    // The server gives the slot back once it reads the close; until then a new
    // connection may still be refused, so try until one is served.
    for (int attempt = 0; attempt < 200; ++attempt) {
      auto again = co_await connect_from("127.0.0.1");
      auto reply = co_await try_get(again);
      if (reply == "200 ok") co_return reply;
      asio::steady_timer pause{co_await asio::this_coro::executor, 10ms};
      co_await pause.async_wait(use_awaitable);
    }
    co_return std::string{"never served"};
  }());
  EXPECT_EQ(out, "200 ok");
}

TEST_F(limited_server, a_trickled_header_is_cut_off_at_the_header_timeout) {
  auto out = run([this]() -> awaitable<std::pair<std::size_t, std::string>> {
    auto s = co_await connect_from("127.0.0.1");
    auto sent = co_await trickle_header(s);
    co_return std::pair{sent, co_await read_to_close(s)};
  }());
  EXPECT_LT(out.first, 400u) << "the server waited for the whole trickled header";
  EXPECT_EQ(out.second.find("200"), std::string::npos) << out.second;
}

TEST_F(limited_server, a_keep_alive_connection_cannot_trickle_its_next_header) {
  auto out = run([this]() -> awaitable<std::pair<std::string, std::size_t>> {
    auto s = co_await connect_from("127.0.0.1");
    auto first = co_await get(s);
    auto sent = co_await trickle_header(s);
    co_await read_to_close(s);
    co_return std::pair{first, sent};
  }());
  EXPECT_EQ(out.first, "200 ok");
  // The idle timeout (20 s) would have let all 400+ bytes through.
  EXPECT_LT(out.second, 400u);
}

} // namespace
