#pragma once

// A deterministic actor system (CAF's test_coordinator) with a local
// connector, scripted mock peers and helpers to ask actors and to move the
// virtual clock. Shared by the membership actor tests.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/connector.hpp"
#include "actors/membership.hpp"
#include "actors/register_types.hpp"

namespace fedstack::test {

using namespace std::chrono_literals;

inline peer_address address_of(const std::string& host) {
  return {host, 4000};
}

inline peer_entry entry_of(const std::string& host, std::uint32_t age = 0) {
  return {address_of(host), age, "region-" + host, "http://" + host + ":8080"};
}

/// A scripted peer: answers every shuffle with `answer`, at once or only
/// when told (atom::ok), and remembers the last request.
using mock_peer_actor = cyclon_peer_actor::extend<
  // Delivers the answers held so far.
  caf::reacts_to<atom::ok>,
  // The last request: the sender entry followed by the sample.
  caf::replies_to<atom::get>::with<std::vector<peer_entry>>,
  // Number of shuffle requests seen.
  caf::replies_to<atom::count>::with<std::uint64_t>>;

struct mock_peer_state {
  std::vector<peer_entry> answer;
  bool hold = false;
  std::vector<caf::typed_response_promise<std::vector<peer_entry>>> held;
  std::vector<peer_entry> last_request;
  std::uint64_t requests = 0;
};

inline mock_peer_actor::behavior_type
mock_peer(mock_peer_actor::stateful_pointer<mock_peer_state> self,
          std::vector<peer_entry> answer, bool hold) {
  self->state.answer = std::move(answer);
  self->state.hold = hold;
  return {
    [self](atom::shuffle, const peer_entry& sender,
           const std::vector<peer_entry>& sample) -> caf::result<std::vector<peer_entry>> {
      auto& st = self->state;
      st.last_request = {sender};
      st.last_request.insert(st.last_request.end(), sample.begin(), sample.end());
      ++st.requests;
      if (!st.hold)
        return st.answer;
      auto promise = self->make_response_promise<std::vector<peer_entry>>();
      st.held.push_back(promise);
      return promise;
    },
    [self](atom::ok) {
      for (auto& promise : self->state.held)
        promise.deliver(self->state.answer);
      self->state.held.clear();
    },
    [self](atom::get) { return self->state.last_request; },
    [self](atom::count) { return self->state.requests; },
  };
}

struct membership_fixture : ::testing::Test {
  static caf::actor_system_config& configure(caf::actor_system_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    register_types(cfg);
    return cfg;
  }

  caf::actor_system_config cfg;
  caf::actor_system sys{configure(cfg)};
  caf::scoped_actor self{sys, true};
  caf::scheduler::test_coordinator& sched
    = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  /// Everything spawned here; the destructor stops it, since the actor
  /// system waits for all actors before it shuts down.
  std::vector<caf::actor> spawned;
  local_connector_actor connector = track(spawn_local_connector(sys));

  ~membership_fixture() override {
    for (auto& x : spawned)
      caf::anon_send_exit(x, caf::exit_reason::user_shutdown);
    sched.run();
  }

  template <class Handle>
  Handle track(Handle x) {
    spawned.push_back(caf::actor_cast<caf::actor>(x));
    return x;
  }

  /// T = 1 s, timeout 200 ms, c = 4, l = 2, first tick exactly at T.
  static membership_config config_for(const std::string& host) {
    membership_config config;
    config.cache_size = 4;
    config.shuffle_length = 2;
    config.period = 1s;
    config.shuffle_timeout = 200ms;
    config.self = entry_of(host);
    config.random_phase = false;
    config.seed = 7;
    return config;
  }

  membership_actor spawn(const membership_config& config,
                         std::vector<peer_entry> restored = {}, meta_store_actor store = {}) {
    auto result = spawn_membership(sys, config, connector, store, std::move(restored));
    if (!result)
      throw std::runtime_error(sys.render(result.error()));
    sched.run();
    return track(*result);
  }

  /// Spawns a mock peer and binds it to `host` in the connector.
  mock_peer_actor spawn_peer(const std::string& host, std::vector<peer_entry> answer,
                             bool hold = false) {
    auto peer = track(sys.spawn(mock_peer, std::move(answer), hold));
    bind(host, peer);
    return peer;
  }

  /// Binds `host` to a node that shuffles with `peer` (the connector hands
  /// out nodes; these tests' peers are bare membership or mock actors). The
  /// node stops when `peer` stops, which unbinds it.
  void bind(const std::string& host, cyclon_peer_actor peer) {
    bind_node_actor(host, track(spawn_shuffle_only_node(sys, std::move(peer))));
  }

  /// Binds `host` to a whole node (capacity and scheduler tests' mock nodes).
  void bind_node_actor(const std::string& host, node_actor node) {
    auto ok = ask<atom::ok>(connector, atom::put_v, address_of(host), node);
    ASSERT_TRUE(ok) << sys.render(ok.error());
  }

  /// Sends a request, lets every actor run, returns the reply.
  template <class T, class Handle, class... Ts>
  caf::expected<T> ask(const Handle& dest, Ts&&... xs) {
    auto handle = self->request(dest, caf::infinite, std::forward<Ts>(xs)...);
    sched.run();
    caf::expected<T> result{caf::error{}};
    handle.receive([&](T& x) { result = std::move(x); },
                   [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  std::vector<peer_entry> members(const membership_actor& m) {
    auto result = ask<std::vector<peer_entry>>(m, atom::members_v);
    EXPECT_TRUE(result) << sys.render(result.error());
    return result ? *result : std::vector<peer_entry>{};
  }

  std::vector<std::string> member_hosts(const membership_actor& m) {
    std::vector<std::string> result;
    for (const auto& x : members(m))
      result.push_back(x.address.host);
    std::sort(result.begin(), result.end());
    return result;
  }

  /// Moves the virtual clock and runs everything that became due.
  void advance(caf::timespan x) {
    sched.advance_time(x);
    sched.run();
  }

  template <class Handle>
  void stop(const Handle& x) {
    caf::anon_send_exit(x, caf::exit_reason::user_shutdown);
    sched.run();
  }
};

}  // namespace fedstack::test
