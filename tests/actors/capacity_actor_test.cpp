// The capacity actor on CAF's deterministic scheduler: own readings, neighbours'
// reports gathered through the connector, and the circuit breaker that drops a
// failing neighbour from membership within a few polls.

#include "tests/actors/mock_node_registry.hpp"
#include "actors/capacity.hpp"
#include "membership_test_fixture.hpp"

namespace fedstack::test {
namespace {

capacity_report report_of(const std::string& host, std::int64_t free_ram) {
  capacity_report r;
  r.region = "region-" + host;
  r.node = address_of(host);
  r.free_ram_mb = free_ram;
  r.measured_unix_ms = 1;
  return r;
}

/// A neighbour's node actor: answers shuffles with nothing and capacity with a
/// fixed report, or fails every capacity request when `broken`.
struct mock_node_state {
  capacity_report report;
  bool broken = false;
};

node_actor::behavior_type mock_node(node_actor::stateful_pointer<mock_node_state> self,
                                    capacity_report report, bool broken) {
  self->state.report = std::move(report);
  self->state.broken = broken;
  return {
    [](atom::shuffle, const peer_entry&, const std::vector<peer_entry>&) {
      return std::vector<peer_entry>{};
    },
    [](atom::members) { return std::vector<peer_entry>{}; },
    [self](atom::capacity) -> caf::result<capacity_report> {
      if (self->state.broken) return caf::make_error(ec::peer_unreachable, "broken on purpose");
      return self->state.report;
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

struct capacity_fixture : membership_fixture {
  capacity_config poll_every_300ms() {
    capacity_config config;
    config.poll_period = 300ms;
    config.request_timeout = 100ms;
    config.health = peer_health_config{2, 10s};
    return config;
  }

  capacity_actor spawn_capacity_for(membership_actor m) {
    auto handle = track(spawn_capacity(sys, poll_every_300ms(), m, connector));
    sched.run();
    return handle;
  }

  void bind_node(const std::string& host, std::int64_t free_ram, bool broken = false) {
    auto node = track(sys.spawn(mock_node, report_of(host, free_ram), broken));
    bind_node_actor(host, node);
  }

  capacity_view view(const capacity_actor& c) {
    auto result = ask<capacity_view>(c, atom::capacity_v, atom::all_v);
    EXPECT_TRUE(result) << sys.render(result.error());
    return result ? *result : capacity_view{};
  }
};

TEST_F(capacity_fixture, answers_its_own_reading_once_it_has_one) {
  auto m = spawn(config_for("a"));
  auto c = spawn_capacity_for(m);
  auto before = ask<capacity_report>(c, atom::capacity_v);
  EXPECT_FALSE(before);
  caf::anon_send(c, atom::update_v, report_of("a", 4096));
  sched.run();
  auto after = ask<capacity_report>(c, atom::capacity_v);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->free_ram_mb, 4096);
  EXPECT_EQ(view(c).reports.size(), 1u);
}

TEST_F(capacity_fixture, gathers_the_reports_of_the_neighbours_in_the_cache) {
  bind_node("b", 1000);
  bind_node("c", 2000);
  auto m = spawn(config_for("a"), {entry_of("b"), entry_of("c")});
  auto c = spawn_capacity_for(m);   // the first poll runs at once
  auto reports = view(c).reports;
  ASSERT_EQ(reports.size(), 2u);
  std::int64_t total = 0;
  for (const auto& r : reports) total += r.free_ram_mb;
  EXPECT_EQ(total, 3000);
  EXPECT_TRUE(view(c).unreachable.empty());
}

TEST_F(capacity_fixture, keeps_a_report_for_a_few_polls_after_its_node_left_the_cache) {
  bind_node("b", 1000);
  bind_node("c", 2000);
  auto m = spawn(config_for("a"), {entry_of("b"), entry_of("c")});
  auto c = spawn_capacity_for(m);
  ASSERT_EQ(view(c).reports.size(), 2u);
  caf::anon_send(m, atom::peer_down_v, address_of("c"));   // c leaves a's cache (still alive)
  sched.run();
  for (int poll = 1; poll <= poll_every_300ms().departed_polls; ++poll) {
    advance(300ms);
    EXPECT_EQ(view(c).reports.size(), 2u) << "poll " << poll << ": c's report is kept";
  }
  advance(300ms);
  auto reports = view(c).reports;
  ASSERT_EQ(reports.size(), 1u) << "then dropped as stale";
  EXPECT_EQ(reports[0].free_ram_mb, 1000);
}

TEST_F(capacity_fixture, keeps_only_reports_for_the_cloudlet_a_neighbour_s_certificate_names) {
  // c reports b's region (herding boots there, or away from it); b reports its own.
  bind_node("b", 1000);
  auto liar = track(sys.spawn(mock_node, report_of("b", 999999), false));
  bind_node_actor("c", liar);
  auto m = spawn(config_for("a"), {entry_of("b"), entry_of("c")});
  auto config = poll_every_300ms();
  auto liar_addr = caf::actor_cast<caf::actor_addr>(liar);
  config.identify = [liar_addr](const caf::strong_actor_ptr& sender) {
    return caf::actor_cast<caf::actor_addr>(sender) == liar_addr ? peer_identity::of_cloudlet("region-c")
                                                                 : peer_identity::of_cloudlet("region-b");
  };
  auto c = track(spawn_capacity(sys, config, m, connector));
  sched.run();
  auto reports = view(c).reports;
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports.front().free_ram_mb, 1000);
}

TEST_F(capacity_fixture, drops_a_failing_neighbour_from_membership_within_two_polls) {
  bind_node("b", 1000);
  bind_node("c", 2000, /*broken=*/true);
  auto m = spawn(config_for("a"), {entry_of("b"), entry_of("c")});
  auto c = spawn_capacity_for(m);   // polls at once: c's first failure
  EXPECT_EQ(member_hosts(m), (std::vector<std::string>{"b", "c"}));
  advance(300ms);   // second failure in a row opens the circuit: membership drops c at once
  EXPECT_EQ(member_hosts(m), (std::vector<std::string>{"b"}));
  auto v = view(c);
  ASSERT_EQ(v.unreachable.size(), 1u);
  EXPECT_EQ(v.unreachable.front().host, "c");
  ASSERT_EQ(v.reports.size(), 1u);
  EXPECT_EQ(v.reports.front().node.host, "b");
}

TEST_F(capacity_fixture, keeps_a_neighbour_s_last_report_through_one_failure_until_the_circuit_opens) {
  bind_node("b", 1000);
  bind_node("c", 2000);
  auto m = spawn(config_for("a"), {entry_of("b"), entry_of("c")});
  auto c = spawn_capacity_for(m);   // first poll: both answer
  ASSERT_EQ(view(c).reports.size(), 2u);
  bind_node("c", 2000, /*broken=*/true);
  advance(300ms);   // one failure (threshold 2): c's last report is still a candidate
  auto once = view(c);
  EXPECT_TRUE(once.unreachable.empty());
  EXPECT_EQ(once.reports.size(), 2u);
  advance(300ms);   // the second opens the circuit: the report goes with it
  auto open = view(c);
  ASSERT_EQ(open.reports.size(), 1u);
  EXPECT_EQ(open.reports.front().node.host, "b");
  ASSERT_EQ(open.unreachable.size(), 1u);
  EXPECT_EQ(open.unreachable.front().host, "c");
}

} // namespace
} // namespace fedstack::test
