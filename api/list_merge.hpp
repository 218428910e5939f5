#pragma once
// Listing a collection across several cloudlets as one list, the way Nova cells v2's
// multi_cell_list merges per-cell results: each cloud returns a page sorted by the request's
// keys, and a k-way merge on those keys yields the federated page.
//
// The merged order must be the order each cloud itself uses, or a cloud's page (and its
// marker paging) would not be sorted by our keys. So parse_list_sort() reproduces each
// service's rules, including the keys it appends to make its order total:
// - Glance appends `created_at` then `id` (api/v2/images.py, db image_get_all);
// - Nova servers append `created_at` then the internal `id` (db process_sort_params),
//   flavors `id` after their one key;
// - Neutron appends `id` ascending when paginating (PaginationNativeHelper).
//
// Caveats the caller should know:
// - The sort fields must be in the items: list `/servers/detail` and `/flavors/detail`
//   upstream for Nova summary lists, and add the sort keys and `id` to a Neutron `fields=`.
// - Nova breaks ties on an internal integer ID that is not in the body; a merge that
//   breaks ties by the cloud's order (below) needs to know nothing of it. Strings compare
//   bytewise, while a MySQL cloud collates case-insensitively. Pages are re-sorted by our
//   keys before the merge, so the merged page is always in our order, but items a cloud
//   collates otherwise can be missed or repeated at page edges.

#include "api/service.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fedstack::api {

/// One key of a list's order: a field of the listed JSON items and its direction.
struct sort_key {
  std::string field;  ///< the field in the item's JSON (Nova `created_at` becomes `created`)
  bool descending = false;
  friend bool operator==(const sort_key& a, const sort_key& b) {
    return a.field == b.field && a.descending == b.descending;
  }
};

/// The order a list call asks for, or why the request is malformed.
struct list_sort {
  /// A total order: always ends with the service's tie-breakers, `id` among them.
  std::vector<sort_key> keys;
  /// The client named the ID among its keys (Glance's and Neutron's `id`, Nova's `uuid`,
  /// Cinder's `id`), or the service sorts by it unasked (Nova's flavors by `flavorid`):
  /// the list is then in the order of the IDs the client sees. Otherwise the appended `id`
  /// only breaks ties, and a merged list may break them another way (order_merge).
  bool client_sorts_by_id = false;
  /// Non-empty if the sort parameters are malformed: answer 400 with this message,
  /// worded as the service words it.
  std::string error;
  bool ok() const noexcept { return error.empty(); }
};

/// The order of a list of `resource` ("images", "servers", "flavors", "networks", ...) of
/// `service`, from the raw `query` (without '?'):
/// - image: `sort_key`/`sort_dir` pairs (one `sort_dir` applies to every key; more must
///   match the keys) or `sort=key:dir,key2` (not both); directions default to desc; then
///   `created_at` and `id` in the sole given direction, else desc. Default created_at desc.
/// - compute servers (and any compute collection but flavors): repeated `sort_key`/`sort_dir`,
///   missing directions take the first one (default desc); keys Nova ignores (`id`,
///   `vcpus`, ...) are dropped with their direction; then `created_at` and `id` in the first
///   direction. Keys are mapped to the body's fields (`display_name` to `name`, `host` to
///   `OS-EXT-SRV-ATTR:host`, ...).
/// - compute flavors: one `sort_key` (default `flavorid`, i.e. `id`) and `sort_dir`
///   (default asc), then `id` in the same direction.
/// - network (and anything else): repeated `sort_key`/`sort_dir` in equal numbers, then
///   `id` ascending. Default `id` ascending.
/// Keys are not checked against the service's list of sortable attributes: the clouds
/// answer 400 to those themselves.
list_sort parse_list_sort(service_type service, std::string_view resource,
                          std::string_view query);

/// Compares two items under `keys`: <0 if `a` comes first, 0 if tied, >0 otherwise.
/// Values compare by type: numbers numerically, strings bytewise (ISO-8601 timestamps in
/// one format compare correctly), false before true, arrays element by element, objects by
/// their serialisation. A missing field counts as null. Ascending, null comes before every
/// value, and values of different types order null < boolean < number < string < array <
/// object; a descending key reverses all of it.
int compare_items(const nlohmann::json& a, const nlohmann::json& b,
                  const std::vector<sort_key>& keys);

/// One cloudlet's answer to the list call.
struct cloudlet_page {
  std::string cloudlet;
  /// Sorted by the merge's keys by the cloud (re-sorted if not, stably), IDs already
  /// global. Their order among items tied on every key is the cloud's own.
  std::vector<nlohmann::json> items;
  /// True when the cloud has no items beyond these (it returned fewer than asked for).
  /// False by default: a forgotten flag then costs an empty last page, not lost items.
  bool exhausted = false;
};

/// The federated page.
struct merged_page {
  std::vector<nlohmann::json> items;  ///< at most `limit`, in the keys' order
  /// A next page may exist: an item was left out, or a cloud was not exhausted.
  bool has_more = false;
  /// How many items each cloudlet contributed (every cloudlet of the input, 0 included).
  std::map<std::string, std::size_t> taken;
};

/// Where each item of a merged page comes from: its page and its index there.
struct merge_pick {
  std::size_t page = 0;
  std::size_t item = 0;
};

/// merge_pages without moving the items: which ones it takes, in the page's order.
struct merge_order {
  std::vector<merge_pick> picks;
  bool has_more = false;
  std::map<std::string, std::size_t> taken;
};

/// The marker of a page as the merge places it.
struct merge_marker {
  const nlohmann::json* item = nullptr;   ///< the marker item, with global IDs
  /// The cloudlet listing it: among items tied with it on every key, those of cloudlets
  /// before this one (by name) come before it, those of later ones after it.
  std::string cloudlet;
  /// Its cloudlet's page was read by handing that cloud the marker's own ID, so each of
  /// its items comes after the marker; else that page's ties with the marker are dropped.
  bool read_after = false;
};

/// What merge_pages takes (below), as picks: a caller that holds each item's
/// text elsewhere merges on items holding only the sort keys and `id`.
merge_order order_merge(const std::vector<cloudlet_page>& pages, const std::vector<sort_key>& keys,
                        std::size_t limit, const merge_marker& after);
merge_order order_merge(const std::vector<cloudlet_page>& pages, const std::vector<sort_key>& keys,
                        std::size_t limit, const nlohmann::json* after = nullptr);

/// Merges the cloudlets' pages into the first `limit` items under `keys`.
///
/// Items tied on every key go by cloudlet (names compared bytewise), then in their
/// cloud's order: a total order every cloud can page by, since within one cloud it is
/// the cloud's own. With `id` among the keys (global IDs), ties are only the same item
/// listed twice.
///
/// `after` (the marker): only items that sort strictly after it are kept, so a cloud that
/// does not hold the marker may return a page starting before it. A `json*` marker has no
/// cloudlet: its ties on every key are all dropped (right when `id` is a key).
/// An item whose `id` was already taken (or is the marker's) is dropped: the same item
/// listed by two clouds appears once, at its first position.
///
/// The caller must ask every cloud for at least `limit` items after the marker (better
/// `limit + 1`, so that a shorter answer proves the cloud `exhausted`). Then the merged page
/// is exactly the first `limit` items of the federation after the marker: take any item x
/// among those; every item of x's own cloud that sorts between the marker and x is also
/// in the federation's list before x, so there are fewer than `limit` of them, and x is
/// within the first `limit` items its cloud returned. Items the merge sees beyond the true
/// first `limit` all sort after them, so they cannot displace any.
///
/// has_more is true if an item was left out by `limit`, or any cloud is not exhausted
/// (its next item is unknown and might belong on the next page). It can thus be true
/// before an empty last page, as with Nova's links on a full page.
///
/// Takes the pages by value: the items it keeps are moved, not copied, into the result.
merged_page merge_pages(std::vector<cloudlet_page> pages,
                        const std::vector<sort_key>& keys, std::size_t limit,
                        const merge_marker& after);
merged_page merge_pages(std::vector<cloudlet_page> pages,
                        const std::vector<sort_key>& keys, std::size_t limit,
                        const nlohmann::json* after = nullptr);

/// The marker of the page after `page`: its last item's ID when it has_more, else empty
/// (the list ends here). A non-string ID is written out as JSON.
std::string next_marker(const merged_page& page);

/// `query` (raw, without '?') with `marker=last_id`: the first `marker` is replaced in
/// place (later repeats dropped) or one is appended; every other parameter keeps its place.
/// Re-encoded as query_string::encode() does.
std::string next_query(std::string_view query, std::string_view last_id);

/// `query` without any `marker`: the query of a list's first page.
std::string first_query(std::string_view query);

/// Glance's links, relative to the image service root as Glance writes them: sets
/// `first` to `path[?first_query]` and, if `next_marker` is non-empty, `next` to
/// `path?next_query` (else removes `next`). `path` is e.g. "/v2/images".
void set_glance_links(nlohmann::json& body, std::string_view path, std::string_view query,
                      std::string_view next_marker);

/// Nova's and Neutron's link: if `next_marker` is non-empty, sets `<collection>_links` to
/// `[{"rel": "next", "href": "<service_root><path>?<next_query>"}]`, else removes it.
/// `service_root` is the agent's (agent_service_root), `path` e.g. "/v2.1/servers/detail".
void set_next_link(nlohmann::json& body, std::string_view collection,
                   std::string_view service_root, std::string_view path,
                   std::string_view query, std::string_view next_marker);

/// The links of a merged list page in `service`'s shape, with the next marker taken from
/// the page's last item when `page.has_more`: Glance's `first`/`next` (relative); Nova's
/// `<collection>_links` (absolute); Neutron's `<collection>_links` only when the query has a
/// `limit`, as Neutron paginates only then. Other services get nothing. `count`: how many
/// items the page holds when `page.items` holds fewer (the list path keeps only the last).
void set_list_links(nlohmann::json& body, service_type service, std::string_view collection,
                    std::string_view service_root, std::string_view path,
                    std::string_view query, const merged_page& page,
                    std::optional<std::size_t> count = std::nullopt);

} // namespace fedstack::api
