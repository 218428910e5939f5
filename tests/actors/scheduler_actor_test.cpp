// The scheduler actor on CAF's deterministic scheduler: decisions from the
// capacity view, the ring of recent decisions, and the live probe of the
// finalists both when the nodes answer and when they miss the deadline.

#include "tests/actors/mock_node_registry.hpp"
#include "actors/scheduler.hpp"
#include "membership_test_fixture.hpp"

namespace fedstack::test {
namespace {

capacity_report report_of(const std::string& host, std::int64_t free_ram) {
  capacity_report r;
  r.region = "region-" + host;
  r.node = address_of(host);
  r.free_ram_mb = free_ram;
  r.free_disk_gb = 100;
  r.free_vcpus = 16;
  return r;
}

placement_request boot(std::int64_t ram_mb = 512) {
  placement_request q;
  q.ram_mb = ram_mb;
  q.disk_gb = 1;
  q.vcpus = 1;
  return q;
}

/// A capacity actor with a fixed view (own report first), or failing.
struct mock_capacity_state {
  capacity_view view;
  bool broken = false;
};

capacity_actor::behavior_type mock_capacity(capacity_actor::stateful_pointer<mock_capacity_state> self,
                                            capacity_view view, bool broken) {
  self->state.view = std::move(view);
  self->state.broken = broken;
  return {
    [](atom::update, capacity_report) {},
    [self](atom::capacity) -> caf::result<capacity_report> {
      if (self->state.view.reports.empty()) return caf::make_error(ec::not_found, "no reading");
      return self->state.view.reports.front();
    },
    [self](atom::capacity, atom::all) -> caf::result<capacity_view> {
      if (self->state.broken) return caf::make_error(ec::storage_failure, "broken on purpose");
      return self->state.view;
    },
  };
}

/// A neighbour's node actor answering capacity with a fresh report, or
/// never answering at all (silent) so that the probe's deadline passes.
struct probed_node_state {
  capacity_report fresh;
  bool silent = false;
  std::uint64_t probes = 0;
  std::vector<caf::typed_response_promise<capacity_report>> held;
};

node_actor::behavior_type probed_node(node_actor::stateful_pointer<probed_node_state> self,
                                      capacity_report fresh, bool silent) {
  self->state.fresh = std::move(fresh);
  self->state.silent = silent;
  return {
    [](atom::shuffle, const peer_entry&, const std::vector<peer_entry>&) {
      return std::vector<peer_entry>{};
    },
    [](atom::members) { return std::vector<peer_entry>{}; },
    [self](atom::capacity) -> caf::result<capacity_report> {
      ++self->state.probes;
      if (!self->state.silent) return self->state.fresh;
      auto promise = self->make_response_promise<capacity_report>();
      self->state.held.push_back(promise);
      return promise;
    },
    [](atom::capacity, atom::all) { return capacity_view{}; },
    [](atom::info) { return peer_entry{}; },
    [](atom::decisions) { return std::vector<placement_decision>{}; },
    // The registry face of a node is not what these tests exercise.
    test::no_registry_get, test::no_registry_lookup, test::no_registry_add_copy, test::no_registry_remove_copy,
    test::no_registry_erase, test::no_registry_give, test::no_registry_rebind,
    test::no_orphans, test::no_keypair_copy,
  };
}

struct scheduler_fixture : membership_fixture {
  static scheduler_config config_with(bool live_probe, std::size_t history = 100) {
    scheduler_config config;
    config.self = address_of("own");
    config.seed = 11;
    config.live_probe = live_probe;
    config.probe_timeout = 50ms;
    config.view_timeout = 100ms;
    config.history = history;
    return config;
  }

  capacity_actor spawn_view(std::vector<capacity_report> reports, bool broken = false) {
    return track(sys.spawn(mock_capacity, capacity_view{std::move(reports), {}}, broken));
  }

  caf::actor spawn_node(const std::string& host, std::int64_t fresh_ram, bool silent = false) {
    auto node = sys.spawn(probed_node, report_of(host, fresh_ram), silent);
    track(node);
    bind_node_actor(host, node);
    return caf::actor_cast<caf::actor>(node);
  }

  scheduler_actor spawn_scheduler_with(scheduler_config config, capacity_actor capacity) {
    auto s = track(spawn_scheduler(sys, std::move(config), std::move(capacity), connector));
    sched.run();
    return s;
  }

  placement_decision schedule(const scheduler_actor& s, placement_request q = boot()) {
    auto d = ask<placement_decision>(s, atom::schedule_v, q);
    EXPECT_TRUE(d) << sys.render(d.error());
    return d ? *d : placement_decision{};
  }

  std::uint64_t probes_of(const caf::actor& node) {
    // The test reads the mock's counter directly: no message needed.
    auto ptr = caf::actor_cast<caf::abstract_actor*>(node);
    auto* stateful = dynamic_cast<caf::stateful_actor<probed_node_state, node_actor::base>*>(ptr);
    return stateful ? stateful->state.probes : 0;
  }
};

TEST_F(scheduler_fixture, decides_from_the_capacity_view_and_remembers_it) {
  auto s = spawn_scheduler_with(config_with(false),
                                spawn_view({report_of("own", 1000), report_of("n1", 4000)}));
  auto d = schedule(s);
  ASSERT_TRUE(d.placed);
  EXPECT_EQ(d.winner.region, "region-n1");
  EXPECT_EQ(d.reason.rfind("workflow 5 case 2", 0), 0u) << d.reason;
  auto kept = ask<std::vector<placement_decision>>(s, atom::decisions_v);
  ASSERT_TRUE(kept);
  ASSERT_EQ(kept->size(), 1u);
  EXPECT_EQ(kept->front().winner.region, "region-n1");
}

TEST_F(scheduler_fixture, keeps_only_the_last_n_decisions_oldest_first) {
  auto s = spawn_scheduler_with(config_with(false, 3), spawn_view({report_of("own", 100000)}));
  for (std::int64_t ram = 1; ram <= 5; ++ram) schedule(s, boot(ram));
  auto kept = ask<std::vector<placement_decision>>(s, atom::decisions_v);
  ASSERT_TRUE(kept);
  ASSERT_EQ(kept->size(), 3u);
  EXPECT_EQ((*kept)[0].request.ram_mb, 3);
  EXPECT_EQ((*kept)[2].request.ram_mb, 5);
}

TEST_F(scheduler_fixture, records_a_decision_that_places_nothing) {
  auto s = spawn_scheduler_with(config_with(false), spawn_view({report_of("own", 100)}));
  auto d = schedule(s, boot(4096));
  EXPECT_FALSE(d.placed);
  ASSERT_EQ(d.filtered_out.size(), 1u);
  EXPECT_EQ(d.filtered_out[0].filter, "resource");
}

TEST_F(scheduler_fixture, fails_when_the_capacity_view_cannot_be_had) {
  auto s = spawn_scheduler_with(config_with(false), spawn_view({}, /*broken=*/true));
  auto d = ask<placement_decision>(s, atom::schedule_v, boot());
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), ec::peer_unreachable);
}

TEST_F(scheduler_fixture, without_live_probe_the_gossiped_report_decides) {
  auto n1 = spawn_node("n1", 500);  // n1 would say it filled up
  auto s = spawn_scheduler_with(config_with(false),
                                spawn_view({report_of("own", 1000), report_of("n1", 4000)}));
  auto d = schedule(s);
  EXPECT_EQ(d.winner.region, "region-n1");
  EXPECT_EQ(probes_of(n1), 0u);
  for (const auto& c : d.candidates) EXPECT_FALSE(c.probed);
}

TEST_F(scheduler_fixture, live_probe_weighs_the_finalists_on_fresh_capacity) {
  auto n1 = spawn_node("n1", 600);  // gossip says 4000, but it filled up since
  auto s = spawn_scheduler_with(config_with(true),
                                spawn_view({report_of("own", 1000), report_of("n1", 4000)}));
  auto d = schedule(s);
  EXPECT_EQ(d.winner.region, "region-own");
  EXPECT_EQ(probes_of(n1), 1u);
  ASSERT_EQ(d.candidates.size(), 2u);
  for (const auto& c : d.candidates) EXPECT_TRUE(c.probed) << c.target.region;
  EXPECT_NE(d.reason.find("live probe refreshed 2 of 2"), std::string::npos) << d.reason;
  auto kept = ask<std::vector<placement_decision>>(s, atom::decisions_v);
  ASSERT_TRUE(kept);
  ASSERT_EQ(kept->size(), 1u);  // the refined decision only
  EXPECT_EQ(kept->front().winner.region, "region-own");
}

TEST_F(scheduler_fixture, live_probe_falls_back_to_gossip_after_the_deadline) {
  auto n1 = spawn_node("n1", 500, /*silent=*/true);
  auto s = spawn_scheduler_with(config_with(true),
                                spawn_view({report_of("own", 1000), report_of("n1", 4000)}));
  auto handle = self->request(s, caf::infinite, atom::schedule_v, boot());
  sched.run();
  EXPECT_EQ(probes_of(n1), 1u);
  advance(50ms);  // the probe deadline passes: n1's gossiped report stands
  placement_decision d;
  bool answered = false;
  handle.receive(
    [&](placement_decision& x) {
      d = std::move(x);
      answered = true;
    },
    [&](caf::error& err) { FAIL() << sys.render(err); });
  ASSERT_TRUE(answered);
  EXPECT_EQ(d.winner.region, "region-n1");
  auto n1_candidate = std::find_if(d.candidates.begin(), d.candidates.end(),
                                   [](const auto& c) { return c.target.region == "region-n1"; });
  ASSERT_NE(n1_candidate, d.candidates.end());
  EXPECT_FALSE(n1_candidate->probed);
  EXPECT_EQ(n1_candidate->report.free_ram_mb, 4000);
  EXPECT_NE(d.reason.find("live probe refreshed 1 of 2"), std::string::npos) << d.reason;
}

TEST_F(scheduler_fixture, live_probe_of_an_unknown_peer_falls_back_at_once) {
  // No node bound for n1: the connector fails the connect.
  auto s = spawn_scheduler_with(config_with(true),
                                spawn_view({report_of("own", 1000), report_of("n1", 4000)}));
  auto d = schedule(s);
  EXPECT_EQ(d.winner.region, "region-n1");
}

} // namespace
} // namespace fedstack::test
