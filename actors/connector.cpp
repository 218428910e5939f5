#include "actors/connector.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/node_id.hpp>
#include <spdlog/spdlog.h>

#include "actors/tls.hpp"

namespace fedstack {

namespace {

using mm_self = connector_actor::stateful_pointer<middleman_connector_state>;

caf::error unreachable(const peer_address& address, const std::string& why) {
  return caf::make_error(ec::peer_unreachable, to_string(address) + ": " + why);
}

void forget(mm_self self, const peer_address& address) {
  auto& st = self->state;
  auto i = st.handles.find(address);
  if (i == st.handles.end())
    return;
  self->demonitor(caf::actor_cast<caf::actor_addr>(i->second.handle));
  st.addresses.erase(caf::actor_cast<caf::actor_addr>(i->second.handle));
  st.handles.erase(i);
}

void remember(mm_self self, const peer_address& address, const node_actor& handle) {
  auto& st = self->state;
  forget(self, address);
  if (st.handles.size() >= st.config.max_handles && !st.handles.empty()) {
    auto oldest = std::min_element(st.handles.begin(), st.handles.end(),
                                   [](const auto& x, const auto& y) {
                                     return x.second.sequence < y.second.sequence;
                                   });
    forget(self, oldest->first);
  }
  self->monitor(handle);
  st.addresses[caf::actor_cast<caf::actor_addr>(handle)] = address;
  st.handles[address] = {handle, st.next_sequence++};
}

/// Answers everyone waiting for `address` with `result`.
template <class Result>
void deliver_all(mm_self self, const peer_address& address, Result result) {
  auto i = self->state.waiting.find(address);
  if (i == self->state.waiting.end())
    return;
  auto promises = std::move(i->second);
  self->state.waiting.erase(i);
  for (auto& promise : promises)
    promise.deliver(result);
}

}  // namespace

connector_actor::behavior_type
middleman_connector(connector_actor::stateful_pointer<middleman_connector_state> self,
                    middleman_connector_config config) {
  self->state.config = config;
  self->set_down_handler([self](const caf::down_msg& msg) {
    auto& st = self->state;
    auto i = st.addresses.find(msg.source);
    if (i == st.addresses.end())
      return;
    spdlog::debug("connector lost {}: {}", to_string(i->second), caf::to_string(msg.reason));
    auto address = i->second;
    forget(self, address);
  });
  return {
    [self](caf::connect_atom,
           const peer_address& address) -> caf::result<node_actor> {
      auto& st = self->state;
      if (!is_valid(address))
        return caf::make_error(ec::invalid_argument, "connect: bad address");
      if (!st.config.allowed.allows(address)) {
        spdlog::debug("not connecting to {}: outside the peer networks ({})", to_string(address),
                      st.config.allowed.describe());
        return caf::make_error(ec::peer_not_allowed, to_string(address) + ": outside the peer networks");
      }
      if (auto i = st.handles.find(address); i != st.handles.end())
        return i->second.handle;
      auto promise = self->make_response_promise<node_actor>();
      auto& queue = st.waiting[address];
      queue.push_back(promise);
      if (queue.size() > 1)
        return promise;  // a connect to this address is already under way
      // With TLS (use_tls), the openssl manager's actor: every peer
      // connection presents this node's certificate and checks the peer's.
      auto mm = node_middleman(self->system());
      self
        ->request(mm, st.config.connect_timeout, caf::connect_atom_v, address.host,
                  address.port)
        .then(
          [self, address](const caf::node_id&, caf::strong_actor_ptr& ptr,
                          const std::set<std::string>& interface) {
            if (!ptr) {
              deliver_all(self, address, unreachable(address, "nothing published there"));
              return;
            }
            // Interfaces travel as sets of signature names: the peer must
            // offer everything a node offers (it may offer more), so the
            // handle below is the interface it really has.
            auto expected = self->system().message_types<node_actor>();
            if (!std::includes(interface.begin(), interface.end(), expected.begin(),
                               expected.end())) {
              deliver_all(self, address,
                          unreachable(address, "published actor is not a node"));
              return;
            }
            auto handle = caf::actor_cast<node_actor>(std::move(ptr));
            remember(self, address, handle);
            deliver_all(self, address, handle);
          },
          [self, address](caf::error& err) {
            deliver_all(self, address, unreachable(address, self->system().render(err)));
          });
      return promise;
    },
    [self](atom::peer_down, const peer_address& address) { forget(self, address); },
  };
}

connector_actor spawn_middleman_connector(caf::actor_system& sys,
                                          middleman_connector_config config) {
  if (!sys.has_middleman()) {
    // Fail every connect instead of crashing on sys.middleman() later.
    return sys.spawn([]() -> connector_actor::behavior_type {
      return {
        [](caf::connect_atom, const peer_address& address) -> caf::result<node_actor> {
          return unreachable(address, "no io middleman loaded");
        },
        [](atom::peer_down, const peer_address&) {},
      };
    });
  }
  return sys.spawn(middleman_connector, config);
}

}  // namespace fedstack
