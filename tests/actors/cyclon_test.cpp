// The CYCLON rules of actors/cyclon.hpp, one test per rule of the paper
// (Voulgaris, Gavidia, van Steen 2005, "enhanced shuffling"), plus
// invariants over many random shuffles. No actor system involved.

#include "actors/cyclon.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

using namespace fedstack;

namespace {

peer_address addr(const std::string& host, std::uint16_t port = 4000) {
  return {host, port};
}

peer_entry entry(const std::string& host, std::uint32_t age = 0) {
  return {addr(host), age, "region-" + host, "http://" + host + ":8080"};
}

std::set<std::string> hosts(const std::vector<peer_entry>& entries) {
  std::set<std::string> result;
  for (const auto& x : entries)
    result.insert(x.address.host);
  return result;
}

std::map<std::string, std::uint32_t> ages(const neighbour_cache& cache) {
  std::map<std::string, std::uint32_t> result;
  for (const auto& x : cache.entries())
    result[x.address.host] = x.age;
  return result;
}

neighbour_cache make_cache(std::size_t capacity, const std::vector<peer_entry>& entries,
                           const std::string& self = "self") {
  neighbour_cache cache{entry(self), capacity};
  for (const auto& x : entries)
    EXPECT_TRUE(cache.insert(x)) << x.address.host;
  return cache;
}

// -- filling the cache outside a shuffle ----------------------------------------

TEST(neighbour_cache, insert_rejects_self_duplicates_invalid_and_overflow) {
  neighbour_cache cache{entry("self"), 2};
  EXPECT_FALSE(cache.insert(entry("self")));
  EXPECT_TRUE(cache.insert(entry("a")));
  EXPECT_FALSE(cache.insert(entry("a", 7)));  // same address, other age
  EXPECT_FALSE(cache.insert(peer_entry{addr("", 1), 0, "", ""}));
  EXPECT_FALSE(cache.insert(peer_entry{addr("b", 0), 0, "", ""}));
  EXPECT_FALSE(cache.insert(peer_entry{addr("b"), 0, std::string(2000, 'x'), ""}));
  EXPECT_TRUE(cache.insert(entry("b")));
  EXPECT_TRUE(cache.full());
  EXPECT_FALSE(cache.insert(entry("c")));
  EXPECT_EQ(hosts(cache.entries()), (std::set<std::string>{"a", "b"}));
  // Same host, other port: another node.
  neighbour_cache other{entry("self"), 2};
  EXPECT_TRUE(other.insert(peer_entry{addr("self", 4001), 0, "", ""}));
}

TEST(neighbour_cache, insert_evicting_oldest_makes_room_for_seeds) {
  auto cache = make_cache(2, {entry("a", 3), entry("b", 9)});
  EXPECT_TRUE(cache.insert_evicting_oldest(entry("seed")));
  EXPECT_EQ(ages(cache), (std::map<std::string, std::uint32_t>{{"a", 3}, {"seed", 0}}));
  EXPECT_FALSE(cache.insert_evicting_oldest(entry("seed")));
  EXPECT_FALSE(cache.insert_evicting_oldest(entry("self")));
  EXPECT_EQ(cache.size(), 2u);
}

TEST(neighbour_cache, erase) {
  auto cache = make_cache(3, {entry("a"), entry("b")});
  EXPECT_TRUE(cache.erase(addr("a")));
  EXPECT_FALSE(cache.erase(addr("a")));
  EXPECT_EQ(hosts(cache.entries()), (std::set<std::string>{"b"}));
}

TEST(neighbour_cache, capacity_zero_means_one) {
  neighbour_cache cache{entry("self"), 0};
  EXPECT_EQ(cache.capacity(), 1u);
}

// -- initiator: steps 1-4 ---------------------------------------------------------

TEST(start_shuffle, empty_cache_has_nothing_to_send) {
  neighbour_cache cache{entry("self"), 4};
  cyclon_rng rng{1};
  EXPECT_FALSE(cache.start_shuffle(2, rng));
}

TEST(start_shuffle, rule1_ages_every_entry_by_one) {
  auto cache = make_cache(4, {entry("a", 0), entry("b", 5), entry("c", 2), entry("d", 1)});
  cyclon_rng rng{1};
  auto offer = cache.start_shuffle(2, rng);
  ASSERT_TRUE(offer);
  // b (oldest) left; everyone else is one older, in the cache and the sample.
  EXPECT_EQ(ages(cache), (std::map<std::string, std::uint32_t>{{"a", 1}, {"c", 3}, {"d", 2}}));
  EXPECT_EQ(offer->target.age, 6u);
  for (const auto& x : offer->sample)
    EXPECT_EQ(x.age, ages(cache).at(x.address.host));
}

TEST(start_shuffle, ages_saturate) {
  auto cache = make_cache(2, {entry("a", UINT32_MAX), entry("b", 0)});
  cyclon_rng rng{1};
  auto offer = cache.start_shuffle(1, rng);
  ASSERT_TRUE(offer);
  EXPECT_EQ(offer->target.age, UINT32_MAX);
}

TEST(start_shuffle, rule2_targets_the_oldest_neighbour) {
  for (std::uint32_t seed = 1; seed <= 50; ++seed) {
    auto cache = make_cache(5, {entry("a", 1), entry("b", 4), entry("c", 3), entry("d", 0)});
    cyclon_rng rng{seed};
    auto offer = cache.start_shuffle(3, rng);
    ASSERT_TRUE(offer);
    EXPECT_EQ(offer->target.address, addr("b"));
    EXPECT_EQ(offer->target.region, "region-b");  // the whole entry, for logs
  }
}

TEST(start_shuffle, rule2_breaks_ties_at_random) {
  std::set<std::string> chosen;
  for (std::uint32_t seed = 1; seed <= 64; ++seed) {
    auto cache = make_cache(4, {entry("a", 2), entry("b", 2), entry("c", 1)});
    cyclon_rng rng{seed};
    chosen.insert(cache.start_shuffle(1, rng)->target.address.host);
  }
  EXPECT_EQ(chosen, (std::set<std::string>{"a", "b"}));
}

TEST(start_shuffle, rule2_samples_l_minus_1_distinct_others) {
  for (std::uint32_t seed = 1; seed <= 50; ++seed) {
    auto cache = make_cache(6, {entry("a", 9), entry("b"), entry("c"), entry("d"), entry("e")});
    cyclon_rng rng{seed};
    auto offer = cache.start_shuffle(3, rng);
    ASSERT_TRUE(offer);
    ASSERT_EQ(offer->sample.size(), 2u);
    auto sampled = hosts(offer->sample);
    EXPECT_EQ(sampled.size(), 2u);             // distinct
    EXPECT_EQ(sampled.count("a"), 0u);         // not Q
    for (const auto& x : offer->sample)        // still in the cache, unchanged
      EXPECT_EQ(*cache.find(x.address), x);
  }
}

TEST(start_shuffle, rule2_sample_is_uniform_over_the_others) {
  std::map<std::string, int> counts;
  for (std::uint32_t seed = 1; seed <= 3000; ++seed) {
    auto cache = make_cache(5, {entry("q", 9), entry("b"), entry("c"), entry("d"), entry("e")});
    cyclon_rng rng{seed};
    auto offer = cache.start_shuffle(2, rng);
    ASSERT_TRUE(offer);
    for (const auto& x : offer->sample)
      ++counts[x.address.host];
  }
  // 3000 draws of one out of four: 750 each; allow about 4 sigma.
  for (const auto& host : {"b", "c", "d", "e"})
    EXPECT_NEAR(counts[host], 750, 100) << host;
}

TEST(start_shuffle, sample_shrinks_with_a_small_cache) {
  auto cache = make_cache(4, {entry("a"), entry("b")});
  cyclon_rng rng{3};
  auto offer = cache.start_shuffle(4, rng);
  ASSERT_TRUE(offer);
  EXPECT_EQ(offer->sample.size(), 1u);  // l-1 = 3 wanted, only one other exists
  auto single = make_cache(4, {entry("a")});
  EXPECT_TRUE(single.start_shuffle(2, rng)->sample.empty());
  auto l_one = make_cache(4, {entry("a"), entry("b")});
  EXPECT_TRUE(l_one.start_shuffle(1, rng)->sample.empty());
}

TEST(start_shuffle, rule3_replaces_q_with_a_fresh_self_entry) {
  auto cache = make_cache(4, {entry("a", 5), entry("b", 1), entry("c", 1)});
  cyclon_rng rng{7};
  auto offer = cache.start_shuffle(2, rng);
  ASSERT_TRUE(offer);
  EXPECT_EQ(offer->self, entry("self", 0));
  EXPECT_EQ(hosts(offer->sample).count("self"), 0u);
  // Q left the cache: the link P->Q becomes Q->P.
  EXPECT_FALSE(cache.contains(addr("a")));
  EXPECT_EQ(cache.size(), 2u);
}

// -- initiator: steps 6-7 -----------------------------------------------------------

TEST(merge, rule6_discards_entries_pointing_at_self) {
  auto cache = make_cache(3, {entry("a")});
  EXPECT_EQ(cache.merge({entry("self", 3), entry("b", 2)}, {}, 2), 1u);
  EXPECT_EQ(hosts(cache.entries()), (std::set<std::string>{"a", "b"}));
}

TEST(merge, rule6_discards_known_entries_keeping_ours) {
  auto cache = make_cache(3, {entry("a", 4)});
  EXPECT_EQ(cache.merge({entry("a", 0)}, {}, 2), 0u);
  EXPECT_EQ(cache.find(addr("a"))->age, 4u);
  // Duplicates inside one answer count once.
  EXPECT_EQ(cache.merge({entry("b", 1), entry("b", 0)}, {}, 2), 1u);
  EXPECT_EQ(cache.find(addr("b"))->age, 1u);
}

TEST(merge, rule6_discards_invalid_entries) {
  auto cache = make_cache(3, {});
  EXPECT_EQ(cache.merge({peer_entry{addr("x y"), 0, "", ""}, peer_entry{addr("b", 0), 0, "", ""}},
                        {}, 2),
            0u);
  EXPECT_TRUE(cache.empty());
}

TEST(merge, rule7_fills_empty_slots_before_replacing_sent_entries) {
  auto cache = make_cache(4, {entry("a"), entry("b"), entry("c")});
  // One slot free: the first new entry takes it, the second replaces a sent one.
  EXPECT_EQ(cache.merge({entry("x", 1), entry("y", 2)}, {entry("b")}, 2), 2u);
  EXPECT_EQ(hosts(cache.entries()), (std::set<std::string>{"a", "c", "x", "y"}));
  EXPECT_EQ(cache.find(addr("y"))->age, 2u);  // ages are kept as received
}

TEST(merge, rule7_replaces_only_entries_that_were_sent) {
  auto cache = make_cache(3, {entry("a"), entry("b"), entry("c")});
  EXPECT_EQ(cache.merge({entry("x"), entry("y"), entry("z")}, {entry("c")}, 3), 1u);
  EXPECT_EQ(hosts(cache.entries()), (std::set<std::string>{"a", "b", "x"}));
}

TEST(merge, rule7_replaces_in_the_slot_of_the_sent_entry) {
  auto cache = make_cache(3, {entry("a"), entry("b"), entry("c")});
  cache.merge({entry("x")}, {entry("b")}, 1);
  EXPECT_EQ(cache.entries()[1].address, addr("x"));
}

TEST(merge, rule7_skips_sent_entries_already_gone) {
  // A concurrent incoming shuffle replaced b before Q's answer arrived.
  auto cache = make_cache(3, {entry("a"), entry("x"), entry("c")});
  EXPECT_EQ(cache.merge({entry("y"), entry("z")}, {entry("b"), entry("c")}, 2), 1u);
  EXPECT_EQ(hosts(cache.entries()), (std::set<std::string>{"a", "x", "y"}));
}

TEST(merge, looks_at_no_more_than_limit_entries) {
  auto cache = make_cache(5, {});
  EXPECT_EQ(cache.merge({entry("a"), entry("b"), entry("c")}, {}, 2), 2u);
  EXPECT_EQ(hosts(cache.entries()), (std::set<std::string>{"a", "b"}));
}

// -- receiver ---------------------------------------------------------------------

TEST(answer_shuffle, answers_at_most_l_distinct_entries_it_had) {
  for (std::uint32_t seed = 1; seed <= 30; ++seed) {
    auto cache = make_cache(5, {entry("a", 1), entry("b", 2), entry("c", 3), entry("d", 4)});
    auto before = cache.entries();
    cyclon_rng rng{seed};
    auto answer = cache.answer_shuffle(entry("p"), {entry("x")}, 3, rng);
    ASSERT_EQ(answer.size(), 3u);
    EXPECT_EQ(hosts(answer).size(), 3u);
    for (const auto& x : answer)  // drawn before the merge, ages untouched
      EXPECT_NE(std::find(before.begin(), before.end(), x), before.end());
  }
}

TEST(answer_shuffle, receiver_does_not_age_its_entries) {
  auto cache = make_cache(4, {entry("a", 1), entry("b", 2)});
  cyclon_rng rng{1};
  cache.answer_shuffle(entry("p"), {}, 2, rng);
  EXPECT_EQ(ages(cache)["a"], 1u);
  EXPECT_EQ(ages(cache)["b"], 2u);
}

TEST(answer_shuffle, stores_sender_and_sample_replacing_what_it_answered) {
  auto cache = make_cache(3, {entry("a"), entry("b"), entry("c")});
  cyclon_rng rng{11};
  auto answer = cache.answer_shuffle(entry("p"), {entry("x", 3)}, 2, rng);
  ASSERT_EQ(answer.size(), 2u);
  std::set<std::string> expected{"a", "b", "c", "p", "x"};
  for (const auto& x : answer)
    expected.erase(x.address.host);
  EXPECT_EQ(hosts(cache.entries()), expected);  // the answered two made room
  EXPECT_EQ(cache.find(addr("p"))->age, 0u);
  EXPECT_EQ(cache.find(addr("x"))->age, 3u);
}

TEST(answer_shuffle, empty_receiver_answers_nothing_and_stores_all) {
  neighbour_cache cache{entry("q"), 4};
  cyclon_rng rng{1};
  auto answer = cache.answer_shuffle(entry("p"), {entry("x")}, 2, rng);
  EXPECT_TRUE(answer.empty());
  EXPECT_EQ(hosts(cache.entries()), (std::set<std::string>{"p", "x"}));
}

TEST(answer_shuffle, keeps_at_most_l_received_entries) {
  neighbour_cache cache{entry("q"), 8};
  cyclon_rng rng{1};
  cache.answer_shuffle(entry("p"), {entry("x"), entry("y"), entry("z")}, 2, rng);
  EXPECT_EQ(hosts(cache.entries()), (std::set<std::string>{"p", "x"}));
}

TEST(answer_shuffle, sender_already_known_is_not_duplicated) {
  auto cache = make_cache(2, {entry("p", 7), entry("a")});
  cyclon_rng rng{5};
  cache.answer_shuffle(entry("p"), {}, 1, rng);
  EXPECT_LE(cache.size(), 2u);
  auto all = cache.entries();
  EXPECT_EQ(hosts(all).size(), all.size());
}

// -- a whole exchange ------------------------------------------------------------

TEST(exchange, reverses_the_link_and_swaps_entries) {
  auto p = make_cache(3, {entry("q", 5), entry("a", 1), entry("b", 1)}, "p");
  auto q = make_cache(3, {entry("c", 1), entry("d", 1), entry("e", 1)}, "q");
  cyclon_rng rng{2};
  auto offer = p.start_shuffle(2, rng);
  ASSERT_TRUE(offer);
  ASSERT_EQ(offer->target.address, addr("q"));
  auto answer = q.answer_shuffle(offer->self, offer->sample, 2, rng);
  p.merge(answer, offer->sample, 2);
  EXPECT_FALSE(p.contains(addr("q")));  // P no longer points at Q ...
  EXPECT_TRUE(q.contains(addr("p")));   // ... Q points at P
  EXPECT_EQ(p.size(), 3u);              // two new entries: Q's slot, the sent one
  EXPECT_EQ(q.size(), 3u);
  for (const auto& x : answer)
    EXPECT_TRUE(p.contains(x.address));
  EXPECT_TRUE(q.contains(offer->sample.front().address));
  EXPECT_FALSE(p.contains(offer->sample.front().address));
}

TEST(exchange, invariants_hold_over_many_random_shuffles) {
  // 60 nodes in a chain, c = 5, l = 3, 100 rounds of shuffles in random
  // order. After every exchange Q holds P's fresh entry (so a node that
  // lost all its in-links regains one with its own next shuffle); no cache
  // ever holds itself, a duplicate, or more than c entries; and once mixed,
  // the overlay stays connected.
  constexpr int n = 60;
  cyclon_rng rng{99};
  std::vector<neighbour_cache> nodes;
  auto name = [](int i) { return "n" + std::to_string(i); };
  auto index = [](const peer_address& x) { return std::stoi(x.host.substr(1)); };
  for (int i = 0; i < n; ++i)
    nodes.emplace_back(entry(name(i)), 5);
  for (int i = 1; i < n; ++i)
    nodes[i].insert(entry(name(i - 1)));
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i)
    order[i] = i;
  for (int round = 0; round < 100; ++round) {
    std::shuffle(order.begin(), order.end(), rng);
    for (int p : order) {
      auto offer = nodes[p].start_shuffle(3, rng);
      if (!offer)
        continue;
      int q = index(offer->target.address);
      auto answer = nodes[q].answer_shuffle(offer->self, offer->sample, 3, rng);
      EXPECT_LE(answer.size(), 3u);
      nodes[p].merge(answer, offer->sample, 3);
      // Q keeps P's fresh entry, except in one case the paper's rules allow:
      // Q already knew P (so the fresh entry is a duplicate) and answered
      // with that old entry, whose slot then takes another received entry.
      bool answered_p = std::any_of(answer.begin(), answer.end(), [&](const peer_entry& x) {
        return x.address == addr(name(p));
      });
      if (!answered_p) {
        ASSERT_TRUE(nodes[q].contains(addr(name(p))));
      }
      ASSERT_FALSE(nodes[p].contains(addr(name(q))));  // the link was reversed
    }
    // Weak connectivity by union-find over all links.
    std::vector<int> parent(n);
    for (int i = 0; i < n; ++i)
      parent[i] = i;
    auto root = [&](int x) {
      while (parent[x] != x)
        x = parent[x] = parent[parent[x]];
      return x;
    };
    for (int i = 0; i < n; ++i) {
      const auto& all = nodes[i].entries();
      ASSERT_LE(all.size(), 5u);
      ASSERT_EQ(hosts(all).size(), all.size()) << "duplicate at " << name(i);
      ASSERT_FALSE(nodes[i].contains(addr(name(i)))) << "self at " << name(i);
      for (const auto& x : all)
        parent[root(i)] = root(index(x.address));
    }
    int components = 0;
    for (int i = 0; i < n; ++i)
      components += root(i) == i ? 1 : 0;
    EXPECT_EQ(components, 1) << "round " << round;
  }
}

}  // namespace
