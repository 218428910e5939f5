#pragma once
// One io_context per thread. With several threads on one io_context, each step
// of a request (a read done, a strand post, an upstream answer) may be picked
// up by the other thread, which is woken for it: at one connection the agent
// switched threads about four times per proxied call. Here a connection's
// handlers always run on the thread that accepted it into its context.

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "http/asio.hpp"

namespace fedstack::http {

class io_threads {
public:
  /// `count` contexts (at least one). Context 0 is `main()`.
  explicit io_threads(std::size_t count);
  ~io_threads();
  io_threads(const io_threads&) = delete;
  io_threads& operator=(const io_threads&) = delete;

  /// The context of the calling thread in `run()`: acceptors, timers and
  /// background work live here.
  asio::io_context& main() { return *contexts_.front(); }
  /// The contexts in turn, for spreading connections over the threads.
  asio::io_context& next();
  std::size_t size() const { return contexts_.size(); }

  /// Runs main() on the calling thread and every other context on a thread of
  /// its own; returns when main() runs out of work or stop() is called, after
  /// the other threads ended.
  void run();
  /// Stops every context (safe from any thread, e.g. a signal handler on main()).
  void stop();

private:
  using work_guard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<std::optional<work_guard>> keep_running_;   // contexts 1..n idle until stop()
  std::atomic<std::size_t> turn_{0};
};

/// True when handlers run through `executor` never run at the same time: a
/// strand, or a context of an io_threads (each run by one thread alone). A
/// caller that needs its handlers serialized can then skip a strand of its own.
bool runs_one_at_a_time(const asio::any_io_executor& executor);

} // namespace fedstack::http
