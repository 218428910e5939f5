#pragma once
// The paging rule of a list merged across cloudlets, as pure functions
// (flows/list_flow.cpp runs it; api/list_merge.hpp merges the pages).
//
// A cloud cannot be handed the client's marker (a global ID), so each cloud is
// read from its start, page after page, until it has `limit + 1` items past
// the marker item and the group of items tied with the last of them on every
// sort key but the ID is complete: the cloud breaks ties by its own IDs, the
// merge by global IDs, so a read cut inside a tie group could skip or repeat
// items across the client's pages. Reads stop at the caps below.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/rules/id_maps.hpp"
#include "api/list_merge.hpp"
#include "api/route.hpp"

namespace fedstack::agent {

/// The most items one cloud is asked for in one call, and the most a client's
/// page holds: a larger `limit` is lowered to it, as Nova's max_limit and
/// Glance's api_limit_max do.
inline constexpr std::uint64_t cloud_page_max = 1000;
/// Items read from one cloud for one list page, at most. A cloud is read from
/// its start, so this is also how deep a client can page into one cloud's
/// items, and a group of ties longer than it is cut. Beyond the first call,
/// pages are cloud_page_max long, so this takes at most 11 calls.
inline constexpr std::uint64_t max_items_per_cloud = 10 * cloud_page_max;

/// A list call as the merged list runs it.
struct list_request {
  /// Non-empty when the call is malformed: answer 400 with it.
  std::string error;
  /// The order: a total one, ending with the service's tie-breakers (api::parse_list_sort).
  std::vector<api::sort_key> keys;
  /// Items in the client's page: its `limit` (else the service's default) lowered
  /// to cloud_page_max; nullopt: every item (Neutron without a limit).
  std::optional<std::uint64_t> limit;
  /// The client's marker, a global or local ID.
  std::optional<std::string> marker;
  /// The query without `marker` and `limit`, encoded: the filters each cloud gets.
  std::string filters;
  /// Nova's summary list has no fields to sort or mark by: the clouds are
  /// asked for details, trimmed after the merge.
  bool summary = false;
  /// Where the clouds list (`/detail` added for a summary) and read one item (the marker).
  std::string list_path;
  std::string item_path;
};

/// The list call of `route` (a federated list: is_federated_list).
list_request read_list_request(const api::route& route);

/// The filters for one cloudlet, its IDs through `to_local` (global -> local
/// there); nullopt when they name a global ID without a copy on that
/// cloudlet: nothing there can match, so the cloud is not asked.
std::optional<std::string> filters_on_cloudlet(std::string_view filters, const id_map& to_local);

/// How one cloud is read for one page of the list.
struct cloud_read_plan {
  /// Items asked for in the first call (the page and one more, which proves
  /// whether there is more); nullopt: every item in one call.
  std::optional<std::uint64_t> first_call;
  /// Items past the marker the page needs from this cloud; 0 without a limit.
  std::uint64_t wanted = 0;
  /// The marker item as the client knows it (global IDs).
  std::optional<nlohmann::json> after;
  /// The order's keys without the final `id`: IDs differ between cloud and client.
  std::vector<api::sort_key> keys_without_id;
};

cloud_read_plan plan_cloud_read(std::optional<std::uint64_t> limit, const std::vector<api::sort_key>& keys,
                                const nlohmann::json* after);

/// One call to a cloud: how many items to ask for (nullopt: all) and after
/// which of the cloud's own IDs (empty: from the start).
struct cloud_call {
  std::optional<std::uint64_t> limit;
  std::string marker;
  friend bool operator==(const cloud_call&, const cloud_call&) = default;
};

/// What to do with one cloud next.
struct cloud_step {
  enum class action {
    call,     // make `call`
    done,     // the cloud's items suffice, or it has no more
    capped,   // stop at max_items_per_cloud before the page's items are complete
  };
  action next = action::call;
  cloud_call call;
};

/// The first call: from the start, plan.first_call items.
cloud_step first_cloud_step(const cloud_read_plan& plan);

/// True when an answer of `returned` items to `call` shows the cloud has no more.
bool exhausts_cloud(const cloud_call& call, std::size_t returned);

/// The step after an answer. `items`: everything read from the cloud so far,
/// in its order and with its IDs; `exhausted`: exhausts_cloud of the last answer.
cloud_step next_cloud_step(const cloud_read_plan& plan, const std::vector<nlohmann::json>& items,
                           bool exhausted);

/// The status and message of a list no cloudlet answered: 504 when each
/// failure was a timeout or a missed deadline, else 503.
struct list_failure {
  unsigned status = 503;
  std::string message;
};

/// nullopt when a cloud answered, or when no cloud was asked (its filters matched nothing anywhere).
std::optional<list_failure> failed_list(std::size_t clouds_asked, std::size_t clouds_answered,
                                        bool all_timed_out);

/// The X-Fedstack-Unreachable header's value: the regions, comma-separated.
std::string unreachable_header(const std::vector<std::string>& regions);

} // namespace fedstack::agent
