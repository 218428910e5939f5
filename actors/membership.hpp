#pragma once

// The MEMBERSHIP actor runs CYCLON (cyclon.hpp) for one node: every period
// it starts a shuffle with its oldest neighbour, it serves the shuffles
// other nodes start, and it keeps its neighbour cache in a meta store so
// that a restarted node rejoins without a seed.
//
// Failure handling, as in the paper: the oldest neighbour Q leaves the cache
// when the shuffle starts, so a Q that cannot be reached (connector error)
// or does not answer within shuffle_timeout simply stays out. A period that
// begins while our shuffle is still pending starts none: a slow Q is given
// its whole timeout, not just the rest of the period. Answers that arrive
// after the timeout are ignored. Seeds are put back by seeds.hpp's rules.
// A shuffle request that arrives while our own is outstanding is served at
// once: the actor never waits, so the thesis' locks are not needed.

#include <cstdint>
#include <optional>
#include <vector>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"
#include "actors/cyclon.hpp"
#include "actors/seeds.hpp"

namespace fedstack {

/// The membership actor's full interface: the public one plus its timer.
using membership_impl_actor = membership_actor::extend<
  // INTERNAL: a period is over; start the next shuffle.
  caf::reacts_to<atom::tick>>;

/// What the actor did so far (logs, tests, the simulation).
struct membership_stats {
  /// Shuffles this node started (a non-empty cache at a tick).
  std::uint64_t started = 0;
  /// Shuffles whose answer was merged.
  std::uint64_t completed = 0;
  /// Shuffles that failed: connect error, timeout, or an error answer.
  std::uint64_t failed = 0;
  /// Periods that started no shuffle because ours was still pending.
  std::uint64_t skipped = 0;
  /// Shuffle requests from other nodes that this node answered.
  std::uint64_t served = 0;
  /// Periods that put at least one seed back into the cache.
  std::uint64_t rejoins = 0;
  /// Periods whose shuffle went to a seed by the refresh rule.
  std::uint64_t refreshes = 0;
};

/// The shuffle this node started and still waits for.
struct pending_shuffle {
  /// Identifies the shuffle; an answer for any other ID is late.
  std::uint64_t id = 0;
  /// Q: where the request went, as it stood in our cache.
  peer_entry target;
  /// The l-1 entries sent besides our own; the answer may replace them.
  std::vector<peer_entry> sent;
};

/// Most seeds the membership actor remembers for rejoining.
constexpr std::size_t max_seeds = 16;

struct membership_state {
  membership_config config;
  /// Engaged from the first handler on (it needs config.self).
  std::optional<neighbour_cache> cache;
  cyclon_rng rng;
  connector_actor connector;
  /// Null when the cache is not persisted.
  meta_store_actor store;
  std::optional<pending_shuffle> pending;
  /// Seeds of every join (at most max_seeds) and when each may return.
  seed_list seeds{max_seeds};
  /// Periods begun so far (the seeds' backoff counts in periods).
  std::uint64_t ticks = 0;
  std::uint64_t next_shuffle_id = 0;
  /// The cache changed since it was last saved.
  bool dirty = false;
  membership_stats stats;

  static inline const char* name = "membership";
};

/// Checks a configuration: 1 <= l <= c, positive period and timeout, a
/// valid self entry. ec::invalid_argument otherwise.
caf::error validate(const membership_config& config);

/// The behavior. `restored_cache` enters the cache first (invalid, self and
/// duplicate entries skipped, at most c); then, if `store` is set, the saved
/// cache is loaded from it asynchronously and fills the slots still empty.
membership_impl_actor::behavior_type
membership(membership_impl_actor::stateful_pointer<membership_state> self,
           membership_config config, connector_actor connector, meta_store_actor store,
           std::vector<peer_entry> restored_cache);

/// Validates `config` and spawns the membership actor. `store` may be null
/// (no persistence); the registry actor is a meta store.
caf::expected<membership_actor>
spawn_membership(caf::actor_system& sys, membership_config config, connector_actor connector,
                 meta_store_actor store = {}, std::vector<peer_entry> restored_cache = {});

}  // namespace fedstack
