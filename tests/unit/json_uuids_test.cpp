#include "api/json_uuids.hpp"

#include <map>

#include <gtest/gtest.h>

namespace fedstack::api {
namespace {

using nlohmann::json;

constexpr const char* local_image = "3f1c2a4e-9b7d-4c1e-8a2b-1d2e3f4a5b6c";
constexpr const char* local_net = "0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d";

// A Glance list page with an image ID in values, in a link, and (oddly) in a key.
json page() {
  return json::parse(std::string(R"({"images": [{"id": ")") + local_image +
                     R"(", "file": "/v2/images/)" + local_image + R"(/file", "name": "short",
                     "owner": "c5d2a4f0e1b94b2c8d7e6f5a4b3c2d1e", "size": 3,
                     "tags": ["net )" + local_net + R"("]}], ")" + local_net +
                     R"(": {"nested": [")" + local_image + R"("]}})");
}

uuid_map lookup(const std::map<std::string, std::string>& to) {
  return [&to](std::string_view id) -> std::optional<std::string> {
    auto it = to.find(std::string(id));
    if (it == to.end()) return std::nullopt;
    return it->second;
  };
}

TEST(json_uuids, collects_what_the_written_document_holds_in_the_same_order) {
  auto doc = page();
  EXPECT_EQ(collect_json_uuids(doc), collect_uuids(doc.dump()));
  EXPECT_EQ(collect_json_uuids(doc), (std::vector<std::string>{local_net, local_image}));
  EXPECT_TRUE(collect_json_uuids(json::parse(R"({"a": [1, 2.5, null, true, "x"]})")).empty());
}

TEST(json_uuids, rewrites_in_place_as_the_text_substitution_does) {
  std::map<std::string, std::string> to{{local_image, "11111111-2222-8333-9444-7f0000011f90"},
                                        {local_net, "aaaaaaaa-bbbb-8ccc-9ddd-7f0000011f90"}};
  auto doc = page();
  auto by_text = json::parse(rewrite_uuids(doc.dump(), lookup(to)));
  // values: id, file, tag, nested item; the key naming the network
  EXPECT_EQ(rewrite_json_uuids(doc, lookup(to)), 5u);
  EXPECT_EQ(doc, by_text);
  EXPECT_TRUE(doc.contains("aaaaaaaa-bbbb-8ccc-9ddd-7f0000011f90"));
  EXPECT_EQ(doc["images"][0]["owner"], "c5d2a4f0e1b94b2c8d7e6f5a4b3c2d1e");
}

TEST(json_uuids, an_unknown_id_is_left_alone) {
  std::map<std::string, std::string> none;
  auto doc = page();
  EXPECT_EQ(rewrite_json_uuids(doc, lookup(none)), 0u);
  EXPECT_EQ(doc, page());
}

} // namespace
} // namespace fedstack::api
