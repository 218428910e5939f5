// Fuzz target: the list without a tree (api/list_scan.hpp) against the tree
// version it replaced (list_tree.hpp). Input: one byte choosing the service and
// the collection, then a cloud's answer. Besides sanitizer reports, it checks that
// - the scan accepts exactly what nlohmann::json accepts;
// - the scan finds a list exactly where the tree did;
// - every item it writes is JSON, equal to the tree's item, with the same
//   markers, and at least the tree's UUIDs to translate.

#include "api/json_depth.hpp"
#include "fuzz_check.hpp"
#include "list_tree.hpp"

#include <algorithm>
#include <array>
#include <set>

using namespace fedstack;
using nlohmann::json;

namespace {

// The tree's parser recurses: the agent refuses deeper bodies (--max-json-depth).
constexpr std::size_t max_depth = 64;
constexpr std::string_view from_root = "http://c.invalid:9";
constexpr std::string_view to_root = "http://agent.invalid:1/x";

api::uuid_map rotating() {
  return [](std::string_view id) -> std::optional<std::string> {
    std::string out(id);
    for (auto& c : out) {
      if (c >= '0' && c <= '8') ++c;
      else if (c == '9') c = '0';
    }
    return out;
  };
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  fuzz::input in(data, size);
  auto choice = in.byte();
  auto text = in.rest();
  if (api::json_nesting_depth(text, max_depth + 1) > max_depth) return 0;
  FUZZ_CHECK(api::is_json(text) == json::accept(text), "is_json and the parser disagree");
  static const std::array<std::pair<const char*, api::service_type>, 3> kinds = {
      {{"images", api::service_type::image}, {"servers", api::service_type::compute},
       {"ports", api::service_type::network}}};
  const auto& [collection, service] = kinds[choice % kinds.size()];
  auto map = rotating();
  auto tree = list_tree::translate(text, collection, service, map, from_root, to_root, "zone");
  auto scanned = list_tree::scan(text, collection, service, map, from_root, to_root, "zone");
  FUZZ_CHECK(scanned.ok == tree.has_value(), "the scan and the tree disagree on the list");
  if (!tree) return 0;
  FUZZ_CHECK(scanned.items.size() == tree->items.size(), "another number of items");
  for (std::size_t i = 0; i < scanned.items.size(); ++i) {
    auto item = json::parse(scanned.items[i], nullptr, false);
    FUZZ_CHECK(!item.is_discarded(), "a written item is not JSON");
    FUZZ_CHECK(item == tree->items[i], "a written item differs from the tree's");
  }
  auto markers = scanned.markers, expected = tree->markers;
  std::sort(markers.begin(), markers.end());
  std::sort(expected.begin(), expected.end());
  FUZZ_CHECK(markers == expected, "other markers");
  // A member named twice: the tree saw only the last; the scan also looks up the
  // earlier one's UUIDs (which the client's parser drops), never fewer.
  std::set<std::string> looked_up(scanned.uuids.begin(), scanned.uuids.end());
  for (const auto& id : tree->uuids) FUZZ_CHECK(looked_up.count(id) == 1, "a UUID the tree translated was missed");
  return 0;
}
