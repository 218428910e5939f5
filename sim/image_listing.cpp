// Glance's image listing: filters, sort keys, marker and limit.
#include <algorithm>
#include <set>

#include "sim/image_store.hpp"

namespace fedstack::sim {
namespace {

// Query parameters that are not property filters.
const std::set<std::string, std::less<>> list_parameters = {
  "limit", "marker", "sort_key", "sort_dir", "sort", "member_status"};

/// Compares two images on one sort key; negative, zero or positive.
int compare_on(const image_record& a, const image_record& b, std::string_view key) {
  auto cmp = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (key == "name") return cmp(a.name.value_or(""), b.name.value_or(""));
  if (key == "status") return cmp(a.status, b.status);
  if (key == "container_format") return cmp(a.container_format.value_or(""), b.container_format.value_or(""));
  if (key == "disk_format") return cmp(a.disk_format.value_or(""), b.disk_format.value_or(""));
  if (key == "size") return cmp(a.size.value_or(-1), b.size.value_or(-1));
  if (key == "virtual_size") return cmp(a.virtual_size.value_or(-1), b.virtual_size.value_or(-1));
  if (key == "min_ram") return cmp(a.min_ram, b.min_ram);
  if (key == "min_disk") return cmp(a.min_disk, b.min_disk);
  if (key == "owner") return cmp(a.owner, b.owner);
  if (key == "visibility") return cmp(a.visibility, b.visibility);
  if (key == "updated_at") return cmp(a.updated_at, b.updated_at);
  if (key == "id") return cmp(a.id, b.id);
  // created_at; the creation sequence breaks ties between equal timestamps.
  int c = cmp(a.created_at, b.created_at);
  return c != 0 ? c : cmp(a.sequence, b.sequence);
}

bool matches_any(const std::string& actual, const std::string& wanted) {
  // Glance's "in:a,b" operator; a plain value must match exactly.
  if (wanted.rfind("in:", 0) == 0) {
    std::string_view rest{wanted};
    rest.remove_prefix(3);
    while (!rest.empty()) {
      auto comma = rest.find(',');
      if (rest.substr(0, comma) == actual) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    return false;
  }
  return actual == wanted;
}

} // namespace

outcome<image_page> image_store::list(const auth_context& ctx, const request& r) const {
  std::int64_t limit = 25;
  if (auto text = r.query_value("limit")) {
    auto parsed = parse_int(*text);
    if (!parsed) return bad_request("limit param must be an integer");
    limit = std::min<std::int64_t>(*parsed, 1000);
  }

  // Sort keys: sort_key/sort_dir pairs or "sort=key:dir,..."; created_at desc by default.
  std::vector<std::pair<std::string, bool>> keys;   // (key, descending)
  auto dirs = r.query_values("sort_dir");
  auto sort_keys = r.query_values("sort_key");
  for (std::size_t i = 0; i < sort_keys.size(); ++i) {
    auto dir = i < dirs.size() ? dirs[i] : (dirs.empty() ? "desc" : dirs.back());
    if (dir != "asc" && dir != "desc") return bad_request("Invalid sort direction: " + dir);
    keys.emplace_back(sort_keys[i], dir == "desc");
  }
  if (auto sort = r.query_value("sort")) {
    std::string_view rest{*sort};
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto part = rest.substr(0, comma);
      auto colon = part.find(':');
      auto dir = colon == std::string_view::npos ? std::string_view{"desc"} : part.substr(colon + 1);
      keys.emplace_back(std::string{part.substr(0, colon)}, dir != "asc");
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (keys.empty()) keys.emplace_back("created_at", true);
  if (std::none_of(keys.begin(), keys.end(), [](auto& k) { return k.first == "id"; })) {
    keys.emplace_back("id", keys.back().second);
  }
  auto before = [&](const image_record& a, const image_record& b) {
    for (const auto& [key, descending] : keys) {
      int c = compare_on(a, b, key);
      if (c != 0) return descending ? c > 0 : c < 0;
    }
    return false;
  };

  auto visibility = r.query_value("visibility");
  auto hidden = r.query_value("os_hidden");
  bool show_hidden = hidden && parse_bool(*hidden).value_or(false);
  auto wanted_tags = r.query_values("tag");
  std::vector<const image_record*> selected;
  for (const auto& [id, image] : images_) {
    if (!visible(ctx, image)) continue;
    if (visibility) {
      if (*visibility != "all" && image.visibility != *visibility) continue;
    } else if (!ctx.is_admin && image.visibility == "community" && image.owner != ctx.project_id) {
      continue;   // community images are listed only on request
    }
    if (image.visibility == "shared" && !ctx.is_admin && image.owner != ctx.project_id) {
      auto wanted = r.query_value("member_status").value_or("accepted");
      auto member = image.members.find(ctx.project_id);
      if (member == image.members.end() || (wanted != "all" && member->second.status != wanted)) continue;
    }
    if (image.os_hidden != show_hidden && hidden) continue;
    if (!hidden && image.os_hidden) continue;
    bool ok = true;
    for (const auto& [key, value] : r.query) {
      if (list_parameters.count(key) || key == "visibility" || key == "os_hidden" || key == "tag") continue;
      if (key == "name") ok = matches_any(image.name.value_or(""), value);
      else if (key == "id") ok = matches_any(image.id, value);
      else if (key == "owner") ok = matches_any(image.owner, value);
      else if (key == "status") ok = matches_any(image.status, value);
      else if (key == "disk_format") ok = matches_any(image.disk_format.value_or(""), value);
      else if (key == "container_format") ok = matches_any(image.container_format.value_or(""), value);
      else if (key == "protected") ok = parse_bool(value) == image.is_protected;
      else if (key == "size_min") ok = image.size && *image.size >= parse_int(value).value_or(0);
      else if (key == "size_max") ok = image.size && *image.size <= parse_int(value).value_or(0);
      else {
        auto prop = image.properties.find(key);
        ok = prop != image.properties.end() && prop->is_string() && matches_any(prop->get<std::string>(), value);
      }
      if (!ok) break;
    }
    for (const auto& tag : wanted_tags) {
      if (std::find(image.tags.begin(), image.tags.end(), tag) == image.tags.end()) ok = false;
    }
    if (ok) selected.push_back(&image);
  }
  std::sort(selected.begin(), selected.end(), [&](auto* a, auto* b) { return before(*a, *b); });

  if (auto marker = r.query_value("marker")) {
    const auto* at = find(ctx, *marker);
    if (!at) return bad_request("marker " + *marker + " could not be found.");
    std::erase_if(selected, [&](const image_record* image) { return !before(*at, *image); });
  }
  image_page page;
  for (const auto* image : selected) {
    if (static_cast<std::int64_t>(page.images.size()) >= limit) break;
    page.images.push_back(image);
  }
  page.full = !page.images.empty() && static_cast<std::int64_t>(page.images.size()) == limit;
  return page;
}

} // namespace fedstack::sim
