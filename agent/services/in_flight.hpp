#pragma once
// The global IDs whose create is running in this process, so that the
// reservation sweep leaves them alone however long they take.

#include <mutex>
#include <set>
#include <string>

namespace fedstack::agent {

class in_flight_set {
public:
  /// Marks an ID for the lifetime of the returned token.
  class token {
  public:
    token(in_flight_set& set, std::string id) : set_(&set), id_(std::move(id)) { set_->add(id_); }
    token(const token&) = delete;
    token& operator=(const token&) = delete;
    ~token() { set_->remove(id_); }

  private:
    in_flight_set* set_;
    std::string id_;
  };

  bool contains(const std::string& id) const {
    std::lock_guard lock{mutex_};
    return ids_.count(id) > 0;
  }

private:
  void add(const std::string& id) {
    std::lock_guard lock{mutex_};
    ids_.insert(id);
  }
  void remove(const std::string& id) {
    std::lock_guard lock{mutex_};
    ids_.erase(id);
  }
  mutable std::mutex mutex_;
  std::set<std::string> ids_;
};

} // namespace fedstack::agent
