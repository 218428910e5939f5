#include "agent/services/fan_out.hpp"

#include <memory>

#include "http/io_threads.hpp"

namespace fedstack::agent {

namespace {

struct fan_out_state {
  explicit fan_out_state(http::asio::any_io_executor ex, std::size_t n)
    : done(n, false), pending(n), timer(std::move(ex)) {}
  std::vector<bool> done;
  std::size_t pending;
  http::asio::steady_timer timer;
};

// Runs on an executor whose handlers never run at the same time (a strand, or a
// context one thread alone runs): the tasks, their completions and the timer never race.
http::awaitable<std::vector<bool>> run_all_on_strand(
  std::vector<std::function<http::awaitable<void>()>> tasks, std::chrono::milliseconds deadline) {
  auto strand = co_await http::asio::this_coro::executor;
  auto state = std::make_shared<fan_out_state>(strand, tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    // The completion runs on the strand too (bound explicitly: co_spawn alone
    // does not promise it), so `state` is only ever touched there.
    http::asio::co_spawn(strand, tasks[i](),
                         http::asio::bind_executor(strand, [state, i](std::exception_ptr) {
                           state->done[i] = true;
                           if (--state->pending == 0) state->timer.cancel();
                         }));
  }
  if (state->pending > 0) {
    if (deadline == std::chrono::milliseconds::max())
      state->timer.expires_at(http::asio::steady_timer::time_point::max());
    else
      state->timer.expires_after(deadline);
    boost::system::error_code ignored;
    co_await state->timer.async_wait(http::asio::redirect_error(http::use_awaitable, ignored));
  }
  co_return state->done;
}

} // namespace

http::awaitable<void> run_all_to_end(std::vector<std::function<http::awaitable<void>()>> tasks) {
  if (tasks.empty()) co_return;
  auto strand = http::asio::make_strand(co_await http::asio::this_coro::executor);
  // No deadline: the timer is only cancelled by the last task's end.
  co_await http::asio::co_spawn(strand, run_all_on_strand(std::move(tasks), std::chrono::milliseconds::max()),
                                http::use_awaitable);
}

http::awaitable<std::vector<bool>> run_all(std::vector<std::function<http::awaitable<void>()>> tasks,
                                           std::chrono::milliseconds deadline) {
  if (tasks.empty()) co_return std::vector<bool>{};
  auto caller = co_await http::asio::this_coro::executor;
  // The agent's sessions run on io_threads' one-thread contexts: a strand there
  // only costs (its own frame, and a hop through its queue for every step of every task).
  if (http::runs_one_at_a_time(caller)) co_return co_await run_all_on_strand(std::move(tasks), deadline);
  auto strand = http::asio::make_strand(caller);
  co_return co_await http::asio::co_spawn(strand, run_all_on_strand(std::move(tasks), deadline),
                                          http::use_awaitable);
}

} // namespace fedstack::agent
