// Marker searches read every page: Nova's and Glance's pages hold at most 1,000, and a
// search that stopped at the first could not find the 1,001st server (issue 16).

#include <gtest/gtest.h>

#include "agent/flows/marker_search.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

TEST(MarkerSearch, FollowsEachServicesNextLink) {
  EXPECT_EQ(next_page(api::service_type::image, "images",
                      json{{"images", json::array()}, {"next", "/v2/images?marker=abc&fedstack_gid=x"}}),
            "/v2/images?marker=abc&fedstack_gid=x");
  EXPECT_EQ(next_page(api::service_type::compute, "servers",
                      json{{"servers", json::array()},
                           {"servers_links",
                            {{{"rel", "next"}, {"href", "http://nova:8774/v2.1/servers/detail?all_tenants=1&marker=s1000"}}}}}),
            "/v2.1/servers/detail?all_tenants=1&marker=s1000");
  EXPECT_EQ(next_page(api::service_type::network, "ports",
                      json{{"ports", json::array()},
                           {"ports_links",
                            {{{"rel", "previous"}, {"href", "http://neutron:9696/v2.0/ports?marker=a&page_reverse=True"}},
                             {{"rel", "next"}, {"href", "http://neutron:9696/v2.0/ports?marker=z"}}}}}),
            "/v2.0/ports?marker=z");
}

TEST(MarkerSearch, TheLastPageHasNoNextLink) {
  EXPECT_EQ(next_page(api::service_type::image, "images", json{{"images", json::array()}}), "");
  EXPECT_EQ(next_page(api::service_type::compute, "servers", json{{"servers", json::array()}}), "");
  EXPECT_EQ(next_page(api::service_type::compute, "servers", json{{"servers_links", "garbage"}}), "");
  EXPECT_EQ(next_page(api::service_type::image, "images", json{{"next", 7}}), "");
  EXPECT_EQ(next_page(api::service_type::image, "images", json::array()), "");
  // A link to another API root is not followed.
  EXPECT_EQ(next_page(api::service_type::compute, "servers",
                      json{{"servers_links", {{{"rel", "next"}, {"href", "http://elsewhere/v2.0/ports"}}}}}),
            "");
}

TEST(MarkerSearch, SearchesFilterWhereTheApiCan) {
  auto gid = *api::make_global_id({"127.0.0.1", 4790});
  auto image = search_for_marker(storage::resource_kind::image, gid, false);
  ASSERT_TRUE(image);
  EXPECT_EQ(image->path, "/v2/images?fedstack_gid=" + gid);
  auto server = search_for_marker(storage::resource_kind::server, gid, true);
  ASSERT_TRUE(server);
  EXPECT_EQ(server->path, "/v2.1/servers/detail?all_tenants=1");
  EXPECT_FALSE(search_for_marker(storage::resource_kind::flavor, gid, true));
  EXPECT_EQ(max_marker_pages, 100u);
}

} // namespace
} // namespace fedstack::agent
