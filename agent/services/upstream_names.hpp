#pragma once
// Which cloudlet and service an upstream endpoint is, for metric labels:
// filled from the Keystone catalog, read on every upstream call.

#include <map>
#include <shared_mutex>
#include <string>
#include <utility>

#include "http/client.hpp"

namespace fedstack::agent {

struct upstream_name {
  std::string cloudlet;  // a region, "keystone", or "unknown"
  std::string service;   // identity, image, network, compute
};

class upstream_names {
public:
  void set(const http::endpoint& at, upstream_name name);
  /// {"unknown", "unknown"} for an endpoint never named.
  upstream_name find(const http::endpoint& at) const;

  /// The process's table (one agent per process).
  static upstream_names& global();

private:
  static std::string key(const http::endpoint& at);
  mutable std::shared_mutex mutex_;
  std::map<std::string, upstream_name> names_;
};

} // namespace fedstack::agent
