#include "api/microversion.hpp"

#include "fixtures.hpp"

#include <gtest/gtest.h>

namespace fedstack::api {
namespace {

using nlohmann::json;

constexpr microversion_range zed{{2, 1}, {2, 93}};

microversion_result negotiate(std::optional<std::string_view> standard,
                              std::optional<std::string_view> legacy) {
  return negotiate_microversion(standard, legacy, zed);
}

TEST(microversion, parses_nova_format_only) {
  EXPECT_EQ(parse_microversion("2.1"), (microversion{2, 1}));
  EXPECT_EQ(parse_microversion("2.93"), (microversion{2, 93}));
  EXPECT_EQ(parse_microversion("2.0"), (microversion{2, 0}));
  EXPECT_EQ(parse_microversion(" 2.10 "), (microversion{2, 10}));
  EXPECT_EQ(parse_microversion("10.100"), (microversion{10, 100}));
  for (const char* bad : {"", "2", "2.", ".1", "02.1", "2.01", "0.1", "v2.1", "2.1.1", "2,1",
                          "latest", "2.a", "-2.1", "2.-1", "+2.1", "2 .1", "9999999999.1"})
    EXPECT_EQ(parse_microversion(bad), std::nullopt) << bad;
}

TEST(microversion, compares_numerically) {
  EXPECT_LT((microversion{2, 9}), (microversion{2, 10}));
  EXPECT_LT((microversion{2, 93}), (microversion{3, 0}));
  EXPECT_GT((microversion{2, 53}), (microversion{2, 6}));
  EXPECT_LE((microversion{2, 1}), (microversion{2, 1}));
  EXPECT_GE((microversion{2, 1}), (microversion{2, 1}));
  EXPECT_NE((microversion{2, 1}), (microversion{2, 2}));
  EXPECT_EQ(to_string(microversion{2, 53}), "2.53");
}

TEST(microversion, missing_headers_mean_minimum) {
  auto r = negotiate(std::nullopt, std::nullopt);
  EXPECT_EQ(r.status, microversion_status::ok);
  EXPECT_EQ(r.version, (microversion{2, 1}));
  // Empty values count as absent.
  EXPECT_EQ(negotiate("", "").version, (microversion{2, 1}));
  // A standard header for another service is ignored.
  EXPECT_EQ(negotiate("volume 3.5", std::nullopt).version, (microversion{2, 1}));
}

TEST(microversion, legacy_header) {
  EXPECT_EQ(negotiate(std::nullopt, "2.53").version, (microversion{2, 53}));
  EXPECT_EQ(negotiate(std::nullopt, "2.1, 2.60").version, (microversion{2, 60}));
  EXPECT_EQ(negotiate(std::nullopt, "latest").version, (microversion{2, 93}));
}

TEST(microversion, standard_header) {
  EXPECT_EQ(negotiate("compute 2.88", std::nullopt).version, (microversion{2, 88}));
  EXPECT_EQ(negotiate("Compute 2.88", std::nullopt).version, (microversion{2, 88}));
  EXPECT_EQ(negotiate("compute latest", std::nullopt).version, (microversion{2, 93}));
  EXPECT_EQ(negotiate("volume 3.5, compute 2.20", std::nullopt).version, (microversion{2, 20}));
  // The last compute entry wins.
  EXPECT_EQ(negotiate("compute 2.3,compute 2.4", std::nullopt).version, (microversion{2, 4}));
  EXPECT_EQ(negotiate("compute   2.7  ", std::nullopt).version, (microversion{2, 7}));
}

TEST(microversion, standard_header_wins_over_legacy) {
  EXPECT_EQ(negotiate("compute 2.10", "2.20").version, (microversion{2, 10}));
  // ... unless it has no compute entry.
  EXPECT_EQ(negotiate("placement 1.2", "2.20").version, (microversion{2, 20}));
  EXPECT_EQ(negotiate("compute", "2.20").version, (microversion{2, 20}));
}

TEST(microversion, out_of_range_is_406) {
  auto high = negotiate(std::nullopt, "2.94");
  EXPECT_EQ(high.status, microversion_status::not_acceptable);
  EXPECT_EQ(high.message,
            "Version 2.94 is not supported by the API. Minimum is 2.1 and maximum is 2.93.");
  EXPECT_EQ(negotiate("compute 3.0", std::nullopt).status, microversion_status::not_acceptable);
  EXPECT_EQ(negotiate("compute 2.0", std::nullopt).status, microversion_status::not_acceptable);
  EXPECT_EQ(negotiate("compute 1.5", std::nullopt).status, microversion_status::not_acceptable);
  // The bounds themselves are fine.
  EXPECT_EQ(negotiate(std::nullopt, "2.1").status, microversion_status::ok);
  EXPECT_EQ(negotiate(std::nullopt, "2.93").status, microversion_status::ok);
}

TEST(microversion, malformed_is_400) {
  for (const char* bad : {"2", "two", "2.x", "LATEST", "2.01", "v2.1"}) {
    auto r = negotiate(std::nullopt, bad);
    EXPECT_EQ(r.status, microversion_status::bad_request) << bad;
    EXPECT_EQ(r.message, "API Version String " + std::string(bad) +
                             " is of invalid format. Must be of format MajorNum.MinorNum.");
  }
  EXPECT_EQ(negotiate("compute 2", std::nullopt).status, microversion_status::bad_request);
}

TEST(microversion, narrower_ranges) {
  microversion_range old{{2, 1}, {2, 53}};
  EXPECT_EQ(negotiate_microversion(std::nullopt, "2.60", old).status,
            microversion_status::not_acceptable);
  EXPECT_EQ(negotiate_microversion("compute latest", std::nullopt, old).version,
            (microversion{2, 53}));
}

TEST(microversion, echo_headers) {
  EXPECT_EQ(openstack_api_version_header({2, 1}), "compute 2.1");
  EXPECT_EQ(nova_api_version_header({2, 88}), "2.88");
  EXPECT_EQ(microversion_vary_header, "OpenStack-API-Version, X-OpenStack-Nova-API-Version");
}

TEST(microversion, intersect_ranges) {
  auto both = intersect({{2, 1}, {2, 93}}, {{2, 5}, {2, 60}});
  ASSERT_TRUE(both);
  EXPECT_EQ(both->min, (microversion{2, 5}));
  EXPECT_EQ(both->max, (microversion{2, 60}));
  EXPECT_FALSE(intersect({{2, 1}, {2, 10}}, {{2, 11}, {2, 20}}));
  auto touching = intersect({{2, 1}, {2, 10}}, {{2, 10}, {2, 20}});
  ASSERT_TRUE(touching);
  EXPECT_EQ(touching->min, touching->max);
}

TEST(microversion, range_from_captured_nova_documents) {
  auto doc = test::fixture_json("compute-v2.1.json");
  auto range = range_from_version_document(doc);
  ASSERT_TRUE(range);
  EXPECT_EQ(range->min, (microversion{2, 1}));
  EXPECT_EQ(range->max, (microversion{2, 93}));
  auto list = range_from_version_document(test::fixture_json("compute-versions.json"));
  ASSERT_TRUE(list);
  EXPECT_EQ(list->max, (microversion{2, 93}));
  EXPECT_FALSE(range_from_version_document(json::object()));
  EXPECT_FALSE(range_from_version_document(json::parse(R"({"version": {"version": ""}})")));
  EXPECT_FALSE(range_from_version_document(
      json::parse(R"({"version": {"version": "2.1", "min_version": "2.5"}})")));
  EXPECT_FALSE(range_from_version_document(json::parse(R"({"versions": [1, {"id": 2}]})")));
  EXPECT_FALSE(range_from_version_document(json::parse(R"([1])")));
}

} // namespace
} // namespace fedstack::api
