// run_all (agent/services/fan_out.hpp) on the agent's one-thread contexts, where it
// runs the tasks on the caller's executor, and on a context several threads run,
// where it makes a strand of its own.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "agent/services/fan_out.hpp"
#include "http/io_threads.hpp"

using namespace fedstack;
using namespace std::chrono_literals;
namespace asio = http::asio;

namespace {

using task = std::function<http::awaitable<void>()>;

/// Ends after `steps` turns of its executor; flags `overlap` when another
/// task's body runs at the same time as its own.
http::awaitable<void> step(int steps, std::shared_ptr<std::atomic<int>> active, std::shared_ptr<std::atomic<bool>> overlap) {
  for (int i = 0; i < steps; ++i) {
    if (active->fetch_add(1) != 0) *overlap = true;
    for (int spin = 0; spin < 100000; ++spin) active->load();   // a window for another thread to enter
    active->fetch_sub(1);
    co_await asio::post(co_await asio::this_coro::executor, http::use_awaitable);
  }
}

/// Waits on `timer` (cancelled by the test once run_all answered).
http::awaitable<void> wait(std::shared_ptr<asio::steady_timer> timer) {
  boost::system::error_code ignored;
  co_await timer->async_wait(asio::redirect_error(http::use_awaitable, ignored));
}

// The tasks call coroutines that take their state by value: a task may outlive run_all.
task stepping(int steps, std::shared_ptr<std::atomic<int>> active, std::shared_ptr<std::atomic<bool>> overlap) {
  return [=] { return step(steps, active, overlap); };
}

task waiting(std::shared_ptr<asio::steady_timer> timer) {
  return [timer] { return wait(timer); };
}

std::vector<bool> run_on(asio::any_io_executor executor, std::vector<task> tasks, std::chrono::milliseconds deadline,
                         std::shared_ptr<asio::steady_timer> to_cancel) {
  std::promise<std::vector<bool>> done;
  asio::co_spawn(executor, agent::run_all(std::move(tasks), deadline),
                 [&done, to_cancel](std::exception_ptr, std::vector<bool> finished) {
                   if (to_cancel) to_cancel->cancel();
                   done.set_value(std::move(finished));
                 });
  return done.get_future().get();
}

} // namespace

TEST(FanOut, OnAOneThreadContextTheTasksRunOnTheCallersExecutorUntilTheDeadline) {
  http::io_threads threads{1};
  auto guard = asio::make_work_guard(threads.main());
  std::thread runner{[&] { threads.main().run(); }};
  auto executor = asio::any_io_executor{threads.main().get_executor()};
  ASSERT_TRUE(http::runs_one_at_a_time(executor));
  auto active = std::make_shared<std::atomic<int>>(0);
  auto overlap = std::make_shared<std::atomic<bool>>(false);
  auto slow = std::make_shared<asio::steady_timer>(threads.main(), 60s);
  auto finished = run_on(executor, {stepping(50, active, overlap), waiting(slow), stepping(50, active, overlap)}, 200ms, slow);
  EXPECT_EQ(finished, (std::vector<bool>{true, false, true})) << "the waiting task missed the deadline";
  EXPECT_FALSE(*overlap);
  guard.reset();
  runner.join();
}

TEST(FanOut, OnAContextSeveralThreadsRunTheTasksNeverRunAtTheSameTime) {
  asio::io_context shared{2};
  auto guard = asio::make_work_guard(shared);
  std::thread first{[&] { shared.run(); }}, second{[&] { shared.run(); }};
  auto executor = asio::any_io_executor{shared.get_executor()};
  ASSERT_FALSE(http::runs_one_at_a_time(executor));
  auto active = std::make_shared<std::atomic<int>>(0);
  auto overlap = std::make_shared<std::atomic<bool>>(false);
  std::vector<task> tasks;
  for (int i = 0; i < 4; ++i) tasks.push_back(stepping(50, active, overlap));
  auto finished = run_on(executor, std::move(tasks), 60s, nullptr);
  EXPECT_EQ(finished, (std::vector<bool>(4, true)));
  EXPECT_FALSE(*overlap) << "run_all's own strand serializes the tasks";
  guard.reset();
  first.join();
  second.join();
}
