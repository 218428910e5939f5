#pragma once
// Asking where a resource named by a global ID lives: its owner's registry
// first (agent/rules/resource_target.hpp decides from the answer), and, when
// the owner cannot place it for the caller, the clouds, by the marker the
// resource carries. Used by the calls about one resource and by list markers.

#include <optional>
#include <string>

#include "agent/flows/marker_search.hpp"
#include "agent/flows/request.hpp"
#include "agent/rules/resource_target.hpp"

namespace fedstack::agent {

/// The owner's entry of `global_id` as the caller may use it (its project's, or
/// another project's its cloud shows the caller: visible_entry.hpp); a registry
/// that cannot be asked is an answer too (`unavailable`), not an exception.
http::awaitable<owner_answer> ask_owner(request& r, const std::string& global_id);

/// The primary of a resource its owner cannot place for the caller (`why`: the
/// owner is gone, or the entry is another project's), found by its marker on
/// the clouds with the client's token, so that the clouds' own visibility
/// rules decide what the caller may see. Throws upstream_failure (503) when it
/// is on no cloud that answered but one did not.
http::awaitable<std::optional<marked_resource>> find_unplaced(request& r, storage::resource_kind kind,
                                                              const std::string& global_id,
                                                              const std::string& why);

} // namespace fedstack::agent
