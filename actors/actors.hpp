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

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/none.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "actors/error.hpp"
#include "storage/registry_types.hpp"

// -- 1. message types ---------------------------------------------------------

// registry: storage::resource_kind, storage::entry_state, storage::cloud_copy,
// storage::registry_entry, storage::id_mapping (storage/registry_types.hpp).

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
typename Inspector::result_type inspect(Inspector& f, registry_entry& x) {
  // A peer may send any byte for an enum: reject what we cannot name.
  auto validate = [&x]() -> caf::error {
    if (!is_valid(x.kind) || !is_valid(x.state))
      return caf::make_error(ec::invalid_argument, "registry_entry: bad kind or state");
    return caf::none;
  };
  return f(caf::meta::type_name("registry_entry"), x.kind, x.global_id, x.project_id,
           x.state, x.copies, x.created_unix_ms, x.name,
           caf::meta::load_callback(validate));
}

}  // namespace fedstack::storage

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
  // (project, kind, marker, limit): entries ordered by global ID, strictly
  // after `marker` (empty: from the start), at most `limit` (0: all).
  caf::replies_to<atom::list, std::string, storage::resource_kind, std::string,
                  std::uint32_t>::with<std::vector<storage::registry_entry>>,
  // (kind): number of entries of that kind in all projects (metrics).
  caf::replies_to<atom::count, storage::resource_kind>::with<std::uint64_t>>;

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

CAF_END_TYPE_ID_BLOCK(fedstack_types)

CAF_BEGIN_TYPE_ID_BLOCK(fedstack_actors, caf::id_block::fedstack_types::end)

  CAF_ADD_TYPE_ID(fedstack_actors, (fedstack::registry_actor))

CAF_END_TYPE_ID_BLOCK(fedstack_actors)
