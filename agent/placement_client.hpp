#pragma once
// The proxy's way to the scheduler actor: where should this create go?
// Abstract so the proxy logic does not depend on CAF.

#include <memory>

#include <caf/actor_system.hpp>

#include "actors/actors.hpp"
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

std::unique_ptr<placement_client> make_actor_placement_client(caf::actor_system& system,
                                                              scheduler_actor scheduler,
                                                              caf::timespan timeout);

} // namespace fedstack::agent
