#include "actors/node.hpp"

#include <utility>

#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/tls.hpp"
#include "metrics/catalog.hpp"

namespace fedstack {

namespace {

using node_self = node_impl_actor::stateful_pointer<node_state>;

/// What a message asks for, from the least to the most trusted sender.
enum class need {
  /// members, capacity, info, decisions: operators too.
  read_only,
  /// registry calls and shuffles: a cloudlet's agent (with further checks).
  peer,
  /// this process only.
  local,
};

/// The sender's identity, or the error that refuses `message`.
caf::expected<peer_identity> authorize(node_self self, const char* message, need needed) {
  if (!self->state.config.identify) return peer_identity::local();   // insecure plain port
  auto identity = self->state.config.identify(self->current_sender());
  using kind = peer_identity::kind;
  bool allowed = identity.who == kind::local ||
                 (identity.who == kind::cloudlet && needed != need::local) ||
                 (identity.who == kind::operator_ && needed == need::read_only);
  if (allowed) return identity;
  metrics::fedstack().node_refusals.add({message, to_string(identity.who)});
  spdlog::warn("node refused '{}' from {} ({})", message,
               self->current_sender() ? caf::to_string(self->current_sender()->node()) : "an anonymous sender",
               to_string(identity));
  return caf::make_error(ec::not_authorized, std::string{message} + " is not allowed for " + to_string(identity));
}

/// A refusal of what a cloudlet's agent asked about another cloudlet.
caf::error refuse(const char* message, const peer_identity& who, const std::string& why) {
  metrics::fedstack().node_refusals.add({message, "cloudlet"});
  spdlog::warn("node refused '{}' from {}: {}", message, to_string(who), why);
  return caf::make_error(ec::not_authorized, std::string{message} + " refused for " + to_string(who) + ": " + why);
}

/// Runs a check outside the node (`launch` gets the callback to call with
/// the answer, from any thread) and `then` with its answer, in the node.
template <class Launch>
void check_then(node_self self, Launch launch, std::function<void(bool)> then) {
  auto ticket = self->state.next_ticket++;
  self->state.pending_checks.emplace(ticket, std::move(then));
  auto me = caf::actor_cast<node_impl_actor>(self);
  launch([me, ticket](bool answer) { caf::anon_send(me, atom::ok_v, ticket, answer); });
}

/// Delivers the registry's answer to `request` through `promise`.
template <class T, class Handle, class... Ts>
void relay_into(node_self self, caf::typed_response_promise<T> promise, const Handle& to, Ts&&... xs) {
  self->request(to, caf::infinite, std::forward<Ts>(xs)...)
    .then([promise](T& answer) mutable { promise.deliver(std::move(answer)); },
          [promise](caf::error& err) mutable { promise.deliver(std::move(err)); });
}

/// Asks `to` and answers the current request with its answer.
template <class T, class Handle, class... Ts>
caf::result<T> relay(node_self self, const Handle& to, Ts&&... xs) {
  auto promise = self->template make_response_promise<T>();
  relay_into(self, promise, to, std::forward<Ts>(xs)...);
  return promise;
}

/// One rebind's turn (node_state::rebinds): the entry's primary becomes
/// `moved.copy` when it is still `expected` (a repeat whose answer was lost
/// finds it done); a peer's new primary is checked on its cloud first.
void rebind_step(node_self self, caf::typed_response_promise<storage::registry_entry> promise, copy_addition moved,
                 storage::cloud_copy expected, bool trusted, peer_identity who) {
  auto id = moved.global_id;
  auto finish = [self, promise, id](auto answer) mutable {
    promise.deliver(std::move(answer));
    self->state.rebinds.done(id);
  };
  auto registry = self->state.registry;
  self->request(registry, caf::infinite, atom::get_v, moved.project_id, id)
    .then(
      [self, registry, moved, expected, trusted, who, finish](storage::registry_entry& entry) mutable {
        if (entry.kind != storage::resource_kind::floating_ip || entry.copies.empty())
          return finish(refuse("rebind", who, "only a bound floating IP moves"));
        if (entry.copies.front() == moved.copy) return finish(std::move(entry));
        if (entry.copies.front() != expected)
          return finish(refuse("rebind", who, "its primary is no longer " + expected.local_id + " on cloudlet '" +
                                                expected.cloudlet + "' (another move came first)"));
        auto bind = [self, registry, entry, copy = moved.copy, finish]() mutable {
          entry.copies.assign(1, copy);
          self->request(registry, caf::infinite, atom::put_v, entry)
            .then([entry, finish](atom::ok) mutable { finish(std::move(entry)); },
                  [finish](caf::error& err) mutable { finish(std::move(err)); });
        };
        if (trusted) return bind();
        check_then(
          self,
          [self, moved](std::function<void(bool)> done) {
            self->state.config.check_moved(storage::resource_kind::floating_ip, moved.global_id, moved.project_id,
                                           moved.copy, std::move(done));
          },
          [copy = moved.copy, who, bind, finish](bool verified) mutable {
            if (!verified)
              return finish(refuse("rebind", who, "no floating IP " + copy.local_id + " of it on cloudlet '" +
                                                    copy.cloudlet + "'"));
            bind();
          });
      },
      [finish](caf::error& err) mutable { finish(std::move(err)); });
}

}  // namespace

std::function<peer_identity(const caf::strong_actor_ptr&)> identify_by_certificate(caf::node_id self) {
  return [self](const caf::strong_actor_ptr& sender) {
    if (!sender) return peer_identity::unknown();
    if (sender->node() == self) return peer_identity::local();
    return identity_of_node(sender->node()).value_or(peer_identity::unknown());
  };
}

node_impl_actor::behavior_type node(node_self self, node_config config) {
  self->state.config = std::move(config);
  // A peer's exit message (or a link it made to its proxy) must not stop the
  // node: only this process may.
  // A link's exit comes without a sender, from the (remote) proxy's address;
  // a peer's own exit message comes from a remote sender (an anonymous one
  // is refused by the TLS stream hook, tls.hpp).
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto sender = self->current_sender();
    bool remote = (sender && sender->node() != self->node()) ||
                  (msg.source && msg.source.node() != self->node());
    if (remote) {
      spdlog::warn("node ignored an exit message from {}",
                   caf::to_string(sender ? sender->node() : msg.source.node()));
      return;
    }
    self->quit(msg.reason);
  });
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
      auto who = authorize(self, "shuffle", need::peer);
      if (!who) return who.error();
      // A peer's own entry must name the cloudlet its certificate names.
      if (who->who == peer_identity::kind::cloudlet && from.region != who->cloudlet)
        return refuse("shuffle", *who, "its entry names region '" + from.region + "'");
      if (who->who == peer_identity::kind::cloudlet && !who->may_use_host(from.address.host))
        return refuse("shuffle", *who, "its entry names host '" + from.address.host + "'");
      if (!self->state.membership) return not_ready();
      return relay<std::vector<peer_entry>>(self, self->state.membership, atom::shuffle_v,
                                            std::move(from), std::move(sample));
    },
    [self, not_ready](atom::members) -> caf::result<std::vector<peer_entry>> {
      if (auto who = authorize(self, "members", need::read_only); !who) return who.error();
      if (!self->state.membership) return not_ready();
      return relay<std::vector<peer_entry>>(self, self->state.membership, atom::members_v);
    },
    [self, not_ready](atom::capacity) -> caf::result<capacity_report> {
      if (auto who = authorize(self, "capacity", need::read_only); !who) return who.error();
      if (!self->state.capacity) return not_ready();
      return relay<capacity_report>(self, self->state.capacity, atom::capacity_v);
    },
    [self, not_ready](atom::capacity, atom::all) -> caf::result<capacity_view> {
      if (auto who = authorize(self, "capacity all", need::read_only); !who) return who.error();
      if (!self->state.capacity) return not_ready();
      return relay<capacity_view>(self, self->state.capacity, atom::capacity_v, atom::all_v);
    },
    [self, not_ready](atom::info) -> caf::result<peer_entry> {
      if (auto who = authorize(self, "info", need::read_only); !who) return who.error();
      if (!self->state.membership) return not_ready();
      return self->state.self_entry;
    },
    [self, not_ready](atom::decisions) -> caf::result<std::vector<placement_decision>> {
      if (auto who = authorize(self, "decisions", need::read_only); !who) return who.error();
      if (!self->state.scheduler) return not_ready();
      return relay<std::vector<placement_decision>>(self, self->state.scheduler, atom::decisions_v);
    },
    [self, not_ready](atom::orphans) -> caf::result<std::string> {
      if (auto who = authorize(self, "orphans", need::read_only); !who) return who.error();
      if (!self->state.registry) return not_ready();
      return relay<std::string>(self, self->state.registry, atom::get_meta_v, std::string("orphans"));
    },
    [self, not_ready](atom::get, registry_key key) -> caf::result<storage::registry_entry> {
      if (auto who = authorize(self, "get", need::peer); !who) return who.error();
      if (!self->state.registry) return not_ready();
      return relay<storage::registry_entry>(self, self->state.registry, atom::get_v, std::move(key.project_id),
                                            std::move(key.global_id));
    },
    [self, not_ready](atom::get, entry_lookup lookup) -> caf::result<storage::registry_entry> {
      // Cloudlets' agents only: they show or use the entry for a client only
      // when the owning cloud shows its primary to that client's token.
      if (auto who = authorize(self, "get any project", need::peer); !who) return who.error();
      if (!self->state.registry) return not_ready();
      return relay<storage::registry_entry>(self, self->state.registry, atom::get_v, atom::all_v,
                                            std::move(lookup.global_id));
    },
    [self, not_ready](atom::get_meta, keypair_copy_lookup lookup) -> caf::result<std::string> {
      // A read: which marker this agent gave the keypair copy it recorded, so a
      // peer deletes only a copy whose marker matches (agent/flows/keypairs.cpp).
      if (auto who = authorize(self, "keypair copy", need::peer); !who) return who.error();
      if (!self->state.registry) return not_ready();
      return relay<std::string>(self, self->state.registry, atom::get_meta_v, std::move(lookup.key));
    },
    [self, not_ready](atom::add_copy, copy_addition addition) -> caf::result<storage::registry_entry> {
      auto project = std::move(addition.project_id);
      auto id = std::move(addition.global_id);
      auto copy = std::move(addition.copy);
      auto who = authorize(self, "add_copy", need::peer);
      if (!who) return who.error();
      if (!self->state.registry) return not_ready();
      if (who->who != peer_identity::kind::cloudlet || copy.cloudlet == who->cloudlet)
        return relay<storage::registry_entry>(self, self->state.registry, atom::add_copy_v,
                                              std::move(project), std::move(id), std::move(copy));
      // A copy on another agent's cloudlet (a boot placed there): recorded
      // only once this agent saw it there, marked as a copy of this entry.
      if (!self->state.config.check_copy)
        return refuse("add_copy", *who, "the copy is on cloudlet '" + copy.cloudlet + "'");
      auto promise = self->make_response_promise<storage::registry_entry>();
      auto registry = self->state.registry;
      self->request(registry, caf::infinite, atom::get_v, project, id)
        .then(
          [self, promise, registry, project, id, copy, who = *who](storage::registry_entry& entry) mutable {
            auto kind = entry.kind;
            check_then(
              self,
              [self, kind, id, copy](std::function<void(bool)> done) {
                self->state.config.check_copy(kind, id, copy, std::move(done));
              },
              [self, promise, registry, project, id, copy, who](bool verified) mutable {
                if (!verified) {
                  promise.deliver(refuse("add_copy", who, "no copy " + copy.local_id + " of it on cloudlet '" +
                                                            copy.cloudlet + "'"));
                  return;
                }
                relay_into(self, promise, registry, atom::add_copy_v, project, id, copy);
              });
          },
          [promise](caf::error& err) mutable { promise.deliver(std::move(err)); });
      return promise;
    },
    [self](atom::ok, std::uint64_t ticket, bool answer) {
      auto sender = self->current_sender();
      if (sender && sender->node() != self->node()) return;
      auto i = self->state.pending_checks.find(ticket);
      if (i == self->state.pending_checks.end()) return;
      auto then = std::move(i->second);
      self->state.pending_checks.erase(i);
      then(answer);
    },
    [self, not_ready](atom::remove_copy, copy_removal removal) -> caf::result<storage::registry_entry> {
      auto project = std::move(removal.project_id);
      auto id = std::move(removal.global_id);
      auto cloudlet = std::move(removal.cloudlet);
      auto who = authorize(self, "remove_copy", need::peer);
      if (!who) return who.error();
      if (who->who == peer_identity::kind::cloudlet && cloudlet != who->cloudlet)
        return refuse("remove_copy", *who, "the copy is on cloudlet '" + cloudlet + "'");
      if (!self->state.registry) return not_ready();
      if (who->who == peer_identity::kind::local)
        return relay<storage::registry_entry>(self, self->state.registry, atom::remove_copy_v,
                                              std::move(project), std::move(id), std::move(cloudlet));
      // A peer removes a copy it made, never the primary: that is the resource.
      auto promise = self->make_response_promise<storage::registry_entry>();
      auto registry = self->state.registry;
      self->request(registry, caf::infinite, atom::get_v, project, id)
        .then(
          [self, promise, registry, project, id, cloudlet, who = *who](storage::registry_entry& entry) mutable {
            if (!entry.copies.empty() && entry.copies.front().cloudlet == cloudlet) {
              promise.deliver(refuse("remove_copy", who, "that is the primary copy"));
              return;
            }
            self->request(registry, caf::infinite, atom::remove_copy_v, project, id, cloudlet)
              .then([promise](storage::registry_entry& updated) mutable { promise.deliver(std::move(updated)); },
                    [promise](caf::error& err) mutable { promise.deliver(std::move(err)); });
          },
          [promise](caf::error& err) mutable { promise.deliver(std::move(err)); });
      return promise;
    },
    [self, not_ready](atom::erase, registry_key key) -> caf::result<bool> {
      auto project = std::move(key.project_id);
      auto id = std::move(key.global_id);
      auto who = authorize(self, "erase", need::peer);
      if (!who) return who.error();
      if (!self->state.registry) return not_ready();
      if (who->who == peer_identity::kind::local)
        return relay<bool>(self, self->state.registry, atom::erase_v, std::move(project), std::move(id));
      // A delete through another agent: the record goes once this agent saw
      // the resource gone from the cloud of its primary copy.
      if (!self->state.config.check_gone) return refuse("erase", *who, "only the owner erases its records");
      auto promise = self->make_response_promise<bool>();
      auto registry = self->state.registry;
      self->request(registry, caf::infinite, atom::get_v, project, id)
        .then(
          [self, promise, registry, project, id, who = *who](storage::registry_entry& entry) mutable {
            if (entry.copies.empty()) {
              promise.deliver(refuse("erase", who, "the entry has no copy yet"));
              return;
            }
            auto kind = entry.kind;
            auto primary = entry.copies.front();
            check_then(
              self,
              [self, kind, primary](std::function<void(bool)> done) {
                self->state.config.check_gone(kind, primary, std::move(done));
              },
              [self, promise, registry, project, id, primary, who](bool gone) mutable {
                if (!gone) {
                  promise.deliver(refuse("erase", who, primary.local_id + " still exists on cloudlet '" +
                                                         primary.cloudlet + "'"));
                  return;
                }
                relay_into(self, promise, registry, atom::erase_v, project, id);
              });
          },
          [promise](caf::error& err) mutable {
            // Nothing recorded in this project: nothing to erase, as the registry answers.
            if (err == ec::not_found) promise.deliver(false);
            else promise.deliver(std::move(err));
          });
      return promise;
    },
    [self, not_ready](atom::give, registry_key key) -> caf::result<storage::registry_entry> {
      auto to = std::move(key.project_id);
      auto id = std::move(key.global_id);
      auto who = authorize(self, "give", need::peer);
      if (!who) return who.error();
      if (!self->state.registry) return not_ready();
      if (who->who == peer_identity::kind::local)
        return relay<storage::registry_entry>(self, self->state.registry, atom::give_v, std::move(id), std::move(to));
      // A transfer accepted through another agent: the entry follows once this
      // agent saw the primary in the new project on its cloud.
      if (!self->state.config.check_owner) return refuse("give", *who, "only the owner gives its records");
      auto promise = self->make_response_promise<storage::registry_entry>();
      auto registry = self->state.registry;
      self->request(registry, caf::infinite, atom::get_v, atom::all_v, id)
        .then(
          [self, promise, registry, to, id, who = *who](storage::registry_entry& entry) mutable {
            if (entry.copies.empty()) {
              promise.deliver(refuse("give", who, "the entry has no copy yet"));
              return;
            }
            auto kind = entry.kind;
            auto primary = entry.copies.front();
            check_then(
              self,
              [self, kind, primary, to](std::function<void(bool)> done) {
                self->state.config.check_owner(kind, primary, to, std::move(done));
              },
              [self, promise, registry, to, id, primary, who](bool owned) mutable {
                if (!owned) {
                  promise.deliver(refuse("give", who, primary.local_id + " on cloudlet '" + primary.cloudlet +
                                                        "' is not project " + to + "'s"));
                  return;
                }
                relay_into(self, promise, registry, atom::give_v, id, to);
              });
          },
          [promise](caf::error& err) mutable { promise.deliver(std::move(err)); });
      return promise;
    },
    [self, not_ready](atom::rebind, copy_addition moved,
                      storage::cloud_copy expected) -> caf::result<storage::registry_entry> {
      auto who = authorize(self, "rebind", need::peer);
      if (!who) return who.error();
      if (!self->state.registry) return not_ready();
      bool trusted = who->who == peer_identity::kind::local;
      // A peer's word is taken once the new primary is seen on its cloud.
      if (!trusted && !self->state.config.check_moved) return refuse("rebind", *who, "only the owner moves its records");
      auto promise = self->make_response_promise<storage::registry_entry>();
      // Two moves of one floating IP at once: the first to come wins, the
      // other finds the primary it expected gone and its mover cleans up.
      auto id = moved.global_id;
      self->state.rebinds.run(id, [self, promise, moved = std::move(moved), expected = std::move(expected), trusted,
                                   who = *who]() mutable { rebind_step(self, promise, moved, expected, trusted, who); });
      return promise;
    },
  };
}

} // namespace fedstack
