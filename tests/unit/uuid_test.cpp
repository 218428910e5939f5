#include "api/uuid.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "forked.hpp"

namespace fedstack::api {
namespace {

constexpr const char* a = "f41c2887-41bd-43d6-85a8-aaac0b0b383d";
constexpr const char* b = "fb0d083a-af02-4d8f-8280-09bc28b85f56";
constexpr const char* a_local = "11111111-2222-4333-8444-555555555555";

uuid_map map_of(std::map<std::string, std::string> known) {
  return [known = std::move(known)](std::string_view id) -> std::optional<std::string> {
    auto it = known.find(std::string(id));
    if (it == known.end()) return std::nullopt;
    return it->second;
  };
}

TEST(uuid, make_uuid_is_v4_lowercase_and_unique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = make_uuid();
    ASSERT_TRUE(is_uuid(id)) << id;
    EXPECT_EQ(id[14], '4') << id;
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    for (char c : id) EXPECT_FALSE(c >= 'A' && c <= 'Z') << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(uuid, make_uuid_is_not_repeated_by_a_forked_process) {
  // A process that forks (or is restored from the same state) must not repeat IDs:
  // request IDs and global IDs come from the kernel's CSPRNG, not a seeded engine.
  auto [parent, child] = testing::make_in_parent_and_child([] { return make_uuid(); });
  ASSERT_TRUE(is_uuid(parent)) << parent;
  ASSERT_TRUE(is_uuid(child)) << child;
  EXPECT_NE(parent, child);
}

TEST(uuid, make_uuid_from_many_threads) {
  std::vector<std::set<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& ids : per_thread)
    threads.emplace_back([&ids] {
      for (int i = 0; i < 500; ++i) ids.insert(make_uuid());
    });
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& ids : per_thread) all.insert(ids.begin(), ids.end());
  EXPECT_EQ(all.size(), 2000u);
}

TEST(uuid, is_uuid_shapes) {
  EXPECT_TRUE(is_uuid(a));
  EXPECT_TRUE(is_uuid("F41C2887-41BD-43D6-85A8-AAAC0B0B383D"));
  EXPECT_TRUE(is_uuid("00000000-0000-0000-0000-000000000000"));
  EXPECT_FALSE(is_uuid(""));
  EXPECT_FALSE(is_uuid("f41c288741bd43d685a8aaac0b0b383d"));       // no dashes
  EXPECT_FALSE(is_uuid("f41c2887-41bd-43d6-85a8-aaac0b0b383"));    // short
  EXPECT_FALSE(is_uuid("f41c2887-41bd-43d6-85a8-aaac0b0b383dd"));  // long
  EXPECT_FALSE(is_uuid("g41c2887-41bd-43d6-85a8-aaac0b0b383d"));   // not hex
  EXPECT_FALSE(is_uuid("f41c288-741bd-43d6-85a8-aaac0b0b383d"));   // dash moved
  EXPECT_FALSE(is_uuid("{41c2887-41bd-43d6-85a8-aaac0b0b383d"));
  EXPECT_FALSE(is_uuid("f41c2887_41bd_43d6_85a8_aaac0b0b383d"));
}

TEST(uuid, is_hex_id_shapes) {
  EXPECT_TRUE(is_hex_id("075a8a3d2acb45d896abd52d5e055929"));
  EXPECT_TRUE(is_hex_id("075A8A3D2ACB45D896ABD52D5E055929"));
  EXPECT_FALSE(is_hex_id("075a8a3d2acb45d896abd52d5e05592"));
  EXPECT_FALSE(is_hex_id("075a8a3d2acb45d896abd52d5e0559290"));
  EXPECT_FALSE(is_hex_id("075a8a3d2acb45d896abd52d5e05592z"));
  EXPECT_FALSE(is_hex_id(a));
}

TEST(uuid, rewrites_known_ids_in_json_and_urls) {
  auto map = map_of({{a, a_local}});
  std::string body = std::string(R"({"imageRef": ")") + a + R"(", "other": ")" + b + R"("})";
  EXPECT_EQ(rewrite_uuids(body, map),
            std::string(R"({"imageRef": ")") + a_local + R"(", "other": ")" + b + R"("})");
  std::string url = std::string("http://h/v2/images/") + a + "/file?marker=" + a + "&x=1";
  EXPECT_EQ(rewrite_uuids(url, map),
            std::string("http://h/v2/images/") + a_local + "/file?marker=" + a_local + "&x=1");
}

TEST(uuid, partial_maps_leave_unknown_ids) {
  auto map = map_of({{b, a_local}});
  std::string text = std::string(a) + "," + b + "," + a;
  EXPECT_EQ(rewrite_uuids(text, map), std::string(a) + "," + a_local + "," + a);
  EXPECT_EQ(rewrite_uuids(text, map_of({})), text);
}

TEST(uuid, whole_text_and_adjacent_ids) {
  auto map = map_of({{a, a_local}, {b, "X"}});
  EXPECT_EQ(rewrite_uuids(a, map), a_local);
  EXPECT_EQ(rewrite_uuids(std::string(a) + "/" + b, map), std::string(a_local) + "/X");
  EXPECT_EQ(rewrite_uuids(std::string(a) + " " + a, map), std::string(a_local) + " " + a_local);
  EXPECT_EQ(rewrite_uuids("", map), "");
  EXPECT_EQ(rewrite_uuids("no ids here", map), "no ids here");
}

TEST(uuid, boundaries_exclude_longer_hex_runs) {
  auto map = map_of({{a, a_local}});
  for (const std::string& text :
       {std::string("0") + a, std::string(a) + "0", std::string("a") + a, std::string(a) + "F",
        std::string("-") + a, std::string(a) + "-", std::string(a) + "-41bd",
        std::string("deadbeef-") + a}) {
    EXPECT_EQ(rewrite_uuids(text, map), text) << text;
    EXPECT_TRUE(collect_uuids(text).empty()) << text;
  }
  // Non-hex letters, punctuation and '.json' are boundaries.
  for (std::string prefix : {"g", "z", "/", "\"", "=", "_", "."}) {
    EXPECT_EQ(rewrite_uuids(prefix + a + ".json", map), prefix + a_local + ".json") << prefix;
  }
}

TEST(uuid, passes_the_id_as_written) {
  std::string upper = "F41C2887-41BD-43D6-85A8-AAAC0B0B383D";
  std::vector<std::string> asked;
  auto recorder = [&](std::string_view id) -> std::optional<std::string> {
    asked.emplace_back(id);
    return std::string("x");
  };
  EXPECT_EQ(rewrite_uuids("/" + upper + "/", recorder), "/x/");
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0], upper);
}

TEST(uuid, replacement_may_differ_in_length) {
  auto map = map_of({{a, ""}, {b, "a-much-longer-replacement-than-the-original-uuid"}});
  EXPECT_EQ(rewrite_uuids(std::string("[") + a + "][" + b + "]", map),
            "[][a-much-longer-replacement-than-the-original-uuid]");
}

TEST(uuid, replacements_are_not_rescanned) {
  // A map that answers with another known UUID must not loop or chain.
  auto map = map_of({{a, b}, {b, a}});
  EXPECT_EQ(rewrite_uuids(std::string(a) + " " + b, map), std::string(b) + " " + a);
}

TEST(uuid, collects_unique_ids_in_order) {
  std::string text = std::string(b) + " x " + a + " " + b + " " + a + "0";
  EXPECT_EQ(collect_uuids(text), (std::vector<std::string>{b, a}));
  // Case differs: both are reported, the map decides how to normalise.
  std::string upper = "F41C2887-41BD-43D6-85A8-AAAC0B0B383D";
  EXPECT_EQ(collect_uuids(std::string(a) + " " + upper), (std::vector<std::string>{a, upper}));
}

TEST(uuid, overlapping_candidates) {
  // Hex-and-dash runs longer than a UUID hide every UUID inside them.
  std::string run = std::string(a) + a;
  EXPECT_TRUE(collect_uuids(run).empty());
  // A UUID right after a near miss is still found.
  std::string near = std::string("f41c2887-41bd-43d6-85a8 ") + a;
  EXPECT_EQ(collect_uuids(near), (std::vector<std::string>{a}));
}

} // namespace
} // namespace fedstack::api
