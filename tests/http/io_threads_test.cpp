#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "http/client.hpp"
#include "http/io_threads.hpp"
#include "http/server.hpp"

using namespace fedstack::http;
using namespace std::chrono_literals;

namespace {

const void* context_of(const asio::any_io_executor& executor) {
  return &asio::query(executor, asio::execution::context);
}

// A server whose sessions are spread over two io threads; it answers every
// request with 200 and notes the context and thread that served it.
struct spread_server : ::testing::Test {
  io_threads threads{2};
  std::mutex mutex;
  std::set<const void*> contexts;
  std::set<std::thread::id> thread_ids;
  server srv{threads.main(),
             [this](exchange& ex) -> awaitable<void> {
               auto executor = co_await asio::this_coro::executor;
               {
                 std::lock_guard lock{mutex};
                 contexts.insert(context_of(executor));
                 thread_ids.insert(std::this_thread::get_id());
               }
               bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
               co_await ex.send(std::move(res));
             },
             {}, [this] { return asio::any_io_executor{threads.next().get_executor()}; }};
  std::uint16_t port = srv.listen("127.0.0.1", 0);
  std::thread runner{[this] { threads.run(); }};

  ~spread_server() override {
    srv.stop();
    threads.stop();
    runner.join();
  }

  endpoint at() const { return endpoint{"127.0.0.1", port, ""}; }

  // Runs one GET to `at()` on `client` (through `pool` when given) to its end.
  unsigned get(asio::io_context& client, connection_pool* pool) {
    unsigned status = 0;
    std::exception_ptr error;
    asio::co_spawn(client, [&]() -> awaitable<void> {
      bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/", 11};
      if (pool)
        status = (co_await fetch(*pool, at(), std::move(req), 5s)).status;
      else
        status = (co_await fetch(at(), std::move(req), 5s)).status;
    }, [&](std::exception_ptr e) { error = e; });
    client.restart();
    client.run();
    if (error) std::rethrow_exception(error);
    return status;
  }
};

} // namespace

TEST_F(spread_server, serves_successive_connections_on_different_threads) {
  asio::io_context client;
  EXPECT_EQ(get(client, nullptr), 200u);   // without a pool: a connection per call
  EXPECT_EQ(get(client, nullptr), 200u);
  std::lock_guard lock{mutex};
  EXPECT_EQ(contexts.size(), 2u);
  EXPECT_EQ(thread_ids.size(), 2u);
}

TEST_F(spread_server, pooled_connections_stay_with_the_context_that_opened_them) {
  asio::io_context first, second;
  connection_pool pool;   // destroyed first: its sockets belong to the contexts above
  EXPECT_EQ(get(first, &pool), 200u);
  EXPECT_EQ(pool.idle(), 1u);
  // Another context opens its own connection rather than borrow the first's.
  EXPECT_EQ(get(second, &pool), 200u);
  EXPECT_EQ(pool.reused(), 0u);
  EXPECT_EQ(pool.idle(), 2u);
  // Each context reuses its own.
  EXPECT_EQ(get(first, &pool), 200u);
  EXPECT_EQ(get(second, &pool), 200u);
  EXPECT_EQ(pool.reused(), 2u);
  EXPECT_EQ(pool.idle(), 2u);
}

TEST(io_threads, next_takes_every_context_in_turn) {
  io_threads threads{3};
  std::vector<const void*> order;
  for (int i = 0; i < 6; ++i) order.push_back(&threads.next());
  EXPECT_EQ(order[0], &threads.main());
  EXPECT_EQ(std::set<const void*>(order.begin(), order.begin() + 3).size(), 3u);
  EXPECT_EQ(std::vector<const void*>(order.begin(), order.begin() + 3),
            std::vector<const void*>(order.begin() + 3, order.end()));
}

TEST(io_threads, their_contexts_and_strands_run_one_handler_at_a_time_other_contexts_may_not) {
  io_threads threads{2};
  EXPECT_TRUE(runs_one_at_a_time(threads.main().get_executor()));
  EXPECT_TRUE(runs_one_at_a_time(threads.next().get_executor()));
  // Any context may be run by several threads: only a strand on it serializes.
  asio::io_context shared;
  EXPECT_FALSE(runs_one_at_a_time(shared.get_executor()));
  EXPECT_TRUE(runs_one_at_a_time(asio::make_strand(shared)));
  EXPECT_TRUE(runs_one_at_a_time(asio::make_strand(asio::any_io_executor{shared.get_executor()})));
}
