#include "agent/rules/flavor_rule.hpp"
#include "agent/rules/json_text.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "api/percent.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

std::int64_t number(const json& flavor, const char* key) {
  auto it = flavor.find(key);
  return it != flavor.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

using json_fields::text;

/// The item's value for a sort key Nova accepts (its DB column names), as JSON.
std::optional<json> sort_value(const json& item, const std::string& key) {
  static const std::map<std::string, const char*> fields{
    {"flavorid", "id"}, {"id", "id"}, {"name", "name"}, {"memory_mb", "ram"}, {"root_gb", "disk"},
    {"vcpus", "vcpus"}, {"ephemeral_gb", "OS-FLV-EXT-DATA:ephemeral"}, {"swap", "swap"},
    {"rxtx_factor", "rxtx_factor"}, {"is_public", "os-flavor-access:is_public"}, {"description", "description"}};
  auto field = fields.find(key);
  if (field == fields.end()) return std::nullopt;
  auto it = item.find(field->second);
  if (it == item.end() || it->is_null()) return json(nullptr);
  if (key == "swap" && it->is_string()) return json(0);   // "" below 2.75 is none
  return *it;
}

/// Nova sorts NULL first ascending; JSON's own order otherwise (numbers, strings, booleans).
bool value_less(const json& a, const json& b) {
  if (a.is_null() != b.is_null()) return a.is_null();
  return a < b;
}

} // namespace

flavor_shape shape_of(const json& flavor) {
  flavor_shape s;
  s.vcpus = number(flavor, "vcpus");
  s.ram = number(flavor, "ram");
  s.disk = number(flavor, "disk");
  s.ephemeral = number(flavor, "OS-FLV-EXT-DATA:ephemeral");
  s.swap = number(flavor, "swap");
  auto pub = flavor.find("os-flavor-access:is_public");
  s.is_public = pub == flavor.end() || !pub->is_boolean() || pub->get<bool>();
  return s;
}

bool same_flavor(const json& a, const json& b) {
  return text(a, "name") == text(b, "name") && shape_of(a) == shape_of(b);
}

std::vector<std::string> preference_order(std::vector<std::string> regions, const std::string& own) {
  std::sort(regions.begin(), regions.end(), [&](const std::string& a, const std::string& b) {
    if ((a == own) != (b == own)) return a == own;
    return a < b;
  });
  return regions;
}

flavor_union merge_flavors(const std::vector<cloudlet_flavors>& answers, const std::string& own) {
  std::vector<std::string> regions;
  for (const auto& a : answers) regions.push_back(a.region);
  flavor_union out;
  for (const auto& region : preference_order(regions, own)) {
    auto answer = std::find_if(answers.begin(), answers.end(), [&](const auto& a) { return a.region == region; });
    if (!answer->flavors.is_array()) continue;
    for (const auto& item : answer->flavors) {
      if (!item.is_object() || text(item, "id").empty()) continue;
      auto group = std::find_if(out.flavors.begin(), out.flavors.end(),
                                [&](const federation_flavor& f) { return same_flavor(f.shown, item); });
      if (group != out.flavors.end()) {
        group->members.push_back({region, text(item, "id")});
        continue;
      }
      out.flavors.push_back({item, {{region, text(item, "id")}}});
    }
  }
  std::stable_sort(out.flavors.begin(), out.flavors.end(),
                   [](const federation_flavor& a, const federation_flavor& b) { return a.id() < b.id(); });
  std::map<std::string, std::size_t> by_name;
  std::map<std::string, std::size_t> by_id;
  for (const auto& f : out.flavors) {
    ++by_name[f.name()];
    ++by_id[f.id()];
  }
  std::set<std::string> conflicts;
  for (const auto& [name, count] : by_name)
    if (count > 1) conflicts.insert(name);
  for (const auto& [id, count] : by_id)
    if (count > 1) conflicts.insert(id);
  out.conflicts.assign(conflicts.begin(), conflicts.end());
  return out;
}

std::string conflicts_header(const std::vector<std::string>& conflicts) {
  std::string out;
  for (const auto& c : conflicts) {
    if (!out.empty()) out += ",";
    out += api::percent_encode(c);
  }
  return out;
}

flavor_page_query read_flavor_page_query(const api::query_string& query) {
  flavor_page_query q;
  if (auto key = query.get("sort_key")) {
    if (!sort_value(json::object(), *key)) q.error = "Invalid input for query parameters sort_key. Value: " + *key;
    q.sort_key = *key;
  }
  if (auto dir = query.get("sort_dir")) {
    if (*dir != "asc" && *dir != "desc") q.error = "Invalid input for query parameters sort_dir. Value: " + *dir;
    q.descending = *dir == "desc";
  }
  auto limit = query.limit();
  if (limit.present && !limit.valid) q.error = "limit param must be an integer";
  else if (limit.present) q.limit = std::min<std::uint64_t>(q.limit, limit.value);
  q.marker = query.marker();
  return q;
}

api::query_string cloud_filters(const api::query_string& query) {
  api::query_string out;
  for (const auto& p : query.params())
    if (p.key == "is_public" || p.key == "minRam" || p.key == "minDisk") out.add(p.key, p.value);
  return out;
}

flavor_page page_of(const flavor_union& all, const flavor_page_query& query) {
  std::vector<const federation_flavor*> order;
  for (const auto& f : all.flavors) order.push_back(&f);
  std::stable_sort(order.begin(), order.end(), [&](const federation_flavor* a, const federation_flavor* b) {
    auto va = *sort_value(a->shown, query.sort_key);
    auto vb = *sort_value(b->shown, query.sort_key);
    if (va != vb) return query.descending ? value_less(vb, va) : value_less(va, vb);
    return query.descending ? b->id() < a->id() : a->id() < b->id();   // Nova's tie: its own ID
  });
  flavor_page page;
  auto start = order.begin();
  if (query.marker) {
    auto at = std::find_if(order.begin(), order.end(), [&](const federation_flavor* f) {
      return std::any_of(f->members.begin(), f->members.end(), [&](const auto& m) { return m.id == *query.marker; });
    });
    if (at == order.end()) {
      page.marker_missing = true;
      return page;
    }
    start = at + 1;
  }
  for (auto it = start; it != order.end() && page.items.size() < query.limit; ++it) page.items.push_back((*it)->shown);
  page.full = query.limit > 0 && page.items.size() == query.limit;
  return page;
}

json brief_flavor(const json& item) {
  json out = json::object();
  for (const char* key : {"id", "name", "links", "description"})
    if (item.contains(key)) out[key] = item[key];
  return out;
}

const federation_flavor* flavor_holding(const flavor_union& all, const std::string& region, const std::string& id) {
  for (const auto& f : all.flavors)
    for (const auto& m : f.members)
      if (m.region == region && m.id == id) return &f;
  return nullptr;
}

std::optional<std::string> create_clash(const flavor_union& all, const json& body) {
  auto name = text(body, "name");
  std::string id;
  if (auto it = body.find("id"); it != body.end()) {
    if (it->is_string() && it->get<std::string>() != "auto") id = it->get<std::string>();
    else if (it->is_number_integer()) id = std::to_string(it->get<std::int64_t>());
  }
  for (const auto& f : all.flavors)
    for (const auto& m : f.members)
      if (!id.empty() && m.id == id) return "Flavor with ID " + id + " already exists.";
  for (const auto& f : all.flavors)
    if (!name.empty() && f.name() == name) return "Flavor with name " + name + " already exists.";
  return std::nullopt;
}

std::vector<flavor_member> equal_flavors(const std::vector<cloudlet_flavors>& answers, const json& flavor,
                                         const std::string& except_region) {
  std::vector<flavor_member> out;
  for (const auto& a : answers) {
    if (a.region == except_region || !a.flavors.is_array()) continue;
    for (const auto& item : a.flavors)
      if (item.is_object() && same_flavor(item, flavor) && !text(item, "id").empty()) {
        out.push_back({a.region, text(item, "id")});
        break;   // a Nova holds one flavor of a name
      }
  }
  return out;
}

std::optional<std::string> shown_id(const std::vector<flavor_member>& members, const std::string& own) {
  std::vector<std::string> regions;
  for (const auto& m : members) regions.push_back(m.region);
  auto order = preference_order(regions, own);
  if (order.empty()) return std::nullopt;
  for (const auto& m : members)
    if (m.region == order.front()) return m.id;
  return std::nullopt;
}

} // namespace fedstack::agent
