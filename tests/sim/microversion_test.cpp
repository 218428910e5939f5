#include <gtest/gtest.h>

#include "sim/microversion.hpp"

namespace fedstack::sim {
namespace {

microversion_result negotiate(header_map headers) {
  return negotiate_compute_version(make_request("GET", "/v2.1/servers", "", std::move(headers)));
}

TEST(microversion, absent_means_2_1) {
  auto v = negotiate({});
  EXPECT_EQ(v.status, 0u);
  EXPECT_EQ(v.minor, 1);
}

TEST(microversion, legacy_header) {
  EXPECT_EQ(negotiate({{"X-OpenStack-Nova-API-Version", "2.37"}}).minor, 37);
  EXPECT_EQ(negotiate({{"x-openstack-nova-api-version", "latest"}}).minor, 93);
}

TEST(microversion, new_header_wins_and_may_list_services) {
  auto v = negotiate({{"OpenStack-API-Version", "placement 1.10, compute 2.60"},
                      {"X-OpenStack-Nova-API-Version", "2.5"}});
  EXPECT_EQ(v.minor, 60);
  EXPECT_EQ(negotiate({{"OpenStack-API-Version", "compute latest"}}).minor, 93);
  // A header for another service only: fall back to the legacy one.
  EXPECT_EQ(negotiate({{"OpenStack-API-Version", "volume 3.10"}, {"X-OpenStack-Nova-API-Version", "2.5"}}).minor, 5);
}

TEST(microversion, out_of_range_is_406) {
  for (const char* version : {"2.94", "3.0", "2.0", "1.1"}) {
    auto v = negotiate({{"X-OpenStack-Nova-API-Version", version}});
    EXPECT_EQ(v.status, 406u) << version;
    EXPECT_NE(v.message.find("Minimum is 2.1 and maximum is 2.93"), std::string::npos);
  }
}

TEST(microversion, malformed_is_400) {
  for (const char* version : {"abc", "2", "2.x", "2.01", ".5"}) {
    EXPECT_EQ(negotiate({{"X-OpenStack-Nova-API-Version", version}}).status, 400u) << version;
  }
}

} // namespace
} // namespace fedstack::sim
