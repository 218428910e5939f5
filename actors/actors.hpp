#pragma once

// THE header for every typed actor interface of fedstack: message types and
// their inspect overloads, atoms, actor handles and the type-ID blocks.
// Keeping them in one place keeps CAF's version-specific syntax (0.17.6:
// replies_to, atom constants, inspect returning result_type) in one file.
//
// Sections (add new actors to each, in this order):
//   1. message types (plain structs live beside their pure logic)
//   2. inspect overloads
//   3. atoms
//   4. actor interfaces
//   5. type-ID blocks: fedstack_types, then fedstack_actors
// Register everything with fedstack::register_types (register_types.hpp).

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <caf/atom.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/none.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/timespan.hpp>
#include <caf/typed_actor.hpp>

#include "actors/error.hpp"
#include "actors/capacity_report.hpp"
#include "actors/peer.hpp"
#include "actors/scheduler_logic.hpp"
#include "storage/keypair_copy_meta.hpp"
#include "storage/registry_codec.hpp"
#include "storage/registry_types.hpp"

// -- 1. message types ---------------------------------------------------------

// registry: storage::resource_kind, storage::entry_state, storage::cloud_copy,
// storage::registry_entry, storage::id_mapping (storage/registry_types.hpp).

// membership: peer_address, peer_entry (actors/peer.hpp), with to_string,
// parse_peer_address and the comparison operators; the CYCLON rules on them
// are in actors/cyclon.hpp. membership_config is below the interfaces.

// capacity: capacity_report (actors/capacity_report.hpp) and, below, what a
// node knows about its own and its neighbours' capacity.

namespace fedstack {

/// A node's own report (if measured) and the latest report of each
/// neighbour, plus the neighbours whose circuit breaker is open.
struct capacity_view {
  std::vector<capacity_report> reports;
  std::vector<peer_address> unreachable;
};

}  // namespace fedstack

// node: what a peer asks of the registry part of a node (node_actor). Named
// fields instead of positional strings, so that a project ID cannot be taken
// for a global ID, and each is checked when a peer's bytes are decoded.

namespace fedstack {

/// One registry entry: a registry read (get) or erase.
struct registry_key {
  std::string project_id;
  std::string global_id;
};

/// One entry by global ID whatever its project (get): a peer resolving an ID
/// for a caller of another project. The peer gates what its client sees by
/// asking the owning cloud with the client's token (docs/federation.md, "Who
/// sees what"); the entry names its project and copies, never a token.
struct entry_lookup {
  std::string global_id;
};

/// A keypair copy a peer asks about (get_meta): the meta key under which the
/// agent that made the copy recorded it (agent/rules/keypair_rule.hpp), asked
/// by an agent deleting that keypair. Only keys of that family pass.
struct keypair_copy_lookup {
  std::string key;
};

/// A copy to record for an entry (add_copy).
struct copy_addition {
  std::string project_id;
  std::string global_id;
  storage::cloud_copy copy;
};

/// The copy on `cloudlet` to forget for an entry (remove_copy).
struct copy_removal {
  std::string project_id;
  std::string global_id;
  std::string cloudlet;
};

inline bool operator==(const registry_key& x, const registry_key& y) {
  return x.project_id == y.project_id && x.global_id == y.global_id;
}

inline bool operator==(const entry_lookup& x, const entry_lookup& y) { return x.global_id == y.global_id; }

inline bool operator==(const copy_addition& x, const copy_addition& y) {
  return x.project_id == y.project_id && x.global_id == y.global_id && x.copy == y.copy;
}

inline bool operator==(const copy_removal& x, const copy_removal& y) {
  return x.project_id == y.project_id && x.global_id == y.global_id && x.cloudlet == y.cloudlet;
}

}  // namespace fedstack

// scheduler: placement_kind, placement_request, placement_target,
// weigher_score, scored_candidate, rejected_candidate, placement_decision
// (actors/scheduler_logic.hpp, with the filters, weighers and workflow 5).

// -- 2. inspect overloads -----------------------------------------------------

namespace fedstack::storage {

// Enums serialize as their underlying type and render through to_string.

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cloud_copy& x) {
  return f(caf::meta::type_name("cloud_copy"), x.cloudlet, x.local_id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, id_mapping& x) {
  return f(caf::meta::type_name("id_mapping"), x.local_id, x.global_id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, abandoned_attempt& x) {
  auto validate = [&x]() -> caf::error {
    if (!is_valid(x.kind))
      return caf::make_error(ec::invalid_argument, "abandoned_attempt: bad kind");
    return caf::none;
  };
  return f(caf::meta::type_name("abandoned_attempt"), x.token, x.kind, x.global_id, x.project_id,
           x.cloudlet, x.abandoned_unix_ms, caf::meta::load_callback(validate));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, registry_entry& x) {
  // A peer may send any byte for an enum: reject what we cannot name.
  auto validate = [&x]() -> caf::error {
    if (!is_valid(x.kind) || !is_valid(x.state))
      return caf::make_error(ec::invalid_argument, "registry_entry: bad kind or state");
    return caf::none;
  };
  // x.attempt stays out: an attempt token never leaves its agent (docs/faults.md).
  return f(caf::meta::type_name("registry_entry"), x.kind, x.global_id, x.project_id,
           x.state, x.copies, x.created_unix_ms, x.name,
           caf::meta::load_callback(validate));
}

}  // namespace fedstack::storage

namespace fedstack {

// Peers send any bytes: the membership actor drops entries that fail
// is_valid (peer.hpp) instead of failing the whole message here, so that
// one bad entry does not turn a shuffle into a timeout.

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, peer_address& x) {
  return f(caf::meta::type_name("peer_address"), x.host, x.port);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, peer_entry& x) {
  return f(caf::meta::type_name("peer_entry"), x.address, x.age, x.region, x.http_url);
}

}  // namespace fedstack

namespace fedstack {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, capacity_report& x) {
  return f(caf::meta::type_name("capacity_report"), x.region, x.node, x.http_url, x.free_ram_mb,
           x.free_disk_gb, x.free_vcpus, x.total_ram_mb, x.total_disk_gb, x.total_vcpus,
           x.running_vms, x.hypervisors, x.image_checksums, x.volume_pools, x.free_volume_gb,
           x.total_volume_gb, x.measured_unix_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, capacity_view& x) {
  return f(caf::meta::type_name("capacity_view"), x.reports, x.unreachable);
}

// node: the registry part. A peer may send any bytes: an ID the registry
// would refuse (storage::check_id) fails the message when it is decoded.

/// The first ID that storage::check_id refuses, as a caf::error.
inline caf::error check_wire_ids(const char* message,
                                 std::initializer_list<std::pair<const char*, const std::string*>> ids) {
  for (const auto& [what, id] : ids)
    if (auto err = storage::check_id(what, *id))
      return caf::make_error(ec::invalid_argument, std::string{message} + ": " + err->message);
  return caf::none;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, registry_key& x) {
  auto validate = [&x]() -> caf::error {
    return check_wire_ids("registry_key", {{"project_id", &x.project_id}, {"global_id", &x.global_id}});
  };
  return f(caf::meta::type_name("registry_key"), x.project_id, x.global_id,
           caf::meta::load_callback(validate));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, entry_lookup& x) {
  auto validate = [&x]() -> caf::error { return check_wire_ids("entry_lookup", {{"global_id", &x.global_id}}); };
  return f(caf::meta::type_name("entry_lookup"), x.global_id, caf::meta::load_callback(validate));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, keypair_copy_lookup& x) {
  auto validate = [&x]() -> caf::error {
    const auto& prefix = storage::keypair_copy_meta_prefix;
    if (x.key.size() > 200 || x.key.compare(0, prefix.size(), prefix) != 0 ||
        x.key.find('\0') != std::string::npos)
      return caf::make_error(ec::invalid_argument, "keypair_copy_lookup: not a keypair copy's key");
    return caf::none;
  };
  return f(caf::meta::type_name("keypair_copy_lookup"), x.key, caf::meta::load_callback(validate));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, copy_addition& x) {
  auto validate = [&x]() -> caf::error {
    return check_wire_ids("copy_addition", {{"project_id", &x.project_id},
                                            {"global_id", &x.global_id},
                                            {"cloudlet", &x.copy.cloudlet},
                                            {"local_id", &x.copy.local_id}});
  };
  return f(caf::meta::type_name("copy_addition"), x.project_id, x.global_id, x.copy,
           caf::meta::load_callback(validate));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, copy_removal& x) {
  auto validate = [&x]() -> caf::error {
    return check_wire_ids("copy_removal", {{"project_id", &x.project_id},
                                           {"global_id", &x.global_id},
                                           {"cloudlet", &x.cloudlet}});
  };
  return f(caf::meta::type_name("copy_removal"), x.project_id, x.global_id, x.cloudlet,
           caf::meta::load_callback(validate));
}

// scheduler

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, placement_request& x) {
  // placement_kind travels as its underlying byte: reject what we cannot name.
  auto validate = [&x]() -> caf::error {
    if (!is_valid(x.kind))
      return caf::make_error(ec::invalid_argument, "placement_request: bad kind");
    return caf::none;
  };
  return f(caf::meta::type_name("placement_request"), x.kind, x.ram_mb, x.disk_gb, x.vcpus,
           x.image_size_gb, x.image_checksum, x.availability_zone,
           caf::meta::load_callback(validate));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, placement_target& x) {
  return f(caf::meta::type_name("placement_target"), x.region, x.node);
}

// CAF 0.17's binary serializer never returns from encoding an infinite double
// (ieee_754.hpp's pack754 halves infinity forever), and a peer's bytes can decode to
// one: refuse non-finite scores on loading, so no decoded decision can hang whoever
// passes it on (found by tests/fuzz/peer_messages.cpp).

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, weigher_score& x) {
  auto validate = [&x]() -> caf::error {
    if (!std::isfinite(x.raw) || !std::isfinite(x.normalized) || !std::isfinite(x.multiplier))
      return caf::make_error(ec::invalid_argument, "weigher_score: not a finite number");
    return caf::none;
  };
  return f(caf::meta::type_name("weigher_score"), x.weigher, x.raw, x.normalized, x.multiplier,
           caf::meta::load_callback(validate));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, scored_candidate& x) {
  auto validate = [&x]() -> caf::error {
    if (!std::isfinite(x.total))
      return caf::make_error(ec::invalid_argument, "scored_candidate: total is not finite");
    return caf::none;
  };
  return f(caf::meta::type_name("scored_candidate"), x.target, x.report, x.probed, x.scores,
           x.total, caf::meta::load_callback(validate));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rejected_candidate& x) {
  return f(caf::meta::type_name("rejected_candidate"), x.target, x.filter, x.why);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, placement_decision& x) {
  return f(caf::meta::type_name("placement_decision"), x.request, x.summary, x.candidates,
           x.filtered_out, x.placed, x.winner, x.fallback, x.reason, x.decided_unix_ms);
}

}  // namespace fedstack

// -- 3. atoms -----------------------------------------------------------------

// In CAF 0.17.6 atoms are values (at most 10 characters) and take no type
// IDs. Note that equal text means equal type: atom::get is caf::get_atom.

CAF_ADD_ATOM(fedstack, fedstack::atom, ok, "ok")
CAF_ADD_ATOM(fedstack, fedstack::atom, put, "put")
CAF_ADD_ATOM(fedstack, fedstack::atom, get, "get")
CAF_ADD_ATOM(fedstack, fedstack::atom, find, "find")
CAF_ADD_ATOM(fedstack, fedstack::atom, resolve, "resolve")
CAF_ADD_ATOM(fedstack, fedstack::atom, add_copy, "add_copy")
CAF_ADD_ATOM(fedstack, fedstack::atom, remove_copy, "rm_copy")
CAF_ADD_ATOM(fedstack, fedstack::atom, erase, "erase")
CAF_ADD_ATOM(fedstack, fedstack::atom, list, "list")
CAF_ADD_ATOM(fedstack, fedstack::atom, count, "count")
CAF_ADD_ATOM(fedstack, fedstack::atom, reserved, "reserved")
CAF_ADD_ATOM(fedstack, fedstack::atom, put_meta, "put_meta")
CAF_ADD_ATOM(fedstack, fedstack::atom, get_meta, "get_meta")
CAF_ADD_ATOM(fedstack, fedstack::atom, abandon, "abandon")
CAF_ADD_ATOM(fedstack, fedstack::atom, abandoned, "abandoned")
CAF_ADD_ATOM(fedstack, fedstack::atom, forget, "forget")
CAF_ADD_ATOM(fedstack, fedstack::atom, orphans, "orphans")
CAF_ADD_ATOM(fedstack, fedstack::atom, give, "give")
CAF_ADD_ATOM(fedstack, fedstack::atom, rebind, "rebind")
// INTERNAL: the registry's tombstone pruning step, sent to itself.
CAF_ADD_ATOM(fedstack, fedstack::atom, prune, "prune")
// membership (connect is caf::connect_atom; join has caf::join_atom's text)
CAF_ADD_ATOM(fedstack, fedstack::atom, shuffle, "shuffle")
CAF_ADD_ATOM(fedstack, fedstack::atom, members, "members")
CAF_ADD_ATOM(fedstack, fedstack::atom, join, "join")
CAF_ADD_ATOM(fedstack, fedstack::atom, peer_down, "peer_down")
// capacity and the node facade
CAF_ADD_ATOM(fedstack, fedstack::atom, capacity, "capacity")
CAF_ADD_ATOM(fedstack, fedstack::atom, update, "update")
CAF_ADD_ATOM(fedstack, fedstack::atom, all, "all")
CAF_ADD_ATOM(fedstack, fedstack::atom, info, "info")
// scheduler
CAF_ADD_ATOM(fedstack, fedstack::atom, schedule, "schedule")
CAF_ADD_ATOM(fedstack, fedstack::atom, decisions, "decisions")
// INTERNAL: the membership actor's period. Not "tick": that text is
// caf::tick_atom, which CAF's own brokers send to themselves.
CAF_ADD_ATOM(fedstack, fedstack::atom, tick, "cy_tick")

// -- 4. actor interfaces ------------------------------------------------------

namespace fedstack {

/// The REGISTRY actor: global IDs <-> per-cloud IDs, owner project, kind, in
/// LMDB. Every read and write is scoped by the caller's project: another
/// project's entries answer ec::not_found (or `false` for erase). Every
/// handler is one request and one response; failures are ec errors
/// (ec::invalid_argument for malformed IDs, ec::storage_failure for LMDB).
using registry_actor = caf::typed_actor<
  // Inserts or replaces an entry (keyed by global_id). Fails with
  // ec::wrong_project if another project owns the global ID, ec::duplicate_id
  // if it exists with another kind or a cloud-local ID is bound elsewhere.
  caf::replies_to<atom::put, storage::registry_entry>::with<atom::ok>,
  // (project, global_id): the entry; ec::not_found.
  caf::replies_to<atom::get, std::string, std::string>::with<storage::registry_entry>,
  // (all, global_id): the entry whatever its project; ec::not_found. For a
  // caller that gates its use on the owning cloud's answer to its client.
  caf::replies_to<atom::get, atom::all, std::string>::with<storage::registry_entry>,
  // (project, cloudlet, local_id): the global ID; ec::not_found.
  caf::replies_to<atom::find, std::string, std::string, std::string>::with<std::string>,
  // (project, cloudlet, local_ids): mappings for the known IDs, in input
  // order; unknown and foreign IDs are left out (for rewriting responses).
  caf::replies_to<atom::resolve, std::string, std::string,
                  std::vector<std::string>>::with<std::vector<storage::id_mapping>>,
  // (project, global_id, copy): the updated entry. Idempotent for the same
  // copy; ec::duplicate_id for another copy on that cloudlet; ec::not_found.
  caf::replies_to<atom::add_copy, std::string, std::string,
                  storage::cloud_copy>::with<storage::registry_entry>,
  // (project, global_id, cloudlet): the updated entry; ec::not_found if the
  // entry or the copy on that cloudlet does not exist.
  caf::replies_to<atom::remove_copy, std::string, std::string,
                  std::string>::with<storage::registry_entry>,
  // (project, global_id): true if erased, false if there was nothing to
  // erase in this project. Removes the index rows in the same transaction.
  caf::replies_to<atom::erase, std::string, std::string>::with<bool>,
  // (global_id, to_project): the entry, whatever its project, given to
  // to_project (a volume transfer's accept); ec::not_found.
  caf::replies_to<atom::give, std::string, std::string>::with<storage::registry_entry>,
  // (project, kind, marker, limit): entries ordered by global ID, strictly
  // after `marker` (empty: from the start), at most `limit` (0: all).
  caf::replies_to<atom::list, std::string, storage::resource_kind, std::string,
                  std::uint32_t>::with<std::vector<storage::registry_entry>>,
  // (created_before_unix_ms, limit): reservations of every project older
  // than that (the reservation sweep; INTERNAL: the node does not offer it).
  caf::replies_to<atom::reserved, std::int64_t, std::uint32_t>::with<
    std::vector<storage::registry_entry>>,
  // (kind): number of entries of that kind in all projects (metrics).
  caf::replies_to<atom::count, storage::resource_kind>::with<std::uint64_t>,
  // Create attempts this agent abandoned (docs/faults.md, "The reconciler's
  // rule"; INTERNAL: the node does not offer them): record one; list those
  // recorded before a time (before_unix_ms, limit); forget one by token.
  caf::replies_to<atom::abandon, storage::abandoned_attempt>::with<atom::ok>,
  caf::replies_to<atom::abandoned, std::int64_t, std::uint32_t>::with<
    std::vector<storage::abandoned_attempt>>,
  caf::replies_to<atom::forget, std::string>::with<bool>,
  // (key, value): stores a small opaque value beside the registry (the
  // membership cache); keys are 1..200 bytes without NUL, values <= 1 MiB.
  caf::replies_to<atom::put_meta, std::string, std::string>::with<atom::ok>,
  // (key): the value stored under key; ec::not_found.
  caf::replies_to<atom::get_meta, std::string>::with<std::string>,
  // INTERNAL: one step of tombstone pruning, which the registry sends
  // itself (registry.hpp, tombstone_policy).
  caf::reacts_to<atom::prune>>;

/// Where an actor keeps small state that must survive a restart. The
/// registry actor is one (its handle converts implicitly); the membership
/// actor needs nothing more.
using meta_store_actor = caf::typed_actor<
  caf::replies_to<atom::put_meta, std::string, std::string>::with<atom::ok>,
  caf::replies_to<atom::get_meta, std::string>::with<std::string>>;

/// What a peer publishes for CYCLON: its shuffle handler. Request: the
/// sender's own fresh entry (age 0) and the sent sample (l-1 entries);
/// answer: up to l entries of the receiver's cache, chosen before it merged
/// the request (cyclon.hpp). Fails with ec::invalid_argument if the sender
/// entry is invalid or names the receiver itself.
using cyclon_peer_actor = caf::typed_actor<
  caf::replies_to<atom::shuffle, peer_entry, std::vector<peer_entry>>::with<
    std::vector<peer_entry>>>;

/// The NODE actor: what an agent publishes on its CAF port, for peers (shuffle,
/// capacity) and for operators' introspection commands (actors/node.hpp).
using node_actor = cyclon_peer_actor::extend<
  caf::replies_to<atom::members>::with<std::vector<peer_entry>>,
  caf::replies_to<atom::capacity>::with<capacity_report>,
  caf::replies_to<atom::capacity, atom::all>::with<capacity_view>,
  // The node's own entry (address, region, HTTP URL).
  caf::replies_to<atom::info>::with<peer_entry>,
  // The scheduler's latest decisions, oldest first (`fedstack decisions`).
  caf::replies_to<atom::decisions>::with<std::vector<placement_decision>>,
  // Read-only: the orphan sweep's latest list as JSON (`fedstack orphans`);
  // ec::not_found before the first sweep.
  caf::replies_to<atom::orphans>::with<std::string>,
  // The registry entries this node owns, for other agents (global IDs name
  // their owner, api/global_id.hpp). Same contracts as registry_actor's
  // get, add_copy, remove_copy and erase, with named fields.
  caf::replies_to<atom::get, registry_key>::with<storage::registry_entry>,
  // The entry of any project (registry_actor's get all), for a peer that lets
  // the owning cloud decide what its client may see.
  caf::replies_to<atom::get, entry_lookup>::with<storage::registry_entry>,
  caf::replies_to<atom::add_copy, copy_addition>::with<storage::registry_entry>,
  caf::replies_to<atom::remove_copy, copy_removal>::with<storage::registry_entry>,
  caf::replies_to<atom::erase, registry_key>::with<bool>,
  // The entry given to registry_key::project_id (registry_actor's give): a
  // peer's only once check_owner found the primary in that project on its cloud.
  caf::replies_to<atom::give, registry_key>::with<storage::registry_entry>,
  // A floating IP moved to another cloudlet through another agent: the entry's
  // only copy becomes copy_addition::copy, once check_moved found it there,
  // marked as the entry's primary, in the entry's project (a peer's only), and
  // only while the entry's primary is still the cloud_copy its mover expected
  // (one rebind of an entry at a time; a repeat of a done one answers the entry).
  caf::replies_to<atom::rebind, copy_addition, storage::cloud_copy>::with<storage::registry_entry>,
  // What this agent recorded under a keypair copy's meta key (its marker's
  // global ID); ec::not_found. Read-only, for a peer deleting that keypair.
  caf::replies_to<atom::get_meta, keypair_copy_lookup>::with<std::string>>;

/// Resolves a peer address to the node actor it publishes, without blocking
/// (production: the io middleman's connect, spawn_middleman_connector;
/// tests and the simulation: a local map, spawn_local_connector). Its answer
/// is the node's whole interface: a caller that needs less lets the handle
/// convert to a narrower one (never actor_cast). Fails with an error when
/// the peer cannot be reached or publishes something else.
using connector_actor = caf::typed_actor<
  caf::replies_to<caf::connect_atom, peer_address>::with<node_actor>,
  // A shuffle with this peer failed or a detector declared it dead: forget
  // any handle cached for it, so the next connect starts afresh.
  caf::reacts_to<atom::peer_down, peer_address>>;

/// A connector whose table is filled by hand: the address -> node map of
/// tests and of the one-process simulation. Registered actors are
/// monitored; a dead one makes connect fail with ec::peer_unreachable.
using local_connector_actor = connector_actor::extend<
  // Binds an address to an actor (replacing an earlier binding).
  caf::replies_to<atom::put, peer_address, node_actor>::with<atom::ok>,
  // Unbinds an address: connect fails from now on (a node "dies").
  caf::reacts_to<atom::erase, peer_address>>;

/// The MEMBERSHIP actor: the neighbour cache and periodic shuffles.
using membership_actor = cyclon_peer_actor::extend<
  // The cache now (introspection, scheduler), in slot order.
  caf::replies_to<atom::members>::with<std::vector<peer_entry>>,
  // Seeds to join through: each enters the cache at age 0 (evicting the
  // oldest entry if full), so the next period shuffles with one of them.
  caf::reacts_to<atom::join, std::vector<peer_address>>,
  // A failure detector says: drop this peer now.
  caf::reacts_to<atom::peer_down, peer_address>>;

/// How to run the membership actor (validate with validate()).
struct membership_config {
  /// c: neighbour-cache size (thesis experiment: 4).
  std::size_t cache_size = 4;
  /// l: entries exchanged per shuffle, 1 <= l <= c (thesis experiment: 2).
  std::size_t shuffle_length = 2;
  /// T: time between two shuffles this node starts (thesis experiment: 30 s).
  caf::timespan period = std::chrono::seconds{30};
  /// How long each step (connect, then shuffle) may take before the peer is
  /// given up on (it already left the cache when the shuffle began).
  caf::timespan shuffle_timeout = std::chrono::seconds{5};
  /// This node: self.address is where its node actor is published; region
  /// and http_url travel in its fresh entry.
  peer_entry self;
  /// First shuffle at a random point in (0, T] instead of at T, so that
  /// nodes started together do not shuffle in lockstep.
  bool random_phase = true;
  /// Seed of the generator behind every random choice; 0: from
  /// std::random_device. Tests and the simulation set it.
  std::uint64_t seed = 0;
  /// Meta-store key under which the cache is saved (with a store).
  std::string store_key = "membership.cache";
  /// Beyond the paper: when a period starts with an empty cache, put the
  /// seeds of earlier joins back in. A node whose neighbours all died (or
  /// whose restored cache is stale) would otherwise wait forever for
  /// someone to shuffle with it.
  bool rejoin_when_empty = true;
  /// Beyond the paper: once joined, every this many periods (0: never) the
  /// period's shuffle goes to one of the seeds in turn. CYCLON never heals a
  /// partition, and a small overlay joined in a chain does split at times.
  std::uint64_t seed_refresh_periods = 10;
};

/// The CAPACITY actor: this node's cloudlet capacity (pushed by the agent,
/// which reads its cloud over HTTP) and its neighbours' (asked over CAF).
using capacity_actor = caf::typed_actor<
  // The agent's latest reading of its own cloudlet.
  caf::reacts_to<atom::update, capacity_report>,
  // This node's own report; ec::not_found before the first reading.
  caf::replies_to<atom::capacity>::with<capacity_report>,
  // Own and neighbours' reports, and the neighbours found unreachable.
  caf::replies_to<atom::capacity, atom::all>::with<capacity_view>>;

/// The SCHEDULER actor: picks the cloudlet for a create (thesis workflow 5)
/// from the capacity actor's view, optionally probing the two finalists live.
using scheduler_actor = caf::typed_actor<
  // The decision, also when nothing fits (placed = false, reason says why);
  // fails only if the capacity view cannot be had (ec::peer_unreachable).
  caf::replies_to<atom::schedule, placement_request>::with<placement_decision>,
  // The most recent decisions, oldest first (introspection).
  caf::replies_to<atom::decisions>::with<std::vector<placement_decision>>>;

}  // namespace fedstack

// -- 5. type-ID blocks --------------------------------------------------------

// Type names are what travels between nodes (CAF 0.17 matches interfaces by
// name): renaming a type breaks compatibility with older agents.

CAF_BEGIN_TYPE_ID_BLOCK(fedstack_types, caf::first_custom_type_id)

  // registry
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::storage::resource_kind))
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::storage::entry_state))
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::storage::cloud_copy))
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::storage::registry_entry))
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::storage::id_mapping))
  CAF_ADD_TYPE_ID(fedstack_types, (std::vector<fedstack::storage::registry_entry>))
  CAF_ADD_TYPE_ID(fedstack_types, (std::vector<fedstack::storage::id_mapping>))
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::storage::abandoned_attempt))
  CAF_ADD_TYPE_ID(fedstack_types, (std::vector<fedstack::storage::abandoned_attempt>))

  // membership
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::peer_address))
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::peer_entry))
  CAF_ADD_TYPE_ID(fedstack_types, (std::vector<fedstack::peer_address>))
  CAF_ADD_TYPE_ID(fedstack_types, (std::vector<fedstack::peer_entry>))

  // capacity
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::capacity_report))
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::capacity_view))
  CAF_ADD_TYPE_ID(fedstack_types, (std::vector<fedstack::capacity_report>))

  // node: the registry part
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::registry_key))
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::copy_addition))
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::copy_removal))
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::entry_lookup))
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::keypair_copy_lookup))

  // scheduler
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::placement_request))
  CAF_ADD_TYPE_ID(fedstack_types, (fedstack::placement_decision))
  CAF_ADD_TYPE_ID(fedstack_types, (std::vector<fedstack::placement_decision>))

CAF_END_TYPE_ID_BLOCK(fedstack_types)

CAF_BEGIN_TYPE_ID_BLOCK(fedstack_actors, caf::id_block::fedstack_types::end)

  CAF_ADD_TYPE_ID(fedstack_actors, (fedstack::registry_actor))
  CAF_ADD_TYPE_ID(fedstack_actors, (fedstack::meta_store_actor))
  CAF_ADD_TYPE_ID(fedstack_actors, (fedstack::cyclon_peer_actor))
  CAF_ADD_TYPE_ID(fedstack_actors, (fedstack::connector_actor))
  CAF_ADD_TYPE_ID(fedstack_actors, (fedstack::local_connector_actor))
  CAF_ADD_TYPE_ID(fedstack_actors, (fedstack::membership_actor))
  CAF_ADD_TYPE_ID(fedstack_actors, (fedstack::capacity_actor))
  CAF_ADD_TYPE_ID(fedstack_actors, (fedstack::node_actor))
  CAF_ADD_TYPE_ID(fedstack_actors, (fedstack::scheduler_actor))

CAF_END_TYPE_ID_BLOCK(fedstack_actors)
