#include <gtest/gtest.h>

#include "actors/peer_health.hpp"

using namespace fedstack;
using namespace std::chrono_literals;

namespace {
const auto t0 = peer_health::clock::time_point{} + 1h;
}

TEST(peer_health, opens_after_consecutive_failures_only) {
  peer_health health{{2, 10s}};
  EXPECT_TRUE(health.allows("a", t0));
  EXPECT_FALSE(health.record_failure("a", t0));
  health.record_success("a");   // a success resets the count
  EXPECT_FALSE(health.record_failure("a", t0));
  EXPECT_TRUE(health.allows("a", t0));
  EXPECT_TRUE(health.record_failure("a", t0));   // second in a row: opens
  EXPECT_FALSE(health.allows("a", t0 + 5s));
  EXPECT_EQ(health.unreachable(t0 + 5s), std::vector<std::string>{"a"});
}

TEST(peer_health, lets_one_trial_through_after_the_open_period) {
  peer_health health{{1, 10s}};
  EXPECT_TRUE(health.record_failure("a", t0));
  EXPECT_EQ(health.state_of("a", t0 + 9s), peer_health::state::open);
  EXPECT_EQ(health.state_of("a", t0 + 10s), peer_health::state::half_open);
  EXPECT_TRUE(health.allows("a", t0 + 10s));
  // A failed trial re-opens for a full period, without reporting a new opening.
  EXPECT_FALSE(health.record_failure("a", t0 + 10s));
  EXPECT_FALSE(health.allows("a", t0 + 19s));
  // A successful trial closes it.
  health.record_success("a");
  EXPECT_EQ(health.state_of("a", t0 + 19s), peer_health::state::closed);
  EXPECT_TRUE(health.unreachable(t0 + 19s).empty());
}

TEST(peer_health, keeps_peers_apart_and_forgets) {
  peer_health health{{1, 10s}};
  health.record_failure("a", t0);
  EXPECT_TRUE(health.allows("b", t0));
  health.forget("a");
  EXPECT_TRUE(health.allows("a", t0));
}
