#include <gtest/gtest.h>

#include "agent/services/token_cache.hpp"

using namespace fedstack::agent;
using namespace std::chrono_literals;
using clock_type = std::chrono::system_clock;

namespace {
token_identity identity(std::string project, clock_type::time_point expires) {
  return token_identity{"user", std::move(project), expires, false};
}
} // namespace

TEST(token_cache, finds_a_token_until_shortly_before_it_expires) {
  token_cache cache{10, 30s};
  auto now = clock_type::now();
  cache.insert("t", identity("p", now + 60s));
  ASSERT_TRUE(cache.find("t", now));
  EXPECT_EQ(cache.find("t", now)->project_id, "p");
  EXPECT_TRUE(cache.find("t", now + 29s));
  EXPECT_FALSE(cache.find("t", now + 30s));   // inside the slack: ask Keystone again
  EXPECT_EQ(cache.size(), 0u);
}

TEST(token_cache, counts_hits_and_misses) {
  token_cache cache{10, 0s};
  auto now = clock_type::now();
  EXPECT_FALSE(cache.find("t", now));
  cache.insert("t", identity("p", now + 1h));
  EXPECT_TRUE(cache.find("t", now));
  EXPECT_TRUE(cache.find("t", now));
  EXPECT_EQ(cache.hits(), 2u);
  EXPECT_EQ(cache.misses(), 1u);
}

TEST(token_cache, evicts_the_least_recently_used_token) {
  token_cache cache{2, 0s};
  auto now = clock_type::now();
  cache.insert("a", identity("pa", now + 1h));
  cache.insert("b", identity("pb", now + 1h));
  EXPECT_TRUE(cache.find("a", now));   // b is now the least recently used
  cache.insert("c", identity("pc", now + 1h));
  EXPECT_TRUE(cache.find("a", now));
  EXPECT_FALSE(cache.find("b", now));
  EXPECT_TRUE(cache.find("c", now));
  EXPECT_EQ(cache.size(), 2u);
}

TEST(token_cache, capacity_zero_disables_caching_and_erase_forgets) {
  token_cache off{0, 0s};
  auto now = clock_type::now();
  off.insert("t", identity("p", now + 1h));
  EXPECT_FALSE(off.find("t", now));
  token_cache on{4, 0s};
  on.insert("t", identity("p", now + 1h));
  on.erase("t");
  EXPECT_FALSE(on.find("t", now));
}

TEST(parse_keystone_time, reads_keystone_timestamps_as_utc) {
  auto t = parse_keystone_time("2026-11-30T00:32:52.000000Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(clock_type::to_time_t(*t), 1795998772);
  EXPECT_TRUE(parse_keystone_time("2026-11-30T00:32:52Z"));
  EXPECT_FALSE(parse_keystone_time(""));
  EXPECT_FALSE(parse_keystone_time("tomorrow"));
  EXPECT_FALSE(parse_keystone_time("2026-13-30T00:32:52Z"));
}

TEST(refused_tokens, refuses_a_token_again_only_for_the_ttl) {
  refused_tokens refused{10, 5s};
  auto now = std::chrono::steady_clock::now();
  EXPECT_FALSE(refused.contains("bad", now));
  refused.insert("bad", now);
  EXPECT_TRUE(refused.contains("bad", now + 4s));
  // Keystone is asked again afterwards: a token refused before it was valid
  // everywhere is not refused for long.
  EXPECT_FALSE(refused.contains("bad", now + 5s));
  EXPECT_EQ(refused.size(), 0u);
}

TEST(refused_tokens, a_refused_token_does_not_touch_another) {
  refused_tokens refused{10, 5s};
  auto now = std::chrono::steady_clock::now();
  refused.insert("bad", now);
  EXPECT_FALSE(refused.contains("good", now));
  EXPECT_FALSE(refused.contains("bad ", now));
  EXPECT_FALSE(refused.contains("ba", now));
}

TEST(refused_tokens, holds_at_most_its_capacity_dropping_the_oldest) {
  refused_tokens refused{3, 1h};
  auto now = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) refused.insert("t" + std::to_string(i), now);
  EXPECT_EQ(refused.size(), 3u);
  EXPECT_TRUE(refused.contains("t999", now));
  EXPECT_TRUE(refused.contains("t997", now));
  EXPECT_FALSE(refused.contains("t996", now));
  // Entering one token again and again does not grow it either.
  for (int i = 0; i < 1000; ++i) refused.insert("same", now);
  EXPECT_LE(refused.size(), 3u);
  EXPECT_TRUE(refused.contains("same", now));
}

TEST(refused_tokens, erase_and_zero_ttl) {
  refused_tokens refused{10, 5s};
  auto now = std::chrono::steady_clock::now();
  refused.insert("bad", now);
  refused.erase("bad");
  EXPECT_FALSE(refused.contains("bad", now));
  refused_tokens off{10, 0s};
  off.insert("bad", now);
  EXPECT_FALSE(off.contains("bad", now));
}
