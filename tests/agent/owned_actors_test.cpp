// owned_actors: the actors a start-up step spawned stop with its owner, so a
// later step's failure leaves none running; stop_together is the shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include "agent/process/owned_actors.hpp"

using namespace fedstack::agent;

namespace {

caf::behavior idle(caf::event_based_actor*) {
  return {[](int) {}};
}

/// Ignores the user_shutdown exit the agent sends; only a kill stops it.
caf::behavior stubborn(caf::event_based_actor* self) {
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (msg.reason == caf::exit_reason::kill) self->quit(msg.reason);
  });
  return {[](int) {}};
}

/// Takes a while to stop (a registry committing LMDB), and says when it has.
caf::behavior slow_to_stop(caf::event_based_actor* self, std::atomic<bool>* stopped) {
  self->set_exit_handler([self, stopped](caf::exit_msg& msg) {
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    *stopped = true;
    self->quit(msg.reason);
  });
  return {[](int) {}};
}

struct owned_actors_test : ::testing::Test {
  caf::actor_system_config config;
  caf::actor_system system{config};

  /// The down messages `watcher` gets, up to `wanted`; each waited for at most a second.
  static std::size_t downs(caf::scoped_actor& watcher, std::size_t wanted) {
    std::size_t seen = 0;
    bool quiet = false;
    watcher->receive_while([&] { return seen < wanted && !quiet; })(
      [&](const caf::down_msg&) { ++seen; }, caf::after(std::chrono::seconds{1}) >> [&] { quiet = true; });
    return seen;
  }
};

} // namespace

TEST_F(owned_actors_test, an_owner_that_goes_stops_its_actors_the_last_started_first) {
  auto first = system.spawn(idle);
  auto second = system.spawn(idle);
  caf::scoped_actor watcher{system};
  watcher->monitor(first);
  watcher->monitor(second);
  {
    owned_actors owner{system};
    owner.own(first);
    owner.own(second);
    EXPECT_EQ(owner.stop_order(), (std::vector<caf::actor>{second, first}));   // the last started first
  }
  EXPECT_EQ(downs(watcher, 2), 2u);
}

TEST_F(owned_actors_test, an_owner_waits_for_an_actor_that_is_slow_to_stop) {
  std::atomic<bool> stopped{false};
  {
    owned_actors owner{system};
    owner.own(system.spawn(slow_to_stop, &stopped));
  }
  EXPECT_TRUE(stopped);
}

TEST_F(owned_actors_test, a_moved_owner_stops_its_actors_once) {
  auto actor = system.spawn(idle);
  caf::scoped_actor watcher{system};
  watcher->monitor(actor);
  {
    owned_actors first{system};
    first.own(actor);
    owned_actors second{std::move(first)};
    EXPECT_TRUE(first.stop_order().empty());
    EXPECT_EQ(second.stop_order().size(), 1u);
  }
  EXPECT_EQ(downs(watcher, 1), 1u);
}

TEST_F(owned_actors_test, stop_together_stops_every_group_and_releases_them) {
  owned_actors node{system};
  owned_actors overlay{system};
  auto a = node.own(system.spawn(idle));
  auto b = overlay.own(system.spawn(idle));
  caf::scoped_actor watcher{system};
  watcher->monitor(a);
  watcher->monitor(b);
  EXPECT_TRUE(stop_together(system, {&node, &overlay}));
  EXPECT_TRUE(node.stop_order().empty());
  EXPECT_TRUE(overlay.stop_order().empty());
  EXPECT_EQ(downs(watcher, 2), 2u);
}

TEST_F(owned_actors_test, an_actor_that_does_not_stop_is_reported_after_the_grace) {
  auto late = system.spawn(stubborn);
  auto result = stop_actors(system, {late}, std::chrono::milliseconds{50});
  EXPECT_EQ(result.actors, 1u);
  EXPECT_EQ(result.still_running, 1u);
  EXPECT_GE(result.took, std::chrono::milliseconds{50});
  caf::anon_send_exit(late, caf::exit_reason::kill);
}
