#pragma once
// Steps of one actor that must not overlap per key (a floating IP's moves,
// actors/node.cpp): each runs once the one before it with the same key called
// done, in arrival order. No locking: only the owning actor calls it.

#include <deque>
#include <functional>
#include <map>
#include <string>

namespace fedstack {

class serial_steps {
public:
  /// Starts `step` now when no step of `key` is under way, else queues it.
  void run(const std::string& key, std::function<void()> step) {
    auto& queue = queues_[key];
    queue.push_back(std::move(step));
    if (queue.size() == 1) start(key);
  }

  /// The step under way for `key` finished: the next one starts.
  void done(const std::string& key) {
    auto it = queues_.find(key);
    if (it == queues_.end()) return;
    it->second.pop_front();
    if (it->second.empty()) queues_.erase(it);
    else start(key);
  }

  /// Steps of `key` under way or waiting.
  std::size_t pending(const std::string& key) const {
    auto it = queues_.find(key);
    return it == queues_.end() ? 0 : it->second.size();
  }

private:
  void start(const std::string& key) {
    // A copy: the step may finish at once and so pop itself.
    auto step = queues_.at(key).front();
    step();
  }

  std::map<std::string, std::deque<std::function<void()>>> queues_;
};

}  // namespace fedstack
