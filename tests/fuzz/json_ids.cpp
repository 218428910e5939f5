// Fuzz target: JSON bodies from clients and clouds. Input: one byte choosing the
// service, a query string up to '\n', then the body text. Besides sanitizer reports,
// it checks that
// - ID translation is reversible and keeps a JSON body JSON (the agent parses
//   the translated text);
// - the rewritten catalog has only the agent's endpoints, and rewriting is idempotent;
// - link rewriting to the agent and back restores the body;
// - a stripped item has no marker, and an added marker reads back;
// - merged list pages are sorted, within the limit and without repeated IDs.

#include "api/catalog.hpp"
#include "api/global_id.hpp"
#include "api/json_depth.hpp"
#include "api/list_merge.hpp"
#include "api/query.hpp"
#include "api/rewrite.hpp"
#include "api/urls.hpp"
#include "api/uuid.hpp"
#include "fuzz_check.hpp"

#include <array>
#include <cstdint>
#include <set>

using namespace fedstack;
using api::service_type;
using nlohmann::json;

namespace {

constexpr std::array<service_type, 4> services = {service_type::image, service_type::compute,
                                                  service_type::network,
                                                  service_type::identity};
constexpr std::string_view agent_base = "http://fuzz-agent.invalid:1";
constexpr std::string_view agent_region = "fuzz-region";
// The agent refuses deeper bodies before parsing them (--max-json-depth, default 64).
constexpr std::size_t max_depth = 64;
// A global ID owned by 10.1.2.3:4000 (version nibble 8, variant 9).
constexpr std::string_view sample_gid = "0b1e9c44-2f7a-8c1d-9e3f-0a0102030fa0";

// A reversible stand-in for the registry: every hex digit moves `step` places
// within its own class (0-9, a-f, A-F), so case and shape are kept.
char rotate(char c, int step) {
  auto in = [&](char first, int count) {
    return static_cast<char>(first + ((c - first + step) % count + count) % count);
  };
  if (c >= '0' && c <= '9') return in('0', 10);
  if (c >= 'a' && c <= 'f') return in('a', 6);
  if (c >= 'A' && c <= 'F') return in('A', 6);
  return c;
}

api::uuid_map rotating(int step) {
  return [step](std::string_view id) -> std::optional<std::string> {
    std::string out(id);
    for (auto& c : out) c = rotate(c, step);
    return out;
  };
}

void check_id_translation(std::string_view text) {
  auto ids = api::collect_uuids(text);
  for (const auto& id : ids) FUZZ_CHECK(api::is_uuid(id), "collect_uuids found a non-UUID");
  auto translated = api::rewrite_uuids(text, rotating(1));
  FUZZ_CHECK(translated.size() == text.size(), "ID translation changed the length");
  FUZZ_CHECK(api::rewrite_uuids(translated, rotating(-1)) == text,
             "ID translation is not reversible");
  FUZZ_CHECK(api::collect_uuids(translated).size() == ids.size(),
             "translation changed the number of IDs");
  for (const auto& id : ids) {
    auto owner = api::global_id_owner(id);
    if (!owner) continue;
    auto remade = api::make_global_id(*owner);
    FUZZ_CHECK(remade.has_value(), "make_global_id refuses a decoded owner");
    auto again = api::global_id_owner(*remade);
    FUZZ_CHECK(again && again->host == owner->host && again->port == owner->port,
               "a global ID's owner does not round-trip");
  }
}

void check_catalog(const json& body) {
  auto doc = body;
  bool rewritten = api::rewrite_catalog(doc, agent_base, agent_region);
  bool has_token = body.is_object() && body.contains("token") && body["token"].is_object();
  if (!body.is_object() || !api::find_catalog(body)) {
    FUZZ_CHECK(doc == body, "a body without a catalog was changed");
    FUZZ_CHECK(rewritten == has_token, "rewrite_catalog misjudged a body without a catalog");
    return;
  }
  FUZZ_CHECK(rewritten, "a catalog was not rewritten");
  const auto* catalog = api::find_catalog(doc);
  FUZZ_CHECK(catalog && catalog->size() == 4, "the rewritten catalog does not have 4 services");
  for (const auto& service : *catalog)
    for (const auto& endpoint : service.at("endpoints")) {
      const auto& url = endpoint.at("url").get_ref<const std::string&>();
      FUZZ_CHECK(url.compare(0, agent_base.size(), agent_base) == 0,
                 "a rewritten endpoint is not the agent's");
    }
  auto compute = api::find_endpoint_url(doc, "compute", "public", agent_region);
  FUZZ_CHECK(compute == api::agent_endpoint_url(service_type::compute, agent_base),
             "the agent's region has no compute endpoint");
  auto again = doc;
  api::rewrite_catalog(again, agent_base, agent_region);
  FUZZ_CHECK(again == doc, "catalog rewriting is not idempotent");
}

// Up to `count` string values of `node`, depth first.
void strings_of(const json& node, std::vector<std::string>& out, std::size_t count) {
  if (out.size() >= count) return;
  if (node.is_string()) out.push_back(node.get<std::string>());
  else if (node.is_structured())
    for (const auto& child : node) strings_of(child, out, count);
}

void check_link_rewriting(const json& body) {
  auto text = body.dump();
  if (text.find(agent_base) != std::string::npos) return;
  std::vector<std::string> strings;
  strings_of(body, strings, 3);
  for (const auto& value : strings) {
    auto root = api::url_origin(value);
    if (api::trim_trailing_slashes(root).empty()) continue;
    auto doc = body;
    auto changed = api::rewrite_json_urls(doc, root, agent_base);
    FUZZ_CHECK(api::rewrite_json_urls(doc, agent_base, root) == changed,
               "rewriting links back changes another number of strings");
    FUZZ_CHECK(doc == body, "rewriting links to the agent and back changes the body");
  }
}

void check_markers(const json& item) {
  if (!item.is_object()) return;
  const api::marker ours{std::string(sample_gid), false, {}};
  for (auto service : {service_type::image, service_type::compute, service_type::network}) {
    if (auto m = api::read_marker(service, item))
      FUZZ_CHECK(api::global_id_owner(m->global_id), "a marker without an owner");
    auto stripped = item;
    api::strip_marker(service, stripped);
    FUZZ_CHECK(!api::read_marker(service, stripped), "a stripped item still has a marker");
    std::optional<api::marker> read;
    if (service == service_type::image) {
      api::add_marker(service, stripped, ours);
      read = api::read_marker(service, stripped);
    } else if (service == service_type::compute) {
      json create = {{"server", stripped}};
      api::add_marker(service, create, ours);
      read = api::read_marker(service, create["server"]);
    } else {
      if (!stripped.contains("tags") || !stripped["tags"].is_array())
        stripped["tags"] = json::array();
      stripped["tags"].push_back(api::marker_tag(ours));
      read = api::read_marker(service, stripped);
    }
    FUZZ_CHECK(read && read->global_id == ours.global_id && read->is_copy == ours.is_copy,
               "an added marker does not read back");
  }
}

int sign(int x) { return (x > 0) - (x < 0); }

void check_merge(service_type service, std::string_view query, const json& items,
                 unsigned pages_wanted) {
  auto sort = api::parse_list_sort(service, "servers", query);
  if (!sort.ok()) return;
  const auto& keys = sort.keys;
  std::vector<const json*> all;
  for (const auto& item : items) all.push_back(&item);
  // Comparison must be a strict weak order, or neither sort nor merge is right.
  for (std::size_t i = 0; i < all.size() && i < 8; ++i) {
    FUZZ_CHECK(api::compare_items(*all[i], *all[i], keys) == 0, "an item differs from itself");
    for (std::size_t j = 0; j < all.size() && j < 8; ++j) {
      int ij = api::compare_items(*all[i], *all[j], keys);
      FUZZ_CHECK(sign(ij) == -sign(api::compare_items(*all[j], *all[i], keys)),
                 "compare_items is not antisymmetric");
      for (std::size_t k = 0; k < all.size() && k < 8; ++k)
        if (ij <= 0 && api::compare_items(*all[j], *all[k], keys) <= 0)
          FUZZ_CHECK(api::compare_items(*all[i], *all[k], keys) <= 0,
                     "compare_items is not transitive");
    }
  }
  std::vector<api::cloudlet_page> pages(1 + pages_wanted % 3);
  for (std::size_t i = 0; i < pages.size(); ++i) {
    pages[i].cloudlet = "cloudlet-" + std::to_string(i);
    pages[i].exhausted = i % 2 == 0;
  }
  for (std::size_t i = 0; i < all.size(); ++i) pages[i % pages.size()].items.push_back(*all[i]);
  auto limit = api::query_string::parse(query).limit();
  std::size_t cap = limit.present && limit.valid && limit.value < 1000 ? limit.value : 5;
  const json* after = all.empty() ? nullptr : all.front();
  auto merged = api::merge_pages(pages, keys, cap, after);
  FUZZ_CHECK(merged.items.size() <= cap, "a merged page exceeds the limit");
  std::size_t taken = 0;
  for (const auto& [cloudlet, count] : merged.taken) taken += count;
  FUZZ_CHECK(taken == merged.items.size(), "taken does not add up to the page");
  std::set<std::string> ids;
  for (std::size_t i = 0; i < merged.items.size(); ++i) {
    const auto& item = merged.items[i];
    if (after) FUZZ_CHECK(api::compare_items(*after, item, keys) < 0, "an item before the marker");
    if (i > 0)
      FUZZ_CHECK(api::compare_items(merged.items[i - 1], item, keys) <= 0,
                 "a merged page is not sorted");
    if (item.is_object() && item.contains("id"))
      FUZZ_CHECK(ids.insert(item["id"].dump()).second, "a merged page repeats an ID");
  }
  json body = json::object();
  api::set_list_links(body, service, "servers",
                      api::agent_service_root(service, agent_base), "/v2.1/servers", query,
                      merged);
}

// The arrays a list answer carries its items in ({"servers": [...]}), or the body.
const json* items_of(const json& body) {
  if (body.is_array()) return &body;
  if (!body.is_object()) return nullptr;
  for (const auto& [key, value] : body.items())
    if (value.is_array()) return &value;
  return nullptr;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::input in(data, size);
  auto selector = in.byte();
  auto service = services[selector % services.size()];
  auto query = in.until('\n');
  auto text = in.rest();

  check_id_translation(text);
  if (api::json_nesting_depth(text, max_depth + 1) > max_depth) return 0;
  auto body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return 0;
  // The agent parses bodies after translating their IDs: translation must keep JSON.
  auto translated = json::parse(api::rewrite_uuids(text, rotating(1)), nullptr, false);
  FUZZ_CHECK(!translated.is_discarded(), "ID translation broke a JSON body");

  check_catalog(body);
  check_link_rewriting(body);
  check_markers(body);
  if (auto items = items_of(body)) {
    for (const auto& item : *items) check_markers(item);
    check_merge(service, query, *items, selector / 4);
  }
  return 0;
}
