// The pure decisions of lifecycle calls on any cloudlet (agent/rules/lifecycle_rule.hpp).

#include <gtest/gtest.h>

#include "agent/rules/lifecycle_rule.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using boost::beast::http::verb;

api::route route_of(api::service_type service, std::string resource, std::string id, std::string action,
                    std::string sub_id = {}) {
  api::route r;
  r.kind = api::route_kind::api;
  r.service = service;
  r.resource = std::move(resource);
  r.resource_id = std::move(id);
  r.action = std::move(action);
  r.sub_id = std::move(sub_id);
  return r;
}

constexpr const char* gid = "1f0c2a77-5e1b-8d4e-9a3c-7f0000011283";

TEST(LifecycleRule, ServerActionsThatNeedSomethingOnTheServersCloudlet) {
  auto action = route_of(api::service_type::compute, "servers", gid, "action");
  EXPECT_EQ(lifecycle_step_of(action, verb::post, {{"resize", {{"flavorRef", "2"}}}}), lifecycle_step::resize);
  EXPECT_EQ(lifecycle_step_of(action, verb::post, {{"rebuild", {{"imageRef", gid}}}}), lifecycle_step::rebuild);
  EXPECT_EQ(lifecycle_step_of(action, verb::post, {{"createImage", {{"name", "s"}}}}), lifecycle_step::create_image);
  EXPECT_EQ(lifecycle_step_of(action, verb::post, {{"unshelve", nullptr}}), lifecycle_step::unshelve);
  EXPECT_EQ(lifecycle_step_of(action, verb::post, {{"os-stop", nullptr}}), lifecycle_step::none);
  EXPECT_EQ(lifecycle_step_of(action, verb::post, {{"confirmResize", nullptr}}), lifecycle_step::none);
  EXPECT_EQ(lifecycle_step_of(action, verb::post, json::array()), lifecycle_step::none);
  EXPECT_EQ(lifecycle_step_of(action, verb::post, {{"resize", {}}, {"rebuild", {}}}), lifecycle_step::none)
    << "two actions in one body: Nova's to refuse";
}

TEST(LifecycleRule, OnlyInstanceActionReadsAndTheShowFollowADeletedServer) {
  auto actions = route_of(api::service_type::compute, "servers", gid, "os-instance-actions");
  EXPECT_TRUE(reads_deleted_server(actions, verb::get));
  EXPECT_TRUE(reads_deleted_server(route_of(api::service_type::compute, "servers", gid, "os-instance-actions",
                                            "req-1"),
                                   verb::get));
  EXPECT_FALSE(reads_deleted_server(actions, verb::post));
  EXPECT_TRUE(reads_deleted_server(route_of(api::service_type::compute, "servers", gid, ""), verb::get));
  EXPECT_FALSE(reads_deleted_server(route_of(api::service_type::compute, "servers", gid, ""), verb::put));
  EXPECT_FALSE(reads_deleted_server(route_of(api::service_type::compute, "servers", gid, "metadata"), verb::get));
  EXPECT_FALSE(reads_deleted_server(route_of(api::service_type::network, "ports", gid, "os-instance-actions"),
                                    verb::get));
  EXPECT_TRUE(may_follow_deleted("p1", "p1", false));
  EXPECT_FALSE(may_follow_deleted("p1", "p2", false));
  EXPECT_TRUE(may_follow_deleted("p1", "p2", true));
  EXPECT_FALSE(may_follow_deleted("", "", false));
}

TEST(LifecycleRule, CallsThatReplaceEveryTagOrAllMetadata) {
  auto tags = route_of(api::service_type::network, "ports", gid, "tags");
  EXPECT_EQ(lifecycle_step_of(tags, verb::put, nullptr), lifecycle_step::replace_tags);
  EXPECT_EQ(lifecycle_step_of(tags, verb::delete_, nullptr), lifecycle_step::delete_tags);
  EXPECT_EQ(lifecycle_step_of(tags, verb::get, nullptr), lifecycle_step::read_tags) << "the list, markers omitted";
  auto one_tag = route_of(api::service_type::network, "networks", gid, "tags", "red");
  EXPECT_EQ(lifecycle_step_of(one_tag, verb::put, nullptr), lifecycle_step::none) << "one tag added: markers stay";
  auto metadata = route_of(api::service_type::compute, "servers", gid, "metadata");
  EXPECT_EQ(lifecycle_step_of(metadata, verb::put, nullptr), lifecycle_step::replace_metadata);
  EXPECT_EQ(lifecycle_step_of(metadata, verb::post, nullptr), lifecycle_step::none) << "POST merges";
  auto server_tags = route_of(api::service_type::compute, "servers", gid, "tags");
  EXPECT_EQ(lifecycle_step_of(server_tags, verb::put, nullptr), lifecycle_step::none) << "Nova's marker is metadata";
}

TEST(LifecycleRule, CinderCallsThatReplaceAllMetadataAndWhereThatMetadataIs) {
  for (const char* resource : {"volumes", "snapshots", "backups"}) {
    auto metadata = route_of(api::service_type::volume, resource, gid, "metadata");
    EXPECT_EQ(lifecycle_step_of(metadata, verb::put, nullptr), lifecycle_step::replace_metadata) << resource;
    EXPECT_EQ(lifecycle_step_of(metadata, verb::post, nullptr), lifecycle_step::none) << "POST merges";
    auto one_key = route_of(api::service_type::volume, resource, gid, "metadata", "k");
    EXPECT_EQ(lifecycle_step_of(one_key, verb::put, nullptr), lifecycle_step::none);
    std::string singular(resource, std::string(resource).size() - 1);
    auto item = route_of(api::service_type::volume, resource, gid, "");
    json update{{singular, {{"name", "n"}, {"metadata", {{"k", "v"}}}}}};
    EXPECT_EQ(lifecycle_step_of(item, verb::put, update), lifecycle_step::replace_metadata) << resource;
    EXPECT_EQ(lifecycle_step_of(item, verb::put, {{singular, {{"name", "n"}}}}), lifecycle_step::none)
      << "an update without metadata keeps it";
    ASSERT_TRUE(replaced_metadata(update, item));
    EXPECT_EQ(*replaced_metadata(update, item), json({{"k", "v"}}));
  }
  auto floating = route_of(api::service_type::network, "floatingips", gid, "tags");
  EXPECT_EQ(lifecycle_step_of(floating, verb::put, nullptr), lifecycle_step::replace_tags);
  EXPECT_EQ(lifecycle_step_of(route_of(api::service_type::network, "routers", gid, "tags"), verb::delete_, nullptr),
            lifecycle_step::delete_tags);
  auto action = route_of(api::service_type::compute, "servers", gid, "action");
  json rebuild{{"rebuild", {{"imageRef", gid}, {"metadata", {{"k", "v"}}}}}};
  ASSERT_TRUE(replaced_metadata(rebuild, action));
  EXPECT_EQ(*replaced_metadata(rebuild, action), json({{"k", "v"}}));
  json no_metadata{{"rebuild", {{"imageRef", gid}}}};
  EXPECT_FALSE(replaced_metadata(no_metadata, action)) << "a rebuild without metadata keeps the server's";
  json all{{"metadata", {{"k", "v"}}}};
  EXPECT_TRUE(replaced_metadata(all, route_of(api::service_type::compute, "servers", gid, "metadata")));
  EXPECT_FALSE(replaced_metadata(all, route_of(api::service_type::compute, "servers", gid, "metadata", "k")));
}

TEST(LifecycleRule, TagsToPutKeepTheMarkersAndDropForgedOnes) {
  auto marker = api::marker_tag({gid, false, {}});
  auto attempt = api::attempt_tag("0123456789abcdef0123456789abcdef");
  auto forged = api::marker_tag({"2f0c2a77-5e1b-8d4e-9a3c-7f0000011283", false, {}});
  auto put = tags_to_put({{"tags", {"red", forged, "red"}}}, {marker, "old", attempt});
  ASSERT_TRUE(put);
  EXPECT_EQ(*put, (std::vector<std::string>{"red", marker, attempt}));
  EXPECT_FALSE(tags_to_put({{"tags", {1}}}, {}));
  EXPECT_EQ(client_tags(json::array({marker, "red", attempt, "fedstack_other", "blue"})), json::array({"red", "blue"}))
    << "every tag in the federation's namespace omitted";
  EXPECT_EQ(client_tags(json::object()), json::array());
  EXPECT_FALSE(tags_to_put({{"tag", {}}}, {}));
}

TEST(LifecycleRule, MetadataToPutKeepsTheMarkers) {
  json current{{std::string(api::gid_key), gid}, {"old", "x"}};
  auto put = metadata_to_put({{"metadata", {{"role", "db"}, {std::string(api::gid_key), "forged"}}}}, current);
  ASSERT_TRUE(put);
  EXPECT_EQ(*put, json({{"role", "db"}, {std::string(api::gid_key), gid}}));
  EXPECT_FALSE(metadata_to_put({{"metadata", json::array()}}, current));
}

TEST(LifecycleRule, UnshelveIntoAnotherCloudletsZoneIsRefused) {
  EXPECT_TRUE(refuse_unshelve_zone({{"unshelve", {{"availability_zone", "cloudlet-3"}}}}, "cloudlet-2", gid));
  EXPECT_FALSE(refuse_unshelve_zone({{"unshelve", {{"availability_zone", "cloudlet-2"}}}}, "cloudlet-2", gid));
  EXPECT_FALSE(refuse_unshelve_zone({{"unshelve", nullptr}}, "cloudlet-2", gid));
  EXPECT_FALSE(refuse_unshelve_zone({{"unshelve", {{"availability_zone", nullptr}}}}, "cloudlet-2", gid))
    << "2.91's null unpins: the server stays where it is anyway";
}

TEST(LifecycleRule, TheSnapshotsIdFromTheBodyOrTheLocation) {
  EXPECT_EQ(snapshot_image_id({{"image_id", "abc"}}, ""), "abc");
  EXPECT_EQ(snapshot_image_id(json::object(), "http://glance:9292/images/5e066bc7-528a-4f93-9e31-911725e69e2e"),
            "5e066bc7-528a-4f93-9e31-911725e69e2e");
  EXPECT_FALSE(snapshot_image_id(json::object(), ""));
  EXPECT_FALSE(snapshot_image_id(json::object(), "http://glance:9292/images/"));
}

TEST(LifecycleRule, RequestedServers) {
  EXPECT_EQ(requested_servers(json::object()), 1);
  EXPECT_EQ(requested_servers({{"min_count", 2}}), 2);
  EXPECT_EQ(requested_servers({{"min_count", 2}, {"max_count", 3}}), 3);
  EXPECT_EQ(requested_servers({{"max_count", "4"}}), 4);
  EXPECT_EQ(requested_servers({{"min_count", 0}}), 1);
}

} // namespace
} // namespace fedstack::agent
