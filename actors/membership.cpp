#include "actors/membership.hpp"

#include <random>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/result.hpp>
#include <spdlog/spdlog.h>

#include "metrics/catalog.hpp"

namespace fedstack {

namespace {

using self_pointer = membership_impl_actor::stateful_pointer<membership_state>;

std::string render(self_pointer self, const caf::error& err) {
  return self->system().render(err);
}

/// Hands the cache to the meta store if it changed. Fire and check: a
/// failed save is retried at the next period, never waited for.
void save_cache(self_pointer self) {
  auto& st = self->state;
  if (!st.dirty || !st.store)
    return;
  st.dirty = false;
  self
    ->request(st.store, st.config.shuffle_timeout, atom::put_meta_v, st.config.store_key,
              encode_peer_entries(st.cache->entries()))
    .then([](atom::ok) {},
          [self](caf::error& err) {
            spdlog::warn("membership failed to save its cache: {}", render(self, err));
            self->state.dirty = true;
          });
}

/// Loads the saved cache into the slots still free (at start).
void load_cache(self_pointer self) {
  auto& st = self->state;
  self->request(st.store, st.config.shuffle_timeout, atom::get_meta_v, st.config.store_key)
    .then(
      [self](const std::string& text) {
        auto entries = decode_peer_entries(text);
        if (!entries) {
          spdlog::warn("membership ignores a saved cache it cannot read");
          return;
        }
        std::size_t restored = 0;
        for (auto& entry : *entries)
          restored += self->state.cache->insert(std::move(entry)) ? 1 : 0;
        spdlog::info("membership restored {} neighbours from its saved cache", restored);
      },
      [self](caf::error& err) {
        if (err != ec::not_found)
          spdlog::warn("membership cannot load its saved cache: {}", render(self, err));
      });
}

/// Only one shuffle is out at a time and CAF drops a response after its
/// request timed out, so this guards against a reply to an ended shuffle.
bool is_current(self_pointer self, std::uint64_t id) {
  return self->state.pending && self->state.pending->id == id;
}

/// Q is already out of the cache; make sure the connector forgets it too,
/// so that a restarted Q at the same address gets a fresh connection.
void fail_shuffle(self_pointer self, std::uint64_t id, const caf::error& err) {
  auto& st = self->state;
  if (!is_current(self, id))
    return;
  spdlog::debug("membership dropped {}: {}", to_string(st.pending->target.address), render(self, err));
  self->send(st.connector, atom::peer_down_v, st.pending->target.address);
  st.seeds.failed(st.pending->target.address, st.ticks);
  st.pending.reset();
  ++st.stats.failed;
  metrics::fedstack().shuffles.add({err == caf::sec::request_timeout ? "timed_out" : "failed"});
}

void finish_shuffle(self_pointer self, std::uint64_t id, const std::vector<peer_entry>& answer) {
  auto& st = self->state;
  if (!is_current(self, id))
    return;
  st.cache->merge(answer, st.pending->sent, st.config.shuffle_length);
  // Q has just answered, so it is alive. CYCLON leaves the cache empty when
  // every answered entry was ours or already known; a node without seeds
  // (the first agent) is then cut off for good once nobody holds it, as
  // seen with 3 agents and c = 2. Keeping Q costs one link and keeps it in.
  if (st.cache->empty()) {
    auto partner = st.pending->target;
    partner.age = 0;
    st.cache->insert(std::move(partner));
  }
  st.seeds.answered(st.pending->target.address);
  st.pending.reset();
  st.dirty = true;
  ++st.stats.completed;
  metrics::fedstack().shuffles.add({"answered"});
}

/// Steps 1-4 of CYCLON, then the non-blocking connect -> shuffle chain.
void start_shuffle(self_pointer self) {
  auto& st = self->state;
  auto offer = st.cache->start_shuffle(st.config.shuffle_length, st.rng);
  if (!offer)
    return;  // nobody to talk to: wait for a join or an incoming shuffle
  st.dirty = true;
  auto id = ++st.next_shuffle_id;
  st.pending = pending_shuffle{id, offer->target, offer->sample};
  ++st.stats.started;
  metrics::fedstack().shuffles.add({"sent"});
  auto timeout = st.config.shuffle_timeout;
  self->request(st.connector, timeout, caf::connect_atom_v, offer->target.address)
    .then(
      [self, id, timeout, own = std::move(offer->self),
       sample = std::move(offer->sample)](node_actor& node) {
        if (!is_current(self, id))
          return;
        // Shuffling needs only the node's shuffle handler.
        cyclon_peer_actor peer = node;
        self->request(peer, timeout, atom::shuffle_v, own, sample)
          .then([self, id](const std::vector<peer_entry>& answer) {
                  finish_shuffle(self, id, answer);
                },
                [self, id](caf::error& err) { fail_shuffle(self, id, err); });
      },
      [self, id](caf::error& err) { fail_shuffle(self, id, err); });
}

/// Puts back the seeds that seeds.hpp's rules say are due.
void restore_seeds(self_pointer self) {
  auto& st = self->state;
  std::size_t restored = 0;
  for (const auto& address : st.seeds.due(st.ticks, st.cache->empty(),
                                          st.config.rejoin_when_empty)) {
    peer_entry seed;
    seed.address = address;
    restored += st.cache->insert(std::move(seed)) ? 1 : 0;
  }
  if (restored == 0)
    return;
  st.dirty = true;
  ++st.stats.rejoins;
  spdlog::debug("membership put {} seeds back (joined: {})", restored, st.seeds.joined());
}

/// The refresh (seeds.hpp): the seed goes in as the oldest entry, so that
/// this period's shuffle (rule 2) goes to it. In a full cache the oldest
/// entry makes room, as for a join.
void refresh_through_a_seed(self_pointer self) {
  auto& st = self->state;
  auto address = st.seeds.refresh(st.ticks, st.config.seed_refresh_periods);
  if (!address || st.cache->contains(*address))
    return;
  std::uint32_t oldest = 0;
  for (const auto& x : st.cache->entries())
    oldest = std::max(oldest, x.age);
  peer_entry seed;
  seed.address = *address;
  seed.age = oldest + 1;
  if (!st.cache->insert_evicting_oldest(std::move(seed)))
    return;
  st.dirty = true;
  ++st.stats.refreshes;
  spdlog::debug("membership shuffles with seed {} (refresh)", to_string(*address));
}

caf::timespan first_delay(self_pointer self) {
  auto period = self->state.config.period;
  if (!self->state.config.random_phase)
    return period;
  std::uniform_int_distribution<caf::timespan::rep> pick{1, period.count()};
  return caf::timespan{pick(self->state.rng)};
}

}  // namespace

caf::error validate(const membership_config& config) {
  auto invalid = [](const char* what) { return caf::make_error(ec::invalid_argument, what); };
  if (config.cache_size == 0)
    return invalid("membership: cache size must be at least 1");
  if (config.shuffle_length == 0 || config.shuffle_length > config.cache_size)
    return invalid("membership: shuffle length must be in 1..cache size");
  if (config.period <= caf::timespan::zero())
    return invalid("membership: period must be positive");
  if (config.shuffle_timeout <= caf::timespan::zero())
    return invalid("membership: shuffle timeout must be positive");
  if (!is_valid(config.self))
    return invalid("membership: self needs a valid address (host:port, port > 0)");
  if (config.store_key.empty())
    return invalid("membership: store key must not be empty");
  return caf::none;
}

membership_impl_actor::behavior_type
membership(membership_impl_actor::stateful_pointer<membership_state> self,
           membership_config config, connector_actor connector, meta_store_actor store,
           std::vector<peer_entry> restored_cache) {
  auto& st = self->state;
  st.config = std::move(config);
  st.cache.emplace(st.config.self, st.config.cache_size);
  st.rng.seed(st.config.seed != 0 ? st.config.seed
                                  : (std::uint64_t{std::random_device{}()} << 32)
                                      ^ std::random_device{}());
  st.connector = std::move(connector);
  st.store = std::move(store);
  for (auto& entry : restored_cache)
    st.cache->insert(std::move(entry));
  if (st.store)
    load_cache(self);
  self->delayed_send(self, first_delay(self), atom::tick_v);
  return {
    // Passive side: served at once, whether or not our own shuffle waits.
    [self](atom::shuffle, const peer_entry& sender,
           const std::vector<peer_entry>& sample) -> caf::result<std::vector<peer_entry>> {
      auto& st = self->state;
      if (!is_valid(sender) || sender.address == st.config.self.address)
        return caf::make_error(ec::invalid_argument, "shuffle: bad sender entry");
      // The sender's own entry is fresh by definition, whatever it claims.
      auto fresh = sender;
      fresh.age = 0;
      auto answer = st.cache->answer_shuffle(fresh, sample, st.config.shuffle_length, st.rng);
      st.dirty = true;
      ++st.stats.served;
      metrics::fedstack().shuffles_received.add({});
      return answer;
    },
    [self](atom::members) { return self->state.cache->entries(); },
    [self](atom::join, const std::vector<peer_address>& seeds) {
      auto& st = self->state;
      std::size_t added = 0;
      for (const auto& address : seeds) {
        // More seeds than slots would only evict one another.
        if (added == st.cache->capacity())
          break;
        peer_entry seed;
        seed.address = address;
        if (!st.cache->insert_evicting_oldest(std::move(seed)))
          continue;
        ++added;
        st.seeds.remember(address);
      }
      st.dirty = st.dirty || added > 0;
      spdlog::info("membership joins through {} of {} seeds", added, seeds.size());
    },
    [self](atom::peer_down, const peer_address& address) {
      auto& st = self->state;
      if (st.cache->erase(address))
        st.dirty = true;
      self->send(st.connector, atom::peer_down_v, address);
    },
    [self](atom::tick) {
      auto& st = self->state;
      self->delayed_send(self, st.config.period, atom::tick_v);
      save_cache(self);
      ++st.ticks;
      if (st.pending) {
        // Slow is not dead: the pending shuffle ends by its own timeouts.
        // One shuffle at a time keeps rule 7's sent set unambiguous.
        ++st.stats.skipped;
        spdlog::debug("membership skips a period: its shuffle with {} is still pending",
                      to_string(st.pending->target.address));
        return;
      }
      restore_seeds(self);
      refresh_through_a_seed(self);
      start_shuffle(self);
    },
  };
}

caf::expected<membership_actor>
spawn_membership(caf::actor_system& sys, membership_config config, connector_actor connector,
                 meta_store_actor store, std::vector<peer_entry> restored_cache) {
  if (auto err = validate(config))
    return err;
  if (!connector)
    return caf::make_error(ec::invalid_argument, "membership: no connector");
  membership_impl_actor impl = sys.spawn(membership, std::move(config), std::move(connector),
                                         std::move(store), std::move(restored_cache));
  return membership_actor{impl};
}

}  // namespace fedstack
