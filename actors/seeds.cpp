#include "actors/seeds.hpp"

#include <algorithm>

namespace fedstack {

seed_list::seed_list(std::size_t max_seeds) : max_seeds_(std::max<std::size_t>(max_seeds, 1)) {
}

seed_list::seed* seed_list::find(const peer_address& address) {
  auto i = std::find_if(seeds_.begin(), seeds_.end(),
                        [&](const seed& x) { return x.address == address; });
  return i == seeds_.end() ? nullptr : &*i;
}

bool seed_list::contains(const peer_address& address) const {
  return std::any_of(seeds_.begin(), seeds_.end(),
                     [&](const seed& x) { return x.address == address; });
}

void seed_list::remember(const peer_address& address) {
  if (auto* known = find(address)) {
    *known = seed{address};
    return;
  }
  if (seeds_.size() == max_seeds_)
    seeds_.erase(seeds_.begin());  // the latest joins matter most
  seeds_.push_back(seed{address});
}

void seed_list::failed(const peer_address& target, std::uint64_t tick) {
  auto* x = find(target);
  if (!x)
    return;
  ++x->failures;
  std::uint64_t wait = 1;  // then 2, 4, ... up to the maximum
  for (std::uint32_t i = 1; i < x->failures && wait < max_seed_backoff_periods; ++i)
    wait *= 2;
  x->not_before = tick + std::min(wait, max_seed_backoff_periods);
}

void seed_list::answered(const peer_address& target) {
  joined_ = true;
  if (auto* x = find(target)) {
    x->failures = 0;
    x->not_before = 0;
  }
}

std::vector<peer_address> seed_list::due(std::uint64_t tick, bool cache_empty,
                                         bool rejoin_when_empty) const {
  std::vector<peer_address> result;
  if (joined_ && !(cache_empty && rejoin_when_empty))
    return result;
  for (const auto& x : seeds_)
    if (tick >= x.not_before)
      result.push_back(x.address);
  return result;
}

std::optional<peer_address> seed_list::refresh(std::uint64_t tick, std::uint64_t every) {
  if (!joined_ || every == 0 || tick % every != 0 || seeds_.empty())
    return std::nullopt;
  for (std::size_t i = 0; i < seeds_.size(); ++i) {
    const auto& x = seeds_[(next_refresh_ + i) % seeds_.size()];
    if (tick >= x.not_before) {
      next_refresh_ = (next_refresh_ + i + 1) % seeds_.size();
      return x.address;
    }
  }
  return std::nullopt;
}

}  // namespace fedstack
