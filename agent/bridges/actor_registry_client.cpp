#include "agent/bridges/actor_registry_client.hpp"

#include <spdlog/spdlog.h>

#include "agent/bridges/ask.hpp"
#include "agent/services/keypair_copy_records.hpp"
#include "agent/services/registry_misses.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

class actor_registry_client final : public registry_client, public keypair_copy_records {
public:
  actor_registry_client(caf::actor_system& system, registry_actor registry,
                        connector_actor connector, peer_address self, caf::timespan timeout,
                        std::shared_ptr<const std::atomic<std::uint64_t>> registry_writes, node_actor node)
    : system_(system), registry_(std::move(registry)), connector_(std::move(connector)),
      self_(std::move(self)), timeout_(timeout), misses_(std::move(registry_writes)), node_(std::move(node)) {}

  std::string new_global_id() override {
    // check_options (process/start_options.cpp) made sure the node address is dotted IPv4.
    return api::make_global_id({self_.host, self_.port}).value();
  }

  http::awaitable<std::optional<storage::registry_entry>> get(std::string project,
                                                               std::string global_id) override {
    auto owner = owner_of(global_id);
    if (!owner) co_return std::nullopt;   // not a global ID: nobody records it
    registry_key key{project, global_id};
    std::optional<caf::expected<storage::registry_entry>> result;
    result = co_await ask_own_then_owner<storage::registry_entry>(*owner, &not_found_here, atom::get_v, key,
                                                                  project, global_id);
    if (!result) co_return std::nullopt;   // no federation node there: nothing is recorded
    if (*result) co_return std::move(**result);
    // Not found and malformed IDs are ordinary answers; anything else is an outage.
    if (result->error() == ec::not_found || result->error() == ec::invalid_argument)
      co_return std::nullopt;
    throw registry_unavailable(describe(*owner, result->error()));
  }

  http::awaitable<std::optional<storage::registry_entry>> get_any_project(std::string global_id) override {
    auto owner = owner_of(global_id);
    if (!owner) co_return std::nullopt;
    entry_lookup lookup{global_id};
    std::optional<caf::expected<storage::registry_entry>> result;
    result = co_await ask_own_then_owner<storage::registry_entry>(*owner, &not_found_here, atom::get_v, lookup,
                                                                  atom::all_v, global_id);
    if (!result) co_return std::nullopt;
    if (*result) co_return std::move(**result);
    if (result->error() == ec::not_found || result->error() == ec::invalid_argument)
      co_return std::nullopt;
    throw registry_unavailable(describe(*owner, result->error()));
  }

  http::awaitable<std::vector<storage::id_mapping>>
  to_global(std::string project, std::string cloudlet, std::vector<std::string> local_ids) override {
    // The count first, then the ask: a write after this read makes the misses below stale.
    auto before = misses_.writes();
    auto asked = misses_.to_ask(project, cloudlet, local_ids);
    if (asked.empty()) co_return std::vector<storage::id_mapping>{};
    auto result = co_await ask<std::vector<storage::id_mapping>>(system_, registry_, timeout_, atom::resolve_v,
                                                                 project, cloudlet, asked);
    if (!result) throw registry_unavailable(system_.render(result.error()));
    misses_.record(before, project, cloudlet, asked, *result);
    co_return std::move(*result);
  }

  http::awaitable<void> put(storage::registry_entry entry) override {
    auto result = co_await ask<atom::ok>(system_, registry_, timeout_, atom::put_v, std::move(entry));
    if (!result) throw registry_unavailable(system_.render(result.error()));
  }

  http::awaitable<std::optional<storage::registry_entry>>
  add_copy(std::string project, std::string global_id, storage::cloud_copy copy) override {
    auto owner = owner_of(global_id);
    if (!owner) co_return std::nullopt;
    copy_addition addition{project, global_id, copy};
    std::optional<caf::expected<storage::registry_entry>> result;
    result = co_await ask_own_then_owner<storage::registry_entry>(*owner, &not_found_here, atom::add_copy_v,
                                                                  addition, project, global_id, copy);
    if (!result) co_return std::nullopt;
    if (*result) co_return std::move(**result);
    // not_authorized: the owner did not find this copy marked on its cloudlet
    // (actors/node.hpp); the caller deletes the copy it made.
    auto error = result->error();
    if (error == ec::not_found || error == ec::duplicate_id || error == ec::not_authorized)
      co_return std::nullopt;
    throw registry_unavailable(describe(*owner, error));
  }

  http::awaitable<std::vector<storage::registry_entry>> reserved(std::int64_t before_unix_ms) override {
    std::uint32_t limit = 100;
    auto result = co_await ask<std::vector<storage::registry_entry>>(system_, registry_, timeout_,
                                                                    atom::reserved_v, before_unix_ms, limit);
    if (!result) throw registry_unavailable(system_.render(result.error()));
    co_return std::move(*result);
  }

  http::awaitable<bool> erase(std::string project, std::string global_id) override {
    auto owner = owner_of(global_id);
    if (!owner) co_return false;
    registry_key key{project, global_id};
    std::optional<caf::expected<bool>> result;
    result = co_await ask_own_then_owner<bool>(*owner, &nothing_erased_here, atom::erase_v, key, project,
                                               global_id);
    if (!result) co_return false;
    // The owner erases for another agent only once it finds the resource
    // gone (actors/node.hpp); if it does not, it keeps the record.
    if (!*result && result->error() == ec::not_authorized) {
      spdlog::warn("{} kept its record of {}: {}", to_string(*owner), global_id, system_.render(result->error()));
      co_return false;
    }
    if (!*result) throw registry_unavailable(describe(*owner, result->error()));
    co_return **result;
  }

  http::awaitable<std::optional<storage::registry_entry>> give(std::string global_id,
                                                                std::string to_project) override {
    auto owner = owner_of(global_id);
    if (!owner) co_return std::nullopt;
    registry_key key{to_project, global_id};
    std::optional<caf::expected<storage::registry_entry>> result;
    result = co_await ask_own_then_owner<storage::registry_entry>(*owner, &not_found_here, atom::give_v, key,
                                                                  global_id, to_project);
    if (!result) co_return std::nullopt;
    if (*result) co_return std::move(**result);
    if (result->error() == ec::not_found || result->error() == ec::not_authorized) {
      spdlog::warn("{} kept its record of {} where it was: {}", to_string(*owner), global_id,
                   system_.render(result->error()));
      co_return std::nullopt;
    }
    throw registry_unavailable(describe(*owner, result->error()));
  }

  http::awaitable<std::optional<storage::registry_entry>>
  rebind(std::string project, std::string global_id, storage::cloud_copy expected, storage::cloud_copy copy) override {
    auto owner = owner_of(global_id);
    if (!owner) co_return std::nullopt;
    copy_addition moved{project, global_id, copy};
    // This agent's own entry: through its own node, which runs an entry's
    // rebinds one at a time whoever asks (actors/node.hpp).
    auto here = co_await ask<storage::registry_entry>(system_, registry_, timeout_, atom::get_v, project, global_id);
    if (here) {
      if (!node_) throw registry_unavailable("this agent's node is not running");
      auto result = co_await ask<storage::registry_entry>(system_, node_, timeout_, atom::rebind_v, moved, expected);
      if (result) co_return std::move(*result);
      if (result.error() == ec::not_found || result.error() == ec::not_authorized) co_return std::nullopt;
      throw registry_unavailable(system_.render(result.error()));
    }
    if (here.error() != ec::not_found) throw registry_unavailable(system_.render(here.error()));
    if (*owner == self_) co_return std::nullopt;
    auto node = co_await node_of(*owner);
    if (!node) co_return std::nullopt;
    auto result = co_await ask<storage::registry_entry>(system_, *node, timeout_, atom::rebind_v, moved, expected);
    if (result) co_return std::move(*result);
    forget(*owner, result.error());
    if (result.error() == ec::not_found || result.error() == ec::not_authorized) {
      spdlog::warn("{} kept its record of {} where it was: {}", to_string(*owner), global_id,
                   system_.render(result.error()));
      co_return std::nullopt;
    }
    throw registry_unavailable(describe(*owner, result.error()));
  }

  http::awaitable<void> abandon(storage::abandoned_attempt attempt) override {
    auto result = co_await ask<atom::ok>(system_, registry_, timeout_, atom::abandon_v, std::move(attempt));
    if (!result) throw registry_unavailable(system_.render(result.error()));
  }

  http::awaitable<std::vector<storage::abandoned_attempt>> abandoned(std::int64_t before_unix_ms) override {
    std::uint32_t limit = 100;
    auto result = co_await ask<std::vector<storage::abandoned_attempt>>(
      system_, registry_, timeout_, atom::abandoned_v, before_unix_ms, limit);
    if (!result) throw registry_unavailable(system_.render(result.error()));
    co_return std::move(*result);
  }

  http::awaitable<bool> forget_abandoned(std::string token) override {
    auto result = co_await ask<bool>(system_, registry_, timeout_, atom::forget_v, std::move(token));
    if (!result) throw registry_unavailable(system_.render(result.error()));
    co_return *result;
  }

  http::awaitable<void> put_meta(std::string key, std::string value) override {
    auto result = co_await ask<atom::ok>(system_, registry_, timeout_, atom::put_meta_v, std::move(key),
                                         std::move(value));
    if (!result) throw registry_unavailable(system_.render(result.error()));
  }

  http::awaitable<std::optional<std::string>> get_meta(std::string key) override {
    auto result = co_await ask<std::string>(system_, registry_, timeout_, atom::get_meta_v, std::move(key));
    if (result) co_return std::move(*result);
    if (result.error() == ec::not_found) co_return std::nullopt;
    throw registry_unavailable(system_.render(result.error()));
  }

  http::awaitable<std::optional<std::string>> keypair_copy_record_at(std::string global_id,
                                                                    std::string key) override {
    auto owner = owner_of(global_id);
    if (!owner) co_return std::nullopt;
    if (*owner == self_) co_return co_await get_meta(std::move(key));
    auto node = co_await node_of(*owner);
    if (!node) co_return std::nullopt;
    keypair_copy_lookup lookup{std::move(key)};
    auto result = co_await ask<std::string>(system_, *node, timeout_, atom::get_meta_v, lookup);
    if (result) co_return std::move(*result);
    forget(*owner, result.error());
    if (result.error() == ec::not_found || result.error() == ec::invalid_argument) co_return std::nullopt;
    throw registry_unavailable(describe(*owner, result.error()));
  }

private:
  /// `atom` with `local` to this agent's registry, then, when that does not
  /// hold the record (`held_elsewhere`) and `owner` is another agent, with
  /// `remote` to the owner's node. Own registry first: after a restart on
  /// another node port the IDs this agent made name the old address, and they
  /// are still its own. nullopt when the owner has no federation node there.
  /// Arguments by reference (ask.hpp); callers name them.
  template <class Result, class Atom, class Remote, class... Local>
  http::awaitable<std::optional<caf::expected<Result>>>
  ask_own_then_owner(const peer_address& owner, bool (*held_elsewhere)(const caf::expected<Result>&),
                     const Atom& atom, const Remote& remote, const Local&... local) {
    caf::expected<Result> result{caf::error{}};
    result = co_await ask<Result>(system_, registry_, timeout_, atom, local...);
    if (!held_elsewhere(result) || owner == self_) co_return std::move(result);
    auto node = co_await node_of(owner);
    if (!node) co_return std::nullopt;
    result = co_await ask<Result>(system_, *node, timeout_, atom, remote);
    if (!result) forget(owner, result.error());
    co_return std::move(result);
  }

  static bool not_found_here(const caf::expected<storage::registry_entry>& result) {
    return !result && result.error() == ec::not_found;
  }

  static bool nothing_erased_here(const caf::expected<bool>& result) { return result && !*result; }

  static std::optional<peer_address> owner_of(const std::string& global_id) {
    auto owner = api::global_id_owner(global_id);
    if (!owner) return std::nullopt;
    return peer_address{owner->host, owner->port};
  }

  /// The owner's node actor; the connector connects once and caches it.
  /// nullopt when the owner named in the ID lies outside the peer networks:
  /// the ID is forged or foreign, and the agent does not connect there.
  http::awaitable<std::optional<node_actor>> node_of(const peer_address& owner) {
    auto handle = co_await ask<node_actor>(system_, connector_, timeout_, caf::connect_atom_v, owner);
    if (!handle && handle.error() == ec::peer_not_allowed) co_return std::nullopt;
    if (!handle)
      throw registry_unavailable("the agent that owns this resource (" + to_string(owner) +
                                 ") is unreachable: " + system_.render(handle.error()));
    co_return std::move(*handle);
  }

  /// A failed call other than an ordinary answer: reconnect next time.
  void forget(const peer_address& owner, const caf::error& error) {
    if (error.category() != caf::atom("fedstack")) caf::anon_send(connector_, atom::peer_down_v, owner);
  }

  std::string describe(const peer_address& owner, const caf::error& error) const {
    if (owner == self_) return system_.render(error);
    return "the registry of the agent that owns this resource (" + to_string(owner) +
           ") failed: " + system_.render(error);
  }

  caf::actor_system& system_;
  registry_actor registry_;
  connector_actor connector_;
  peer_address self_;
  caf::timespan timeout_;
  registry_misses misses_;
  node_actor node_;   // this agent's own (its entries' rebinds)
};

} // namespace

std::unique_ptr<registry_client> make_actor_registry_client(caf::actor_system& system,
                                                            registry_actor registry,
                                                            connector_actor connector,
                                                            peer_address self,
                                                            caf::timespan timeout,
                                                            std::shared_ptr<const std::atomic<std::uint64_t>>
                                                              registry_writes,
                                                            node_actor node) {
  return std::make_unique<actor_registry_client>(system, std::move(registry), std::move(connector),
                                                 std::move(self), timeout, std::move(registry_writes),
                                                 std::move(node));
}

} // namespace fedstack::agent
