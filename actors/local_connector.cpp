// The hand-filled connector of tests and the simulation (connector.hpp).

#include <string>
#include <utility>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

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
           const peer_address& address) -> caf::result<node_actor> {
      auto i = self->state.table.find(address);
      if (i == self->state.table.end())
        return caf::make_error(ec::peer_unreachable, to_string(address));
      return i->second;
    },
    // Nothing is cached beyond the table itself, which is the truth here.
    [](atom::peer_down, const peer_address&) {},
    [self](atom::put, const peer_address& address, const node_actor& peer) {
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

node_actor spawn_shuffle_only_node(caf::actor_system& sys, cyclon_peer_actor peer) {
  return sys.spawn([peer](node_actor::pointer self) -> node_actor::behavior_type {
    self->monitor(peer);
    self->set_down_handler([self](const caf::down_msg& msg) { self->quit(msg.reason); });
    auto refuse = [](const char* message) {
      return caf::make_error(ec::not_authorized, std::string{message} + ": this node only shuffles");
    };
    return {
      [self, peer](atom::shuffle, peer_entry from,
                   std::vector<peer_entry> sample) -> caf::result<std::vector<peer_entry>> {
        return self->delegate(peer, atom::shuffle_v, std::move(from), std::move(sample));
      },
      [refuse](atom::members) -> caf::result<std::vector<peer_entry>> { return refuse("members"); },
      [refuse](atom::capacity) -> caf::result<capacity_report> { return refuse("capacity"); },
      [refuse](atom::capacity, atom::all) -> caf::result<capacity_view> { return refuse("capacity all"); },
      [refuse](atom::info) -> caf::result<peer_entry> { return refuse("info"); },
      [refuse](atom::decisions) -> caf::result<std::vector<placement_decision>> { return refuse("decisions"); },
      [refuse](atom::orphans) -> caf::result<std::string> { return refuse("orphans"); },
      [refuse](atom::get_meta, const keypair_copy_lookup&) -> caf::result<std::string> {
        return refuse("keypair copy");
      },
      [refuse](atom::get, const registry_key&) -> caf::result<storage::registry_entry> { return refuse("get"); },
      [refuse](atom::get, const entry_lookup&) -> caf::result<storage::registry_entry> { return refuse("get"); },
      [refuse](atom::add_copy, const copy_addition&) -> caf::result<storage::registry_entry> {
        return refuse("add_copy");
      },
      [refuse](atom::remove_copy, const copy_removal&) -> caf::result<storage::registry_entry> {
        return refuse("remove_copy");
      },
      [refuse](atom::erase, const registry_key&) -> caf::result<bool> { return refuse("erase"); },
      [refuse](atom::give, const registry_key&) -> caf::result<storage::registry_entry> { return refuse("give"); },
      [refuse](atom::rebind, const copy_addition&, const storage::cloud_copy&) -> caf::result<storage::registry_entry> {
        return refuse("rebind");
      },
    };
  });
}

}  // namespace fedstack
