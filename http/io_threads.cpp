#include "http/io_threads.hpp"

#include <algorithm>
#include <mutex>
#include <thread>
#include <typeinfo>

namespace fedstack::http {

namespace {

// The contexts of the io_threads alive: each is run by one thread alone (runs_one_at_a_time).
std::mutex alone_mutex;
std::vector<const asio::io_context*> run_alone;

} // namespace

io_threads::io_threads(std::size_t count) {
  if (count == 0) count = 1;
  for (std::size_t i = 0; i < count; ++i) {
    // Hint 1: each context is run by one thread (other threads still post to it).
    contexts_.push_back(std::make_unique<asio::io_context>(1));
  }
  std::lock_guard lock{alone_mutex};
  for (const auto& context : contexts_) run_alone.push_back(context.get());
  for (std::size_t i = 1; i < count; ++i) keep_running_.emplace_back(asio::make_work_guard(*contexts_[i]));
}

io_threads::~io_threads() {
  std::lock_guard lock{alone_mutex};
  for (const auto& context : contexts_)
    run_alone.erase(std::find(run_alone.begin(), run_alone.end(), context.get()));
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

bool runs_one_at_a_time(const asio::any_io_executor& executor) {
  // Boost 1.74's target<T>() casts without checking the type: compare it first.
  const auto& type = executor.target_type();
  if (type == typeid(asio::strand<asio::io_context::executor_type>) || type == typeid(asio::strand<asio::any_io_executor>))
    return true;
  if (type != typeid(asio::io_context::executor_type)) return false;
  const auto* context = &executor.target<asio::io_context::executor_type>()->context();
  std::lock_guard lock{alone_mutex};
  return std::find(run_alone.begin(), run_alone.end(), context) != run_alone.end();
}

} // namespace fedstack::http
