#include "api/list_merge.hpp"

#include "api/query.hpp"
#include "api/urls.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <unordered_set>
#include <utility>

namespace fedstack::api {
namespace {

using nlohmann::json;

// A direction as the services spell it; nullopt for anything else (all three are strict).
std::optional<bool> parse_descending(std::string_view dir) {
  if (dir == "asc") return false;
  if (dir == "desc") return true;
  return std::nullopt;
}

// Glance and Nova strip their sort values (Python's str.strip()).
std::string strip(std::string_view text) {
  constexpr std::string_view space = " \t\n\r\f\v";
  auto first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  auto last = text.find_last_not_of(space);
  return std::string(text.substr(first, last - first + 1));
}

list_sort failure(std::string message) {
  list_sort result;
  result.error = std::move(message);
  return result;
}

// Appends `field` unless a key on it is already there (a later key on the same field
// could never decide anything, and Nova's `uuid` and our `id` tie-breaker coincide).
void add_key(std::vector<sort_key>& keys, std::string field, bool descending) {
  for (const auto& key : keys)
    if (key.field == field) return;
  keys.push_back(sort_key{std::move(field), descending});
}

// Glance's and Cinder's `sort=key[:dir],...` (a key without a direction is desc) into
// `keys` and `descending`: empty, or the error to answer with.
std::string parse_sort_spec(std::string_view spec, std::vector<std::string>& keys, std::vector<bool>& descending) {
  for (;;) {
    auto comma = spec.find(',');
    auto piece = spec.substr(0, comma);
    auto colon = piece.find(':');
    auto key = strip(piece.substr(0, colon));
    auto dir = colon == std::string_view::npos ? std::string() : strip(piece.substr(colon + 1));
    if (key.empty()) return "Invalid sort key: " + key;
    auto desc = dir.empty() ? std::optional<bool>(true) : parse_descending(dir);
    if (!desc) return "Invalid sort direction: " + dir;
    keys.push_back(std::move(key));
    descending.push_back(*desc);
    if (comma == std::string_view::npos) return {};
    spec.remove_prefix(comma + 1);
  }
}

// Called on the client's keys, before the tie-breakers are appended.
bool has_id_key(const std::vector<sort_key>& keys) {
  return std::any_of(keys.begin(), keys.end(), [](const sort_key& k) { return k.field == "id"; });
}

list_sort image_sort(const query_string& q) {
  std::vector<std::string> keys;
  std::vector<bool> descending;
  if (q.has("sort")) {
    if (q.has("sort_key") || q.has("sort_dir"))
      return failure("Old and new sorting syntax cannot be combined");
    if (auto error = parse_sort_spec(*q.get("sort"), keys, descending); !error.empty())
      return failure(std::move(error));
  } else {
    for (const auto& raw : q.get_all("sort_key")) {
      auto key = strip(raw);
      if (key.empty()) return failure("Invalid sort key: " + key);
      keys.push_back(std::move(key));
    }
    for (const auto& raw : q.get_all("sort_dir")) {
      auto dir = strip(raw);
      auto desc = parse_descending(dir);
      if (!desc) return failure("Invalid sort direction: " + dir);
      descending.push_back(*desc);
    }
    // One direction applies to every key; several must pair up with the keys.
    if (descending.size() > 1 && descending.size() != keys.size())
      return failure("Number of sort dirs does not match the number of sort keys");
  }
  if (keys.empty()) keys.push_back("created_at");
  // Glance's database layer appends its tie-breakers in the sole direction given, else desc.
  bool tie_descending = descending.size() == 1 ? bool(descending[0]) : true;
  if (descending.size() <= 1) descending.assign(keys.size(), tie_descending);
  list_sort result;
  for (std::size_t i = 0; i < keys.size(); ++i) add_key(result.keys, keys[i], descending[i]);
  result.client_sorts_by_id = has_id_key(result.keys);
  add_key(result.keys, "created_at", tie_descending);
  add_key(result.keys, "id", tie_descending);
  return result;
}

using field_map = std::pair<std::string_view, std::string_view>;

// Nova sorts on database columns; these are the server body's fields that show them.
constexpr field_map server_fields[] = {
    {"access_ip_v4", "accessIPv4"},
    {"access_ip_v6", "accessIPv6"},
    {"availability_zone", "OS-EXT-AZ:availability_zone"},
    {"created_at", "created"},
    {"display_description", "description"},
    {"display_name", "name"},
    {"host", "OS-EXT-SRV-ATTR:host"},
    {"hostname", "OS-EXT-SRV-ATTR:hostname"},
    {"kernel_id", "OS-EXT-SRV-ATTR:kernel_id"},
    {"launch_index", "OS-EXT-SRV-ATTR:launch_index"},
    {"launched_at", "OS-SRV-USG:launched_at"},
    {"node", "OS-EXT-SRV-ATTR:hypervisor_hostname"},
    {"power_state", "OS-EXT-STS:power_state"},
    {"project_id", "tenant_id"},
    {"ramdisk_id", "OS-EXT-SRV-ATTR:ramdisk_id"},
    {"root_device_name", "OS-EXT-SRV-ATTR:root_device_name"},
    {"task_state", "OS-EXT-STS:task_state"},
    {"terminated_at", "OS-SRV-USG:terminated_at"},
    {"updated_at", "updated"},
    {"uuid", "id"},
    {"vm_state", "OS-EXT-STS:vm_state"},
};

// Sort keys Nova drops (with their direction) before 2.75 and rejects from it on.
constexpr std::string_view server_ignored_keys[] = {
    "architecture", "cell_name", "cleaned", "default_ephemeral_device", "default_swap_device",
    "deleted", "deleted_at", "disable_terminate", "ephemeral_gb", "ephemeral_key_uuid", "id",
    "key_data", "launched_on", "memory_mb", "os_type", "reservation_id", "root_gb",
    "shutdown_terminate", "user_data", "vcpus", "vm_mode"};

// Flavor columns whose body field is named otherwise.
constexpr field_map flavor_fields[] = {
    {"flavorid", "id"},
    {"memory_mb", "ram"},
    {"root_gb", "disk"},
    {"ephemeral_gb", "OS-FLV-EXT-DATA:ephemeral"},
    {"is_public", "os-flavor-access:is_public"},
    {"disabled", "OS-FLV-DISABLED:disabled"},
};

template <std::size_t N> std::string body_field(const field_map (&map)[N], std::string_view key) {
  for (const auto& [column, field] : map)
    if (column == key) return std::string(field);
  return std::string(key);
}

constexpr std::string_view nova_bad_dir = "Unknown sort direction, must be 'desc' or 'asc'";

list_sort server_sort(const query_string& q) {
  std::vector<std::string> keys;
  std::vector<std::string> dirs;
  for (const auto& raw : q.get_all("sort_key")) {
    auto key = strip(raw);
    if (key.empty()) return failure("Invalid sort key: " + key);
    keys.push_back(std::move(key));
  }
  for (const auto& raw : q.get_all("sort_dir")) dirs.push_back(strip(raw));
  if (keys.empty()) keys.push_back("created_at");
  if (dirs.empty()) dirs.push_back("desc");
  for (std::size_t i = 0; i < keys.size();) {
    if (std::find(std::begin(server_ignored_keys), std::end(server_ignored_keys), keys[i]) ==
        std::end(server_ignored_keys)) {
      ++i;
      continue;
    }
    if (dirs.size() > i) dirs.erase(dirs.begin() + static_cast<std::ptrdiff_t>(i));
    keys.erase(keys.begin() + static_cast<std::ptrdiff_t>(i));
  }
  std::vector<bool> descending;
  for (const auto& dir : dirs) {
    auto desc = parse_descending(dir);
    if (!desc) return failure(std::string(nova_bad_dir));
    descending.push_back(*desc);
  }
  if (descending.size() > keys.size())
    return failure("Sort direction size exceeds sort key size");
  // Missing directions and the appended tie-breakers take the first direction.
  bool tie_descending = descending.empty() ? true : bool(descending[0]);
  descending.resize(keys.size(), tie_descending);
  list_sort result;
  for (std::size_t i = 0; i < keys.size(); ++i)
    add_key(result.keys, body_field(server_fields, keys[i]), descending[i]);
  result.client_sorts_by_id = has_id_key(result.keys);
  add_key(result.keys, "created", tie_descending);
  add_key(result.keys, "id", tie_descending);
  return result;
}

list_sort flavor_sort(const query_string& q) {
  // Nova reads one value of each (webob's MultiDict.get gives the last) and an empty one
  // counts as absent.
  auto keys = q.get_all("sort_key");
  auto dirs = q.get_all("sort_dir");
  std::string key = keys.empty() || keys.back().empty() ? "flavorid" : keys.back();
  std::string dir = dirs.empty() || dirs.back().empty() ? "asc" : dirs.back();
  auto desc = parse_descending(dir);
  if (!desc) return failure(std::string(nova_bad_dir));
  list_sort result;
  add_key(result.keys, body_field(flavor_fields, key), *desc);
  result.client_sorts_by_id = has_id_key(result.keys);
  add_key(result.keys, "id", *desc);
  return result;
}

// Nova's image proxy hands Glance no sort (nova/api/openstack/compute/images.py passes
// filters, limit and marker), so its order is Glance's default, newest first with the ID
// breaking ties; its items name their creation time "created".
list_sort nova_image_sort() {
  list_sort result;
  add_key(result.keys, "created", true);
  add_key(result.keys, "id", true);
  return result;
}

// Cinder's columns that its views show under another name (cinder/api/v2/views/volumes.py
// and cinder/api/views/snapshots.py: `name` and `description`).
constexpr field_map volume_fields[] = {
    {"display_name", "name"},
    {"display_description", "description"},
};

// Cinder (cinder/api/common.py get_sort_params, then the database layer's
// process_sort_params): `sort=key[:dir],...` or one `sort_key`/`sort_dir`, not both;
// a key without a direction is desc; default created_at desc; created_at and id are
// appended in the first key's direction.
list_sort volume_sort(const query_string& q) {
  std::vector<std::string> keys;
  std::vector<bool> descending;
  if (q.has("sort")) {
    if (q.has("sort_key") || q.has("sort_dir"))
      return failure("The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' "
                     "parameter.");
    if (auto error = parse_sort_spec(*q.get("sort"), keys, descending); !error.empty())
      return failure(std::move(error));
  } else {
    auto key = q.get("sort_key");
    auto dir = q.get("sort_dir");
    keys.push_back(key && !strip(*key).empty() ? strip(*key) : std::string("created_at"));
    auto desc = dir && !strip(*dir).empty() ? parse_descending(strip(*dir)) : std::optional<bool>(true);
    if (!desc) return failure("Invalid sort direction: " + strip(*dir));
    descending.push_back(*desc);
  }
  list_sort result;
  for (std::size_t i = 0; i < keys.size(); ++i) add_key(result.keys, body_field(volume_fields, keys[i]), descending[i]);
  result.client_sorts_by_id = has_id_key(result.keys);
  add_key(result.keys, "created_at", descending[0]);
  add_key(result.keys, "id", descending[0]);
  return result;
}

list_sort network_sort(const query_string& q) {
  // Neutron ignores empty values, then wants keys and directions in pairs.
  std::vector<std::string> keys;
  std::vector<std::string> dirs;
  for (auto& key : q.get_all("sort_key"))
    if (!key.empty()) keys.push_back(std::move(key));
  for (auto& dir : q.get_all("sort_dir"))
    if (!dir.empty()) dirs.push_back(std::move(dir));
  if (keys.size() != dirs.size())
    return failure("The number of sort_keys and sort_dirs must be same");
  list_sort result;
  std::string invalid;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto desc = parse_descending(dirs[i]);
    if (!desc) {
      invalid += (invalid.empty() ? "'" : ", '") + dirs[i] + "'";
      continue;
    }
    add_key(result.keys, keys[i], *desc);
  }
  if (!invalid.empty())
    return failure("[" + invalid + "] is invalid value for sort_dirs, valid value is 'asc' and "
                   "'desc'");
  result.client_sorts_by_id = has_id_key(result.keys);
  add_key(result.keys, "id", false);
  return result;
}

int type_rank(json::value_t type) noexcept {
  switch (type) {
  case json::value_t::null: return 0;
  case json::value_t::boolean: return 1;
  case json::value_t::number_integer:
  case json::value_t::number_unsigned:
  case json::value_t::number_float: return 2;
  case json::value_t::string: return 3;
  case json::value_t::array: return 4;
  case json::value_t::object: return 5;
  default: return 6;  // binary, discarded: never in parsed JSON
  }
}

template <typename T> int three_way(const T& a, const T& b) { return (b < a) - (a < b); }

// nlohmann keeps non-negative integers unsigned and negative ones signed; compare exactly.
// (is_number_integer() is true for both kinds, hence the type test.)
bool is_negative_integer(const json& v) {
  return v.type() == json::value_t::number_integer && v.get<std::int64_t>() < 0;
}

int compare_integers(const json& a, const json& b) {
  bool a_negative = is_negative_integer(a);
  bool b_negative = is_negative_integer(b);
  if (a_negative != b_negative) return a_negative ? -1 : 1;
  if (a_negative) return three_way(a.get<std::int64_t>(), b.get<std::int64_t>());
  return three_way(a.get<std::uint64_t>(), b.get<std::uint64_t>());
}

int compare_values(const json& a, const json& b) {
  int rank = three_way(type_rank(a.type()), type_rank(b.type()));
  if (rank != 0) return rank;
  switch (a.type()) {
  case json::value_t::boolean: return three_way(a.get<bool>(), b.get<bool>());
  case json::value_t::number_integer:
  case json::value_t::number_unsigned:
  case json::value_t::number_float:
    if (a.is_number_float() || b.is_number_float())
      return three_way(a.get<double>(), b.get<double>());
    return compare_integers(a, b);
  case json::value_t::string: {
    // char_traits<char> compares as unsigned char: UTF-8 byte order is code point order.
    int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    return (c > 0) - (c < 0);
  }
  case json::value_t::array:
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
      if (int c = compare_values(a[i], b[i]); c != 0) return c;
    return three_way(a.size(), b.size());
  case json::value_t::object: return three_way(a.dump(), b.dump());
  default: return 0;
  }
}

const json& field_of(const json& item, const std::string& field) {
  static const json null_value;
  if (!item.is_object()) return null_value;
  auto it = item.find(field);
  return it == item.end() ? null_value : *it;
}

/// The `id`s order_merge has taken, the identity that drops duplicates (items
/// without an `id` are never duplicates). IDs equal as JSON are the same: a
/// string ID (every cloud's) by its own text, viewed in the item (not dumped per
/// item), any other by its dump; a string never equals another kind.
class taken_ids {
 public:
  /// False when `item`'s ID was taken already; items without one are never taken.
  bool take(const json& item) {
    const auto& id = field_of(item, "id");
    if (id.is_string()) return strings_.insert(id.get_ref<const std::string&>()).second;
    if (id.is_null()) return true;
    return others_.insert(id.dump()).second;
  }
  bool taken(const json& item) const {
    const auto& id = field_of(item, "id");
    if (id.is_string()) return strings_.count(id.get_ref<const std::string&>()) != 0;
    if (id.is_null()) return false;
    return others_.count(id.dump()) != 0;
  }

 private:
  std::unordered_set<std::string_view> strings_;   // views into the items, which outlive the merge
  std::unordered_set<std::string> others_;
};

std::string with_query(std::string_view path, const std::string& query) {
  std::string out(path);
  if (!query.empty()) out += "?" + query;
  return out;
}

} // namespace

list_sort parse_list_sort(service_type service, std::string_view resource,
                          std::string_view query) {
  auto q = query_string::parse(query);
  switch (service) {
  case service_type::image: return image_sort(q);
  case service_type::compute:
    if (resource == "flavors") return flavor_sort(q);
    if (resource == "images") return nova_image_sort();
    return server_sort(q);
  case service_type::volume: return volume_sort(q);
  default: return network_sort(q);
  }
}

int compare_items(const json& a, const json& b, const std::vector<sort_key>& keys) {
  for (const auto& key : keys) {
    int c = compare_values(field_of(a, key.field), field_of(b, key.field));
    if (c != 0) return key.descending ? -c : c;
  }
  return 0;
}

merge_order order_merge(const std::vector<cloudlet_page>& pages, const std::vector<sort_key>& keys,
                        std::size_t limit, const merge_marker& after) {
  auto before = [&](const json* x, const json* y) { return compare_items(*x, *y, keys) < 0; };
  merge_order result;

  // Each page as a sorted run (of indices into its items). A cloud that collates
  // differently would otherwise break the merge; a stable sort keeps its order among
  // our ties, which is the order the merge gives them.
  std::vector<std::vector<std::size_t>> runs(pages.size());
  std::vector<std::size_t> heads(pages.size(), 0);
  for (std::size_t i = 0; i < pages.size(); ++i) {
    result.taken.emplace(pages[i].cloudlet, 0);
    auto& run = runs[i];
    const auto& items = pages[i].items;
    for (std::size_t k = 0; k < items.size(); ++k) run.push_back(k);
    auto in_order = [&](std::size_t x, std::size_t y) { return before(&items[x], &items[y]); };
    if (!std::is_sorted(run.begin(), run.end(), in_order))
      std::stable_sort(run.begin(), run.end(), in_order);
    // A cloud not handed the marker may start before it: skip up to it. Ties with the
    // marker come after it on a later cloudlet, before it on an earlier one or its own.
    if (!after.item) continue;
    const auto& cloudlet = pages[i].cloudlet;
    if (after.read_after && cloudlet == after.cloudlet) continue;
    bool ties_follow = !after.cloudlet.empty() && cloudlet > after.cloudlet;
    while (heads[i] < run.size()) {
      int c = compare_items(items[run[heads[i]]], *after.item, keys);
      if (c > 0 || (c == 0 && ties_follow)) break;
      ++heads[i];
    }
  }

  taken_ids seen;
  if (after.item) seen.take(*after.item);
  bool left_out = false;
  auto item_at = [&](std::size_t i) { return &pages[i].items[runs[i][heads[i]]]; };
  // Ties go by cloudlet, and within one cloud by its run (its own order).
  auto first = [&](std::size_t i, std::size_t j) {
    int c = compare_items(*item_at(i), *item_at(j), keys);
    return c != 0 ? c < 0 : pages[i].cloudlet < pages[j].cloudlet;
  };
  // k is small: a linear scan of the heads is simpler than a heap.
  for (;;) {
    std::size_t best = runs.size();
    for (std::size_t i = 0; i < runs.size(); ++i)
      if (heads[i] < runs[i].size() && (best == runs.size() || first(i, best))) best = i;
    if (best == runs.size()) break;
    std::size_t index = runs[best][heads[best]++];
    const auto& item = pages[best].items[index];
    if (seen.taken(item)) continue;
    if (result.picks.size() == limit) {
      left_out = true;
      break;
    }
    seen.take(item);
    result.picks.push_back({best, index});
    ++result.taken[pages[best].cloudlet];
  }
  result.has_more = left_out || std::any_of(pages.begin(), pages.end(),
                                            [](const cloudlet_page& p) { return !p.exhausted; });
  return result;
}

merge_order order_merge(const std::vector<cloudlet_page>& pages, const std::vector<sort_key>& keys,
                        std::size_t limit, const json* after) {
  return order_merge(pages, keys, limit, merge_marker{after, {}, false});
}

merged_page merge_pages(std::vector<cloudlet_page> pages, const std::vector<sort_key>& keys,
                        std::size_t limit, const merge_marker& after) {
  auto order = order_merge(pages, keys, limit, after);
  merged_page result;
  // A pick is never picked twice: its item can be moved out.
  for (const auto& pick : order.picks) result.items.push_back(std::move(pages[pick.page].items[pick.item]));
  result.has_more = order.has_more;
  result.taken = std::move(order.taken);
  return result;
}

merged_page merge_pages(std::vector<cloudlet_page> pages, const std::vector<sort_key>& keys,
                        std::size_t limit, const json* after) {
  return merge_pages(std::move(pages), keys, limit, merge_marker{after, {}, false});
}

static std::string last_id(const merged_page& page) {
  if (page.items.empty()) return {};
  const auto& id = field_of(page.items.back(), "id");
  return id.is_string() ? id.get<std::string>() : (id.is_null() ? "" : id.dump());
}

std::string next_marker(const merged_page& page) {
  if (!page.has_more) return {};
  return last_id(page);
}

std::string next_query(std::string_view query, std::string_view last_id) {
  auto q = query_string::parse(query);
  q.set_marker(std::string(last_id));
  return q.encode();
}

std::string first_query(std::string_view query) {
  auto q = query_string::parse(query);
  q.remove("marker");
  return q.encode();
}

void set_glance_links(json& body, std::string_view path, std::string_view query,
                      std::string_view next_marker) {
  body["first"] = with_query(path, first_query(query));
  if (next_marker.empty())
    body.erase("next");
  else
    body["next"] = with_query(path, next_query(query, next_marker));
}

void set_next_link(json& body, std::string_view collection, std::string_view service_root,
                   std::string_view path, std::string_view query,
                   std::string_view next_marker) {
  auto key = std::string(collection) + "_links";
  if (next_marker.empty()) {
    body.erase(key);
    return;
  }
  auto href = std::string(trim_trailing_slashes(service_root)) +
              with_query(path, next_query(query, next_marker));
  body[key] = json::array({json{{"rel", "next"}, {"href", std::move(href)}}});
}

void set_list_links(json& body, service_type service, std::string_view collection,
                    std::string_view service_root, std::string_view path,
                    std::string_view query, const merged_page& page, std::optional<std::size_t> count) {
  auto marker = next_marker(page);
  switch (service) {
  case service_type::image: set_glance_links(body, path, query, marker); break;
  case service_type::compute:
  case service_type::volume: {   // Cinder's `volumes_links`, `snapshots_links`
    // Nova and Cinder link a page of `limit` items to the next one even when
    // nothing follows (`_get_collection_links` in nova/api/openstack/common.py
    // and cinder/api/common.py); Tempest's volume pagination tests expect it.
    auto limit = query_string::parse(query).limit();
    if (marker.empty() && limit.present && limit.valid && limit.value > 0 &&
        count.value_or(page.items.size()) == limit.value)
      marker = last_id(page);
    set_next_link(body, collection, service_root, path, query, marker);
    break;
  }
  case service_type::network: {
    // Neutron paginates, and links, only when asked for a positive limit.
    auto limit = query_string::parse(query).limit();
    if (limit.present && limit.valid && limit.value > 0)
      set_next_link(body, collection, service_root, path, query, marker);
    break;
  }
  default: break;
  }
}

} // namespace fedstack::api
