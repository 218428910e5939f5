#pragma once

// CYCLON's neighbour cache and shuffle rules, exactly as in
//   S. Voulgaris, D. Gavidia, M. van Steen: "CYCLON: Inexpensive Membership
//   Management for Unstructured P2P Overlays", J. Network and Systems
//   Management 13(2), 2005 (section 2.2, "enhanced shuffling").
//
// Initiator P, once per period:
//   1. increase the age of every neighbour by one;
//   2. select the oldest neighbour Q and l-1 other random neighbours;
//   3. replace Q's entry with a fresh entry for P (age 0) in the sent set;
//      Q leaves P's cache (the link P->Q becomes Q->P);
//   4. send the set to Q;
//   5. receive at most l of Q's entries;
//   6. discard entries pointing at P and entries already in P's cache;
//   7. store the rest, first in empty slots, then in place of the entries
//      that were sent to Q.
// Receiver Q: answers with a random subset of at most l of its entries and
// merges what it received by rules 6-7, its answer being the replaceable
// set. The receiver does not age its entries.
//
// Plain C++17 and no CAF, so the rules are unit-tested directly. Randomness
// comes from the caller's generator, which makes every choice reproducible.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "actors/peer.hpp"

namespace fedstack {

/// What the initiator sends (steps 2-4).
struct shuffle_offer {
  /// Q, the oldest neighbour; already removed from the cache.
  peer_entry target;
  /// The initiator's own entry at age 0 (it takes Q's place in the set).
  peer_entry self;
  /// The l-1 other entries, still in the cache until the answer replaces them.
  std::vector<peer_entry> sample;
};

/// The random generator every choice draws from.
using cyclon_rng = std::mt19937;

class neighbour_cache {
 public:
  /// An empty cache of at most `capacity` entries (c) for the node `self`.
  /// A capacity of 0 is treated as 1.
  neighbour_cache(peer_entry self, std::size_t capacity);

  /// The node this cache belongs to; its address never enters the cache.
  const peer_entry& self() const noexcept { return self_; }

  /// The entries, in slot order.
  const std::vector<peer_entry>& entries() const noexcept { return entries_; }

  std::size_t size() const noexcept { return entries_.size(); }
  std::size_t capacity() const noexcept { return capacity_; }
  bool empty() const noexcept { return entries_.empty(); }
  bool full() const noexcept { return entries_.size() >= capacity_; }

  /// The entry for `address`, or nullptr.
  const peer_entry* find(const peer_address& address) const;
  bool contains(const peer_address& address) const { return find(address) != nullptr; }

  /// Adds `entry` to an empty slot unless it is invalid, points at self or
  /// is already known (restoring a saved cache). False if not added.
  bool insert(peer_entry entry);

  /// Like insert, but when the cache is full the oldest entry makes room: a
  /// seed the operator names is worth more than a stale entry (joining).
  bool insert_evicting_oldest(peer_entry entry);

  /// Drops the entry for `address`; false if there was none.
  bool erase(const peer_address& address);

  /// Initiator, steps 1-3: ages every entry, removes the oldest neighbour Q
  /// (ties broken at random) and samples min(l-1, size-1) others. Nullopt
  /// if the cache is empty. `shuffle_length` (l) of 0 is treated as 1.
  std::optional<shuffle_offer> start_shuffle(std::size_t shuffle_length, cyclon_rng& rng);

  /// Receiver: picks its answer (at most l random entries, taken before the
  /// merge), then merges `sender` and `sample` (at most l entries in all,
  /// sender first) with the answer as the replaceable set.
  std::vector<peer_entry> answer_shuffle(const peer_entry& sender,
                                         const std::vector<peer_entry>& sample,
                                         std::size_t shuffle_length, cyclon_rng& rng);

  /// Steps 6-7 (both sides): looks at the first `limit` received entries,
  /// discards invalid ones, self and known addresses, fills empty slots,
  /// then overwrites entries of `sent` that are still in the cache. Returns
  /// how many entries were stored.
  std::size_t merge(const std::vector<peer_entry>& received,
                    const std::vector<peer_entry>& sent, std::size_t limit);

 private:
  /// Up to `count` distinct random slot indexes.
  std::vector<std::size_t> random_slots(std::size_t count, cyclon_rng& rng) const;

  /// Index of the oldest entry (random among equals); precondition: !empty().
  std::size_t oldest_slot(cyclon_rng* rng) const;

  peer_entry self_;
  std::size_t capacity_;
  std::vector<peer_entry> entries_;
};

}  // namespace fedstack
