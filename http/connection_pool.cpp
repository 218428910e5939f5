#include "http/connection_pool.hpp"

namespace fedstack::http {

std::optional<upstream_stream> connection_pool::take(const std::string& key) {
  std::lock_guard lock{mutex_};
  auto it = idle_.find(key);
  if (it == idle_.end() || it->second.empty()) return std::nullopt;
  auto stream = std::move(it->second.back());
  it->second.pop_back();
  ++reused_;
  return stream;
}

void connection_pool::give(const std::string& key, upstream_stream stream) {
  std::lock_guard lock{mutex_};
  auto& list = idle_[key];
  if (list.size() >= limit_) return;   // the surplus connection closes here
  stream.tcp().expires_never();
  list.push_back(std::move(stream));
}

std::size_t connection_pool::idle() const {
  std::lock_guard lock{mutex_};
  std::size_t n = 0;
  for (const auto& [key, list] : idle_) n += list.size();
  return n;
}

std::size_t connection_pool::reused() const {
  std::lock_guard lock{mutex_};
  return reused_;
}

} // namespace fedstack::http
