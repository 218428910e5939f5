// The seed rules of actors/seeds.hpp (beyond the CYCLON paper): which seeds
// go back into the cache in which period. No actor system involved.

#include "actors/seeds.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace fedstack;

namespace {

peer_address addr(const std::string& host) {
  return {host, 4000};
}

using addresses = std::vector<peer_address>;

/// Periods in 1..last at which `seeds` would put `a` back, given that every
/// try fails in the period it was made (a seed that never answers).
std::vector<std::uint64_t> tries(seed_list seeds, const peer_address& a, std::uint64_t last) {
  std::vector<std::uint64_t> result;
  for (std::uint64_t tick = 1; tick <= last; ++tick) {
    if (seeds.due(tick, true, true).empty())
      continue;
    result.push_back(tick);
    seeds.failed(a, tick);
  }
  return result;
}

TEST(seed_list, remembers_each_seed_once_and_forgets_the_first_beyond_the_maximum) {
  seed_list seeds{2};
  seeds.remember(addr("a"));
  seeds.remember(addr("a"));
  seeds.remember(addr("b"));
  EXPECT_EQ(seeds.size(), 2u);
  seeds.remember(addr("c"));
  EXPECT_FALSE(seeds.contains(addr("a")));
  EXPECT_EQ(seeds.due(1, false, true), (addresses{addr("b"), addr("c")}));
}

TEST(seed_list, before_joining_every_seed_is_due_whatever_the_cache_and_the_switch) {
  seed_list seeds{4};
  seeds.remember(addr("a"));
  seeds.remember(addr("b"));
  EXPECT_FALSE(seeds.joined());
  EXPECT_EQ(seeds.due(1, false, false), (addresses{addr("a"), addr("b")}));
  EXPECT_EQ(seeds.due(1, true, true), (addresses{addr("a"), addr("b")}));
}

TEST(seed_list, after_joining_seeds_are_due_only_for_an_empty_cache_with_rejoining_on) {
  seed_list seeds{4};
  seeds.remember(addr("a"));
  seeds.answered(addr("someone"));  // any answered shuffle counts
  EXPECT_TRUE(seeds.joined());
  EXPECT_TRUE(seeds.due(1, false, true).empty());
  EXPECT_TRUE(seeds.due(1, true, false).empty());
  EXPECT_EQ(seeds.due(1, true, true), addresses{addr("a")});
}

TEST(seed_list, a_failing_seed_waits_1_2_4_8_then_8_periods) {
  seed_list seeds{4};
  seeds.remember(addr("a"));
  EXPECT_EQ(tries(seeds, addr("a"), 40),
            (std::vector<std::uint64_t>{1, 2, 4, 8, 16, 24, 32, 40}));
  EXPECT_EQ(max_seed_backoff_periods, 8u);
}

TEST(seed_list, backoff_is_per_seed_and_ignores_other_targets) {
  seed_list seeds{4};
  seeds.remember(addr("a"));
  seeds.remember(addr("b"));
  seeds.failed(addr("a"), 5);
  seeds.failed(addr("not a seed"), 5);
  EXPECT_EQ(seeds.due(5, true, true), addresses{addr("b")});
  EXPECT_EQ(seeds.due(6, true, true), (addresses{addr("a"), addr("b")}));
}

TEST(seed_list, an_answer_or_a_new_join_ends_the_backoff) {
  seed_list seeds{4};
  seeds.remember(addr("a"));
  seeds.remember(addr("b"));
  for (std::uint64_t tick : {1, 2, 4})
    seeds.failed(addr("a"), tick);
  seeds.failed(addr("b"), 1);
  seeds.failed(addr("b"), 2);
  EXPECT_TRUE(seeds.due(3, true, true).empty());  // a until 8, b until 4
  seeds.answered(addr("a"));
  seeds.remember(addr("b"));
  EXPECT_EQ(seeds.due(3, true, true), (addresses{addr("a"), addr("b")}));
  // A fresh failure starts again at one period.
  seeds.failed(addr("a"), 3);
  EXPECT_EQ(seeds.due(4, true, true), (addresses{addr("a"), addr("b")}));
}

TEST(seed_list, refresh_takes_the_seeds_in_turn_once_joined) {
  seed_list seeds{4};
  seeds.remember(addr("a"));
  seeds.remember(addr("b"));
  EXPECT_FALSE(seeds.refresh(10, 5)) << "not before joining";
  seeds.answered(addr("a"));
  EXPECT_FALSE(seeds.refresh(11, 5)) << "only in periods that are multiples";
  EXPECT_FALSE(seeds.refresh(10, 0)) << "0 switches it off";
  EXPECT_EQ(seeds.refresh(10, 5), addr("a"));
  EXPECT_EQ(seeds.refresh(15, 5), addr("b"));
  EXPECT_EQ(seeds.refresh(20, 5), addr("a"));
}

TEST(seed_list, refresh_skips_a_seed_in_backoff) {
  seed_list seeds{4};
  seeds.remember(addr("a"));
  seeds.remember(addr("b"));
  seeds.answered(addr("b"));
  seeds.failed(addr("a"), 9);  // due again from period 10
  EXPECT_EQ(seeds.refresh(5, 5), addr("b"));
  seeds.failed(addr("a"), 9);  // second failure: from period 11
  EXPECT_EQ(seeds.refresh(10, 5), addr("b"));
  seeds.failed(addr("b"), 10);
  EXPECT_FALSE(seeds.refresh(10, 5)) << "both in backoff";
}

}  // namespace
