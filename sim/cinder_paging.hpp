#pragma once
// Cinder's list paging (cinder/api/common.py): limit (at most osapi_max_limit,
// 1000), marker (the last ID seen; unknown is 404), offset, and sort as
// "key[:dir],..." or the deprecated sort_key/sort_dir, default created_at desc
// then id desc. A page is "full", and gets a next link, when it holds limit items.

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "sim/api_error.hpp"
#include "sim/types.hpp"
#include "sim/util.hpp"

namespace fedstack::sim {

inline constexpr std::int64_t cinder_max_limit = 1000;

template <class Record>
struct cinder_page {
  std::vector<const Record*> items;
  bool full = false;
};

/// `key_of(record, key)` gives the value a sort key compares, or nullopt for an
/// unknown key (400). Records carry `id`, `created_at` and `sequence`.
template <class Record>
outcome<cinder_page<Record>> cinder_paginate(std::vector<const Record*> records, const request& r,
                                             const std::function<std::optional<json>(const Record&, const std::string&)>& key_of) {
  std::int64_t limit = cinder_max_limit;
  if (auto text = r.query_value("limit")) {
    auto n = parse_int(*text);
    if (!n) return bad_request(text->starts_with("-") ? "limit param must be positive" : "limit param must be an integer");
    limit = std::min(*n, cinder_max_limit);
  }
  std::int64_t offset = 0;
  if (auto text = r.query_value("offset")) {
    auto n = parse_int(*text);
    if (!n) return bad_request("Invalid input received: offset must be an integer greater than or equal to 0.");
    offset = *n;
  }
  auto sort = r.query_value("sort");
  if (sort && (r.query_value("sort_key") || r.query_value("sort_dir"))) {
    return bad_request("The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.");
  }
  std::vector<std::pair<std::string, bool>> keys;   // key, descending
  auto add_key = [&](std::string key, std::string dir) -> std::optional<api_error> {
    if (dir.empty()) dir = "desc";
    if (dir != "asc" && dir != "desc") return bad_request("Invalid input received: Unknown sort direction, must be 'desc' or 'asc'");
    keys.emplace_back(std::move(key), dir == "desc");
    return std::nullopt;
  };
  if (sort) {
    std::string_view rest = *sort;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto item = rest.substr(0, comma);
      auto colon = item.find(':');
      if (auto e = add_key(std::string{item.substr(0, colon)},
                           colon == std::string_view::npos ? "" : std::string{item.substr(colon + 1)})) return *e;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  } else {
    if (auto e = add_key(r.query_value("sort_key").value_or("created_at"), r.query_value("sort_dir").value_or("desc"))) return *e;
  }
  for (const auto& [key, desc] : keys) {
    if (!records.empty() && !key_of(*records.front(), key)) return bad_request("Invalid input received: Invalid sort key " + key);
  }
  std::stable_sort(records.begin(), records.end(), [&](const Record* a, const Record* b) {
    for (const auto& [key, desc] : keys) {
      auto x = *key_of(*a, key), y = *key_of(*b, key);
      if (x == y) continue;
      return desc ? y < x : x < y;
    }
    // Cinder adds id as the last key in the first key's direction; the sequence breaks equal times.
    if (a->created_at != b->created_at) return a->created_at > b->created_at;
    if (a->sequence != b->sequence) return a->sequence > b->sequence;
    return a->id > b->id;
  });
  if (auto marker = r.query_value("marker")) {
    auto at = std::find_if(records.begin(), records.end(), [&](const Record* x) { return x->id == *marker; });
    if (at == records.end()) return not_found("Marker " + *marker + " could not be found.");
    records.erase(records.begin(), at + 1);
  }
  records.erase(records.begin(), records.begin() + std::min<std::int64_t>(offset, static_cast<std::int64_t>(records.size())));
  cinder_page<Record> page;
  if (static_cast<std::int64_t>(records.size()) > limit) records.resize(static_cast<std::size_t>(limit));
  page.full = !records.empty() && static_cast<std::int64_t>(records.size()) >= limit;
  page.items = std::move(records);
  return page;
}

} // namespace fedstack::sim
