// The list without a tree (api/list_scan.hpp) against the tree version
// (tests/fuzz/list_tree.hpp) on real captured lists (data/list_captures.txt),
// on the simulator's own answers and on generated pages: the same items as
// JSON, the same markers and the same UUIDs to translate.

#include <algorithm>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "../fuzz/list_tree.hpp"

using namespace fedstack;
using nlohmann::json;

namespace {

constexpr std::string_view from_root = "http://127.0.0.1:9774";
constexpr std::string_view to_root = "http://agent.test:5000/compute";
const std::string zone = "cloudlet-9";
// Owned by 10.1.2.3:4000 (version nibble 8): global IDs, as markers carry them.
const std::string gid1 = "0b1e9c44-2f7a-8c1d-9e3f-0a0102030fa0";
const std::string gid2 = "1c2e9c44-2f7a-8c1d-9e3f-0a0102030fa0";

/// Every UUID moved one hex digit on: reversible, and each maps to another.
api::uuid_map rotating() {
  return [](std::string_view id) -> std::optional<std::string> {
    std::string out(id);
    for (auto& c : out) {
      if (c >= '0' && c <= '8') ++c;
      else if (c == '9') c = '0';
      else if (c >= 'a' && c <= 'e') ++c;
      else if (c == 'f') c = 'a';
    }
    return out;
  };
}

void expect_same(const std::string& body, const std::string& collection, api::service_type service) {
  SCOPED_TRACE(body.substr(0, 300));
  auto map = rotating();
  auto tree = list_tree::translate(body, collection, service, map, from_root, to_root, zone);
  auto scanned = list_tree::scan(body, collection, service, map, from_root, to_root, zone);
  EXPECT_EQ(api::is_json(body), json::accept(body));
  ASSERT_EQ(scanned.ok, tree.has_value());
  if (!tree) return;
  ASSERT_EQ(scanned.items.size(), tree->items.size());
  for (std::size_t i = 0; i < tree->items.size(); ++i) {
    auto parsed = json::parse(scanned.items[i], nullptr, false);
    EXPECT_EQ(parsed, tree->items[i]) << scanned.items[i];
  }
  auto sorted = [](auto rows) {
    std::sort(rows.begin(), rows.end());
    return rows;
  };
  EXPECT_EQ(sorted(scanned.markers), sorted(tree->markers));
  EXPECT_EQ(std::set<std::string>(scanned.uuids.begin(), scanned.uuids.end()),
            std::set<std::string>(tree->uuids.begin(), tree->uuids.end()));
}

/// Each "collection<TAB>body" line of a fixture through every service's rules
/// (markers, tags and metadata are read by each).
int check_fixture(const std::string& name) {
  std::ifstream in(std::string(FEDSTACK_UNIT_DATA_DIR) + "/" + name);
  EXPECT_TRUE(in) << "tests/unit/data/" << name;
  std::string line;
  int lists = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto tab = line.find('\t');
    auto collection = line.substr(0, tab);
    auto body = line.substr(tab + 1);
    for (auto service : {api::service_type::image, api::service_type::compute, api::service_type::network})
      expect_same(body, collection, service);
    ++lists;
  }
  return lists;
}

TEST(ListScan, MatchesTheTreeOnCapturedLists) { EXPECT_GE(check_fixture("list_captures.txt"), 10); }

// Glance images, Nova servers, Neutron ports and networks as the simulator lists them,
// markers included.
TEST(ListScan, MatchesTheTreeOnTheSimulatorsLists) { EXPECT_EQ(check_fixture("list_sim_answers.txt"), 4); }

/// A random page of `collection` as a cloud might write it, with markers,
/// copies, escapes, Unicode, nested objects, URLs and odd spacing.
std::string generated_page(std::mt19937& rng, const std::string& collection, api::service_type service) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto uuid = [&] {
    static const char* hex = "0123456789abcdef";
    std::string id;
    for (int i = 0; i < 36; ++i) id += (i == 8 || i == 13 || i == 18 || i == 23) ? '-' : hex[pick(16)];
    return id;
  };
  json items = json::array();
  int count = pick(6);
  for (int i = 0; i < count; ++i) {
    auto id = uuid();
    json item = {{"id", id}, {"name", pick(2) ? "plain" : "caf\u00e9 \"q\" \\ \n\x01 \xF0\x9F\x98\x80"}};
    item["links"] = json::array({{{"rel", "self"}, {"href", std::string(from_root) + "/v2.1/servers/" + id}},
                                 {{"rel", "bookmark"}, {"href", std::string(from_root) + "x/" + id}}});
    item["size"] = pick(2) ? json(1.5e3) : json(-12345678901234567LL);
    item["nested"] = {{"inner", {{"id", uuid()}, {"list", {uuid(), 1, nullptr, true}}}}};
    item[uuid()] = "key with an ID";
    item["OS-EXT-AZ:availability_zone"] = "nova";
    int mark = pick(4);   // 0: none, 1: primary, 2: copy, 3: a marker that is not a global ID
    std::string marked = mark == 3 ? uuid() : (pick(2) ? gid1 : gid2);
    std::string token(32, 'a');
    if (service == api::service_type::image) {
      if (mark) item[mark == 2 ? "fedstack_copy_of" : "fedstack_gid"] = marked;
      if (pick(2)) item["fedstack_attempt"] = token;
      if (pick(3) == 0) item["nested"]["fedstack_gid"] = gid2;
      // A snapshot or shelve image: its inherited marker is its own only when it names its server.
      if (pick(3) == 0) {
        auto server = uuid();
        item["instance_uuid"] = pick(4) ? json(server) : json(nullptr);
        int own = pick(3);   // 0: absent, 1: this server, 2: another
        if (own) item["fedstack_snapshot_of"] = own == 1 ? server : uuid();
      }
    } else if (service == api::service_type::compute) {
      item["metadata"] = {{"user", "kept"}};
      if (mark) item["metadata"][mark == 2 ? "fedstack_copy_of" : "fedstack_gid"] = marked;
      if (pick(2)) item["metadata"]["fedstack_attempt"] = token;
      item["image"] = {{"id", uuid()}, {"links", json::array()}};
    } else {
      item["tags"] = json::array({"user-tag"});
      if (mark) item["tags"].push_back((mark == 2 ? "fedstack_copy_of=" : "fedstack_gid=") + marked);
      if (pick(2)) item["tags"].push_back("fedstack_attempt=" + token);
      if (pick(3) == 0) item["tags"].push_back("fedstack_fip_used");   // the federation's, not a marker
      item["description"] = pick(2) ? "fedstack_pending=" + token : "desc";
      item["network_id"] = uuid();
    }
    items.push_back(std::move(item));
  }
  std::string text = json{{collection, items}, {"next", std::string(from_root) + "/next"}}.dump(pick(2) ? -1 : 1);
  // Spellings a tree would not write: escaped slashes and digits, spaces.
  std::string out;
  for (char c : text) {
    if (c == '/' && pick(4) == 0) out += "\\/";
    else if (c == ',' && pick(3) == 0) out += " ,\n ";
    else out += c;
  }
  if (pick(5) == 0) {   // an ID's first digit written as \u escape
    auto at = out.find("\"id\": \"");
    if (at != std::string::npos && out[at + 7] >= '0' && out[at + 7] <= '9')
      out.replace(at + 7, 1, std::string("\\u003") + out[at + 7]);
  }
  return out;
}

TEST(ListScan, MatchesTheTreeOnGeneratedPages) {
  std::mt19937 rng(20);
  for (int round = 0; round < 400; ++round)
    for (const auto& [collection, service] :
         std::vector<std::pair<std::string, api::service_type>>{{"images", api::service_type::image},
                                                                {"servers", api::service_type::compute},
                                                                {"ports", api::service_type::network}})
      expect_same(generated_page(rng, collection, service), collection, service);
}

TEST(ListScan, RefusesWhatTheParserRefuses) {
  for (std::string text : {"", " ", "{", "{\"images\": [}", "{\"images\": [1,]}", "{\"a\":01}", "[1e400]",
                           "\"\\ud800\"", "\"\\udc00\"", "\"\xC0\xAF\"", "\"\xED\xA0\x80\"", "\"a\x01\"",
                           "{\"images\": []} x", "tru", "[-]", "[1.]", "\"\\x\"", "{\"a\" 1}", "{1:2}"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(api::is_json(text));
    EXPECT_EQ(api::is_json(text), json::accept(text));
  }
  for (const std::string& text : std::vector<std::string>{"\xEF\xBB\xBF{\"images\": []}", " [1e-400, -0, 0.5E+2] ", "\"\\ud83d\\ude00\"",
                           "{\"images\": [], \"images\": [{}]}", "\"\xF4\x8F\xBF\xBF\"",
                           std::string("1\0{", 3)}) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(api::is_json(text));
    EXPECT_EQ(api::is_json(text), json::accept(text));
  }
}

TEST(ListScan, TheLastMemberOfTheCollectionCounts) {
  expect_same("{\"images\": [{\"id\": \"a\"}], \"images\": [{\"id\": \"b\"}, {\"id\": \"c\"}]}", "images",
              api::service_type::image);
  expect_same("{\"images\": [{\"id\": \"a\"}], \"images\": 5}", "images", api::service_type::image);
}

TEST(ListScan, EachServerOfABootOfSeveralIsListedUnderItsOwnGlobalId) {
  auto page = "{\"servers\": [{\"id\": \"" + std::string("5d2e9c44-2f7a-4c1d-9e3f-0a0102030fa0") +
              "\", \"metadata\": {\"fedstack_gid\": \"" + gid1 + "\", \"fedstack_multi\": \"1\", \"k\": \"v\"}}, "
              "{\"id\": \"6d2e9c44-2f7a-4c1d-9e3f-0a0102030fa0\", \"metadata\": {\"fedstack_multi\": \"1\", "
              "\"fedstack_gid\": \"" + gid1 + "\"}}, {\"id\": \"7d2e9c44-2f7a-4c1d-9e3f-0a0102030fa0\", "
              "\"metadata\": {\"fedstack_gid\": \"" + gid2 + "\"}}]}";
  expect_same(page, "servers", api::service_type::compute);
  auto map = rotating();
  auto scanned = list_tree::scan(page, "servers", api::service_type::compute, map, from_root, to_root, zone);
  ASSERT_EQ(scanned.markers.size(), 3u);
  std::set<std::string> ids;
  for (const auto& m : scanned.markers) ids.insert(std::get<1>(m));
  EXPECT_EQ(ids, (std::set<std::string>{*api::server_global_id(gid1, "5d2e9c44-2f7a-4c1d-9e3f-0a0102030fa0"),
                                        *api::server_global_id(gid1, "6d2e9c44-2f7a-4c1d-9e3f-0a0102030fa0"), gid2}));
  EXPECT_EQ(json::parse(scanned.items.at(0)).at("metadata"), (json{{"k", "v"}})) << "the flag is hidden too";
}

TEST(ListScan, RemovesMarkersWithTheirCommas) {
  auto map = rotating();
  auto page = list_tree::scan("{\"images\": [{\"fedstack_gid\": \"" + gid1 + "\", \"fedstack_attempt\": 1, \"a\": 1, "
                              "\"fedstack_copy_of\": 2, \"b\": 2, \"fedstack_gid\": 3}]}",
                              "images", api::service_type::image, map, from_root, to_root, zone);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0], "{  \"a\": 1, \"b\": 2}");   // the whitespace after a removed member stays
}

} // namespace

namespace {

// A merged server list names another agent's attached volume by its marker: the scan
// reports each `volumes_attached` item's `id` as a volume reference (as the tree's
// collect_references does for a single server), and no other `id` of the server.
TEST(ListScan, AServersAttachedVolumesAreVolumeReferences) {
  const std::string v1 = "5d2e9c44-2f7a-4c1d-9e3f-0a0102030fa1", v2 = "6d2e9c44-2f7a-4c1d-9e3f-0a0102030fa2";
  const std::string image = "7d2e9c44-2f7a-4c1d-9e3f-0a0102030fa3";
  auto page = "{\"servers\": [{\"id\": \"8d2e9c44-2f7a-4c1d-9e3f-0a0102030fa4\", \"image\": {\"id\": \"" + image +
              "\"}, \"flavor\": {\"id\": \"9d2e9c44-2f7a-4c1d-9e3f-0a0102030fa5\"}, "
              "\"os-extended-volumes:volumes_attached\": [{\"id\": \"" + v1 + "\", \"delete_on_termination\": false}, "
              "{\"delete_on_termination\": true, \"id\": \"" + v2 + "\"}], \"other\": [{\"id\": \"ad2e9c44-2f7a-4c1d-9e3f-0a0102030fa6\"}]}]}";
  expect_same(page, "servers", api::service_type::compute);
  api::scan_options options;
  options.service = api::service_type::compute;
  api::list_scan out;
  ASSERT_TRUE(api::scan_list_page(page, "servers", options, out));
  std::set<std::tuple<api::service_type, std::string, std::string>> refs;
  for (const auto& r : out.references) refs.insert({r.service, r.path, r.id});
  EXPECT_EQ(refs, (std::set<std::tuple<api::service_type, std::string, std::string>>{
                      {api::service_type::image, "/v2/images/", image},
                      {api::service_type::volume, "/v3/volumes/", v1},
                      {api::service_type::volume, "/v3/volumes/", v2}}));
  // Under another service the same member means nothing.
  options.service = api::service_type::network;
  ASSERT_TRUE(api::scan_list_page(page, "servers", options, out));
  EXPECT_TRUE(out.references.empty());
}

} // namespace
