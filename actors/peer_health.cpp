#include "actors/peer_health.hpp"

namespace fedstack {

void peer_health::record_success(const std::string& peer) { peers_.erase(peer); }

bool peer_health::record_failure(const std::string& peer, clock::time_point now) {
  auto& r = peers_[peer];
  ++r.consecutive_failures;
  // A failed half-open trial re-opens the circuit for another full period.
  if (r.open || r.consecutive_failures >= config_.failure_threshold) {
    bool newly = !r.open;
    r.open = true;
    r.opened_at = now;
    return newly;
  }
  return false;
}

peer_health::state peer_health::state_of(const std::string& peer, clock::time_point now) const {
  auto it = peers_.find(peer);
  if (it == peers_.end() || !it->second.open) return state::closed;
  return now - it->second.opened_at >= config_.open_for ? state::half_open : state::open;
}

bool peer_health::allows(const std::string& peer, clock::time_point now) const {
  return state_of(peer, now) != state::open;
}

std::vector<std::string> peer_health::unreachable(clock::time_point now) const {
  std::vector<std::string> result;
  for (const auto& [peer, r] : peers_)
    if (r.open && state_of(peer, now) == state::open) result.push_back(peer);
  return result;
}

void peer_health::forget(const std::string& peer) { peers_.erase(peer); }

} // namespace fedstack
