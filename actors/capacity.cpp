#include "actors/capacity.hpp"

#include <set>

#include <caf/actor_system.hpp>
#include <caf/actor_cast.hpp>
#include <spdlog/spdlog.h>

#include "metrics/catalog.hpp"

namespace fedstack {
namespace {

using self_pointer = capacity_impl_actor::stateful_pointer<capacity_state>;

void peer_failed(self_pointer self, const peer_address& peer) {
  auto now = self->clock().now();
  auto& st = self->state;
  // One slow answer (a busy host) keeps the neighbour's last report: dropping it
  // at once could leave a create with no cloudlet to fall back on. A report
  // goes when the circuit opens or the peer leaves the cache.
  if (st.health.record_failure(to_string(peer), now)) {
    st.neighbours.erase(peer);
    st.absent_polls.erase(peer);
    // Open circuit: the overlay forgets the peer now, not several periods later.
    self->send(st.membership, atom::peer_down_v, peer);
    self->send(st.connector, atom::peer_down_v, peer);
  }
}

void ask_neighbour(self_pointer self, const peer_address& peer) {
  auto& st = self->state;
  auto timeout = st.config.request_timeout;
  self->request(st.connector, timeout, caf::connect_atom_v, peer)
    .then(
      [self, peer, timeout](node_actor node) {
        self->request(node, timeout, atom::capacity_v)
          .then(
            [self, peer, node](capacity_report report) {
              auto& identify = self->state.config.identify;
              if (identify) {
                auto who = identify(caf::actor_cast<caf::strong_actor_ptr>(node));
                if (who.who != peer_identity::kind::cloudlet || who.cloudlet != report.region) {
                  metrics::fedstack().node_refusals.add({"capacity report", to_string(who.who)});
                  spdlog::warn("dropped {}'s capacity report for region '{}': its certificate names {}",
                               to_string(peer), report.region, to_string(who));
                  self->state.neighbours.erase(peer);
                  return;
                }
              }
              self->state.health.record_success(to_string(peer));
              self->state.neighbours[peer] = std::move(report);
            },
            [self, peer](caf::error&) { peer_failed(self, peer); });
      },
      [self, peer](caf::error&) { peer_failed(self, peer); });
}

} // namespace

capacity_impl_actor::behavior_type capacity(self_pointer self, capacity_config config,
                                            membership_actor membership, connector_actor connector) {
  self->state.config = config;
  self->state.health = peer_health{config.health};
  self->state.membership = std::move(membership);
  self->state.connector = std::move(connector);
  self->send(self, atom::tick_v);
  return {
    [self](atom::update, capacity_report report) { self->state.own = std::move(report); },
    [self](atom::capacity) -> caf::result<capacity_report> {
      if (!self->state.own) return caf::make_error(ec::not_found, "capacity not measured yet");
      return *self->state.own;
    },
    [self](atom::capacity, atom::all) -> capacity_view {
      auto& st = self->state;
      capacity_view view;
      if (st.own) view.reports.push_back(*st.own);
      for (const auto& [peer, report] : st.neighbours) view.reports.push_back(report);
      for (const auto& text : st.health.unreachable(self->clock().now()))
        if (auto address = parse_peer_address(text)) view.unreachable.push_back(*address);
      return view;
    },
    [self](atom::tick) {
      auto& st = self->state;
      self->delayed_send(self, st.config.poll_period, atom::tick_v);
      self->request(st.membership, st.config.request_timeout, atom::members_v)
        .then(
          [self](const std::vector<peer_entry>& members) {
            auto& st = self->state;
            std::set<peer_address> current;
            for (const auto& m : members) current.insert(m.address);
            // A report whose node left the cache is kept for a few polls (it
            // may come back at the next shuffle), then dropped as stale.
            for (auto it = st.neighbours.begin(); it != st.neighbours.end();) {
              if (current.count(it->first)) {
                st.absent_polls.erase(it->first);
                ++it;
              } else if (++st.absent_polls[it->first] > st.config.departed_polls) {
                st.absent_polls.erase(it->first);
                it = st.neighbours.erase(it);
              } else {
                ++it;
              }
            }
            auto now = self->clock().now();
            for (const auto& peer : current)
              if (st.health.allows(to_string(peer), now)) ask_neighbour(self, peer);
          },
          [](caf::error&) { /* membership busy or gone: try next period */ });
    },
  };
}

capacity_actor spawn_capacity(caf::actor_system& system, capacity_config config,
                              membership_actor membership, connector_actor connector) {
  return system.spawn(capacity, config, std::move(membership), std::move(connector));
}

} // namespace fedstack
