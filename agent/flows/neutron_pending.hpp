#pragma once
// Neutron creates carry their marker in tags, and Neutron (Zed) takes no tags
// in a create body: they are added after the create answered. Until then the
// create carries a transient marker in its `description`, "fedstack_pending=
// <attempt token>" (api::pending_description), which Neutron can filter on.
// A create whose answer was lost, or whose tagging was cut by a crash, is
// found by it (create_flow.cpp before any retry, reservation_sweep.cpp after a
// restart, and the owner's reclaim of an abandoned attempt), then tagged and
// given back the client's description (docs/decisions.md, "Neutron creates").

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/services/context.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "http/asio.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// What a look for one attempt's pending resource found.
struct pending_match {
  enum class result { none, one, ambiguous } found = result::none;
  nlohmann::json item;   // the one resource, when found is one
};

/// Among `items` (a Neutron list), the resource that create attempt `token`
/// made for global ID `global_id` in `project`. An item counts when it has an
/// id, belongs to `project`, and either still carries pending_description(
/// token), or carries the marker of `global_id` with this token (tagged, its
/// description not yet restored). An item marked for another global ID or
/// another attempt never counts. Two or more that count: ambiguous, and none is
/// bound (nor, by the reclaim rule, deleted).
pending_match match_pending(const nlohmann::json& items, const std::string& token, const std::string& global_id,
                            const std::string& project);

/// An untagged item that still carries the pending description of an attempt,
/// as the reclaim rule sees it: marked with `global_id` (the attempt record's)
/// and the description's token. nullopt for a tagged item (read_marker's
/// business), one without an id, or any other description.
std::optional<marked_item> pending_marked_item(const nlohmann::json& item, const std::string& global_id);

/// The items of `kind` on `c` in `project` whose description is attempt
/// `token`'s pending description (one page: a token names one attempt).
/// Throws upstream_failure when the cloudlet cannot tell.
http::awaitable<nlohmann::json> list_pending(agent_context& context, const bhttp::fields& headers,
                                             const cloudlet_endpoints& c, storage::resource_kind kind,
                                             const std::string& token, const std::string& project);

/// Looks on `c` for what attempt `token` of a Neutron create made (one list
/// filtered on the pending description and the project). Throws
/// upstream_failure when the cloudlet cannot tell.
http::awaitable<pending_match> find_pending(agent_context& context, const bhttp::fields& headers,
                                            const cloudlet_endpoints& c, storage::resource_kind kind,
                                            const std::string& global_id, const std::string& token,
                                            const std::string& project);

/// Marks a Neutron resource made by attempt `token`: one PUT of its whole tag
/// list (the tenant's tags kept, the marker and attempt tags added: both or
/// neither; a copy's marker is fedstack_copy_of), then its description set
/// back to `description`. `item` is the
/// resource as its cloud showed it. False when the tags could not be set (the
/// pending description is then left, so that it can still be found). With
/// `shown`, that is set to the resource as a show right after would give it
/// (Neutron bumps revision_number and updated_at on both calls): a GET after
/// them (a port's PUT answer lags its revision); left alone when it fails.
http::awaitable<bool> mark_pending(agent_context& context, const bhttp::fields& headers,
                                   const cloudlet_endpoints& c, storage::resource_kind kind,
                                   const nlohmann::json& item, const std::string& global_id,
                                   const std::string& token, const std::string& description,
                                   bool is_copy = false, nlohmann::json* shown = nullptr);

} // namespace fedstack::agent
