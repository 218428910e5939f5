// The membership actor under CAF's deterministic test_coordinator: the
// clock only moves when a test advances it, so every period, timeout and
// interleaving below happens exactly as written.

#include <gtest/gtest.h>

#include "tests/actors/membership_test_fixture.hpp"

using namespace fedstack;
using namespace fedstack::test;
using strings = std::vector<std::string>;

namespace {

using membership_actor_test = membership_fixture;

TEST_F(membership_actor_test, spawn_validates_the_configuration) {
  auto bad = [&](auto change) {
    auto config = config_for("p");
    change(config);
    auto result = spawn_membership(sys, config, connector);
    EXPECT_FALSE(result);
    return result ? ec::no_error : static_cast<ec>(result.error().code());
  };
  EXPECT_EQ(bad([](membership_config& x) { x.cache_size = 0; }), ec::invalid_argument);
  EXPECT_EQ(bad([](membership_config& x) { x.shuffle_length = 0; }), ec::invalid_argument);
  EXPECT_EQ(bad([](membership_config& x) { x.shuffle_length = 5; }), ec::invalid_argument);
  EXPECT_EQ(bad([](membership_config& x) { x.period = caf::timespan::zero(); }),
            ec::invalid_argument);
  EXPECT_EQ(bad([](membership_config& x) { x.shuffle_timeout = -1s; }), ec::invalid_argument);
  EXPECT_EQ(bad([](membership_config& x) { x.self.address.port = 0; }), ec::invalid_argument);
  EXPECT_EQ(bad([](membership_config& x) { x.store_key.clear(); }), ec::invalid_argument);
  EXPECT_FALSE(spawn_membership(sys, config_for("p"), connector_actor{}));
}

TEST_F(membership_actor_test, join_puts_seeds_in_the_cache_at_age_zero) {
  auto p = spawn(config_for("p"));
  caf::anon_send(p, atom::join_v,
                 std::vector<peer_address>{address_of("a"), address_of("p"), address_of("a"),
                                           peer_address{"bad host", 1}, address_of("b")});
  auto cache = members(p);
  ASSERT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache[0], (peer_entry{address_of("a"), 0, "", ""}));
  EXPECT_EQ(cache[1], (peer_entry{address_of("b"), 0, "", ""}));
}

TEST_F(membership_actor_test, join_evicts_the_oldest_entries_of_a_full_cache) {
  auto p = spawn(config_for("p"),
                 {entry_of("a", 1), entry_of("b", 9), entry_of("c", 3), entry_of("d", 2)});
  caf::anon_send(p, atom::join_v, std::vector<peer_address>{address_of("s1"), address_of("s2")});
  EXPECT_EQ(member_hosts(p), (strings{"a", "d", "s1", "s2"}));
}

TEST_F(membership_actor_test, restored_cache_skips_self_duplicates_and_overflow) {
  auto p = spawn(config_for("p"),
                 {entry_of("p"), entry_of("a", 2), entry_of("a", 3),
                  peer_entry{address_of(""), 0, "", ""}, entry_of("b"), entry_of("c"),
                  entry_of("d"), entry_of("e")});
  EXPECT_EQ(member_hosts(p), (strings{"a", "b", "c", "d"}));
  EXPECT_EQ(members(p)[0].age, 2u);
}

TEST_F(membership_actor_test, first_shuffle_goes_to_the_seed_after_one_period) {
  auto seed = spawn_peer("s", {entry_of("x", 1), entry_of("y", 2)});
  auto p = spawn(config_for("p"));
  caf::anon_send(p, atom::join_v, std::vector<peer_address>{address_of("s")});
  advance(999ms);
  EXPECT_EQ(ask<std::uint64_t>(seed, atom::count_v).value(), 0u);
  advance(1ms);
  EXPECT_EQ(ask<std::uint64_t>(seed, atom::count_v).value(), 1u);
  // The request carries P's fresh entry (with its region and URL) and an
  // empty sample: the seed was P's only neighbour.
  EXPECT_EQ(ask<std::vector<peer_entry>>(seed, atom::get_v).value(),
            std::vector<peer_entry>{entry_of("p", 0)});
  // The seed left P's cache; its answer filled it, ages as received.
  EXPECT_EQ(members(p), (std::vector<peer_entry>{entry_of("x", 1), entry_of("y", 2)}));
}

TEST_F(membership_actor_test, shuffle_that_times_out_removes_the_peer) {
  auto slow = spawn_peer("a", {entry_of("x")}, /*hold=*/true);
  auto b = spawn_peer("b", {entry_of("y")});
  auto p = spawn(config_for("p"), {entry_of("a", 5), entry_of("b", 0)});
  advance(1s);  // a is the oldest: the shuffle goes there and waits
  EXPECT_EQ(ask<std::uint64_t>(slow, atom::count_v).value(), 1u);
  EXPECT_EQ(member_hosts(p), (strings{"b"}));
  advance(200ms);  // timeout: a stays out
  EXPECT_EQ(member_hosts(p), (strings{"b"}));
  // The late answer changes nothing.
  caf::anon_send(slow, atom::ok_v);
  sched.run();
  EXPECT_EQ(member_hosts(p), (strings{"b"}));
  // The next period shuffles with b, as usual.
  advance(800ms);
  EXPECT_EQ(ask<std::uint64_t>(b, atom::count_v).value(), 1u);
  EXPECT_EQ(member_hosts(p), (strings{"y"}));
}

TEST_F(membership_actor_test, slow_answer_within_the_timeout_outlives_the_period) {
  auto config = config_for("p");
  config.shuffle_timeout = 5s;  // longer than the period
  auto slow = spawn_peer("a", {entry_of("x")}, /*hold=*/true);
  auto b = spawn_peer("b", {entry_of("y")});
  auto p = spawn(config, {entry_of("a", 5), entry_of("b", 0)});
  advance(1s);
  EXPECT_EQ(ask<std::uint64_t>(slow, atom::count_v).value(), 1u);
  advance(1s);  // a period begins while a has 4 s left: no new shuffle
  EXPECT_EQ(ask<std::uint64_t>(b, atom::count_v).value(), 0u);
  EXPECT_EQ(member_hosts(p), (strings{"b"}));
  advance(500ms);
  caf::anon_send(slow, atom::ok_v);  // 1.5 s after the request: merged
  sched.run();
  EXPECT_EQ(member_hosts(p), (strings{"b", "x"}));
  // Shuffling goes on as usual: b (aged twice by now) is the oldest.
  advance(500ms);
  EXPECT_EQ(ask<std::uint64_t>(b, atom::count_v).value(), 1u);
  EXPECT_EQ(member_hosts(p), (strings{"x", "y"}));
}

TEST_F(membership_actor_test, answer_after_a_timeout_longer_than_the_period_is_ignored) {
  auto config = config_for("p");
  config.shuffle_timeout = 2500ms;
  auto slow = spawn_peer("a", {entry_of("x")}, /*hold=*/true);
  auto b = spawn_peer("b", {entry_of("y")});
  auto p = spawn(config, {entry_of("a", 5), entry_of("b", 0)});
  advance(1s);  // the shuffle goes to a and waits
  advance(1s);
  advance(1s);  // two periods began while it waited
  EXPECT_EQ(ask<std::uint64_t>(b, atom::count_v).value(), 0u);
  advance(500ms);  // 2.5 s: timed out, a stays out
  EXPECT_EQ(member_hosts(p), (strings{"b"}));
  caf::anon_send(slow, atom::ok_v);
  sched.run();
  EXPECT_EQ(member_hosts(p), (strings{"b"}));
  advance(500ms);  // the next period shuffles with b
  EXPECT_EQ(ask<std::uint64_t>(b, atom::count_v).value(), 1u);
  EXPECT_EQ(member_hosts(p), (strings{"y"}));
  EXPECT_EQ(ask<std::uint64_t>(slow, atom::count_v).value(), 1u);
}

TEST_F(membership_actor_test, unreachable_peer_is_removed) {
  auto b = spawn_peer("b", {entry_of("y")});
  // "gone" is not bound in the connector: connect fails at once.
  auto p = spawn(config_for("p"), {entry_of("gone", 5), entry_of("b", 0)});
  advance(1s);
  EXPECT_EQ(member_hosts(p), (strings{"b"}));
  advance(1s);
  EXPECT_EQ(ask<std::uint64_t>(b, atom::count_v).value(), 1u);
}

TEST_F(membership_actor_test, dead_peer_is_removed) {
  auto dead = spawn_peer("a", {entry_of("x")});
  auto p = spawn(config_for("p"), {entry_of("a", 5), entry_of("b", 0)});
  stop(dead);  // the local connector sees it die and unbinds it
  advance(1s);
  EXPECT_EQ(member_hosts(p), (strings{"b"}));
}

TEST_F(membership_actor_test, incoming_shuffle_is_served_while_ours_is_outstanding) {
  auto slow = spawn_peer("a", {entry_of("x")}, /*hold=*/true);
  auto p = spawn(config_for("p"), {entry_of("a", 5), entry_of("b"), entry_of("c")});
  advance(1s);  // our shuffle to a is outstanding; the cache is {b, c}
  ASSERT_EQ(ask<std::uint64_t>(slow, atom::count_v).value(), 1u);
  auto answer = ask<std::vector<peer_entry>>(p, atom::shuffle_v, entry_of("r"),
                                             std::vector<peer_entry>{entry_of("s", 4)});
  ASSERT_TRUE(answer) << sys.render(answer.error());
  ASSERT_EQ(answer->size(), 2u);  // l entries, drawn from {b, c}
  for (const auto& x : *answer)
    EXPECT_TRUE(x.address.host == "b" || x.address.host == "c");
  EXPECT_EQ(member_hosts(p), (strings{"b", "c", "r", "s"}));
  // Our own answer still counts: x replaces the entry we had sent to a.
  caf::anon_send(slow, atom::ok_v);
  sched.run();
  auto hosts = member_hosts(p);
  ASSERT_EQ(hosts.size(), 4u);
  EXPECT_TRUE(std::count(hosts.begin(), hosts.end(), "x"));
  EXPECT_TRUE(std::count(hosts.begin(), hosts.end(), "r"));
  EXPECT_TRUE(std::count(hosts.begin(), hosts.end(), "s"));
}

TEST_F(membership_actor_test, incoming_shuffle_with_a_bad_sender_is_rejected) {
  auto p = spawn(config_for("p"), {entry_of("a")});
  auto own = ask<std::vector<peer_entry>>(p, atom::shuffle_v, entry_of("p"),
                                          std::vector<peer_entry>{});
  ASSERT_FALSE(own);
  EXPECT_EQ(own.error(), ec::invalid_argument);
  auto bad = ask<std::vector<peer_entry>>(p, atom::shuffle_v, peer_entry{{"x", 0}, 0, "", ""},
                                          std::vector<peer_entry>{});
  ASSERT_FALSE(bad);
  // Bad entries in the sample are dropped, the rest is kept; the sender's
  // age is forced to 0 whatever it claims.
  auto ok = ask<std::vector<peer_entry>>(
    p, atom::shuffle_v, entry_of("r", 9),
    std::vector<peer_entry>{peer_entry{{"bad host", 1}, 0, "", ""}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(member_hosts(p), (strings{"a", "r"}));
  EXPECT_EQ(members(p)[1].age, 0u);
}

TEST_F(membership_actor_test, empty_cache_rejoins_through_the_seeds) {
  auto p = spawn(config_for("p"));
  caf::anon_send(p, atom::join_v, std::vector<peer_address>{address_of("s")});
  advance(1s);  // s is not up yet: the shuffle fails and the cache is empty
  EXPECT_TRUE(members(p).empty());
  auto seed = spawn_peer("s", {entry_of("x")});
  advance(1s);  // the next period puts s back and shuffles with it
  EXPECT_EQ(ask<std::uint64_t>(seed, atom::count_v).value(), 1u);
  EXPECT_EQ(member_hosts(p), (strings{"x"}));
}

TEST_F(membership_actor_test, seed_dropped_before_any_answer_is_put_back) {
  // p's first shuffle, to its only seed s, times out. Meanwhile r shuffled
  // with p and answers p's shuffles with itself, so p's cache never empties:
  // only the rule "seeds stay until one of our shuffles was answered" gets
  // p (and s, which may have no seeds of its own) back in touch.
  auto slow_seed = spawn_peer("s", {entry_of("x")}, /*hold=*/true);
  spawn_peer("r", {entry_of("r")});
  auto p = spawn(config_for("p"));
  caf::anon_send(p, atom::join_v, std::vector<peer_address>{address_of("s")});
  advance(1s);
  ASSERT_EQ(ask<std::uint64_t>(slow_seed, atom::count_v).value(), 1u);
  ASSERT_TRUE(ask<std::vector<peer_entry>>(p, atom::shuffle_v, entry_of("r"),
                                           std::vector<peer_entry>{}));
  advance(200ms);  // timed out: s is dropped
  EXPECT_EQ(member_hosts(p), (strings{"r"}));
  stop(slow_seed);
  auto seed = spawn_peer("s", {entry_of("x")});  // s is back and answers
  advance(800ms);  // s is put back; one of the next two periods picks it
  advance(1s);
  EXPECT_EQ(ask<std::uint64_t>(seed, atom::count_v).value(), 1u);
  auto hosts = member_hosts(p);
  EXPECT_TRUE(std::count(hosts.begin(), hosts.end(), "x"));
}

TEST_F(membership_actor_test, unanswering_seed_is_retried_with_backoff) {
  auto seed = spawn_peer("s", {entry_of("x")}, /*hold=*/true);  // never answers
  auto p = spawn(config_for("p"));
  caf::anon_send(p, atom::join_v, std::vector<peer_address>{address_of("s")});
  std::vector<int> tried_at;
  std::uint64_t seen = 0;
  for (int period = 1; period <= 33; ++period) {
    advance(1s);
    auto count = ask<std::uint64_t>(seed, atom::count_v).value();
    if (count != seen)
      tried_at.push_back(period);
    seen = count;
  }
  // Waits of 1, 2, 4, 8, then 8 periods: kept trying, never more than once a period.
  EXPECT_EQ(tried_at, (std::vector<int>{1, 2, 4, 8, 16, 24, 32}));
  EXPECT_EQ(seen, tried_at.size());
}

TEST_F(membership_actor_test, answer_of_nothing_new_keeps_the_partner) {
  // Each answer holds only entries p must discard (none, or p itself): by
  // CYCLON alone p's cache would end empty, and p, with no
  // seeds, would be cut off. The partner has just answered, so p keeps it.
  const std::vector<std::pair<std::string, std::vector<peer_entry>>> cases = {
    {"q1", {}}, {"q2", {entry_of("p", 3)}}};
  for (const auto& [host, answer] : cases) {
    auto q = spawn_peer(host, answer);
    auto p = spawn(config_for("p"), {entry_of(host, 4)});
    advance(1s);
    EXPECT_EQ(ask<std::uint64_t>(q, atom::count_v).value(), 1u) << host;
    EXPECT_EQ(members(p), std::vector<peer_entry>{entry_of(host, 0)}) << host;
    advance(1s);  // and p goes on shuffling with it
    EXPECT_EQ(ask<std::uint64_t>(q, atom::count_v).value(), 2u) << host;
    stop(p);
  }
}

TEST_F(membership_actor_test, answer_with_new_entries_lets_the_partner_go) {
  auto q = spawn_peer("q", {entry_of("x", 1)});
  auto p = spawn(config_for("p"), {entry_of("q", 4)});
  advance(1s);
  EXPECT_EQ(members(p), std::vector<peer_entry>{entry_of("x", 1)});
}

TEST_F(membership_actor_test, empty_cache_after_joining_rejoins_through_the_seeds) {
  auto seed = spawn_peer("s", {});
  auto p = spawn(config_for("p"));
  caf::anon_send(p, atom::join_v, std::vector<peer_address>{address_of("s")});
  advance(1s);
  EXPECT_EQ(ask<std::uint64_t>(seed, atom::count_v).value(), 1u);
  caf::anon_send(p, atom::peer_down_v, address_of("s"));  // p has joined; now empty
  sched.run();
  EXPECT_TRUE(members(p).empty());
  advance(1s);  // the cache is empty: s goes back in
  EXPECT_EQ(ask<std::uint64_t>(seed, atom::count_v).value(), 2u);
}

TEST_F(membership_actor_test, rejoining_when_empty_can_be_switched_off) {
  auto config = config_for("p");
  config.rejoin_when_empty = false;
  auto seed = spawn_peer("s", {});
  auto p = spawn(config);
  caf::anon_send(p, atom::join_v, std::vector<peer_address>{address_of("s")});
  advance(1s);
  EXPECT_EQ(ask<std::uint64_t>(seed, atom::count_v).value(), 1u);
  caf::anon_send(p, atom::peer_down_v, address_of("s"));  // p has joined; now empty
  sched.run();
  EXPECT_TRUE(members(p).empty());
  advance(1s);  // with rejoining off, its empty cache stays so
  EXPECT_EQ(ask<std::uint64_t>(seed, atom::count_v).value(), 1u);
  EXPECT_TRUE(members(p).empty());
}

TEST_F(membership_actor_test, every_few_periods_the_shuffle_goes_to_a_seed) {
  // x answers with nothing new and stays p's only neighbour (kept, see
  // above), so without the refresh p would never talk to s again: the case
  // of a partition, which CYCLON alone never heals.
  for (std::uint64_t every : {std::uint64_t{4}, std::uint64_t{0}}) {
    auto config = config_for("p");
    config.seed_refresh_periods = every;
    auto s = spawn_peer("s", {entry_of("x")});
    auto x = spawn_peer("x", {});
    auto p = spawn(config);
    caf::anon_send(p, atom::join_v, std::vector<peer_address>{address_of("s")});
    auto periods = [&](int n) { for (int i = 0; i < n; ++i) advance(1s); };
    periods(3);  // period 1 joins through s; 2 and 3 go to x
    EXPECT_EQ(ask<std::uint64_t>(s, atom::count_v).value(), 1u) << every;
    EXPECT_EQ(ask<std::uint64_t>(x, atom::count_v).value(), 2u) << every;
    periods(1);  // period 4
    EXPECT_EQ(ask<std::uint64_t>(s, atom::count_v).value(), every == 4 ? 2u : 1u) << every;
    periods(4);  // periods 5-7 to x, 8 to s again
    EXPECT_EQ(ask<std::uint64_t>(s, atom::count_v).value(), every == 4 ? 3u : 1u) << every;
    EXPECT_EQ(ask<std::uint64_t>(x, atom::count_v).value(), every == 4 ? 5u : 7u) << every;
    // The seed left with the shuffle, as any target does: x is still there.
    EXPECT_EQ(member_hosts(p), (strings{"x"})) << every;
    stop(p);
  }
}

TEST_F(membership_actor_test, peer_down_drops_a_peer_at_once) {
  auto p = spawn(config_for("p"), {entry_of("a"), entry_of("b")});
  caf::anon_send(p, atom::peer_down_v, address_of("a"));
  caf::anon_send(p, atom::peer_down_v, address_of("unknown"));
  EXPECT_EQ(member_hosts(p), (strings{"b"}));
}

TEST_F(membership_actor_test, two_nodes_keep_each_other) {
  auto p = spawn(config_for("p"));
  auto q = spawn(config_for("q"));
  bind("p", p);
  bind("q", q);
  caf::anon_send(q, atom::join_v, std::vector<peer_address>{address_of("p")});
  // CYCLON alone would pass the one link back and forth, leaving one of the
  // two caches empty after every period; the partner kept after an answer
  // of nothing new keeps both.
  for (int period = 0; period < 4; ++period) {
    advance(1s);
    EXPECT_EQ(member_hosts(p), (strings{"q"})) << period;
    EXPECT_EQ(member_hosts(q), (strings{"p"})) << period;
  }
}

TEST_F(membership_actor_test, a_chain_of_nodes_mixes_into_distinct_full_caches) {
  // 12 nodes, c = 3, l = 2, each joined through the previous one.
  constexpr int n = 12;
  std::vector<membership_actor> nodes;
  for (int i = 0; i < n; ++i) {
    auto config = config_for("n" + std::to_string(i));
    config.cache_size = 3;
    config.random_phase = true;  // spread the shuffles over the period
    config.seed = 100 + i;
    nodes.push_back(spawn(config));
    bind("n" + std::to_string(i), nodes.back());
    if (i > 0)
      caf::anon_send(nodes.back(), atom::join_v,
                     std::vector<peer_address>{address_of("n" + std::to_string(i - 1))});
  }
  sched.run();
  int first_all_full = -1;
  for (int period = 1; period <= 30; ++period) {
    for (int step = 0; step < 10; ++step)
      advance(100ms);
    bool all_full = true;
    for (int i = 0; i < n; ++i) {
      auto hosts = member_hosts(nodes[i]);
      all_full = all_full && hosts.size() == 3;
      EXPECT_EQ(std::unique(hosts.begin(), hosts.end()), hosts.end()) << "duplicates";
      EXPECT_FALSE(std::count(hosts.begin(), hosts.end(), "n" + std::to_string(i)));
    }
    if (all_full && first_all_full < 0)
      first_all_full = period;
  }
  EXPECT_GT(first_all_full, 0) << "caches never all full within 30 periods";
  RecordProperty("first_period_all_full", first_all_full);
}

}  // namespace
