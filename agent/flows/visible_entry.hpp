#pragma once
// The registry entry a caller may use for a global ID: its own project's, or
// another project's whose primary the owning cloud shows to the caller's token
// (rules/visibility.hpp decides; docs/federation.md, "Who sees what"). Every
// flow that turns a client's global ID into a cloud's ID or a cloud to call
// asks here, so that another project's resource is used exactly when its
// cloud would let the caller use it, and is otherwise as unknown as an ID
// nobody made.

#include <optional>
#include <string>

#include "agent/flows/request.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// nullopt: unknown to this caller (no entry, or the owning cloud does not
/// show it to the caller). Throws registry_unavailable as the registry does.
http::awaitable<std::optional<storage::registry_entry>> visible_entry(request& r, const std::string& global_id);

/// True when `global_id` is this agent's (its registry holds the entry: no ask to another node).
bool is_own_entry(request& r, const std::string& global_id);

} // namespace fedstack::agent
