// The maps between cloud IDs and global IDs (rules/id_maps.hpp): which source
// wins when they disagree, copies against primaries, and the one lookup every
// rewrite uses.

#include <gtest/gtest.h>

#include "agent/rules/id_maps.hpp"
#include "api/global_id.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::cloud_copy;
using storage::registry_entry;

const std::string gid_a = *api::make_global_id({"127.0.0.1", 4790});
const std::string gid_b = *api::make_global_id({"127.0.0.1", 4791});
const std::string gid_c = *api::make_global_id({"127.0.0.2", 4790});
// Cloud IDs are version 4 UUIDs, never global.
const std::string local_1 = "11111111-1111-4111-8111-111111111111";
const std::string local_2 = "22222222-2222-4222-8222-222222222222";
const std::string local_3 = "33333333-3333-4333-8333-333333333333";

registry_entry entry(const std::string& gid, std::vector<cloud_copy> copies) {
  registry_entry e;
  e.global_id = gid;
  e.copies = std::move(copies);
  return e;
}

TEST(IdMaps, lookup_in_answers_from_the_map_and_leaves_the_rest) {
  id_map to_global{{local_1, gid_a}};
  auto lookup = lookup_in(to_global);
  EXPECT_EQ(lookup(local_1), gid_a);
  EXPECT_EQ(lookup(local_2), std::nullopt);
  EXPECT_EQ(api::rewrite_uuids("/v2/images/" + local_1 + "?x=" + local_2, lookup),
            "/v2/images/" + gid_a + "?x=" + local_2);
  // It reads the map as it is when called, not as it was when made.
  to_global[local_2] = gid_b;
  EXPECT_EQ(lookup(local_2), gid_b);
}

TEST(IdMaps, reversed_keeps_the_first_key_of_a_shared_value) {
  id_map to_local{{gid_a, local_1}, {gid_b, local_2}, {gid_c, local_1}};
  auto to_global = reversed(to_local);
  EXPECT_EQ(to_global, (id_map{{local_1, std::min(gid_a, gid_c)}, {local_2, gid_b}}));
}

TEST(IdMaps, take_markers_finds_primaries_and_copies_at_any_depth_and_hides_them) {
  json doc = {{"images",
               {{{"id", local_1}, {"name", "a"}, {"fedstack_gid", gid_a}},
                {{"id", local_2}, {"name", "b-copy"}, {"fedstack_copy_of", gid_b}},
                {{"id", local_3}, {"name", "plain"}},
                // A marker on an object without a string id maps nothing but is hidden too.
                {{"id", 7}, {"fedstack_gid", gid_c}}}}};
  auto markers = take_markers(doc, api::service_type::image);
  ASSERT_EQ(markers.size(), 2u);
  EXPECT_EQ(markers[0].local_id, local_1);
  EXPECT_EQ(markers[0].global_id, gid_a);
  EXPECT_FALSE(markers[0].is_copy);
  EXPECT_EQ(markers[1].local_id, local_2);
  EXPECT_EQ(markers[1].global_id, gid_b);
  EXPECT_TRUE(markers[1].is_copy);
  for (const auto& image : doc["images"]) {
    EXPECT_FALSE(image.contains("fedstack_gid")) << image;
    EXPECT_FALSE(image.contains("fedstack_copy_of")) << image;
  }
  EXPECT_EQ(doc["images"][2], (json{{"id", local_3}, {"name", "plain"}}));
}

TEST(IdMaps, take_markers_reads_each_services_marker) {
  json server = {{"server", {{"id", local_1}, {"metadata", {{"fedstack_gid", gid_a}, {"role", "db"}}}}}};
  auto markers = take_markers(server, api::service_type::compute);
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].global_id, gid_a);
  EXPECT_EQ(server["server"]["metadata"], (json{{"role", "db"}}));

  json port = {{"port", {{"id", local_2}, {"tags", {"fedstack_copy_of=" + gid_b, "blue"}}}}};
  markers = take_markers(port, api::service_type::network);
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].local_id, local_2);
  EXPECT_TRUE(markers[0].is_copy);
  EXPECT_EQ(port["port"]["tags"], (json{"blue"}));
}

TEST(IdMaps, a_marker_wins_over_what_was_known_over_the_registry_over_the_aliases) {
  global_id_sources sources;
  sources.known = {{local_1, gid_c}, {local_2, gid_b}};
  sources.markers = {{local_1, gid_a, false}};
  sources.registry = {{local_2, gid_c}, {local_3, gid_a}};
  sources.aliases = {{local_3, gid_b}, {"44444444-4444-4444-8444-444444444444", gid_c}};
  auto map = local_to_global(sources);
  EXPECT_EQ(map.at(local_1), gid_a);   // the marker, over what was known
  EXPECT_EQ(map.at(local_2), gid_b);   // what was known, over the registry
  EXPECT_EQ(map.at(local_3), gid_a);   // the registry, over an alias
  EXPECT_EQ(map.at("44444444-4444-4444-8444-444444444444"), gid_c);   // an alias alone
  EXPECT_EQ(map.size(), 4u);
}

TEST(IdMaps, a_copy_maps_its_local_id_to_the_primarys_global_id) {
  // The primary on one cloud and its copy on another both show the global ID.
  global_id_sources sources;
  sources.markers = {{local_1, gid_a, false}, {local_2, gid_a, true}};
  auto map = local_to_global(sources);
  EXPECT_EQ(map, (id_map{{local_1, gid_a}, {local_2, gid_a}}));
}

TEST(IdMaps, of_two_markers_on_one_local_id_the_later_wins) {
  global_id_sources sources;
  sources.markers = {{local_1, gid_a, false}, {local_1, gid_b, false}};
  EXPECT_EQ(local_to_global(sources).at(local_1), gid_b);
}

TEST(IdMaps, only_unknown_cloud_ids_need_the_registry) {
  id_map known{{local_1, gid_a}};
  auto ask = ids_needing_registry({local_1, local_2, gid_b, local_3}, known);
  EXPECT_EQ(ask, (std::vector<std::string>{local_2, local_3}));
}

TEST(IdMaps, global_ids_to_look_up_are_the_unknown_global_ones_once_in_order) {
  std::string path = "/v2.0/ports?network_id=" + gid_b + "&device_id=" + local_1;
  std::string body = R"({"a": ")" + gid_c + R"(", "b": ")" + gid_b + R"(", "c": ")" + gid_a + R"("})";
  std::vector<std::string_view> texts{path, body};
  EXPECT_EQ(global_ids_to_look_up(texts, {{gid_a, local_3}}), (std::vector<std::string>{gid_b, gid_c}));
}

TEST(IdMaps, global_to_local_takes_the_copy_on_the_cloudlet_primary_or_not) {
  std::map<std::string, registry_entry> entries;
  entries.emplace(gid_a, entry(gid_a, {{"cloudlet-1", local_1}, {"cloudlet-2", local_2}}));
  entries.emplace(gid_b, entry(gid_b, {{"cloudlet-2", local_3}}));
  EXPECT_EQ(global_to_local({}, entries, "cloudlet-1"), (id_map{{gid_a, local_1}}));
  EXPECT_EQ(global_to_local({}, entries, "cloudlet-2"), (id_map{{gid_a, local_2}, {gid_b, local_3}}));
  // No copy there: the ID stays global in a call to that cloud.
  EXPECT_EQ(global_to_local({}, entries, "cloudlet-3"), id_map{});
}

TEST(IdMaps, global_to_local_keeps_what_was_known_over_the_registry) {
  std::map<std::string, registry_entry> entries;
  entries.emplace(gid_a, entry(gid_a, {{"cloudlet-1", local_1}}));
  EXPECT_EQ(global_to_local({{gid_a, local_3}}, entries, "cloudlet-1"), (id_map{{gid_a, local_3}}));
}

// A backup imported from another's exported record carries that backup's marker
// (Cinder copies the metadata): the marker names the item only where the entry lists it.
TEST(IdMaps, a_marker_names_its_item_only_where_its_entry_lists_it_or_is_reserved) {
  auto bound = entry(gid_a, {cloud_copy{"cloudlet-1", local_1}});
  bound.state = storage::entry_state::bound;
  auto reserved = entry(gid_b, {});
  reserved.state = storage::entry_state::reserved;
  std::vector<marked_id> markers = {
    {local_1, gid_a, false},   // the original: its entry lists it
    {local_2, gid_a, false},   // an import's copy of the marker on the same cloudlet
    {local_3, gid_b, false},   // a create not yet bound
    {local_2, gid_c, false},   // its owner not asked (unreachable): as before
  };
  looked_up_entries entries = {{gid_a, bound}, {gid_b, reserved}};
  auto kept = own_markers(markers, entries, "cloudlet-1");
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0].local_id, local_1);
  EXPECT_EQ(kept[1].global_id, gid_b);
  EXPECT_EQ(kept[2].global_id, gid_c);
  // The same ID on another cloudlet (an import there keeps the record's ID): not the entry's.
  EXPECT_TRUE(own_markers({{local_1, gid_a, false}}, entries, "cloudlet-2").empty());
  // The original deleted (its entry erased), then imported again under its old ID.
  entries[gid_a] = std::nullopt;
  EXPECT_TRUE(own_markers({{local_1, gid_a, false}}, entries, "cloudlet-1").empty());
}

} // namespace
} // namespace fedstack::agent
