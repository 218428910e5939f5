#pragma once
// Idle keep-alive connections to upstreams, so that the small JSON calls the
// agent forwards do not each pay for a TCP connect (and the upstream for an accept).

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/asio.hpp"
#include "http/upstream_stream.hpp"

namespace fedstack::http {

class connection_pool {
public:
  /// Keeps at most `idle_per_upstream` idle connections for each key (fetch
  /// keys them by scheme, host:port and by the io_context that opened them).
  explicit connection_pool(std::size_t idle_per_upstream = 32) : limit_(idle_per_upstream) {}

  /// An idle connection to `key` (most recently used first), if there is one.
  std::optional<upstream_stream> take(const std::string& key);
  /// Returns a connection whose last response was read completely and allows keep-alive.
  void give(const std::string& key, upstream_stream stream);

  std::size_t idle() const;
  std::size_t reused() const;

private:
  mutable std::mutex mutex_;
  std::size_t limit_;
  std::map<std::string, std::vector<upstream_stream>> idle_;
  std::size_t reused_ = 0;
};

} // namespace fedstack::http
