#include "http/io_threads.hpp"

#include <thread>

namespace fedstack::http {

io_threads::io_threads(std::size_t count) {
  if (count == 0) count = 1;
  for (std::size_t i = 0; i < count; ++i)
    // Hint 1: each context is run by one thread (other threads still post to it).
    contexts_.push_back(std::make_unique<asio::io_context>(1));
  for (std::size_t i = 1; i < count; ++i) keep_running_.emplace_back(asio::make_work_guard(*contexts_[i]));
}

asio::io_context& io_threads::next() {
  return *contexts_[turn_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void io_threads::run() {
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < contexts_.size(); ++i)
    threads.emplace_back([context = contexts_[i].get()] { context->run(); });
  main().run();
  // main() ran dry or was stopped: the others stop with it.
  stop();
  for (auto& t : threads) t.join();
}

void io_threads::stop() {
  for (auto& context : contexts_) context->stop();
}

} // namespace fedstack::http
