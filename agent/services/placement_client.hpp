#pragma once
// The flows' way to the scheduler: where should this create go? Abstract so
// the flows do not depend on CAF (bridges/actor_placement_client.hpp asks the
// scheduler actor; tests fake it).

#include <stdexcept>

#include "actors/scheduler_logic.hpp"
#include "http/asio.hpp"

namespace fedstack::agent {

/// Raised when the scheduler cannot decide (its capacity view is unavailable).
struct placement_unavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class placement_client {
public:
  virtual ~placement_client() = default;
  virtual http::awaitable<placement_decision> place(placement_request request) = 0;
};

} // namespace fedstack::agent
