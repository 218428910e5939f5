// Volume types are the federation's, and Cinder's limits and quota sets are
// combined over cloudlets (docs/federation.md, "Volumes"; agent/flows/volume_types.hpp,
// operator_views.cpp): through the agent's handler (own cloudlet: cloudlet-1)
// against fake clouds running the simulator's Cinder.

#include <algorithm>

#include <gtest/gtest.h>

#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using svc = api::service_type;

class VolumeTypeFlow : public ::testing::Test {
protected:
  std::string admin_base() { return "/volume/v3/" + h.clouds().admin_project_id(); }
  std::string demo_base() { return "/volume/v3/" + h.clouds().demo_project_id(); }

  /// Every type on `region` as its admin sees it, straight from its Cinder.
  json types_on(const std::string& region) {
    auto answer = h.clouds().direct(region, svc::volume, bhttp::verb::get,
                                    "/v3/" + h.clouds().admin_project_id() + "/types?is_public=None",
                                    h.clouds().admin_token());
    EXPECT_EQ(answer.status, 200u) << answer.body;
    return json::parse(answer.body).at("volume_types");
  }

  json type_on(const std::string& region, const std::string& name) {
    for (const auto& t : types_on(region))
      if (t.at("name") == name) return t;
    return nullptr;
  }

  /// A type made on `region` directly, as an operator of that cloud would; its ID there.
  std::string make_on(const std::string& region, json type) {
    auto answer = h.clouds().direct(region, svc::volume, bhttp::verb::post,
                                    "/v3/" + h.clouds().admin_project_id() + "/types", h.clouds().admin_token(),
                                    {{"volume_type", std::move(type)}});
    EXPECT_EQ(answer.status, 200u) << answer.body;
    return json::parse(answer.body).at("volume_type").at("id");
  }

  /// The admin's create through the agent; its answer.
  captured_response create(const std::string& name) {
    return h.send(bhttp::verb::post, admin_base() + "/types", {{"volume_type", {{"name", name}}}}, h.admin_token());
  }

  /// The agent's type list for the admin, or for demo (`as_demo`).
  json listed(bool as_demo = false) {
    auto answer = as_demo ? h.send(bhttp::verb::get, demo_base() + "/types")
                          : h.send(bhttp::verb::get, admin_base() + "/types", nullptr, h.admin_token());
    EXPECT_EQ(answer.status, 200u) << answer.body;
    return json::parse(answer.body).at("volume_types");
  }

  std::string demo_volume(json volume) {
    auto answer = h.send(bhttp::verb::post, demo_base() + "/volumes", {{"volume", std::move(volume)}});
    EXPECT_EQ(answer.status, 202u) << answer.body;
    return answer.status == 202u ? json::parse(answer.body).at("volume").at("id").get<std::string>() : "";
  }

  /// The cloud's own view of the volume the federation recorded as `id`.
  json volume_on_cloud(const std::string& id) {
    auto entry = h.registry().entry(id);
    if (!entry) return nullptr;
    const auto& copy = entry->copies.front();
    auto answer = h.clouds().direct(copy.cloudlet, svc::volume, bhttp::verb::get,
                                    "/v3/" + h.clouds().demo_project_id() + "/volumes/" + copy.local_id,
                                    h.clouds().demo_token());
    return json::parse(answer.body).at("volume");
  }

  flow_harness h;
};

TEST_F(VolumeTypeFlow, TheDefaultTypeOfEveryCloudletIsListedOnceUnderTheOwnCloudletsID) {
  auto types = listed();
  ASSERT_EQ(types.size(), 1u) << types.dump();
  EXPECT_EQ(types[0].at("name"), "__DEFAULT__");
  EXPECT_EQ(types[0].at("id"), type_on("cloudlet-1", "__DEFAULT__").at("id"));
  auto by_default = h.send(bhttp::verb::get, admin_base() + "/types/default", nullptr, h.admin_token());
  ASSERT_EQ(by_default.status, 200u) << by_default.body;
  EXPECT_EQ(json::parse(by_default.body).at("volume_type").at("id"), types[0].at("id"));
}

TEST_F(VolumeTypeFlow, AnAdminsCreateIsMadeOnEveryCloudletAndShownOnceWithTheOwnCloudletsID) {
  auto made = create("fast");
  ASSERT_EQ(made.status, 200u) << made.body;
  auto id = json::parse(made.body).at("volume_type").at("id").get<std::string>();
  for (const auto& region : {"cloudlet-1", "cloudlet-2", "cloudlet-3"})
    ASSERT_TRUE(type_on(region, "fast").is_object()) << region;
  EXPECT_EQ(id, type_on("cloudlet-1", "fast").at("id"));
  auto types = listed(true);
  EXPECT_EQ(std::count_if(types.begin(), types.end(), [](const json& t) { return t.at("name") == "fast"; }), 1);
  // Any cloudlet's ID of it is shown from the cloudlet that holds it.
  auto other = type_on("cloudlet-3", "fast").at("id").get<std::string>();
  auto shown = h.send(bhttp::verb::get, demo_base() + "/types/" + other);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("volume_type").at("name"), "fast");
  EXPECT_EQ(create("fast").status, 409u) << "every cloudlet holds it: Cinder's VolumeTypeExists";
  EXPECT_EQ(json::parse(create("fast").body), (json{{"conflictingRequest",
                                                    {{"code", 409}, {"message", "Volume Type fast already exists."}}}}));
}

TEST_F(VolumeTypeFlow, ACreateACloudletMissedIsNamedAndTheSameCreateAgainBringsItInStep) {
  h.clouds().add_fault(call_fault("cloudlet-3", bhttp::verb::post, "/v3/" + h.clouds().admin_project_id() + "/types",
                                  fault_effect::answer, 500));
  auto made = create("gold");
  ASSERT_EQ(made.status, 200u) << made.body;
  EXPECT_EQ(made.header("X-Fedstack-Not-Synced"), "cloudlet-3");
  EXPECT_TRUE(type_on("cloudlet-3", "gold").is_null());
  auto again = create("gold");
  ASSERT_EQ(again.status, 200u) << again.body;
  EXPECT_TRUE(type_on("cloudlet-3", "gold").is_object());
  EXPECT_EQ(json::parse(again.body).at("volume_type").at("id"), type_on("cloudlet-1", "gold").at("id"))
      << "answered with the ID the federation shows";
  EXPECT_EQ(types_on("cloudlet-1").size(), 2u) << "not made twice where it was";
}

TEST_F(VolumeTypeFlow, ANonAdminsCreateIsRefusedByCinderAndMakesNothing) {
  auto refused = h.send(bhttp::verb::post, demo_base() + "/types", {{"volume_type", {{"name", "mine"}}}});
  EXPECT_EQ(refused.status, 403u) << refused.body;
  for (const auto& region : {"cloudlet-1", "cloudlet-2", "cloudlet-3"}) EXPECT_TRUE(type_on(region, "mine").is_null());
}

TEST_F(VolumeTypeFlow, ExtraSpecsAndDeletesReachEveryEqualTypeButNotAnotherVisibility) {
  ASSERT_EQ(create("fast").status, 200u);
  make_on("cloudlet-3", {{"name", "secret"}, {"os-volume-type-access:is_public", false}});
  make_on("cloudlet-2", {{"name", "secret"}});
  auto answer = h.send(bhttp::verb::get, admin_base() + "/types", nullptr, h.admin_token());
  EXPECT_EQ(answer.header("X-Fedstack-Volume-Type-Conflicts"), "secret");

  auto id = type_on("cloudlet-2", "fast").at("id").get<std::string>();
  auto set = h.send(bhttp::verb::post, admin_base() + "/types/" + id + "/extra_specs",
                    {{"extra_specs", {{"volume_backend_name", "lvm"}}}}, h.admin_token());
  ASSERT_EQ(set.status, 200u) << set.body;
  for (const auto& region : {"cloudlet-1", "cloudlet-2", "cloudlet-3"})
    EXPECT_EQ(type_on(region, "fast").at("extra_specs"), (json{{"volume_backend_name", "lvm"}})) << region;

  auto secret = type_on("cloudlet-2", "secret").at("id").get<std::string>();
  auto gone = h.send(bhttp::verb::delete_, admin_base() + "/types/" + secret, nullptr, h.admin_token());
  EXPECT_EQ(gone.status, 202u) << gone.body;
  EXPECT_TRUE(type_on("cloudlet-2", "secret").is_null());
  EXPECT_TRUE(type_on("cloudlet-3", "secret").is_object()) << "the private type of that name is another type";

  // A demo user's delete: Cinder's 403 at the first cloudlet ends it.
  EXPECT_EQ(h.send(bhttp::verb::delete_, demo_base() + "/types/" + id).status, 403u);
  auto deleted = h.send(bhttp::verb::delete_, admin_base() + "/types/" + id, nullptr, h.admin_token());
  EXPECT_EQ(deleted.status, 202u) << deleted.body;
  for (const auto& region : {"cloudlet-1", "cloudlet-2", "cloudlet-3"})
    EXPECT_TRUE(type_on(region, "fast").is_null()) << region;
  auto missing = h.send(bhttp::verb::get, admin_base() + "/types/" + id, nullptr, h.admin_token());
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(json::parse(missing.body).at("itemNotFound").at("message"), "Volume type " + id + " could not be found.");
}

TEST_F(VolumeTypeFlow, AccessToAPrivateTypeIsGivenOnEveryCloudlet) {
  auto made = h.send(bhttp::verb::post, admin_base() + "/types",
                     {{"volume_type", {{"name", "club"}, {"os-volume-type-access:is_public", false}}}}, h.admin_token());
  ASSERT_EQ(made.status, 200u) << made.body;
  auto id = json::parse(made.body).at("volume_type").at("id").get<std::string>();
  EXPECT_TRUE(listed(true).size() == 1u) << "demo sees only __DEFAULT__";
  // Already given on cloudlet-3 (409 there) is in step.
  auto on3 = type_on("cloudlet-3", "club").at("id").get<std::string>();
  ASSERT_EQ(h.clouds().direct("cloudlet-3", svc::volume, bhttp::verb::post,
                              "/v3/" + h.clouds().admin_project_id() + "/types/" + on3 + "/action",
                              h.clouds().admin_token(), {{"addProjectAccess", {{"project", h.clouds().demo_project_id()}}}})
                .status, 202u);
  auto given = h.send(bhttp::verb::post, admin_base() + "/types/" + id + "/action",
                      {{"addProjectAccess", {{"project", h.clouds().demo_project_id()}}}}, h.admin_token());
  EXPECT_EQ(given.status, 202u) << given.body;
  EXPECT_EQ(given.header("X-Fedstack-Not-Synced"), "");
  for (const auto& region : {"cloudlet-1", "cloudlet-2", "cloudlet-3"}) {
    auto access = h.clouds().direct(region, svc::volume, bhttp::verb::get,
                                    "/v3/" + h.clouds().admin_project_id() + "/types/" +
                                        type_on(region, "club").at("id").get<std::string>() + "/os-volume-type-access",
                                    h.clouds().admin_token());
    EXPECT_EQ(json::parse(access.body).at("volume_type_access").size(), 1u) << region << access.body;
  }
  auto types = listed(true);
  EXPECT_EQ(std::count_if(types.begin(), types.end(), [](const json& t) { return t.at("name") == "club"; }), 1);
  auto shown = h.send(bhttp::verb::get, admin_base() + "/types/" + id + "/os-volume-type-access", nullptr,
                      h.admin_token());
  EXPECT_EQ(shown.status, 200u) << shown.body;
}

TEST_F(VolumeTypeFlow, AVolumeOfATypeIsMadeWithTheTypeOfItsCloudletByNameOrFederationID) {
  ASSERT_EQ(create("fast").status, 200u);
  auto shown_id = type_on("cloudlet-1", "fast").at("id").get<std::string>();
  for (const auto& ref : {std::string{"fast"}, shown_id}) {
    auto id = demo_volume({{"size", 1}, {"volume_type", ref}, {"availability_zone", "cloudlet-2"}});
    auto there = volume_on_cloud(id);
    ASSERT_TRUE(there.is_object());
    EXPECT_EQ(there.at("volume_type"), "fast") << ref;
    EXPECT_EQ(h.registry().entry(id)->copies.front().cloudlet, "cloudlet-2");
  }
  auto unknown = h.send(bhttp::verb::post, demo_base() + "/volumes", {{"volume", {{"size", 1}, {"volume_type", "gold"}}}});
  EXPECT_EQ(unknown.status, 404u) << unknown.body;
  EXPECT_EQ(json::parse(unknown.body).at("itemNotFound").at("message"), "Volume type with name gold could not be found.");
}

TEST_F(VolumeTypeFlow, ACloudletWithoutTheTypeIsNoCandidate) {
  make_on("cloudlet-3", {{"name", "only3"}});
  h.placement().place_on("cloudlet-2");
  auto id = demo_volume({{"size", 1}, {"volume_type", "only3"}});
  EXPECT_EQ(h.registry().entry(id)->copies.front().cloudlet, "cloudlet-3")
      << "the scheduler's choice lacks the type; the cloudlet holding it takes the volume";
  EXPECT_EQ(volume_on_cloud(id).at("volume_type"), "only3");
  auto pinned = h.send(bhttp::verb::post, demo_base() + "/volumes",
                       {{"volume", {{"size", 1}, {"volume_type", "only3"}, {"availability_zone", "cloudlet-2"}}}});
  EXPECT_EQ(pinned.status, 400u) << pinned.body;
}

TEST_F(VolumeTypeFlow, LimitsAndQuotaSetsAreCombinedOverEveryCinder) {
  demo_volume({{"size", 2}, {"availability_zone", "cloudlet-2"}});
  demo_volume({{"size", 3}, {"availability_zone", "cloudlet-3"}});
  auto token = h.clouds().admin_token();
  auto set = h.clouds().direct("cloudlet-2", svc::volume, bhttp::verb::put,
                               "/v3/" + h.clouds().admin_project_id() + "/os-quota-sets/" + h.clouds().demo_project_id(),
                               token, {{"quota_set", {{"volumes", 4}, {"per_volume_gigabytes", 50}}}});
  ASSERT_EQ(set.status, 200u) << set.body;

  auto limits = h.send(bhttp::verb::get, demo_base() + "/limits");
  ASSERT_EQ(limits.status, 200u) << limits.body;
  auto absolute = json::parse(limits.body).at("limits").at("absolute");
  EXPECT_EQ(absolute.at("maxTotalVolumes"), 10 + 4 + 10);
  EXPECT_EQ(absolute.at("totalVolumesUsed"), 2);
  EXPECT_EQ(absolute.at("totalGigabytesUsed"), 5);
  EXPECT_EQ(absolute.at("maxTotalVolumeGigabytes"), 3000);

  auto quota = h.send(bhttp::verb::get, demo_base() + "/os-quota-sets/" + h.clouds().demo_project_id() + "?usage=True");
  ASSERT_EQ(quota.status, 200u) << quota.body;
  auto q = json::parse(quota.body).at("quota_set");
  EXPECT_EQ(q.at("volumes"), (json{{"in_use", 2}, {"limit", 24}, {"reserved", 0}}));
  EXPECT_EQ(q.at("per_volume_gigabytes").at("limit"), 50) << "what holds for one volume wherever it goes";
  EXPECT_EQ(q.at("id"), h.clouds().demo_project_id());
  EXPECT_TRUE(q.contains("volumes___DEFAULT__"));

  auto defaults = h.send(bhttp::verb::get,
                         demo_base() + "/os-quota-sets/" + h.clouds().demo_project_id() + "/defaults");
  ASSERT_EQ(defaults.status, 200u) << defaults.body;
  EXPECT_EQ(json::parse(defaults.body).at("quota_set").at("volumes"), 30);

  h.clouds().set_down("cloudlet-3");
  auto partial = h.send(bhttp::verb::get, demo_base() + "/limits");
  ASSERT_EQ(partial.status, 200u) << partial.body;
  EXPECT_EQ(partial.header("X-Fedstack-Unreachable"), "cloudlet-3");
  EXPECT_EQ(json::parse(partial.body).at("limits").at("absolute").at("maxTotalVolumes"), 14);
}

} // namespace
} // namespace fedstack::agent::testing
