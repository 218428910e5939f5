#pragma once
// A placement_client that answers a scripted decision and keeps the requests
// it was asked (so a test can check what the flow told the scheduler).

#include <optional>
#include <string>
#include <vector>

#include "agent/services/placement_client.hpp"

namespace fedstack::agent::testing {

class fake_placement final : public placement_client {
public:
  /// Decisions answered from now on: `winner` then `fallbacks` in order.
  void place_on(std::string winner, std::vector<std::string> fallbacks = {}) {
    decision_ = placement_decision{};
    decision_.placed = true;
    decision_.winner.region = std::move(winner);
    for (auto& f : fallbacks) decision_.fallback.push_back({std::move(f), {}});
  }
  /// The scheduler finds no candidate.
  void place_nowhere() { decision_ = placement_decision{}; }
  /// The scheduler cannot decide (placement_unavailable).
  void set_unavailable(bool unavailable = true) { unavailable_ = unavailable; }

  http::awaitable<placement_decision> place(placement_request request) override {
    asked_.push_back(request);
    if (unavailable_) throw placement_unavailable("the fake scheduler is unavailable");
    auto decision = decision_;
    decision.request = std::move(request);
    co_return decision;
  }

  const std::vector<placement_request>& asked() const { return asked_; }

private:
  placement_decision decision_;
  bool unavailable_ = false;
  std::vector<placement_request> asked_;
};

} // namespace fedstack::agent::testing
