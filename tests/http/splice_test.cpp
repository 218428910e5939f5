// A body relayed socket to socket (http/splice.hpp) through a real server:
// an origin serves patterned bodies, a relay forwards them with send_spliced,
// and a client reads them back. Checks the bytes, the framing (the connection
// carries a next request) and which side a failure is blamed on.

#include <gtest/gtest.h>

#include <csignal>

#include "http/client.hpp"
#include "http/server.hpp"
#include "http/splice.hpp"
#include "tests/http/run_until_done.hpp"

using namespace fedstack::http;
using namespace std::chrono_literals;

namespace {

char pattern(std::size_t i) { return static_cast<char>((i * 131 + (i >> 12)) & 0xff); }

std::size_t size_in(const std::string& target) { return std::stoul(target.substr(target.find('?') + 1)); }

/// What the relay's handler saw of its last relay.
struct relay_outcome {
  bool spliced = false;
  std::size_t moved = 0;
  std::size_t ahead = 0;
  bool failed = false;
  bool at_source = false;
  beast::error_code code;
  bool ended = false;   // the relay's handler is done
};

struct splice_relay : ::testing::Test {
  // A client that leaves mid-body must fail the relay's write, not end the process.
  splice_relay() { std::signal(SIGPIPE, SIG_IGN); }

  asio::io_context io;
  asio::steady_timer release_stalled{io, asio::steady_timer::time_point::max()};
  relay_outcome outcome;
  asio::steady_timer relay_ended{io, asio::steady_timer::time_point::max()};

  // /bytes?N: N patterned bytes with Content-Length, header and body written
  // apart. /whole?N: the same in one write. /short?N: declares N,
  // sends half, then drops the connection. /stall?N: declares N, sends 1000
  // bytes and waits until the test ends.
  server origin{io, [this](exchange& ex) -> awaitable<void> {
                  auto target = std::string(ex.request().target());
                  auto n = size_in(target);
                  if (target.rfind("/whole", 0) == 0) {
                    bhttp::response<bhttp::string_body> whole{bhttp::status::ok, 11};
                    for (std::size_t i = 0; i < n; ++i) whole.body().push_back(pattern(i));
                    co_await ex.send(std::move(whole));
                    co_return;
                  }
                  bhttp::response_header<> head;
                  head.result(bhttp::status::ok);
                  head.version(11);
                  head.set(bhttp::field::content_length, std::to_string(n));
                  co_await ex.send_header(std::move(head));
                  auto upto = target.rfind("/short", 0) == 0 ? n / 2
                              : target.rfind("/stall", 0) == 0 ? 1000
                                                               : n;
                  std::string piece;
                  for (std::size_t sent = 0; sent < upto; sent += piece.size()) {
                    piece.clear();
                    for (std::size_t i = sent; i < std::min(upto, sent + 10007); ++i) piece.push_back(pattern(i));
                    co_await ex.send_some(piece);
                  }
                  if (upto == n) {
                    co_await ex.finish();
                    co_return;
                  }
                  if (target.rfind("/stall", 0) == 0) {
                    beast::error_code ignored;
                    co_await release_stalled.async_wait(asio::redirect_error(use_awaitable, ignored));
                    co_return;
                  }
                  throw std::runtime_error("origin cuts the body short");
                }};
  std::uint16_t origin_port = origin.listen("127.0.0.1", 0);

  // Forwards GET PATH to the origin, its body spliced.
  server relay{io, [this](exchange& ex) -> awaitable<void> {
                 outcome = {};
                 upstream up{co_await asio::this_coro::executor};
                 co_await up.connect(origin_at(), 5s);
                 bhttp::request<bhttp::string_body> request{bhttp::verb::get, ex.request().target(), 11};
                 request.set(bhttp::field::host, "origin");
                 co_await up.send(std::move(request), 5s);
                 co_await up.read_header(5s);
                 auto length = up.body_length();
                 EXPECT_TRUE(length.has_value());
                 bhttp::response_header<> head;
                 head.result(up.header().result_int());
                 head.version(11);
                 head.set(bhttp::field::content_length, std::to_string(*length));
                 co_await ex.send_header(std::move(head));
                 auto ahead = up.read_ahead().substr(0, *length);
                 outcome.ahead = ahead.size();
                 std::function<void(std::size_t)> count = [this](std::size_t n) { outcome.moved += n; };
                 try {
                   outcome.spliced = co_await ex.send_spliced(ahead, up.socket(), *length - ahead.size(),
                                                              300ms, count);
                 } catch (const relay_error& error) {
                   outcome.failed = true;
                   outcome.at_source = error.at_source;
                   outcome.code = error.code();
                   outcome.ended = true;
                   relay_ended.cancel();
                   throw;
                 }
                 outcome.ended = true;
                 relay_ended.cancel();
               }};
  std::uint16_t relay_port = relay.listen("127.0.0.1", 0);

  // Not braced temporaries in co_await expressions: GCC 12 destroys those twice.
  endpoint origin_at() const { return endpoint{"127.0.0.1", origin_port, ""}; }
  endpoint relay_at() const { return endpoint{"127.0.0.1", relay_port, ""}; }

  template <class F>
  auto run(F&& body) {
    return test_support::run_until_done(io, std::forward<F>(body), [this] {
      release_stalled.cancel();
      origin.stop();
      relay.stop();
    });
  }
};

/// Reads one whole answer on `up` and checks it byte for byte.
awaitable<std::size_t> read_checked(upstream& up) {
  co_await up.read_header(5s);
  std::size_t at = 0;
  for (auto piece = co_await up.read_some(5s); !piece.empty(); piece = co_await up.read_some(5s)) {
    for (char c : piece) {
      if (c != pattern(at)) throw std::runtime_error("byte " + std::to_string(at) + " differs");
      ++at;
    }
  }
  co_return at;
}

bhttp::request<bhttp::string_body> get(const std::string& target) {
  bhttp::request<bhttp::string_body> request{bhttp::verb::get, target, 11};
  request.set(bhttp::field::host, "relay");
  return request;
}

/// The bytes of the answer to GET `target`, each checked.
awaitable<std::size_t> download_checked(endpoint at, std::string target) {
  upstream up{co_await asio::this_coro::executor};
  co_await up.connect(at, 5s);
  co_await up.send(get(target), 5s);
  co_return co_await read_checked(up);
}

/// True when the answer to GET `target` breaks off before its Content-Length.
awaitable<bool> download_fails(endpoint at, std::string target) {
  upstream up{co_await asio::this_coro::executor};
  co_await up.connect(at, 5s);
  co_await up.send(get(target), 5s);
  try {
    co_await read_checked(up);
  } catch (const boost::system::system_error&) {
    co_return true;
  }
  co_return false;
}

} // namespace

TEST_F(splice_relay, moves_a_large_body_byte_for_byte) {
  constexpr std::size_t size = 3 * 1024 * 1024 + 123;
  auto got = run([&] { return download_checked(relay_at(), "/bytes?" + std::to_string(size)); });
  EXPECT_EQ(got, size);
  EXPECT_TRUE(outcome.spliced);
  EXPECT_FALSE(outcome.failed);
  EXPECT_EQ(outcome.moved, size);   // the read-ahead bytes included
}

// /whole?N comes in one write, so the relay reads the first bytes of the body
// with the header: all of it when small, the start of it when large.
TEST_F(splice_relay, a_body_read_whole_with_the_header_is_sent_from_there) {
  auto got = run([&] { return download_checked(relay_at(), "/whole?100"); });
  EXPECT_EQ(got, 100u);
  EXPECT_TRUE(outcome.spliced);
  EXPECT_EQ(outcome.ahead, 100u);
  EXPECT_EQ(outcome.moved, 100u);
}

TEST_F(splice_relay, bytes_read_with_the_header_go_before_the_spliced_rest) {
  constexpr std::size_t size = 3'000'000;
  auto got = run([&] { return download_checked(relay_at(), "/whole?" + std::to_string(size)); });
  EXPECT_EQ(got, size);
  EXPECT_TRUE(outcome.spliced);
  EXPECT_GT(outcome.ahead, 0u);
  EXPECT_LT(outcome.ahead, size);
  EXPECT_EQ(outcome.moved, size);
}

TEST_F(splice_relay, keeps_the_client_connection_for_the_next_request) {
  auto sizes = run([&]() -> awaitable<std::pair<std::size_t, std::size_t>> {
    // Two requests on one raw connection: the second answer parses only if the
    // first body was exactly its Content-Length.
    tcp::socket socket{co_await asio::this_coro::executor};
    tcp::endpoint at{asio::ip::make_address("127.0.0.1"), relay_port};
    co_await socket.async_connect(at, use_awaitable);
    beast::flat_buffer buffer;
    std::pair<std::size_t, std::size_t> seen;
    for (std::size_t size : {std::size_t{700'000}, std::size_t{1'500'001}}) {
      auto request = get("/bytes?" + std::to_string(size));
      co_await bhttp::async_write(socket, request, use_awaitable);
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(1 << 24);
      co_await bhttp::async_read(socket, buffer, parser, use_awaitable);
      const auto& body = parser.get().body();
      for (std::size_t i = 0; i < body.size(); ++i)
        if (body[i] != pattern(i)) throw std::runtime_error("byte " + std::to_string(i) + " differs");
      EXPECT_TRUE(parser.get().keep_alive());
      (seen.first ? seen.second : seen.first) = body.size();
    }
    co_return seen;
  });
  EXPECT_EQ(sizes.first, 700'000u);
  EXPECT_EQ(sizes.second, 1'500'001u);
}

TEST_F(splice_relay, a_source_that_ends_early_is_blamed_and_the_client_is_cut_off) {
  constexpr std::size_t size = 2 * 1024 * 1024;
  auto ended = run([&] { return download_fails(relay_at(), "/short?" + std::to_string(size)); });
  EXPECT_TRUE(ended);
  EXPECT_TRUE(outcome.failed);
  EXPECT_TRUE(outcome.at_source);
  EXPECT_EQ(outcome.code, asio::error::eof);
  EXPECT_EQ(outcome.moved, size / 2);
}

TEST_F(splice_relay, a_silent_source_times_out) {
  auto ended = run([&] { return download_fails(relay_at(), "/stall?1000000"); });
  EXPECT_TRUE(ended);
  EXPECT_TRUE(outcome.failed);
  EXPECT_TRUE(outcome.at_source);
  EXPECT_EQ(outcome.code, beast::error::timeout);
  EXPECT_EQ(outcome.moved, 1000u);
}

TEST_F(splice_relay, a_client_that_leaves_mid_body_fails_the_sink_side) {
  // 64 MiB: more than the loopback socket buffers hold, so the relay is still
  // writing when the client goes.
  constexpr std::size_t size = 64 * 1024 * 1024;
  auto read = run([&]() -> awaitable<std::size_t> {
    upstream up{co_await asio::this_coro::executor};
    co_await up.connect(relay_at(), 5s);
    co_await up.send(get("/bytes?" + std::to_string(size)), 5s);
    co_await up.read_header(5s);
    auto piece = co_await up.read_some(5s);
    auto got = piece.size();
    beast::error_code ignored;
    up.socket().close(ignored);   // unread bytes: the peer sees a reset
    // The relay notices on its next write; wait for its handler to end.
    if (!outcome.ended) {
      beast::error_code woken;
      co_await relay_ended.async_wait(asio::redirect_error(use_awaitable, woken));
    }
    co_return got;
  });
  EXPECT_GT(read, 0u);
  EXPECT_TRUE(outcome.failed);
  EXPECT_FALSE(outcome.at_source);
  EXPECT_LT(outcome.moved, size);
}
