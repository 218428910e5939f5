// Admin views and federation-wide operator views through the agent's handler
// against three fake clouds (flow_harness.hpp): an admin's all_tenants list
// and calls on another project's server reach every cloudlet, a non-admin's
// never widen; hypervisor statistics, lists and limits are combined over the
// cloudlets that answered, a silent one named.

#include <set>

#include <gtest/gtest.h>

#include "agent/services/cloudlets.hpp"
#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;
using svc = api::service_type;

class AdminView : public ::testing::Test {
protected:
  flow_harness h;

  std::string demo_project() { return h.clouds().demo_project_id(); }

  /// A server booted on `region` with `token`; `marker`: its metadata carries
  /// that global ID, as the federation's creates do. Its cloud ID.
  std::string boot(const std::string& region, const std::string& token, const std::string& name,
                   const std::string& marker = {}) {
    auto image = h.clouds().seed_image(region, token, {{"name", "boot-" + name}});
    auto flavors = json::parse(h.clouds().direct(region, svc::compute, bhttp::verb::get, "/v2.1/flavors", token).body);
    std::string flavor;
    for (const auto& f : flavors.at("flavors"))
      if (f.at("name") == "m1.tiny") flavor = f.at("id").get<std::string>();
    json server{{"name", name}, {"imageRef", image}, {"flavorRef", flavor}, {"networks", "none"}};
    if (!marker.empty()) server["metadata"] = {{std::string(api::gid_key), marker}};
    auto made = h.clouds().direct(region, svc::compute, bhttp::verb::post, "/v2.1/servers", token, {{"server", server}});
    EXPECT_EQ(made.status, 202u) << made.body;
    return json::parse(made.body).at("server").at("id").get<std::string>();
  }

  /// A server of `project` recorded as the federation's on `region`: its global ID.
  std::string recorded_server(const std::string& region, const std::string& token, const std::string& project,
                              const std::string& name, bool marked = true) {
    auto gid = h.registry().new_global_id();
    auto local = boot(region, token, name, marked ? gid : std::string{});
    h.record(resource_kind::server, project, {{region, local}}, name, gid);
    return gid;
  }

  std::set<std::string> ids(const json& servers) {
    std::set<std::string> out;
    for (const auto& s : servers) out.insert(s.at("id").get<std::string>());
    return out;
  }

  /// GET on one cloudlet's Nova as the admin at the client's default microversion (2.1), not through the agent.
  http::response cloud_get(const std::string& region, const std::string& target) {
    http::response out;
    h.run([&]() -> http::awaitable<void> {
      bhttp::fields headers;
      headers.set("X-Auth-Token", h.admin_token());
      auto c = h.clouds().endpoints(region);
      auto path = target;
      out = co_await call_cloudlet(h.context(), c, svc::compute, bhttp::verb::get, path, headers);
    });
    return out;
  }

  captured_response admin_get(const std::string& target, const bhttp::fields& headers = {}) {
    return h.send(bhttp::verb::get, target, nullptr, h.admin_token(), headers);
  }
};

// ---- server list --all-projects ------------------------------------------------------------

TEST_F(AdminView, AnAdminsAllTenantsListShowsEveryProjectsServersOfEveryCloudletUnderGlobalIds) {
  // Recorded without a marker in their metadata: only the demo project's records translate them.
  auto on_two = recorded_server("cloudlet-2", h.demo_token(), demo_project(), "demo-two", false);
  auto on_three = recorded_server("cloudlet-3", h.demo_token(), demo_project(), "demo-three", false);
  auto admins = recorded_server("cloudlet-1", h.admin_token(), h.clouds().admin_project_id(), "admins", false);

  auto answer = admin_get("/compute/v2.1/servers/detail?all_tenants=True");
  ASSERT_EQ(answer.status, 200u) << answer.body;
  auto servers = json::parse(answer.body).at("servers");
  EXPECT_EQ(ids(servers), (std::set<std::string>{on_two, on_three, admins}));
  for (const auto& c : h.clouds().calls_to("", bhttp::verb::get, "/v2.1/servers/detail"))
    EXPECT_NE(c.target.find("all_tenants=True"), std::string::npos) << c.cloudlet << " " << c.target;
  EXPECT_EQ(h.clouds().calls_to("", bhttp::verb::get, "/v2.1/servers/detail").size(), 3u);

  // Without all_tenants the admin sees the admin project's, as Nova shows it.
  auto own = admin_get("/compute/v2.1/servers/detail");
  ASSERT_EQ(own.status, 200u) << own.body;
  EXPECT_EQ(ids(json::parse(own.body).at("servers")), (std::set<std::string>{admins}));
}

TEST_F(AdminView, AnAdminsAllTenantsListFiltersByProjectOnEveryCloudlet) {
  auto on_two = recorded_server("cloudlet-2", h.demo_token(), demo_project(), "demo-two");
  recorded_server("cloudlet-3", h.admin_token(), h.clouds().admin_project_id(), "admins");
  auto answer = admin_get("/compute/v2.1/servers/detail?all_tenants=1&project_id=" + demo_project());
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(ids(json::parse(answer.body).at("servers")), (std::set<std::string>{on_two}));
}

TEST_F(AdminView, AnAdminPagesThroughAnotherProjectsServersWithMarkersFromThatProject) {
  std::set<std::string> made;
  for (int i = 0; i < 4; ++i)
    made.insert(recorded_server(i % 2 ? "cloudlet-2" : "cloudlet-3", h.demo_token(), demo_project(),
                                "s" + std::to_string(i)));
  std::set<std::string> seen;
  std::string query = "all_tenants=1&limit=1&sort_key=display_name&sort_dir=asc";
  for (int page = 0; page < 10; ++page) {
    auto answer = admin_get("/compute/v2.1/servers/detail?" + query);
    ASSERT_EQ(answer.status, 200u) << answer.body;
    auto body = json::parse(answer.body);
    for (const auto& s : body.at("servers")) EXPECT_TRUE(seen.insert(s.at("id").get<std::string>()).second);
    std::string next;
    for (const auto& link : body.value("servers_links", json::array()))
      if (link.value("rel", "") == "next") next = link.at("href").get<std::string>();
    if (next.empty()) break;
    query = next.substr(next.find('?') + 1);
  }
  EXPECT_EQ(seen, made) << "the marker, a demo server, is found for the admin on every page";
}

TEST_F(AdminView, ANonAdminsAllTenantsIsRefusedAsNovaRefusesItAndWidensNothing) {
  recorded_server("cloudlet-2", h.admin_token(), h.clouds().admin_project_id(), "admins");
  auto answer = h.send(bhttp::verb::get, "/compute/v2.1/servers/detail?all_tenants=1");
  EXPECT_EQ(answer.status, 403u) << answer.body;
  EXPECT_NE(answer.body.find("get_all_tenants"), std::string::npos) << "Nova's own policy message: " << answer.body;
  // Naming another project without all_tenants: Nova keeps a non-admin to its own project.
  auto filtered = h.send(bhttp::verb::get, "/compute/v2.1/servers/detail?project_id=" + h.clouds().admin_project_id());
  ASSERT_EQ(filtered.status, 200u) << filtered.body;
  EXPECT_TRUE(json::parse(filtered.body).at("servers").empty()) << filtered.body;
}

// ---- acting on another project's server ----------------------------------------------------

TEST_F(AdminView, AnAdminShowsStopsAndDeletesAnotherProjectsServerOnItsCloudlet) {
  auto gid = recorded_server("cloudlet-2", h.demo_token(), demo_project(), "demo-two");

  auto shown = admin_get("/compute/v2.1/servers/" + gid);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("server").at("id"), gid);
  EXPECT_EQ(json::parse(shown.body).at("server").at("tenant_id"), demo_project());

  h.clouds().clear_log();
  auto stopped = h.send(bhttp::verb::post, "/compute/v2.1/servers/" + gid + "/action", {{"os-stop", nullptr}},
                        h.admin_token());
  EXPECT_EQ(stopped.status, 202u) << stopped.body;
  auto actions = h.clouds().calls_to("", bhttp::verb::post, "/v2.1/servers");
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].cloudlet, "cloudlet-2") << "the action goes to the server's cloudlet";

  auto deleted = h.send(bhttp::verb::delete_, "/compute/v2.1/servers/" + gid, nullptr, h.admin_token());
  EXPECT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_TRUE(h.clouds().items("cloudlet-2", "servers").empty()) << "deleted on its cloudlet";
  h.run([&]() -> http::awaitable<void> {
    auto project = demo_project();
    auto id = gid;
    auto left = co_await h.context().registry->get(project, id);
    EXPECT_TRUE(left && left->state == storage::entry_state::deleted) << "the demo project's entry is a tombstone";
  });
}

TEST_F(AdminView, AnAdminsShowOfAnotherProjectsServerTranslatesWhatThatProjectRecorded) {
  // The demo project's image, recorded with its primary on cloudlet-2 but carrying no marker
  // (so only the demo project's record names it), and a server booted from it there.
  auto image_local = h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "unmarked"}});
  auto image_gid = h.record(resource_kind::image, demo_project(), {{"cloudlet-2", image_local}}).global_id;
  auto flavors = json::parse(h.clouds().direct("cloudlet-2", svc::compute, bhttp::verb::get, "/v2.1/flavors",
                                               h.demo_token()).body);
  auto gid = h.registry().new_global_id();
  json server{{"name", "from-unmarked"}, {"imageRef", image_local}, {"networks", "none"},
              {"flavorRef", flavors.at("flavors").at(0).at("id")},
              {"metadata", {{std::string(api::gid_key), gid}}}};
  auto made = h.clouds().direct("cloudlet-2", svc::compute, bhttp::verb::post, "/v2.1/servers", h.demo_token(),
                                {{"server", server}});
  ASSERT_EQ(made.status, 202u) << made.body;
  h.record(resource_kind::server, demo_project(), {{"cloudlet-2", json::parse(made.body).at("server").at("id")}},
           "from-unmarked", gid);

  auto shown = admin_get("/compute/v2.1/servers/" + gid);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("server").at("image").at("id"), image_gid);
  EXPECT_EQ(shown.body.find(image_local), std::string::npos) << "no cloud ID leaks";
}

TEST_F(AdminView, ANonAdminNeverReachesAnotherProjectsServer) {
  auto gid = recorded_server("cloudlet-2", h.admin_token(), h.clouds().admin_project_id(), "admins");
  h.clouds().clear_log();
  EXPECT_EQ(h.send(bhttp::verb::get, "/compute/v2.1/servers/" + gid).status, 404u);
  EXPECT_EQ(h.send(bhttp::verb::post, "/compute/v2.1/servers/" + gid + "/action", {{"os-stop", nullptr}}).status,
            404u);
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/compute/v2.1/servers/" + gid).status, 404u);
  EXPECT_EQ(h.clouds().items("cloudlet-2", "servers").size(), 1u) << "the admin's server is untouched";
  for (const auto& c : h.clouds().calls()) {
    EXPECT_EQ(c.target.find("all_tenants"), std::string::npos) << "a non-admin's search never widens: " << c.target;
    EXPECT_FALSE(c.method == bhttp::verb::post || c.method == bhttp::verb::delete_) << c.target;
  }
}

// ---- hypervisors and limits ----------------------------------------------------------------

TEST_F(AdminView, HypervisorStatisticsAreTheSumOfEveryCloudletsOwn) {
  boot("cloudlet-2", h.demo_token(), "busy");
  json expected = json::object();
  for (const char* region : {"cloudlet-1", "cloudlet-2", "cloudlet-3"}) {
    auto own = json::parse(cloud_get(region, "/v2.1/os-hypervisors/statistics").body).at("hypervisor_statistics");
    for (const auto& [key, value] : own.items())
      expected[key] = expected.value(key, std::int64_t{0}) + value.get<std::int64_t>();
  }
  auto answer = admin_get("/compute/v2.1/os-hypervisors/statistics");
  ASSERT_EQ(answer.status, 200u) << answer.body;
  auto stats = json::parse(answer.body).at("hypervisor_statistics");
  EXPECT_EQ(stats, expected);
  EXPECT_EQ(stats.at("count"), 3);
  EXPECT_EQ(stats.at("running_vms"), 1);
  EXPECT_EQ(answer.header("X-Fedstack-Unreachable"), "");
}

TEST_F(AdminView, ACloudletDownIsLeftOutOfTheSumsAndNamed) {
  h.clouds().set_down("cloudlet-3");
  auto stats = admin_get("/compute/v2.1/os-hypervisors/statistics");
  ASSERT_EQ(stats.status, 200u) << stats.body;
  EXPECT_EQ(json::parse(stats.body).at("hypervisor_statistics").at("count"), 2);
  EXPECT_EQ(stats.header("X-Fedstack-Unreachable"), "cloudlet-3");

  auto limits = h.send(bhttp::verb::get, "/compute/v2.1/limits");
  ASSERT_EQ(limits.status, 200u) << limits.body;
  EXPECT_EQ(limits.header("X-Fedstack-Unreachable"), "cloudlet-3");

  auto hypervisors = admin_get("/compute/v2.1/os-hypervisors");
  ASSERT_EQ(hypervisors.status, 200u) << hypervisors.body;
  EXPECT_EQ(json::parse(hypervisors.body).at("hypervisors").size(), 2u);
  EXPECT_EQ(hypervisors.header("X-Fedstack-Unreachable"), "cloudlet-3");

  h.clouds().set_down("cloudlet-1");
  h.clouds().set_down("cloudlet-2");
  EXPECT_EQ(admin_get("/compute/v2.1/os-hypervisors/statistics").status, 503u);
}

TEST_F(AdminView, LimitsSumWhatEachCloudletCountsAndKeepPerRequestMaxima) {
  boot("cloudlet-1", h.demo_token(), "a");
  boot("cloudlet-2", h.demo_token(), "b");
  boot("cloudlet-3", h.demo_token(), "c");
  auto own = json::parse(h.clouds().direct("cloudlet-2", svc::compute, bhttp::verb::get, "/v2.1/limits",
                                           h.demo_token()).body).at("limits").at("absolute");
  auto answer = h.send(bhttp::verb::get, "/compute/v2.1/limits");
  ASSERT_EQ(answer.status, 200u) << answer.body;
  auto absolute = json::parse(answer.body).at("limits").at("absolute");
  EXPECT_EQ(absolute.at("totalInstancesUsed"), 3 * own.at("totalInstancesUsed").get<int>());
  EXPECT_EQ(absolute.at("totalRAMUsed"), 3 * own.at("totalRAMUsed").get<int>());
  EXPECT_EQ(absolute.at("totalCoresUsed"), 3 * own.at("totalCoresUsed").get<int>());
  EXPECT_EQ(absolute.at("maxServerMeta"), own.at("maxServerMeta")) << "a per-request maximum is not summed";
  EXPECT_EQ(absolute.at("maxTotalInstances"), -1) << "unlimited stays unlimited";
  EXPECT_TRUE(json::parse(answer.body).at("limits").at("rate").is_array());
}

TEST_F(AdminView, HypervisorListsAreMergedWithIdsUniqueAcrossCloudlets) {
  for (const char* target : {"/compute/v2.1/os-hypervisors", "/compute/v2.1/os-hypervisors/detail"}) {
    auto answer = admin_get(target);
    ASSERT_EQ(answer.status, 200u) << answer.body;
    auto list = json::parse(answer.body).at("hypervisors");
    ASSERT_EQ(list.size(), 3u) << target;
    std::set<std::string> unique;
    for (const auto& hv : list) unique.insert(hv.at("id").dump());
    EXPECT_EQ(unique.size(), 3u) << "each Nova numbers its hypervisors from 1: " << list.dump();
  }
  bhttp::fields v253;
  v253.set("OpenStack-API-Version", "compute 2.53");
  auto uuids = admin_get("/compute/v2.1/os-hypervisors", v253);
  ASSERT_EQ(uuids.status, 200u) << uuids.body;
  auto hypervisors = json::parse(uuids.body).at("hypervisors");   // kept: not a temporary's member
  ASSERT_FALSE(hypervisors.empty());
  for (const auto& hv : hypervisors) EXPECT_TRUE(hv.at("id").is_string());
}

TEST_F(AdminView, AQuotaShowSumsCountedKindsTakesTheSmallestOfTheRestAndASetStaysOnTheOwnCloudlet) {
  auto quota = "/v2.1/os-quota-sets/" + demo_project();
  // Each cloudlet's quota, set on each cloud directly (as the operator does through each cloudlet's agent).
  int cores = 10;
  for (const char* region : {"cloudlet-1", "cloudlet-2", "cloudlet-3"}) {
    auto set = h.clouds().direct(region, svc::compute, bhttp::verb::put, quota, h.admin_token(),
                                 {{"quota_set", {{"cores", cores}, {"key_pairs", 100 - cores}}}});
    ASSERT_EQ(set.status, 200u) << set.body;
    cores += 10;
  }
  boot("cloudlet-2", h.demo_token(), "counted");
  auto shown = h.send(bhttp::verb::get, "/compute" + quota);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  auto set = json::parse(shown.body).at("quota_set");
  EXPECT_EQ(set.at("id"), demo_project());
  EXPECT_EQ(set.at("cores"), 10 + 20 + 30);
  EXPECT_EQ(set.at("key_pairs"), 70) << "keypairs are copied to every cloudlet: the smallest holds";
  EXPECT_EQ(set.at("instances"), -1);

  auto detail = h.send(bhttp::verb::get, "/compute" + quota + "/detail");
  ASSERT_EQ(detail.status, 200u) << detail.body;
  EXPECT_EQ(json::parse(detail.body).at("quota_set").at("instances").at("in_use"), 1);
  EXPECT_EQ(json::parse(detail.body).at("quota_set").at("cores").at("limit"), 60);

  // Another project's quota is each Nova's 403 to a non-admin, relayed.
  EXPECT_EQ(h.send(bhttp::verb::get, "/compute/v2.1/os-quota-sets/" + h.clouds().admin_project_id()).status, 403u);

  // A set goes to the agent's own cloudlet only.
  h.clouds().clear_log();
  auto changed = h.send(bhttp::verb::put, "/compute" + quota, {{"quota_set", {{"cores", 5}}}}, h.admin_token());
  ASSERT_EQ(changed.status, 200u) << changed.body;
  auto puts = h.clouds().calls_to("", bhttp::verb::put, "/v2.1/os-quota-sets");
  ASSERT_EQ(puts.size(), 1u);
  EXPECT_EQ(puts[0].cloudlet, "cloudlet-1");
  auto after = h.send(bhttp::verb::get, "/compute" + quota);
  EXPECT_EQ(json::parse(after.body).at("quota_set").at("cores"), 5 + 20 + 30);
}

TEST_F(AdminView, NeutronsQuotaIsSummedOverCloudletsWithItsDetailsAndACloudletDownIsNamed) {
  auto quota = "/v2.0/quotas/" + demo_project();
  int ports = 100;
  for (const char* region : {"cloudlet-1", "cloudlet-2", "cloudlet-3"}) {
    auto set = h.clouds().direct(region, svc::network, bhttp::verb::put, quota, h.admin_token(),
                                 {{"quota", {{"port", ports}, {"network", 10 + ports / 100}}}});
    ASSERT_EQ(set.status, 200u) << set.body;
    ports += 100;
  }
  auto net = h.clouds().direct("cloudlet-2", svc::network, bhttp::verb::post, "/v2.0/networks", h.demo_token(),
                               {{"network", {{"name", "counted"}}}});
  ASSERT_EQ(net.status, 201u) << net.body;

  auto shown = h.send(bhttp::verb::get, quota);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  auto set = json::parse(shown.body).at("quota");
  EXPECT_EQ(set.at("port"), 100 + 200 + 300);
  EXPECT_EQ(set.at("network"), 11) << "networks are copied where boots need them: the smallest holds";
  EXPECT_EQ(set.at("floatingip"), 3 * 50) << "Neutron's default on each";
  EXPECT_EQ(shown.header("X-Fedstack-Unreachable"), "");

  // What `quota show --usage` asks (the SDK's `/details`; older clients add `.json`).
  for (const char* details : {"/details", "/details.json"}) {
    auto detail = h.send(bhttp::verb::get, quota + details);
    ASSERT_EQ(detail.status, 200u) << detail.body;
    auto network = json::parse(detail.body).at("quota").at("network");
    EXPECT_EQ(network.at("used"), 1) << details;
    EXPECT_EQ(network.at("limit"), 11) << details;
  }

  // Another project's quota is each Neutron's 403 to a non-admin, relayed.
  EXPECT_EQ(h.send(bhttp::verb::get, "/v2.0/quotas/" + h.clouds().admin_project_id()).status, 403u);

  h.clouds().set_down("cloudlet-3");
  auto partial = h.send(bhttp::verb::get, quota);
  ASSERT_EQ(partial.status, 200u) << partial.body;
  EXPECT_EQ(json::parse(partial.body).at("quota").at("port"), 100 + 200);
  EXPECT_EQ(partial.header("X-Fedstack-Unreachable"), "cloudlet-3");
}

TEST_F(AdminView, OneHypervisorIsShownFromItsCloudletByItsFederationIdOrItsUuid) {
  auto listed = json::parse(admin_get("/compute/v2.1/os-hypervisors").body).at("hypervisors");
  ASSERT_EQ(listed.size(), 3u);
  for (const auto& hv : listed) {
    auto id = std::to_string(hv.at("id").get<std::int64_t>());
    h.clouds().clear_log();
    auto shown = admin_get("/compute/v2.1/os-hypervisors/" + id);
    ASSERT_EQ(shown.status, 200u) << shown.body;
    EXPECT_EQ(json::parse(shown.body).at("hypervisor").at("id"), hv.at("id"));
    EXPECT_EQ(json::parse(shown.body).at("hypervisor").at("hypervisor_hostname"), hv.at("hypervisor_hostname"));
    EXPECT_EQ(h.clouds().calls_to("", bhttp::verb::get, "/v2.1/os-hypervisors").size(), 1u)
      << "a federation ID names its cloudlet: one call";
  }
  EXPECT_EQ(admin_get("/compute/v2.1/os-hypervisors/9000001").status, 404u) << "no ninth cloudlet";

  bhttp::fields v253;
  v253.set("OpenStack-API-Version", "compute 2.53");
  auto uuids = json::parse(admin_get("/compute/v2.1/os-hypervisors", v253).body).at("hypervisors");
  auto last = uuids.back();
  auto shown = admin_get("/compute/v2.1/os-hypervisors/" + last.at("id").get<std::string>(), v253);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("hypervisor").at("id"), last.at("id"));
  EXPECT_EQ(admin_get("/compute/v2.1/os-hypervisors/00000000-0000-4000-8000-000000000000", v253).status, 404u);
}

TEST_F(AdminView, ARefusalOfEveryCloudletIsRelayedAsNovaGaveIt) {
  // A non-admin: every Nova refuses the hypervisor APIs by policy.
  auto answer = h.send(bhttp::verb::get, "/compute/v2.1/os-hypervisors/statistics");
  EXPECT_EQ(answer.status, 403u) << answer.body;
  EXPECT_NE(answer.body.find("os-hypervisors"), std::string::npos) << answer.body;
  // Microversion 2.88 removed the statistics: Nova's 404.
  bhttp::fields v288;
  v288.set("OpenStack-API-Version", "compute 2.88");
  EXPECT_EQ(admin_get("/compute/v2.1/os-hypervisors/statistics", v288).status, 404u);
}

} // namespace
} // namespace fedstack::agent::testing
