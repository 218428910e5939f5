// Keys and tags reserved for the federation's markers, refused in every client
// call that names one (agent/rules/marker_guard.hpp): every method and path
// that writes Nova, Cinder or Glance metadata or Neutron tags, each marker key,
// each resource kind; requests routed as the agent routes them (api::classify).

#include <gtest/gtest.h>

#include "agent/rules/marker_guard.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using boost::beast::http::verb;

const std::string id = "0a1b2c3d-0000-4000-8000-000000000001";
const std::string project = "0123456789abcdef0123456789abcdef";

/// The markers the agent writes, and a name only the namespace reserves.
const std::vector<std::string> reserved_keys{std::string(api::gid_key),      std::string(api::multi_key),
                                             std::string(api::attempt_key),  std::string(api::copy_of_key),
                                             std::string(api::snapshot_of_key), "fedstack_sg_copy_of",
                                             "fedstack_fip_used",             "fedstack_future"};

std::optional<marker_guard_answer> guard(verb method, const std::string& target, const json& body = nullptr) {
  auto route = api::classify(std::string(boost::beast::http::to_string(method)), target);
  EXPECT_EQ(route.kind, api::route_kind::api) << target << " " << route.reason;
  return guard_markers(route, method, body);
}

unsigned status_of(verb method, const std::string& target, const json& body = nullptr) {
  auto answer = guard(method, target, body);
  return answer ? answer->status : 0;
}

/// Every call that writes metadata of one kind of Nova or Cinder item.
void expect_metadata_calls_refused(const std::string& collection, const std::string& wrapper, const std::string& key) {
  auto item = collection + "/" + id;
  json meta{{key, "x"}};
  EXPECT_EQ(status_of(verb::post, collection, {{wrapper, {{"name", "n"}, {"metadata", meta}}}}), 400u) << key;
  EXPECT_EQ(status_of(verb::put, item, {{wrapper, {{"metadata", meta}}}}), 400u) << key;
  EXPECT_EQ(status_of(verb::post, item + "/metadata", {{"metadata", meta}}), 400u) << key;
  EXPECT_EQ(status_of(verb::put, item + "/metadata", {{"metadata", {{"role", "db"}, {key, "x"}}}}), 400u) << key;
  EXPECT_EQ(status_of(verb::put, item + "/metadata/" + key, {{"meta", meta}}), 400u) << key;
  EXPECT_EQ(status_of(verb::put, item + "/metadata/role", {{"meta", meta}}), 400u) << "the body names it: " << key;
  EXPECT_EQ(status_of(verb::delete_, item + "/metadata/" + key), 400u) << key;
  EXPECT_EQ(status_of(verb::get, item + "/metadata/" + key), 404u) << "hidden as absent: " << key;
  // The same calls with a client's own key pass.
  json own{{"role", "db"}};
  EXPECT_FALSE(guard(verb::post, collection, {{wrapper, {{"name", "n"}, {"metadata", own}}}}));
  EXPECT_FALSE(guard(verb::put, item, {{wrapper, {{"metadata", own}}}}));
  EXPECT_FALSE(guard(verb::post, item + "/metadata", {{"metadata", own}}));
  EXPECT_FALSE(guard(verb::put, item + "/metadata", {{"metadata", own}}));
  EXPECT_FALSE(guard(verb::put, item + "/metadata/role", {{"meta", own}}));
  EXPECT_FALSE(guard(verb::delete_, item + "/metadata/role"));
  EXPECT_FALSE(guard(verb::get, item + "/metadata/role"));
  EXPECT_FALSE(guard(verb::get, item + "/metadata"));
}

TEST(MarkerGuard, ServerMetadataCallsNamingAReservedKeyAreRefused) {
  for (const auto& key : reserved_keys) {
    expect_metadata_calls_refused("/compute/v2.1/servers", "server", key);
    for (const char* action : {"rebuild", "createImage"}) {
      json body{{action, {{"imageRef", id}, {"name", "snap"}, {"metadata", {{key, "x"}}}}}};
      EXPECT_EQ(status_of(verb::post, "/compute/v2.1/servers/" + id + "/action", body), 400u) << action << key;
      body[action]["metadata"] = {{"role", "db"}};
      EXPECT_FALSE(guard(verb::post, "/compute/v2.1/servers/" + id + "/action", body)) << action;
    }
  }
  auto refused = guard(verb::post, "/compute/v2.1/servers/" + id + "/metadata", {{"metadata", {{"fedstack_gid", "x"}}}});
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->message.find("'fedstack_gid'"), std::string::npos) << "names the key: " << refused->message;
  // A project segment in a compute path changes nothing.
  EXPECT_EQ(status_of(verb::delete_, "/compute/v2.1/" + project + "/servers/" + id + "/metadata/fedstack_gid"), 400u);
}

TEST(MarkerGuard, VolumeSnapshotAndBackupMetadataCallsNamingAReservedKeyAreRefused) {
  for (const auto& key : reserved_keys) {
    expect_metadata_calls_refused("/volume/v3/" + project + "/volumes", "volume", key);
    expect_metadata_calls_refused("/volume/v3/" + project + "/snapshots", "snapshot", key);
    auto backups = "/volume/v3/" + project + "/backups";
    EXPECT_EQ(status_of(verb::post, backups, {{"backup", {{"volume_id", id}, {"metadata", {{key, "x"}}}}}}), 400u);
    EXPECT_EQ(status_of(verb::put, backups + "/" + id, {{"backup", {{"metadata", {{key, "x"}}}}}}), 400u);
    EXPECT_FALSE(guard(verb::put, backups + "/" + id, {{"backup", {{"metadata", {{"k", "x"}}}}}}));
  }
}

TEST(MarkerGuard, ImagePropertiesNamingAReservedKeyAreRefusedInCreatesAndEveryPatchOperation) {
  for (const auto& key : reserved_keys) {
    EXPECT_EQ(status_of(verb::post, "/image/v2/images", {{"name", "i"}, {key, "x"}}), 400u) << key;
    for (const char* op : {"add", "replace", "remove"})
      EXPECT_EQ(status_of(verb::patch, "/image/v2/images/" + id,
                          json::array({{{"op", "replace"}, {"path", "/name"}, {"value", "n"}},
                                       {{"op", op}, {"path", "/" + key}, {"value", "x"}}})),
                400u)
        << op << " " << key;
    for (const char* op : {"move", "copy"})
      EXPECT_EQ(status_of(verb::patch, "/image/v2/images/" + id,
                          json::array({{{"op", op}, {"from", "/" + key}, {"path", "/mine"}}})),
                400u)
        << op << " " << key;
  }
  EXPECT_FALSE(guard(verb::post, "/image/v2/images", {{"name", "i"}, {"os_distro", "debian"}}));
  EXPECT_FALSE(guard(verb::patch, "/image/v2/images/" + id,
                     json::array({{{"op", "add"}, {"path", "/os_distro"}, {"value", "debian"}}})));
}

TEST(MarkerGuard, NeutronTagsInTheMarkersNamespaceAreRefusedOnEveryResourceAndPath) {
  for (const std::string resource : {"networks", "subnets", "ports", "security-groups", "routers", "floatingips"}) {
    auto item = "/network/v2.0/" + resource + "/" + id;
    for (const auto& key : reserved_keys) {
      auto tag = key + "=" + id;
      EXPECT_EQ(status_of(verb::put, item + "/tags", {{"tags", {"red", tag}}}), 400u) << resource << " " << tag;
      EXPECT_EQ(status_of(verb::put, item + "/tags", {{"tags", {key}}}), 400u) << resource << " " << key;
      EXPECT_EQ(status_of(verb::put, item + "/tags/" + key), 400u) << resource << " " << key;
      EXPECT_EQ(status_of(verb::put, item + "/tags/" + key + "%3D" + id), 400u) << resource << " " << key;
      EXPECT_EQ(status_of(verb::delete_, item + "/tags/" + key + "%3D" + id), 400u) << resource << " " << key;
      EXPECT_EQ(status_of(verb::get, item + "/tags/" + key + "%3D" + id), 404u) << resource << " " << key;
      auto singular = resource == "security-groups" ? std::string("security_group") : resource.substr(0, resource.size() - 1);
      EXPECT_EQ(status_of(verb::post, "/network/v2.0/" + resource, {{singular, {{"tags", {tag}}}}}), 400u) << resource;
      json bulk{{resource, json::array({{{"name", "a"}}, {{"tags", {tag}}}})}};
      EXPECT_EQ(status_of(verb::post, "/network/v2.0/" + resource, bulk), 400u) << resource;
    }
    EXPECT_FALSE(guard(verb::put, item + "/tags", {{"tags", {"red", "blue"}}}));
    EXPECT_FALSE(guard(verb::put, item + "/tags/red"));
    EXPECT_FALSE(guard(verb::delete_, item + "/tags/red"));
    EXPECT_FALSE(guard(verb::delete_, item + "/tags"));
    EXPECT_FALSE(guard(verb::get, item + "/tags"));
  }
  // A pending marker in a description (docs/decisions.md, "Neutron creates").
  auto pending = api::pending_description("0123456789abcdef0123456789abcdef");
  EXPECT_EQ(status_of(verb::post, "/network/v2.0/networks", {{"network", {{"description", pending}}}}), 400u);
  EXPECT_EQ(status_of(verb::put, "/network/v2.0/ports/" + id, {{"port", {{"description", pending}}}}), 400u);
  EXPECT_FALSE(guard(verb::put, "/network/v2.0/ports/" + id, {{"port", {{"description", "web"}}}}));
}

TEST(MarkerGuard, AServerGroupNamedAsTheFederationsCopiesIsRefused) {
  EXPECT_EQ(status_of(verb::post, "/compute/v2.1/os-server-groups",
                      {{"server_group", {{"name", "fedstack_copy_of=" + id}, {"policies", {"affinity"}}}}}),
            400u);
  EXPECT_FALSE(guard(verb::post, "/compute/v2.1/os-server-groups",
                     {{"server_group", {{"name", "web"}, {"policies", {"affinity"}}}}}));
}

TEST(MarkerGuard, OnlyTheExactPrefixIsReserved) {
  EXPECT_TRUE(is_reserved_name("fedstack_gid"));
  EXPECT_TRUE(is_reserved_name("fedstack_"));
  EXPECT_FALSE(is_reserved_name("fedstack"));
  EXPECT_FALSE(is_reserved_name("Fedstack_gid"));
  EXPECT_FALSE(is_reserved_name("my_fedstack_gid"));
  EXPECT_FALSE(guard(verb::post, "/compute/v2.1/servers/" + id + "/metadata", {{"metadata", {{"my_fedstack_gid", "x"}}}}));
}

} // namespace
} // namespace fedstack::agent
