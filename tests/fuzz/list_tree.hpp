#pragma once
// The tree version of a list page's translation, as agent/flows/list_flow.cpp
// made it before api/list_scan.hpp: parse the answer, drop copies, take the
// markers (rules/id_maps.cpp's take_markers: every object, at any depth),
// rewrite IDs and links in the parsed document, set Nova's zone. The
// differential test (tests/unit/list_scan_test.cpp) and the fuzz target
// (tests/fuzz/list_scan.cpp) hold the scanner's answers against it.

#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/global_id.hpp"
#include "api/json_uuids.hpp"
#include "api/list_scan.hpp"
#include "api/rewrite.hpp"
#include "api/uuid.hpp"

namespace fedstack::list_tree {

using nlohmann::json;
using marker_row = std::tuple<std::string, std::string, bool>;   // local ID, global ID, is_copy

inline void take_markers(json& doc, api::service_type service, std::vector<marker_row>& out) {
  if (doc.is_object()) {
    if (auto m = api::read_marker(service, doc); m && doc.contains("id") && doc["id"].is_string())
      out.emplace_back(doc["id"].get<std::string>(), m->global_id, m->is_copy);
    api::strip_marker(service, doc);
    for (auto& [key, value] : doc.items())
      if (value.is_structured()) take_markers(value, service, out);
  } else if (doc.is_array()) {
    for (auto& value : doc) take_markers(value, service, out);
  }
}

struct tree_page {
  std::vector<json> items;          // translated, copies dropped
  std::vector<marker_row> markers;
  std::vector<std::string> uuids;   // in the kept items, markers stripped
};

/// nullopt where the list flow said "not a list of <collection>".
inline std::optional<tree_page> translate(std::string_view body, const std::string& collection,
                                          api::service_type service, const api::uuid_map& map,
                                          std::string_view from_root, std::string_view to_root,
                                          const std::string& zone) {
  auto doc = json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains(collection) || !doc[collection].is_array()) return std::nullopt;
  tree_page page;
  json kept = json::array();
  for (auto& item : doc[collection]) {
    auto m = api::read_marker(service, item);
    if (m && m->is_copy) continue;
    kept.push_back(std::move(item));
  }
  take_markers(kept, service, page.markers);
  page.uuids = api::collect_json_uuids(kept);
  api::rewrite_json_uuids(kept, map);
  api::rewrite_json_urls(kept, from_root, to_root);
  for (auto& item : kept) {
    if (service == api::service_type::compute && item.is_object() && item.contains("OS-EXT-AZ:availability_zone"))
      item["OS-EXT-AZ:availability_zone"] = zone;
    page.items.push_back(std::move(item));
  }
  return page;
}

/// The same page through the scanner and writer: each kept item's text.
struct scanned_page {
  bool ok = false;
  std::vector<std::string> items;
  std::vector<marker_row> markers;
  std::vector<std::string> uuids;
};

inline scanned_page scan(std::string_view body, const std::string& collection, api::service_type service,
                         const api::uuid_map& map, std::string_view from_root, std::string_view to_root,
                         const std::string& zone) {
  scanned_page out;
  api::scan_options options;
  options.service = service;
  options.from_root = from_root;
  options.wanted = {"id"};
  if (service == api::service_type::compute) options.replaceable = {"OS-EXT-AZ:availability_zone"};
  api::list_scan found;
  out.ok = api::scan_list_page(body, collection, options, found);
  if (!out.ok) return out;
  std::vector<std::pair<std::string, std::string>> rows;
  for (auto id : found.uuids) {
    out.uuids.emplace_back(id);
    if (auto to = map(id)) rows.emplace_back(std::string(id), *to);
  }
  api::id_views ids;
  for (const auto& [from, to] : rows) ids.emplace(from, to);
  for (const auto& m : found.markers) out.markers.emplace_back(m.local_id, m.global_id, m.is_copy);
  auto zone_text = json(zone).dump();
  const std::string* replacements[] = {&zone_text};
  api::write_options o;
  o.ids = &ids;
  o.from_root = from_root;
  o.to_root = to_root;
  o.replacements = replacements;
  for (const auto& item : found.items) {
    if (item.own && item.own->is_copy) continue;
    std::string text;
    api::write_span(text, body, item.span, found.edits.data() + item.edits_begin,
                    found.edits.data() + item.edits_end, o);
    out.items.push_back(std::move(text));
  }
  return out;
}

} // namespace fedstack::list_tree
