#include "actors/cyclon.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <utility>

namespace fedstack {

neighbour_cache::neighbour_cache(peer_entry self, std::size_t capacity)
  : self_(std::move(self)), capacity_(std::max<std::size_t>(capacity, 1)) {
  self_.age = 0;
  entries_.reserve(capacity_);
}

const peer_entry* neighbour_cache::find(const peer_address& address) const {
  auto i = std::find_if(entries_.begin(), entries_.end(),
                        [&](const peer_entry& x) { return x.address == address; });
  return i == entries_.end() ? nullptr : &*i;
}

bool neighbour_cache::insert(peer_entry entry) {
  if (full() || !is_valid(entry) || entry.address == self_.address
      || contains(entry.address))
    return false;
  entries_.push_back(std::move(entry));
  return true;
}

bool neighbour_cache::insert_evicting_oldest(peer_entry entry) {
  if (!is_valid(entry) || entry.address == self_.address || contains(entry.address))
    return false;
  if (full())
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(oldest_slot(nullptr)));
  entries_.push_back(std::move(entry));
  return true;
}

bool neighbour_cache::erase(const peer_address& address) {
  auto i = std::find_if(entries_.begin(), entries_.end(),
                        [&](const peer_entry& x) { return x.address == address; });
  if (i == entries_.end())
    return false;
  entries_.erase(i);
  return true;
}

std::vector<std::size_t> neighbour_cache::random_slots(std::size_t count,
                                                       cyclon_rng& rng) const {
  // Partial Fisher-Yates: the first `count` positions are a uniform sample.
  std::vector<std::size_t> slots(entries_.size());
  std::iota(slots.begin(), slots.end(), std::size_t{0});
  count = std::min(count, slots.size());
  for (std::size_t i = 0; i < count; ++i) {
    std::uniform_int_distribution<std::size_t> pick{i, slots.size() - 1};
    std::swap(slots[i], slots[pick(rng)]);
  }
  slots.resize(count);
  return slots;
}

std::size_t neighbour_cache::oldest_slot(cyclon_rng* rng) const {
  std::uint32_t oldest = 0;
  for (const auto& entry : entries_)
    oldest = std::max(oldest, entry.age);
  std::vector<std::size_t> ties;
  for (std::size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].age == oldest)
      ties.push_back(i);
  // The paper names no tie rule. Picking at random keeps nodes that joined
  // through the same seeds (all at age 0) from all contacting slot 0 first.
  if (rng == nullptr || ties.size() == 1)
    return ties.front();
  std::uniform_int_distribution<std::size_t> pick{0, ties.size() - 1};
  return ties[pick(*rng)];
}

std::optional<shuffle_offer> neighbour_cache::start_shuffle(std::size_t shuffle_length,
                                                            cyclon_rng& rng) {
  if (entries_.empty())
    return std::nullopt;
  shuffle_length = std::max<std::size_t>(shuffle_length, 1);
  // 1. Age every neighbour (saturating: a u32 of periods never wraps in
  //    practice, but a peer may send any value).
  for (auto& entry : entries_)
    if (entry.age < std::numeric_limits<std::uint32_t>::max())
      ++entry.age;
  // 2-3. Q leaves the cache; P's fresh entry travels in its place.
  auto q = oldest_slot(&rng);
  shuffle_offer offer;
  offer.target = std::move(entries_[q]);
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(q));
  offer.self = self_;
  offer.self.age = 0;
  for (auto slot : random_slots(shuffle_length - 1, rng))
    offer.sample.push_back(entries_[slot]);
  return offer;
}

std::vector<peer_entry> neighbour_cache::answer_shuffle(const peer_entry& sender,
                                                        const std::vector<peer_entry>& sample,
                                                        std::size_t shuffle_length,
                                                        cyclon_rng& rng) {
  shuffle_length = std::max<std::size_t>(shuffle_length, 1);
  // The answer is drawn before merging, so it holds only entries Q had.
  std::vector<peer_entry> answer;
  for (auto slot : random_slots(shuffle_length, rng))
    answer.push_back(entries_[slot]);
  std::vector<peer_entry> received;
  received.reserve(std::min(sample.size() + 1, shuffle_length));
  received.push_back(sender);
  for (const auto& entry : sample) {
    if (received.size() >= shuffle_length)
      break;
    received.push_back(entry);
  }
  merge(received, answer, shuffle_length);
  return answer;
}

std::size_t neighbour_cache::merge(const std::vector<peer_entry>& received,
                                   const std::vector<peer_entry>& sent, std::size_t limit) {
  std::size_t stored = 0;
  std::size_t next_sent = 0;  // entries of `sent` before this one are used up
  auto looked_at = std::min(received.size(), limit);
  for (std::size_t i = 0; i < looked_at; ++i) {
    const auto& entry = received[i];
    // 6. Discard what points at us and what we already know (which also
    //    covers duplicates within `received`).
    if (!is_valid(entry) || entry.address == self_.address || contains(entry.address))
      continue;
    // 7a. Empty slots first.
    if (!full()) {
      entries_.push_back(entry);
      ++stored;
      continue;
    }
    // 7b. Then the slots of entries we sent, if they are still here (a
    //     concurrent shuffle may have replaced them meanwhile).
    for (; next_sent < sent.size(); ++next_sent) {
      auto slot = std::find_if(entries_.begin(), entries_.end(), [&](const peer_entry& x) {
        return x.address == sent[next_sent].address;
      });
      if (slot != entries_.end()) {
        *slot = entry;
        ++stored;
        ++next_sent;
        break;
      }
    }
    // No room left: the rest of `received` is dropped, as in the paper.
  }
  return stored;
}

}  // namespace fedstack
