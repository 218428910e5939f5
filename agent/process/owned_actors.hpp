#pragma once
// Actors that stop with their owner. Each start-up step that spawns actors
// returns them in an owned_actors, so a later step's failure, unwinding,
// stops and awaits every actor started before it, the last started first.

#include <chrono>
#include <initializer_list>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>

namespace fedstack::agent {

/// How long the agent waits for its actors to stop: within a service
/// manager's stop timeout, and LMDB's committed data is safe either way.
inline constexpr std::chrono::milliseconds actor_stop_grace{5000};

struct stop_result {
  std::size_t actors = 0;
  std::size_t still_running = 0;
  std::chrono::milliseconds took{0};
};

/// Sends each actor an exit (in the order given) and waits for all of them,
/// at most `grace`. The short-lived actors of `ask` that still wait for a
/// peer's answer are not among them: waiting for those would hold the exit up
/// to each request's timeout (10 s for the registry and the scheduler).
stop_result stop_actors(caf::actor_system& system, const std::vector<caf::actor>& actors,
                        std::chrono::milliseconds grace = actor_stop_grace);

class owned_actors {
public:
  explicit owned_actors(caf::actor_system& system) : system_(&system) {}
  owned_actors(owned_actors&& other) noexcept;
  owned_actors& operator=(owned_actors&&) = delete;
  owned_actors(const owned_actors&) = delete;
  /// Stops what it still owns.
  ~owned_actors();

  template <class Handle>
  const Handle& own(const Handle& handle) {
    actors_.push_back(caf::actor_cast<caf::actor>(handle));
    return handle;
  }

  /// The actors, the last owned first: the order they stop in.
  std::vector<caf::actor> stop_order() const { return {actors_.rbegin(), actors_.rend()}; }
  /// Hands the actors over to whoever stops them (stop_together).
  void release() { actors_.clear(); }

private:
  caf::actor_system* system_;
  std::vector<caf::actor> actors_;
};

/// The agent's shutdown: every group's actors, the groups in the order given,
/// stopped in one batch within one grace, and the result logged ("actors
/// stopped in N ms"). True when all stopped in time.
bool stop_together(caf::actor_system& system, std::initializer_list<owned_actors*> groups);

} // namespace fedstack::agent
