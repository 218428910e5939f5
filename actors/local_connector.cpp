// The hand-filled connector of tests and the simulation (connector.hpp).

#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>

#include "actors/connector.hpp"

namespace fedstack {

namespace {

using local_self = local_connector_actor::stateful_pointer<local_connector_state>;

void unbind(local_self self, const peer_address& address) {
  auto& st = self->state;
  auto i = st.table.find(address);
  if (i == st.table.end())
    return;
  self->demonitor(caf::actor_cast<caf::actor_addr>(i->second));
  st.addresses.erase(caf::actor_cast<caf::actor_addr>(i->second));
  st.table.erase(i);
}

}  // namespace

local_connector_actor::behavior_type
local_connector(local_connector_actor::stateful_pointer<local_connector_state> self) {
  // A node that died is unreachable from then on, as over the network.
  self->set_down_handler([self](const caf::down_msg& msg) {
    auto i = self->state.addresses.find(msg.source);
    if (i != self->state.addresses.end()) {
      auto address = i->second;
      unbind(self, address);
    }
  });
  return {
    [self](caf::connect_atom,
           const peer_address& address) -> caf::result<cyclon_peer_actor> {
      auto i = self->state.table.find(address);
      if (i == self->state.table.end())
        return caf::make_error(ec::peer_unreachable, to_string(address));
      return i->second;
    },
    // Nothing is cached beyond the table itself, which is the truth here.
    [](atom::peer_down, const peer_address&) {},
    [self](atom::put, const peer_address& address, const cyclon_peer_actor& peer) {
      unbind(self, address);
      self->monitor(peer);
      self->state.addresses[caf::actor_cast<caf::actor_addr>(peer)] = address;
      self->state.table[address] = peer;
      return atom::ok_v;
    },
    [self](atom::erase, const peer_address& address) { unbind(self, address); },
  };
}

local_connector_actor spawn_local_connector(caf::actor_system& sys) {
  return sys.spawn(local_connector);
}

}  // namespace fedstack
