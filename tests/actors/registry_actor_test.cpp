// The registry actor under CAF's deterministic test_coordinator. The actor
// is spawned non-detached (registry_config::detached = false): the test
// coordinator only drives actors that run on the scheduler.

#include "actors/registry.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/register_types.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace fedstack;
using storage::cloud_copy;
using storage::registry_entry;
using storage::resource_kind;

namespace {

registry_entry make_entry(std::string global_id, std::string project,
                          std::vector<cloud_copy> copies = {}) {
  registry_entry entry;
  entry.kind = resource_kind::network;
  entry.global_id = std::move(global_id);
  entry.project_id = std::move(project);
  entry.state = storage::entry_state::bound;
  entry.copies = std::move(copies);
  entry.created_unix_ms = 42;
  entry.name = "net";
  return entry;
}

struct registry_actor_test : ::testing::Test {
  static caf::actor_system_config& configure(caf::actor_system_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    register_types(cfg);
    return cfg;
  }

  test::temp_dir dir;
  caf::actor_system_config cfg;
  caf::actor_system sys{configure(cfg)};
  caf::scoped_actor self{sys, true};
  caf::scheduler::test_coordinator& sched
    = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  /// The tombstones' wall clock runs with the test clock, from an hour ago.
  std::int64_t clock_base_ms = now_unix_ms() - 3'600'000;
  tombstone_policy tombstones = test_tombstones();
  registry_actor registry = spawn();

  tombstone_policy test_tombstones() {
    tombstone_policy policy;
    policy.now = [this] {
      auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(sched.clock().now().time_since_epoch());
      return clock_base_ms + elapsed.count();
    };
    return policy;
  }

  registry_actor spawn() {
    registry_config config;
    config.data_dir = dir.path();
    config.detached = false;
    config.tombstones = tombstones;
    auto result = spawn_registry(sys, config);
    if (!result)
      throw std::runtime_error(sys.render(result.error()));
    return *result;
  }

  ~registry_actor_test() override {
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// Sends a request, lets the registry handle it, returns the reply.
  template <class T, class... Ts>
  caf::expected<T> ask(Ts&&... xs) {
    auto handle = self->request(registry, caf::infinite, std::forward<Ts>(xs)...);
    sched.run();
    caf::expected<T> result{caf::error{}};
    handle.receive([&](T& x) { result = std::move(x); },
                   [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  void put(const registry_entry& entry) {
    auto reply = ask<atom::ok>(atom::put_v, entry);
    ASSERT_TRUE(reply) << sys.render(reply.error());
  }
};

TEST_F(registry_actor_test, put_and_get) {
  auto entry = make_entry("g1", "p1", {{"c1", "l1"}});
  put(entry);
  auto got = ask<registry_entry>(atom::get_v, std::string{"p1"}, std::string{"g1"});
  ASSERT_TRUE(got) << sys.render(got.error());
  EXPECT_EQ(*got, entry);
}

TEST_F(registry_actor_test, errors_are_ec_values) {
  put(make_entry("g1", "p1"));
  // Missing, and another project's entry, look the same.
  EXPECT_EQ(ask<registry_entry>(atom::get_v, std::string{"p1"}, std::string{"nope"}).error(),
            ec::not_found);
  EXPECT_EQ(ask<registry_entry>(atom::get_v, std::string{"p2"}, std::string{"g1"}).error(),
            ec::not_found);
  EXPECT_EQ(ask<atom::ok>(atom::put_v, make_entry("g1", "p2")).error(), ec::wrong_project);
  auto other_kind = make_entry("g1", "p1");
  other_kind.kind = resource_kind::image;
  EXPECT_EQ(ask<atom::ok>(atom::put_v, other_kind).error(), ec::duplicate_id);
  EXPECT_EQ(ask<atom::ok>(atom::put_v, make_entry("", "p1")).error(), ec::invalid_argument);
  auto bad = ask<registry_entry>(atom::get_v, std::string{}, std::string{"g1"});
  EXPECT_EQ(bad.error(), ec::invalid_argument);
  // The error renders with our category and the context.
  EXPECT_NE(sys.render(bad.error()).find("fedstack"), std::string::npos);
}

TEST_F(registry_actor_test, find_and_resolve) {
  put(make_entry("g1", "p1", {{"c1", "l1"}}));
  put(make_entry("g2", "p1", {{"c1", "l2"}}));
  put(make_entry("g3", "p2", {{"c1", "l3"}}));
  auto found = ask<std::string>(atom::find_v, std::string{"p1"}, std::string{"c1"},
                                std::string{"l2"});
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, "g2");
  EXPECT_EQ(ask<std::string>(atom::find_v, std::string{"p1"}, std::string{"c1"},
                             std::string{"l3"})
              .error(),
            ec::not_found);
  auto mapped = ask<std::vector<storage::id_mapping>>(
    atom::resolve_v, std::string{"p1"}, std::string{"c1"},
    std::vector<std::string>{"l3", "l1", "zz", "l2"});
  ASSERT_TRUE(mapped);
  EXPECT_EQ(*mapped, (std::vector<storage::id_mapping>{{"l1", "g1"}, {"l2", "g2"}}));
}

TEST_F(registry_actor_test, add_and_remove_copy) {
  put(make_entry("g1", "p1", {{"c1", "l1"}}));
  auto added = ask<registry_entry>(atom::add_copy_v, std::string{"p1"}, std::string{"g1"},
                                   cloud_copy{"c2", "l2"});
  ASSERT_TRUE(added);
  EXPECT_EQ(added->copies, (std::vector<cloud_copy>{{"c1", "l1"}, {"c2", "l2"}}));
  EXPECT_EQ(ask<registry_entry>(atom::add_copy_v, std::string{"p1"}, std::string{"g1"},
                                cloud_copy{"c2", "other"})
              .error(),
            ec::duplicate_id);
  EXPECT_EQ(ask<registry_entry>(atom::add_copy_v, std::string{"p2"}, std::string{"g1"},
                                cloud_copy{"c3", "l3"})
              .error(),
            ec::not_found);
  auto removed = ask<registry_entry>(atom::remove_copy_v, std::string{"p1"},
                                     std::string{"g1"}, std::string{"c1"});
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->copies, (std::vector<cloud_copy>{{"c2", "l2"}}));
  EXPECT_EQ(ask<registry_entry>(atom::remove_copy_v, std::string{"p1"}, std::string{"g1"},
                                std::string{"c1"})
              .error(),
            ec::not_found);
  EXPECT_EQ(ask<registry_entry>(atom::remove_copy_v, std::string{"p2"}, std::string{"g1"},
                                std::string{"c2"})
              .error(),
            ec::not_found);
}

TEST_F(registry_actor_test, erase_is_scoped_by_project) {
  put(make_entry("g1", "p1", {{"c1", "l1"}}));
  EXPECT_EQ(ask<bool>(atom::erase_v, std::string{"p2"}, std::string{"g1"}), false);
  EXPECT_TRUE(ask<registry_entry>(atom::get_v, std::string{"p1"}, std::string{"g1"}));
  EXPECT_EQ(ask<bool>(atom::erase_v, std::string{"p1"}, std::string{"g1"}), true);
  EXPECT_EQ(ask<bool>(atom::erase_v, std::string{"p1"}, std::string{"g1"}), false);
  EXPECT_EQ(ask<std::string>(atom::find_v, std::string{"p1"}, std::string{"c1"},
                             std::string{"l1"})
              .error(),
            ec::not_found);
}

TEST_F(registry_actor_test, list_and_count) {
  for (auto id : {"g3", "g1", "g2"})
    put(make_entry(id, "p1"));
  put(make_entry("g4", "p2"));
  using entries = std::vector<registry_entry>;
  auto all = ask<entries>(atom::list_v, std::string{"p1"}, resource_kind::network,
                          std::string{}, std::uint32_t{0});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].global_id, "g1");
  EXPECT_EQ((*all)[2].global_id, "g3");
  auto page = ask<entries>(atom::list_v, std::string{"p1"}, resource_kind::network,
                           std::string{"g1"}, std::uint32_t{1});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ(page->front().global_id, "g2");
  EXPECT_TRUE(ask<entries>(atom::list_v, std::string{"p1"}, resource_kind::image,
                           std::string{}, std::uint32_t{0})
                ->empty());
  EXPECT_EQ(ask<entries>(atom::list_v, std::string{}, resource_kind::image, std::string{},
                         std::uint32_t{0})
              .error(),
            ec::invalid_argument);
  EXPECT_EQ(ask<std::uint64_t>(atom::count_v, resource_kind::network), 4u);
  EXPECT_EQ(ask<std::uint64_t>(atom::count_v, resource_kind::image), 0u);
  EXPECT_EQ(ask<std::uint64_t>(atom::count_v, static_cast<resource_kind>(77)).error(),
            ec::invalid_argument);
}

TEST_F(registry_actor_test, records_survive_a_respawn) {
  put(make_entry("g1", "p1", {{"c1", "l1"}}));
  // The environment closes when the actor's state goes away; only then may
  // the same directory be opened again.
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
  sched.run();
  registry = spawn();
  auto found = ask<std::string>(atom::find_v, std::string{"p1"}, std::string{"c1"},
                                std::string{"l1"});
  ASSERT_TRUE(found) << sys.render(found.error());
  EXPECT_EQ(*found, "g1");
}

TEST_F(registry_actor_test, spawning_on_an_open_directory_fails) {
  // LMDB allows one open per environment and process.
  auto second = spawn_registry(sys, dir.path());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error(), ec::storage_failure);
}

}  // namespace

TEST_F(registry_actor_test, abandoned_attempts_are_recorded_listed_and_forgotten) {
  storage::abandoned_attempt attempt{std::string(32, 'c'), storage::resource_kind::image, "g1", "p1",
                                     "cloudlet-2", 1000};
  ASSERT_TRUE(ask<atom::ok>(atom::abandon_v, attempt));
  auto malformed = attempt;
  malformed.token = "guessable";
  auto refused = ask<atom::ok>(atom::abandon_v, malformed);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), ec::invalid_argument);
  auto listed = ask<std::vector<storage::abandoned_attempt>>(atom::abandoned_v, std::int64_t{2000}, std::uint32_t{10});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front(), attempt);
  EXPECT_TRUE(ask<std::vector<storage::abandoned_attempt>>(atom::abandoned_v, std::int64_t{1000}, std::uint32_t{10})
                ->empty());
  EXPECT_EQ(ask<bool>(atom::forget_v, attempt.token), true);
  EXPECT_EQ(ask<bool>(atom::forget_v, attempt.token), false);
}

namespace {

registry_entry bound_server(std::string global_id, std::string local_id) {
  auto entry = make_entry(std::move(global_id), "p1", {{"c2", std::move(local_id)}});
  entry.kind = resource_kind::server;
  return entry;
}

// The entry as a flow sees it: a tombstone (state deleted) is what makes it a
// 404 without a marker search (rules/resource_target.cpp); not_found after pruning
// (an unknown ID).
struct lookup {
  bool found;
  storage::entry_state state;
};

TEST_F(registry_actor_test, a_tombstone_stays_through_its_retention_and_is_pruned_after_it_period_by_period) {
  const auto period = tombstones.period;
  const auto periods_kept = tombstones.retention / period;  // 168: a week of hours
  put(bound_server("s1", "l1"));
  put(bound_server("s2", "l2"));
  ASSERT_EQ(ask<bool>(atom::erase_v, std::string{"p1"}, std::string{"s1"}), true);
  auto state_of = [this](const char* id) {
    auto got = ask<registry_entry>(atom::get_v, std::string{"p1"}, std::string{id});
    return got ? lookup{true, got->state} : lookup{false, storage::entry_state::reserved};
  };
  for (long i = 1; i < periods_kept; ++i) {
    sched.advance_time(period);
    sched.run();
    auto s1 = state_of("s1");
    ASSERT_TRUE(s1.found && s1.state == storage::entry_state::deleted) << "still a tombstone after " << i << " periods";
  }
  sched.advance_time(period);  // the retention is over at this pass
  sched.run();
  EXPECT_FALSE(state_of("s1").found) << "pruned";
  auto any_project = ask<registry_entry>(atom::get_v, atom::all_v, std::string{"s1"});
  EXPECT_TRUE(!any_project && any_project.error() == ec::not_found);
  for (int i = 0; i < 3 * periods_kept; ++i) {
    sched.advance_time(period);
    sched.run();
  }
  auto s2 = state_of("s2");
  EXPECT_TRUE(s2.found && s2.state == storage::entry_state::bound) << "a live server is never pruned";
}

TEST_F(registry_actor_test, a_tombstone_written_without_a_time_gets_one_at_the_first_pass_and_a_full_retention) {
  put(bound_server("s1", "l1"));
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
  sched.run();
  {
    storage::registry_db db{dir.path()};
    ASSERT_TRUE(db.store().erase("p1", "s1", 0));  // as before tombstones had a time
  }
  registry = spawn();
  sched.run();  // it starts, and sets its first pass one period ahead
  const auto period = tombstones.period;
  const auto periods_kept = tombstones.retention / period;
  const auto first_pass = tombstones.now() + std::chrono::duration_cast<std::chrono::milliseconds>(period).count();
  for (long i = 0; i < periods_kept; ++i) {  // the first pass (one period in) stamps it
    sched.advance_time(period);
    sched.run();
  }
  auto kept = ask<registry_entry>(atom::get_v, std::string{"p1"}, std::string{"s1"});
  ASSERT_TRUE(kept) << "not pruned at once, nor within a retention of its first sight";
  EXPECT_EQ(kept->deleted_unix_ms, first_pass);
  sched.advance_time(period);
  sched.run();
  auto after = ask<registry_entry>(atom::get_v, std::string{"p1"}, std::string{"s1"});
  EXPECT_TRUE(!after && after.error() == ec::not_found) << "pruned a retention after its first sight";
}

TEST_F(registry_actor_test, a_pruning_pass_goes_in_batches_that_let_other_requests_through) {
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
  sched.run();
  tombstones.batch = 2;
  tombstones.retention = tombstones.period;
  registry = spawn();
  for (auto id : {"s1", "s2", "s3", "s4", "s5"}) {
    put(bound_server(id, std::string{"l-"} + id));
    ASSERT_EQ(ask<bool>(atom::erase_v, std::string{"p1"}, std::string{id}), true);
  }
  sched.advance_time(tombstones.period);  // the pass's first step is in the mailbox
  auto reply = self->request(registry, caf::infinite, atom::get_v, std::string{"p1"}, std::string{"s5"});
  sched.run();  // the mailbox is first in, first out: step 1 (s1, s2), the read, step 2, step 3
  bool read_between = false;
  reply.receive([&](registry_entry& entry) { read_between = entry.state == storage::entry_state::deleted; },
                [&](caf::error&) {});
  EXPECT_TRUE(read_between) << "answered between two steps, s5 not reached yet";
  for (auto id : {"s1", "s2", "s3", "s4", "s5"}) {
    auto got = ask<registry_entry>(atom::get_v, std::string{"p1"}, std::string{id});
    EXPECT_TRUE(!got && got.error() == ec::not_found) << id << " pruned by the pass's later steps";
  }
}

}  // namespace
