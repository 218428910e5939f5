#include "actors/node.hpp"

namespace fedstack {

node_impl_actor::behavior_type node(node_impl_actor::stateful_pointer<node_state> self) {
  auto not_ready = [] { return caf::make_error(ec::peer_unreachable, "the node is still starting"); };
  return {
    [self](atom::put, peer_entry entry, membership_actor membership, capacity_actor capacity,
           scheduler_actor scheduler, registry_actor registry) -> caf::result<atom::ok> {
      auto sender = self->current_sender();
      if (!sender || sender->node() != self->node() || self->state.wired)
        return caf::make_error(ec::invalid_argument, "the node is wired once, locally");
      self->state.self_entry = std::move(entry);
      self->state.membership = std::move(membership);
      self->state.capacity = std::move(capacity);
      self->state.scheduler = std::move(scheduler);
      self->state.registry = std::move(registry);
      self->state.wired = true;
      return atom::ok_v;
    },
    [self, not_ready](atom::shuffle, peer_entry from,
                      std::vector<peer_entry> sample) -> caf::result<std::vector<peer_entry>> {
      if (!self->state.membership) return not_ready();
      return self->delegate(self->state.membership, atom::shuffle_v, std::move(from), std::move(sample));
    },
    [self, not_ready](atom::members) -> caf::result<std::vector<peer_entry>> {
      if (!self->state.membership) return not_ready();
      return self->delegate(self->state.membership, atom::members_v);
    },
    [self, not_ready](atom::capacity) -> caf::result<capacity_report> {
      if (!self->state.capacity) return not_ready();
      return self->delegate(self->state.capacity, atom::capacity_v);
    },
    [self, not_ready](atom::capacity, atom::all) -> caf::result<capacity_view> {
      if (!self->state.capacity) return not_ready();
      return self->delegate(self->state.capacity, atom::capacity_v, atom::all_v);
    },
    [self, not_ready](atom::info) -> caf::result<peer_entry> {
      if (!self->state.membership) return not_ready();
      return self->state.self_entry;
    },
    [self, not_ready](atom::decisions) -> caf::result<std::vector<placement_decision>> {
      if (!self->state.scheduler) return not_ready();
      return self->delegate(self->state.scheduler, atom::decisions_v);
    },
    [self, not_ready](atom::orphans) -> caf::result<std::string> {
      if (!self->state.registry) return not_ready();
      return self->delegate(self->state.registry, atom::get_meta_v, std::string("orphans"));
    },
    [self, not_ready](atom::get, std::string project,
                      std::string id) -> caf::result<storage::registry_entry> {
      if (!self->state.registry) return not_ready();
      return self->delegate(self->state.registry, atom::get_v, std::move(project), std::move(id));
    },
    [self, not_ready](atom::add_copy, std::string project, std::string id,
                      storage::cloud_copy copy) -> caf::result<storage::registry_entry> {
      if (!self->state.registry) return not_ready();
      return self->delegate(self->state.registry, atom::add_copy_v, std::move(project),
                            std::move(id), std::move(copy));
    },
    [self, not_ready](atom::remove_copy, std::string project, std::string id,
                      std::string cloudlet) -> caf::result<storage::registry_entry> {
      if (!self->state.registry) return not_ready();
      return self->delegate(self->state.registry, atom::remove_copy_v, std::move(project),
                            std::move(id), std::move(cloudlet));
    },
    [self, not_ready](atom::erase, std::string project, std::string id) -> caf::result<bool> {
      if (!self->state.registry) return not_ready();
      return self->delegate(self->state.registry, atom::erase_v, std::move(project), std::move(id));
    },
  };
}

} // namespace fedstack
