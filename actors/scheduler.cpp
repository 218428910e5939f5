#include "actors/scheduler.hpp"

#include <memory>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/typed_response_promise.hpp>

#include "metrics/catalog.hpp"
#include "storage/unix_time.hpp"

namespace fedstack {
namespace {

using self_pointer = scheduler_actor::stateful_pointer<scheduler_state>;

void remember(self_pointer self, const placement_decision& d) {
  auto& st = self->state;
  st.decisions.push_back(d);
  metrics::fedstack().scheduler_decisions.add(
    {to_string(d.request.kind), d.placed ? d.winner.region : "none", std::string(reason_category(d))});
  while (st.decisions.size() > st.config.history) st.decisions.pop_front();
}

/// One live probe of a decision's finalists: the answers gathered so far
/// and how many are still out. Shared by the response handlers.
struct probe_round {
  placement_decision first;
  std::vector<capacity_report> fresh;
  std::size_t pending = 0;
  caf::typed_response_promise<placement_decision> promise;
};

void probe_answered(self_pointer self, const std::shared_ptr<probe_round>& round) {
  if (--round->pending > 0) return;
  auto d = refine_placement(self->state.config.policy, round->first, round->fresh, now_unix_ms());
  remember(self, d);
  round->promise.deliver(std::move(d));
}

/// Time left until `deadline`, at least 1 ms (a request needs a timeout).
caf::timespan remaining(self_pointer self, caf::actor_clock::time_point deadline) {
  auto left = deadline - self->clock().now();
  return std::max<caf::timespan>(std::chrono::duration_cast<caf::timespan>(left),
                                 std::chrono::milliseconds{1});
}

void probe(self_pointer self, const std::shared_ptr<probe_round>& round, const peer_address& node,
           caf::actor_clock::time_point deadline) {
  auto& st = self->state;
  auto keep = [self, round](capacity_report r) {
    round->fresh.push_back(std::move(r));
    probe_answered(self, round);
  };
  // A missed deadline or a failure leaves the gossiped report in place.
  auto fall_back = [self, round](caf::error&) { probe_answered(self, round); };
  if (node == st.config.self) {
    // Own cloudlet: the capacity actor holds what the agent read last.
    self->request(st.capacity, remaining(self, deadline), atom::capacity_v).then(keep, fall_back);
    return;
  }
  self->request(st.connector, remaining(self, deadline), caf::connect_atom_v, node)
    .then(
      [self, keep, fall_back, deadline](node_actor peer) {
        self->request(peer, remaining(self, deadline), atom::capacity_v).then(keep, fall_back);
      },
      fall_back);
}

void decide_on(self_pointer self, const capacity_view& view, const placement_request& request,
               caf::typed_response_promise<placement_decision> promise) {
  auto& st = self->state;
  auto first = decide_placement(st.config.policy, request, view.reports, view.unreachable, st.rng, now_unix_ms());
  if (!st.config.live_probe || first.candidates.empty()) {
    remember(self, first);
    promise.deliver(std::move(first));
    return;
  }
  auto round = std::make_shared<probe_round>();
  round->first = first;
  round->pending = first.candidates.size();
  round->promise = std::move(promise);
  auto deadline = self->clock().now() + st.config.probe_timeout;
  for (const auto& c : first.candidates) probe(self, round, c.target.node, deadline);
}

std::uint64_t seed_of(std::uint64_t configured) {
  return configured != 0 ? configured : std::random_device{}();
}

} // namespace

scheduler_actor::behavior_type scheduler(self_pointer self, scheduler_config config,
                                         capacity_actor capacity, connector_actor connector) {
  self->state.rng.seed(static_cast<std::mt19937::result_type>(seed_of(config.seed)));
  self->state.config = std::move(config);
  self->state.capacity = std::move(capacity);
  self->state.connector = std::move(connector);
  return {
    [self](atom::schedule, placement_request request) -> caf::result<placement_decision> {
      auto promise = self->make_response_promise<placement_decision>();
      self->request(self->state.capacity, self->state.config.view_timeout, atom::capacity_v,
                    atom::all_v)
        .then(
          [self, request, promise](capacity_view view) { decide_on(self, view, request, promise); },
          [promise](caf::error& err) mutable {
            promise.deliver(caf::make_error(ec::peer_unreachable,
                                            "scheduler: no capacity view: " + caf::to_string(err)));
          });
      return promise;
    },
    [self](atom::decisions) {
      auto& d = self->state.decisions;
      return std::vector<placement_decision>(d.begin(), d.end());
    },
  };
}

scheduler_actor spawn_scheduler(caf::actor_system& system, scheduler_config config,
                                capacity_actor capacity, connector_actor connector) {
  return system.spawn(scheduler, std::move(config), std::move(capacity), std::move(connector));
}

} // namespace fedstack
