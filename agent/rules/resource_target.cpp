#include "agent/rules/resource_target.hpp"

namespace fedstack::agent {
namespace {

resource_target only(target_kind kind, std::string why = {}) { return {kind, {}, {}, std::move(why)}; }

} // namespace

resource_target target_of(const owner_answer& answer, id_use use, bool may_ask_other_project) {
  bool reads = use != id_use::write;
  if (answer.unavailable)
    return only(reads ? target_kind::search_by_marker : target_kind::registry_unavailable, *answer.unavailable);
  const auto& entry = answer.entry;
  // A deleted server's tombstone: its owner knows it is gone, no marker search.
  if (entry && entry->state == storage::entry_state::deleted) return only(target_kind::not_found, "deleted");
  if (!entry && may_ask_other_project && use != id_use::list_marker) return only(target_kind::other_project);
  bool placed = entry && !entry->copies.empty() &&
                (use == id_use::list_marker || entry->state == storage::entry_state::bound);
  if (placed) return {target_kind::primary, entry->copies.front().cloudlet, entry->copies.front().local_id, {}};
  if (reads) return only(target_kind::search_by_marker, "no entry of this project");
  return only(target_kind::not_found);
}

} // namespace fedstack::agent
