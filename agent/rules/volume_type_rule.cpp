#include "agent/rules/volume_type_rule.hpp"
#include "agent/rules/json_text.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using json_fields::text;

/// Cinder's strutils reading of a boolean given as text; nullopt for anything else.
std::optional<bool> boolean_of(const json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (!value.is_string()) return std::nullopt;
  auto s = value.get<std::string>();
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (s == "true" || s == "1" || s == "yes" || s == "on" || s == "t" || s == "y") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off" || s == "f" || s == "n") return false;
  return std::nullopt;
}

const federation_type* by_member_id(const type_union& all, const std::string& id) {
  for (const auto& t : all.types)
    for (const auto& m : t.members)
      if (m.id == id) return &t;
  return nullptr;
}

} // namespace

bool type_is_public(const json& type) {
  for (const char* key : {"os-volume-type-access:is_public", "is_public"})
    if (auto it = type.find(key); it != type.end())
      if (auto value = boolean_of(*it)) return *value;
  return true;
}

bool same_volume_type(const json& a, const json& b) {
  return text(a, "name") == text(b, "name") && type_is_public(a) == type_is_public(b);
}

type_union merge_types(const std::vector<cloudlet_types>& answers, const std::string& own) {
  std::vector<std::string> regions;
  for (const auto& a : answers) regions.push_back(a.region);
  type_union out;
  for (const auto& region : preference_order(regions, own)) {
    auto answer = std::find_if(answers.begin(), answers.end(), [&](const auto& a) { return a.region == region; });
    if (!answer->types.is_array()) continue;
    for (const auto& item : answer->types) {
      if (!item.is_object() || text(item, "id").empty()) continue;
      auto group = std::find_if(out.types.begin(), out.types.end(),
                                [&](const federation_type& t) { return same_volume_type(t.shown, item); });
      if (group != out.types.end()) group->members.push_back({region, text(item, "id")});
      else out.types.push_back({item, {{region, text(item, "id")}}});
    }
  }
  std::map<std::string, std::size_t> by_name;
  for (const auto& t : out.types) ++by_name[t.name()];
  for (const auto& [name, count] : by_name)
    if (count > 1) out.conflicts.push_back(name);
  return out;
}

api::query_string type_filters(const api::query_string& query) {
  static const std::set<std::string> paging{"limit", "marker", "offset", "sort", "sort_key", "sort_dir"};
  api::query_string out;
  for (const auto& p : query.params())
    if (!paging.contains(p.key)) out.add(p.key, p.value);
  return out;
}

type_page page_of_types(const type_union& all, const api::query_string& query) {
  type_page page;
  std::size_t limit = all.types.size();
  auto asked = query.limit();
  if (asked.present && !asked.valid) {
    page.error = "limit param must be an integer";
    return page;
  }
  if (asked.present) limit = std::min<std::uint64_t>(limit, asked.value);
  auto start = all.types.begin();
  if (auto marker = query.marker()) {
    auto at = std::find_if(all.types.begin(), all.types.end(), [&](const federation_type& t) {
      return std::any_of(t.members.begin(), t.members.end(), [&](const auto& m) { return m.id == *marker; });
    });
    if (at == all.types.end()) {
      page.marker_missing = true;
      return page;
    }
    start = at + 1;
  }
  for (auto it = start; it != all.types.end() && page.items.size() < limit; ++it) page.items.push_back(it->shown);
  return page;
}

std::vector<type_member> equal_types(const std::vector<cloudlet_types>& answers, const json& type,
                                     const std::string& except_region) {
  std::vector<type_member> out;
  for (const auto& a : answers) {
    if (a.region == except_region || !a.types.is_array()) continue;
    for (const auto& item : a.types)
      if (item.is_object() && same_volume_type(item, type) && !text(item, "id").empty()) {
        out.push_back({a.region, text(item, "id")});
        break;   // a Cinder holds one type of a name
      }
  }
  return out;
}

type_create_plan plan_type_create(const std::vector<cloudlet_types>& answers, const json& body,
                                  const std::string& own) {
  type_create_plan plan;
  auto name = text(body, "name");
  std::vector<std::string> lacking;
  for (const auto& a : answers) {
    bool holds = false;
    if (a.types.is_array())
      for (const auto& item : a.types) {
        if (!item.is_object() || text(item, "name") != name) continue;
        // The name with the other visibility is another type: one Cinder refuses the name.
        if (!same_volume_type(item, body)) {
          plan.clash = "Volume Type " + name + " already exists.";
          return plan;
        }
        holds = true;
      }
    if (!holds) lacking.push_back(a.region);
  }
  if (lacking.empty()) plan.clash = "Volume Type " + name + " already exists.";
  else plan.regions = preference_order(std::move(lacking), own);
  return plan;
}

volume_type_choice type_for_volume(const type_union& all, const std::string& ref) {
  volume_type_choice out;
  const federation_type* chosen = by_member_id(all, ref);
  if (!chosen) {
    std::vector<const federation_type*> named;
    for (const auto& t : all.types)
      if (t.name() == ref) named.push_back(&t);
    if (named.size() > 1) {
      out.status = 409;
      out.message = "Volume type name " + ref + " names a public and a private type on the cloudlets; use its ID.";
      return out;
    }
    if (named.empty()) {
      out.status = 404;
      out.message = "Volume type with name " + ref + " could not be found.";
      return out;
    }
    chosen = named.front();
  }
  out.name = chosen->name();
  for (const auto& m : chosen->members) out.regions.push_back(m.region);
  return out;
}

std::vector<std::string> candidates_with_type(const std::vector<std::string>& candidates,
                                              const std::vector<std::string>& holders, bool pinned) {
  std::vector<std::string> out;
  for (const auto& c : candidates)
    if (std::find(holders.begin(), holders.end(), c) != holders.end()) out.push_back(c);
  if (!out.empty() || pinned) return out;
  out = holders;
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace fedstack::agent
