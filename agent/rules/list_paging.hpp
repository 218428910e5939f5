#pragma once
// The paging rule of a list merged across cloudlets, as pure functions
// (flows/list_flow.cpp runs it; api/list_merge.hpp merges the pages).
//
// Items tied on every sort key go by cloudlet, then in the cloud's own order
// (api::order_merge), so each cloud's items past the marker are a run at the end of
// its list: the marker's own cloud is handed the marker's ID there and read from it,
// every other cloud is read from its start until it has `limit + 1` items past the
// marker. A client that sorts by ID (api::list_sort::client_sorts_by_id) gets the
// order of global IDs, which no cloud knows: each cloud is then read from its start
// until the group of items tied with the last wanted one on the keys before `id` is
// complete, as a read cut inside such a group could skip or repeat items across the
// client's pages. Reads stop at the caps below.

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
  /// The merge's order (api::parse_list_sort's keys): with `id` only when
  /// `by_global_id`, else ties go by cloudlet and each cloud's order.
  std::vector<api::sort_key> keys;
  /// The client sorts by ID, or the collection is Neutron's networks (an operator's
  /// external network is one item listed by several clouds: adjacent only when the
  /// global ID orders them).
  bool by_global_id = false;
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

/// How each cloud is read for one page of the list.
struct cloud_read_plan {
  /// Items asked for in the first call (the page and one more, which proves
  /// whether there is more); nullopt: every item in one call.
  std::optional<std::uint64_t> first_call;
  /// Items past the marker the page needs from a cloud; 0 without a limit.
  std::uint64_t wanted = 0;
  /// The marker item as the client knows it (global IDs), and where it is listed.
  std::optional<nlohmann::json> after;
  std::string after_cloudlet;
  std::string after_local_id;
  /// The merge's keys.
  std::vector<api::sort_key> keys;
  /// Global-ID order: the keys before `id`, on which a tie group is read to its end.
  /// Empty and unused otherwise.
  std::vector<api::sort_key> tie_keys;
  bool by_global_id = false;
  /// The marker's cloud is handed its local ID, so all it answers is past the marker.
  bool marker_on_its_cloud() const { return after && !by_global_id; }
  /// What the merge is told of the marker (api::order_merge).
  api::merge_marker merge_after() const;
};

/// `after` (global IDs), `after_cloudlet` and `after_local_id`: the marker item, the
/// cloudlet listing it and its ID there. Global-ID order when a key is `id`.
cloud_read_plan plan_cloud_read(std::optional<std::uint64_t> limit, const std::vector<api::sort_key>& keys,
                                const nlohmann::json* after, std::string after_cloudlet = {},
                                std::string after_local_id = {});

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

/// The first call to `cloudlet`: plan.first_call items, after the marker on its own
/// cloud (marker_on_its_cloud), else from the start.
cloud_step first_cloud_step(const cloud_read_plan& plan, std::string_view cloudlet);

/// True when an answer of `returned` items to `call` shows the cloud has no more.
bool exhausts_cloud(const cloud_call& call, std::size_t returned);

/// The step after an answer from `cloudlet`. `items`: everything read from the cloud so
/// far, in its order and with its IDs; `exhausted`: exhausts_cloud of the last answer;
/// `hidden` (parallel to `items`, or empty): items the list will not show (copies made
/// for boots), which do not count toward the page.
cloud_step next_cloud_step(const cloud_read_plan& plan, std::string_view cloudlet,
                           const std::vector<nlohmann::json>& items, bool exhausted,
                           const std::vector<bool>& hidden = {});

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
