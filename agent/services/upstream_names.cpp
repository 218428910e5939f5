#include "agent/services/upstream_names.hpp"

#include <mutex>

namespace fedstack::agent {

std::string upstream_names::key(const http::endpoint& at) {
  return at.host + ":" + std::to_string(at.port) + at.base_path;
}

void upstream_names::set(const http::endpoint& at, upstream_name name) {
  std::unique_lock lock{mutex_};
  names_[key(at)] = std::move(name);
}

upstream_name upstream_names::find(const http::endpoint& at) const {
  std::shared_lock lock{mutex_};
  auto it = names_.find(key(at));
  if (it == names_.end()) return {"unknown", "unknown"};
  return it->second;
}

upstream_names& upstream_names::global() {
  static upstream_names instance;
  return instance;
}

} // namespace fedstack::agent
