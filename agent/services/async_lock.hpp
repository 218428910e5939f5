#pragma once
// A lock for coroutines, per key: a holder suspends the others (FIFO) instead
// of blocking an io thread. Used so that one agent makes one copy of an image
// or network per cloudlet however many boots need it at once.

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "http/asio.hpp"

namespace fedstack::agent {

class keyed_lock {
public:
  /// Releases the key when destroyed.
  class guard {
  public:
    guard(keyed_lock* owner, std::string key) : owner_(owner), key_(std::move(key)) {}
    guard(guard&& other) noexcept : owner_(other.owner_), key_(std::move(other.key_)) { other.owner_ = nullptr; }
    guard(const guard&) = delete;
    guard& operator=(const guard&) = delete;
    guard& operator=(guard&&) = delete;
    ~guard() {
      if (owner_) owner_->release(key_);
    }

  private:
    keyed_lock* owner_;
    std::string key_;
  };

  http::awaitable<guard> acquire(const std::string& key) {
    namespace asio = boost::asio;
    auto executor = co_await asio::this_coro::executor;
    auto initiate = [this, key, executor](auto handler) {
      auto work = asio::prefer(executor, asio::execution::outstanding_work.tracked);
      auto shared = std::make_shared<decltype(handler)>(std::move(handler));
      std::function<void()> resume = [shared, work] {
        asio::post(work, [shared] { (*shared)(); });
      };
      std::unique_lock lock{mutex_};
      auto& waiters = held_[key];
      if (!waiters.busy) {
        waiters.busy = true;
        lock.unlock();
        resume();
      } else {
        waiters.queue.push_back(std::move(resume));
      }
    };
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(std::move(initiate),
                                                                          asio::use_awaitable);
    co_return guard{this, key};
  }

private:
  struct waiting {
    bool busy = false;
    std::deque<std::function<void()>> queue;
  };

  void release(const std::string& key) {
    std::function<void()> next;
    {
      std::lock_guard lock{mutex_};
      auto it = held_.find(key);
      if (it == held_.end()) return;
      if (it->second.queue.empty()) {
        held_.erase(it);
        return;
      }
      next = std::move(it->second.queue.front());
      it->second.queue.pop_front();   // stays busy: ownership passes to `next`
    }
    next();
  }

  std::mutex mutex_;
  std::map<std::string, waiting> held_;
};

} // namespace fedstack::agent
