#pragma once
// A circuit breaker per peer. CYCLON alone keeps a dead peer in caches for
// several periods (minutes at T = 30 s); the request path must not wait for
// that. After `failure_threshold` consecutive failures a peer is open
// (unreachable) for `open_for`; then one trial request is let through
// (half-open), and a success closes the circuit again. Plain C++17.

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace fedstack {

struct peer_health_config {
  /// Consecutive failures that open a peer's circuit.
  unsigned failure_threshold = 2;
  /// How long an open circuit stays open before one trial is let through.
  std::chrono::steady_clock::duration open_for = std::chrono::seconds{10};
};

class peer_health {
public:
  using clock = std::chrono::steady_clock;
  using config = peer_health_config;
  enum class state { closed, open, half_open };

  explicit peer_health(config c = {}) : config_(c) {}

  /// A request to `peer` succeeded: the circuit closes.
  void record_success(const std::string& peer);
  /// A request to `peer` failed; true if this failure opened the circuit.
  bool record_failure(const std::string& peer, clock::time_point now);
  /// Whether a request to `peer` may be made now (closed, or half-open: the
  /// open period is over and one trial is allowed).
  bool allows(const std::string& peer, clock::time_point now) const;
  state state_of(const std::string& peer, clock::time_point now) const;
  /// Peers whose circuit is open at `now`.
  std::vector<std::string> unreachable(clock::time_point now) const;
  /// Forgets a peer (it left the overlay).
  void forget(const std::string& peer);

private:
  struct record {
    unsigned consecutive_failures = 0;
    clock::time_point opened_at{};
    bool open = false;
  };
  config config_;
  std::map<std::string, record> peers_;
};

} // namespace fedstack
