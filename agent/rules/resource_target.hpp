#pragma once
// Which cloud answers a call about one resource named by a global ID, from
// what its owner's registry said: the cloudlet of the entry's primary copy, or,
// when the owner cannot place it for the caller, a search of the clouds for
// the marker the resource carries (reads only: a write needs the owner's
// entry), or 404, or 503.

#include <optional>
#include <string>

#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// What the owner's registry said about a global ID, for one project.
struct owner_answer {
  std::optional<storage::registry_entry> entry;
  /// Set when the registry could not be asked or failed: why.
  std::optional<std::string> unavailable;
};

/// What the call does with the resource.
enum class id_use {
  read,         // GET, HEAD: may be answered from the resource found by its marker
  write,        // PUT, PATCH, POST, DELETE: needs the owner's entry
  list_marker,  // the marker of a list page: as a read, and any entry with copies places it
};

enum class target_kind {
  primary,               // the entry's primary copy: `cloudlet`, `local_id`
  other_project,         // an admin, no entry in the caller's project: ask under the project its cloud names
  search_by_marker,      // the owner cannot place it (`why`): look for its marker on the clouds
  not_found,             // 404
  registry_unavailable,  // 503: the owner cannot be asked and a write needs its word (`why`)
};

struct resource_target {
  target_kind kind = target_kind::not_found;
  std::string cloudlet;
  std::string local_id;
  std::string why;
};

/// Where a call about one resource goes. `may_ask_other_project`: the caller is
/// an admin and the answer is for the caller's own project (an admin's create
/// with `--project X` is recorded under X). An entry places the resource when
/// it is bound and has copies (a list marker: when it has copies); its primary
/// is the first copy, for reads too. A tombstone (a deleted server) is not
/// found, whatever the use.
resource_target target_of(const owner_answer& answer, id_use use, bool may_ask_other_project);

} // namespace fedstack::agent
