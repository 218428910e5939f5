#pragma once

// The seeds a node joined through, and when each may re-enter its
// neighbour cache. Beyond the CYCLON paper, which assumes that every node
// always has someone to talk to (docs/membership.md, "Seeds"):
//
//  - until one of the node's own shuffles has been answered, a seed that is
//    missing from the cache (its shuffle failed) is put back: a node whose
//    first contact failed is not cut off from the overlay for good, and the
//    seed, which may have been started without seeds itself, is contacted;
//  - afterwards, seeds are put back when the cache is empty (with
//    membership_config::rejoin_when_empty), and every few periods one seed
//    in turn is shuffled with (refresh): CYCLON never heals a partition,
//    since no link leads out of a component, and the seeds' joins made the
//    overlay connected in the first place.
//
// A seed whose shuffles keep failing waits 1, 2, 4, 8, 8, ... periods before
// it is put back again, so a node whose seeds are all dead keeps trying them
// at a bounded rate. Time is counted in periods (ticks). Plain C++17, no CAF.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "actors/peer.hpp"

namespace fedstack {

/// Longest wait, in periods, between two tries of a failing seed.
constexpr std::uint64_t max_seed_backoff_periods = 8;

class seed_list {
 public:
  /// Remembers at most `max_seeds` seeds (0 is treated as 1).
  explicit seed_list(std::size_t max_seeds);

  /// A join named `address`: remembered (beyond the maximum, the seed
  /// remembered first is forgotten) and due at once, whatever failed before.
  void remember(const peer_address& address);

  bool empty() const noexcept { return seeds_.empty(); }
  std::size_t size() const noexcept { return seeds_.size(); }
  bool contains(const peer_address& address) const;

  /// A shuffle this node started with `target` failed during period `tick`.
  /// If `target` is a seed, it is due again only after its backoff.
  void failed(const peer_address& target, std::uint64_t tick);

  /// A shuffle this node started with `target` was answered: the node is in
  /// the overlay, and a seed `target` starts its backoff afresh.
  void answered(const peer_address& target);

  /// Whether one of this node's own shuffles was ever answered.
  bool joined() const noexcept { return joined_; }

  /// The seeds to put back at the start of period `tick`, in the order they
  /// were remembered: every seed out of backoff while the node has not
  /// joined, or when the cache is empty and `rejoin_when_empty`; none
  /// otherwise. The caller skips those already in the cache.
  std::vector<peer_address> due(std::uint64_t tick, bool cache_empty,
                                bool rejoin_when_empty) const;

  /// The seed to shuffle with in period `tick` for the refresh: once the
  /// node has joined, in every period that is a multiple of `every` (0:
  /// never), the next seed in turn that is out of backoff.
  std::optional<peer_address> refresh(std::uint64_t tick, std::uint64_t every);

 private:
  struct seed {
    peer_address address;
    /// Failed shuffles with this seed since it last answered or was named.
    std::uint32_t failures = 0;
    /// The first period in which it may be put back.
    std::uint64_t not_before = 0;
  };

  seed* find(const peer_address& address);

  std::size_t max_seeds_;
  std::vector<seed> seeds_;
  bool joined_ = false;
  /// The seed the next refresh starts looking from.
  std::size_t next_refresh_ = 0;
};

}  // namespace fedstack
