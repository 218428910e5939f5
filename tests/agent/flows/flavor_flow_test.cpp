// Flavors are the federation's (agent/flows/flavors.hpp, rules/flavor_rule.hpp):
// through the agent's handler (own cloudlet: cloudlet-1) against fake clouds
// running the simulator's Nova, each of which numbers its seeded m1.* flavors
// itself. Lists are the union, one flavor per name and shape; a flavor made on
// another cloudlet is shown, changed, deleted and booted through this agent;
// a same-named flavor of another shape is never merged, changed or deleted.

#include <set>

#include <gtest/gtest.h>

#include "agent/services/service_session.hpp"
#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;
using svc = api::service_type;

class FlavorFlow : public ::testing::Test {
protected:
  // The agent's service user (the simulator's admin) makes a flavor's copies.
  FlavorFlow() : session(agent_options{}, h.clouds().keystone()) {
    session.use_token(h.admin_token(), std::chrono::system_clock::now() + std::chrono::hours{1});
    h.context().session = &session;
  }

  /// Every flavor on `region` as its admin sees it, by name.
  std::map<std::string, json> flavors_on(const std::string& region) {
    auto listed = h.clouds().direct(region, svc::compute, bhttp::verb::get, "/v2.1/flavors/detail?is_public=None",
                                    h.admin_token());
    EXPECT_EQ(listed.status, 200u) << listed.body;
    std::map<std::string, json> out;
    auto doc = json::parse(listed.body);   // named: a range over a temporary's member dangles
    for (const auto& f : doc.at("flavors")) out[f.at("name")] = f;
    return out;
  }

  /// The admin makes a flavor directly on `region`, as with that cloud's own CLI; its ID.
  std::string make_directly(const std::string& region, const std::string& name, int ram, bool is_public = true) {
    json flavor{{"name", name}, {"ram", ram}, {"vcpus", 1}, {"disk", 1}, {"os-flavor-access:is_public", is_public}};
    auto made = h.clouds().direct(region, svc::compute, bhttp::verb::post, "/v2.1/flavors", h.admin_token(),
                                  {{"flavor", flavor}});
    EXPECT_EQ(made.status, 200u) << made.body;
    return json::parse(made.body).at("flavor").at("id");
  }

  json specs_on(const std::string& region, const std::string& id) {
    auto shown = h.clouds().direct(region, svc::compute, bhttp::verb::get, "/v2.1/flavors/" + id + "/os-extra_specs",
                                   h.admin_token());
    EXPECT_EQ(shown.status, 200u) << shown.body;
    return json::parse(shown.body).at("extra_specs");
  }

  captured_response list(const std::string& query = "", const std::string& token = {}) {
    return h.send(bhttp::verb::get, "/compute/v2.1/flavors/detail" + query, nullptr, token);
  }

  static std::vector<std::string> names(const captured_response& answer) {
    std::vector<std::string> out;
    auto doc = json::parse(answer.body);
    for (const auto& f : doc.at("flavors")) out.push_back(f.at("name"));
    std::sort(out.begin(), out.end());
    return out;
  }

  /// A boot of an image every cloudlet holds, with flavor `flavor_ref`.
  captured_response boot(const std::string& flavor_ref, const std::string& token = {}) {
    auto global_id = h.registry().new_global_id();
    auto project = token.empty() ? h.clouds().demo_project_id() : h.clouds().admin_project_id();
    auto owner_token = token.empty() ? h.demo_token() : token;
    std::vector<storage::cloud_copy> copies;
    for (const auto& c : h.clouds().cloudlets()) {
      json fields{{"name", "cirros"}};
      fields[std::string(copies.empty() ? api::gid_key : api::copy_of_key)] = global_id;
      copies.push_back({c.region, h.clouds().seed_image(c.region, owner_token, fields)});
    }
    h.record(resource_kind::image, project, copies, "cirros", global_id);
    json server{{"name", "vm"}, {"imageRef", global_id}, {"flavorRef", flavor_ref}};
    return h.send(bhttp::verb::post, "/compute/v2.1/servers", json{{"server", server}}, token);
  }

  flow_harness h;
  service_session session;
};

TEST_F(FlavorFlow, TheListIsTheUnionWithEqualFlavorsShownOnceUnderTheOwnCloudletsId) {
  auto only_2 = make_directly("cloudlet-2", "only-2", 256);
  auto answer = list();
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(names(answer), (std::vector<std::string>{"m1.large", "m1.medium", "m1.small", "m1.tiny", "only-2"}))
    << "each cloudlet's m1.tiny (its own ID) once, and the flavor of cloudlet-2";
  auto doc = json::parse(answer.body);
  std::map<std::string, json> shown;
  for (const auto& f : doc.at("flavors")) shown[f.at("name")] = f;
  EXPECT_EQ(shown["m1.tiny"]["id"], flavors_on("cloudlet-1")["m1.tiny"]["id"]) << "the own cloudlet's ID";
  EXPECT_EQ(shown["only-2"]["id"], only_2);
  EXPECT_EQ(shown["only-2"]["ram"], 256);
  auto href = shown["only-2"]["links"][0]["href"].get<std::string>();
  EXPECT_EQ(href.rfind(h.context().base_url, 0), 0u) << "links point at the agent: " << href;
  EXPECT_TRUE(answer.header("X-Fedstack-Flavor-Conflicts").empty());
  EXPECT_EQ(answer.header("OpenStack-API-Version").empty(), false) << "a compute answer names its microversion";

  // Without details: ID, name and links; sorted by ID as Nova sorts.
  auto brief = h.send(bhttp::verb::get, "/compute/v2.1/flavors");
  ASSERT_EQ(brief.status, 200u) << brief.body;
  auto items = json::parse(brief.body).at("flavors");
  ASSERT_EQ(items.size(), 5u);
  EXPECT_FALSE(items[0].contains("ram"));
  for (std::size_t i = 1; i < items.size(); ++i) EXPECT_LT(items[i - 1].at("id"), items[i].at("id"));
}

TEST_F(FlavorFlow, PagesByMarkerAndLimitWithoutSkipsOrRepeatsAndFiltersOnEveryCloudlet) {
  make_directly("cloudlet-2", "only-2", 256);
  make_directly("cloudlet-3", "only-3", 128);
  std::vector<std::string> seen;
  std::string query = "?limit=2";
  for (int page = 0; page < 10; ++page) {
    auto answer = list(query);
    ASSERT_EQ(answer.status, 200u) << answer.body;
    auto doc = json::parse(answer.body);
    for (const auto& f : doc.at("flavors")) seen.push_back(f.at("id"));
    if (!doc.contains("flavors_links")) break;
    auto next = doc["flavors_links"][0]["href"].get<std::string>();
    EXPECT_EQ(next.rfind(h.context().base_url, 0), 0u) << next;
    query = next.substr(next.find('?'));
  }
  auto all = json::parse(list().body).at("flavors");
  std::vector<std::string> expected;
  for (const auto& f : all) expected.push_back(f.at("id"));
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(seen.size(), 6u);

  EXPECT_EQ(list("?marker=no-such-flavor").status, 400u);
  EXPECT_EQ(names(list("?minRam=2048")), (std::vector<std::string>{"m1.large", "m1.medium", "m1.small"}));
  EXPECT_EQ(names(list("?minRam=200&minDisk=20")), (std::vector<std::string>{"m1.large", "m1.medium", "m1.small"}));
  EXPECT_EQ(list("?sort_key=bogus").status, 400u);
}

TEST_F(FlavorFlow, PrivateFlavorsShowAsEachCloudletsAccessRulesSay) {
  auto hidden = make_directly("cloudlet-2", "private-2", 256, false);
  EXPECT_EQ(names(list()).size(), 4u) << "demo has no access: not shown";
  EXPECT_EQ(names(list("?is_public=None")).size(), 4u) << "nor when demo asks for all: each Nova decides";
  EXPECT_EQ(h.send(bhttp::verb::get, "/compute/v2.1/flavors/" + hidden).status, 404u);
  auto admin_all = list("?is_public=None", h.admin_token());
  EXPECT_EQ(names(admin_all).size(), 5u) << "an admin's is_public=None shows it";
  // Access granted through the agent on cloudlet-2's flavor: demo sees it.
  auto granted = h.send(bhttp::verb::post, "/compute/v2.1/flavors/" + hidden + "/action",
                        {{"addTenantAccess", {{"tenant", h.clouds().demo_project_id()}}}}, h.admin_token());
  ASSERT_EQ(granted.status, 200u) << granted.body;
  EXPECT_EQ(names(list()).size(), 5u);
  EXPECT_EQ(h.send(bhttp::verb::get, "/compute/v2.1/flavors/" + hidden).status, 200u);
}

TEST_F(FlavorFlow, ANameWithTwoShapesIsTwoFlavorsAndNamedAsAConflict) {
  auto small = make_directly("cloudlet-2", "fed.x", 256);
  auto big = make_directly("cloudlet-3", "fed.x", 1024);
  auto answer = list();
  ASSERT_EQ(answer.status, 200u);
  auto doc = json::parse(answer.body);
  std::vector<json> fed;
  for (const auto& f : doc.at("flavors"))
    if (f.at("name") == "fed.x") fed.push_back(f);
  ASSERT_EQ(fed.size(), 2u) << "neither is silently dropped";
  EXPECT_EQ(answer.header("X-Fedstack-Flavor-Conflicts"), "fed.x");
  std::set<std::string> ids{fed[0].at("id"), fed[1].at("id")};
  EXPECT_EQ(ids, (std::set<std::string>{small, big}));
}

TEST_F(FlavorFlow, AFlavorOfAnotherCloudletIsShownAndItsExtraSpecsReachEveryEqualFlavorOnly) {
  auto on_2 = make_directly("cloudlet-2", "fed.x", 256);
  auto on_3 = make_directly("cloudlet-3", "fed.x", 256);
  auto other_shape = make_directly("cloudlet-1", "fed.x", 1024);
  auto shown = h.send(bhttp::verb::get, "/compute/v2.1/flavors/" + on_2);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("flavor").at("ram"), 256);
  EXPECT_EQ(h.send(bhttp::verb::get, "/compute/v2.1/flavors/no-such-flavor").status, 404u);

  auto set = h.send(bhttp::verb::post, "/compute/v2.1/flavors/" + on_2 + "/os-extra_specs",
                    {{"extra_specs", {{"hw:cpu_policy", "dedicated"}}}}, h.admin_token());
  ASSERT_EQ(set.status, 200u) << set.body;
  EXPECT_TRUE(set.header("X-Fedstack-Not-Synced").empty());
  EXPECT_EQ(specs_on("cloudlet-2", on_2), (json{{"hw:cpu_policy", "dedicated"}}));
  EXPECT_EQ(specs_on("cloudlet-3", on_3), (json{{"hw:cpu_policy", "dedicated"}})) << "the equal flavor";
  EXPECT_EQ(specs_on("cloudlet-1", other_shape), json::object()) << "never the flavor of another shape";
  auto read = h.send(bhttp::verb::get, "/compute/v2.1/flavors/" + on_3 + "/os-extra_specs/hw:cpu_policy");
  ASSERT_EQ(read.status, 200u) << read.body;

  auto unset = h.send(bhttp::verb::delete_, "/compute/v2.1/flavors/" + on_3 + "/os-extra_specs/hw:cpu_policy",
                      nullptr, h.admin_token());
  ASSERT_EQ(unset.status, 202u) << unset.body;
  EXPECT_EQ(specs_on("cloudlet-2", on_2), json::object());
  EXPECT_EQ(specs_on("cloudlet-3", on_3), json::object());

  // Demo may not: cloudlet-2's Nova refuses, and nothing reaches cloudlet-3.
  h.clouds().clear_log();
  auto refused = h.send(bhttp::verb::post, "/compute/v2.1/flavors/" + on_2 + "/os-extra_specs",
                        {{"extra_specs", {{"k", "v"}}}});
  EXPECT_EQ(refused.status, 403u) << refused.body;
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.1/flavors/" + on_3).empty());
}

TEST_F(FlavorFlow, DescriptionAndAccessChangesReachEveryEqualFlavor) {
  auto on_2 = make_directly("cloudlet-2", "fed.p", 256, false);
  auto on_3 = make_directly("cloudlet-3", "fed.p", 256, false);
  bhttp::fields v255;
  v255.set("OpenStack-API-Version", "compute 2.55");
  auto described = h.send(bhttp::verb::put, "/compute/v2.1/flavors/" + on_2, {{"flavor", {{"description", "fast"}}}},
                          h.admin_token(), v255);
  ASSERT_EQ(described.status, 200u) << described.body;
  // The simulator shows descriptions from 2.55 on: read it through the agent at 2.55.
  auto through = h.send(bhttp::verb::get, "/compute/v2.1/flavors/" + on_3, nullptr, h.admin_token(), v255);
  EXPECT_EQ(json::parse(through.body).at("flavor").at("description"), "fast") << through.body;

  auto demo = h.clouds().demo_project_id();
  ASSERT_EQ(h.send(bhttp::verb::post, "/compute/v2.1/flavors/" + on_3 + "/action",
                   {{"addTenantAccess", {{"tenant", demo}}}}, h.admin_token())
              .status,
            200u);
  for (auto [region, id] : {std::pair{"cloudlet-2", on_2}, std::pair{"cloudlet-3", on_3}}) {
    auto access = h.clouds().direct(region, svc::compute, bhttp::verb::get, "/v2.1/flavors/" + id + "/os-flavor-access",
                                    h.admin_token());
    EXPECT_NE(access.body.find(demo), std::string::npos) << region << ": " << access.body;
  }
  ASSERT_EQ(h.send(bhttp::verb::post, "/compute/v2.1/flavors/" + on_2 + "/action",
                   {{"removeTenantAccess", {{"tenant", demo}}}}, h.admin_token())
              .status,
            200u);
  for (auto [region, id] : {std::pair{"cloudlet-2", on_2}, std::pair{"cloudlet-3", on_3}}) {
    auto access = h.clouds().direct(region, svc::compute, bhttp::verb::get, "/v2.1/flavors/" + id + "/os-flavor-access",
                                    h.admin_token());
    EXPECT_EQ(access.body.find(demo), std::string::npos) << region << ": " << access.body;
  }
}

TEST_F(FlavorFlow, DeleteRemovesEveryEqualFlavorKeepsAnotherShapeAndIsTheAdminsOnly) {
  auto on_2 = make_directly("cloudlet-2", "fed.x", 256);
  auto on_3 = make_directly("cloudlet-3", "fed.x", 256);
  make_directly("cloudlet-1", "fed.x", 1024);
  auto refused = h.send(bhttp::verb::delete_, "/compute/v2.1/flavors/" + on_2);
  EXPECT_EQ(refused.status, 403u) << refused.body;
  EXPECT_TRUE(flavors_on("cloudlet-2").count("fed.x"));
  EXPECT_TRUE(flavors_on("cloudlet-3").count("fed.x"));

  auto deleted = h.send(bhttp::verb::delete_, "/compute/v2.1/flavors/" + on_3, nullptr, h.admin_token());
  ASSERT_EQ(deleted.status, 202u) << deleted.body;
  EXPECT_FALSE(flavors_on("cloudlet-2").count("fed.x"));
  EXPECT_FALSE(flavors_on("cloudlet-3").count("fed.x"));
  ASSERT_TRUE(flavors_on("cloudlet-1").count("fed.x")) << "the flavor of another shape stays";
  EXPECT_EQ(flavors_on("cloudlet-1")["fed.x"]["ram"], 1024);
}

TEST_F(FlavorFlow, ADeleteThatACloudletCannotTakeIsNamedInTheAnswer) {
  auto on_2 = make_directly("cloudlet-2", "fed.x", 256);
  make_directly("cloudlet-3", "fed.x", 256);
  h.clouds().add_fault(call_fault("cloudlet-3", bhttp::verb::delete_, "", fault_effect::answer, 500));
  auto deleted = h.send(bhttp::verb::delete_, "/compute/v2.1/flavors/" + on_2, nullptr, h.admin_token());
  ASSERT_EQ(deleted.status, 202u) << deleted.body;
  EXPECT_EQ(deleted.header("X-Fedstack-Not-Synced"), "cloudlet-3");
  EXPECT_TRUE(flavors_on("cloudlet-3").count("fed.x")) << "kept; a delete through any agent again removes it";
  auto again = h.send(bhttp::verb::delete_, "/compute/v2.1/flavors/" + flavors_on("cloudlet-3")["fed.x"]["id"].get<std::string>(),
                      nullptr, h.admin_token());
  EXPECT_EQ(again.status, 202u) << again.body;
  EXPECT_FALSE(flavors_on("cloudlet-3").count("fed.x"));
}

TEST_F(FlavorFlow, CreateIsMadeOnTheOwnCloudletAndRefusedForANameOrIdAnyCloudletHolds) {
  auto made = h.send(bhttp::verb::post, "/compute/v2.1/flavors",
                     {{"flavor", {{"name", "fed.new"}, {"ram", 256}, {"vcpus", 1}, {"disk", 1}}}}, h.admin_token());
  ASSERT_EQ(made.status, 200u) << made.body;
  EXPECT_TRUE(flavors_on("cloudlet-1").count("fed.new"));
  EXPECT_FALSE(flavors_on("cloudlet-2").count("fed.new"));

  auto on_2 = make_directly("cloudlet-2", "fed.two", 256);
  auto same_name = h.send(bhttp::verb::post, "/compute/v2.1/flavors",
                          {{"flavor", {{"name", "fed.two"}, {"ram", 512}, {"vcpus", 1}, {"disk", 1}}}}, h.admin_token());
  EXPECT_EQ(same_name.status, 409u) << same_name.body;
  EXPECT_NE(same_name.body.find("Flavor with name fed.two already exists."), std::string::npos) << same_name.body;
  auto same_id = h.send(bhttp::verb::post, "/compute/v2.1/flavors",
                        {{"flavor", {{"name", "fed.three"}, {"id", on_2}, {"ram", 512}, {"vcpus", 1}, {"disk", 1}}}},
                        h.admin_token());
  EXPECT_EQ(same_id.status, 409u) << same_id.body;
  EXPECT_FALSE(flavors_on("cloudlet-1").count("fed.two"));
  EXPECT_FALSE(flavors_on("cloudlet-1").count("fed.three"));

  auto by_demo = h.send(bhttp::verb::post, "/compute/v2.1/flavors",
                        {{"flavor", {{"name", "demo.f"}, {"ram", 256}, {"vcpus", 1}, {"disk", 1}}}});
  EXPECT_EQ(by_demo.status, 403u) << by_demo.body;
}

TEST_F(FlavorFlow, ABootWithAFlavorOfAnotherCloudletWorksWhereverItIsPlaced) {
  auto on_2 = make_directly("cloudlet-2", "fed.boot", 256);
  for (const auto* target : {"cloudlet-3", "cloudlet-1", "cloudlet-2"}) {
    h.placement().place_on(target);
    h.clouds().clear_log();
    auto answer = boot(on_2);
    ASSERT_EQ(answer.status, 202u) << target << ": " << answer.body;
    auto sent = h.clouds().calls_to(target, bhttp::verb::post, "/v2.1/servers");
    ASSERT_EQ(sent.size(), 1u) << target;
    auto flavor_ref = json::parse(sent[0].body)["server"]["flavorRef"].get<std::string>();
    auto there = flavors_on(target);
    ASSERT_TRUE(there.count("fed.boot")) << target << " holds the flavor now";
    EXPECT_EQ(flavor_ref, there["fed.boot"]["id"]) << target;
    EXPECT_EQ(there["fed.boot"]["ram"], 256);
  }
  EXPECT_EQ(h.clouds().items("cloudlet-3", "servers").size(), 1u);
  // Shown once, the flavor the client booted with: copies keep its ID.
  auto listed = list();
  ASSERT_EQ(listed.status, 200u) << listed.body;
  std::vector<std::string> boots;
  auto listed_doc = json::parse(listed.body);   // named: a range over a temporary's member dangles
  for (const auto& f : listed_doc.at("flavors"))
    if (f.at("name") == "fed.boot") boots.push_back(f.at("id"));
  EXPECT_EQ(boots, std::vector<std::string>{on_2}) << listed.body;
}

TEST_F(FlavorFlow, ABootsFlavorCopyCarriesItsExtraSpecsAndDescription) {
  auto on_2 = make_directly("cloudlet-2", "fed.specs", 256);
  json specs{{"hw:cpu_policy", "dedicated"}, {"quota:disk_read_bytes_sec", "10240000"}};
  ASSERT_EQ(h.clouds().direct("cloudlet-2", svc::compute, bhttp::verb::post, "/v2.1/flavors/" + on_2 + "/os-extra_specs",
                              h.admin_token(), {{"extra_specs", specs}}).status, 200u);
  bhttp::fields v255;
  v255.set("OpenStack-API-Version", "compute 2.55");
  ASSERT_EQ(h.send(bhttp::verb::put, "/compute/v2.1/flavors/" + on_2,
                   {{"flavor", {{"description", "for the database tier"}}}}, h.admin_token(), v255).status, 200u);
  h.placement().place_on("cloudlet-3");
  auto answer = boot(on_2);   // demo's boot, at the client's 2.1: the copy is the service user's, at 2.55
  ASSERT_EQ(answer.status, 202u) << answer.body;
  auto copy = flavors_on("cloudlet-3")["fed.specs"];
  ASSERT_TRUE(copy.is_object()) << "copied to cloudlet-3";
  EXPECT_EQ(copy.at("id"), on_2);
  EXPECT_EQ(specs_on("cloudlet-3", on_2), specs);
  // The copy's description, read through the agent with the original's cloudlet down.
  h.clouds().set_down("cloudlet-2");
  auto shown = h.send(bhttp::verb::get, "/compute/v2.1/flavors/" + on_2, nullptr, h.admin_token(), v255);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("flavor").at("description"), "for the database tier");
}

TEST_F(FlavorFlow, ACopyWhoseExtraSpecsCannotBeSetIsDeletedAndTheBootGoesElsewhere) {
  auto on_2 = make_directly("cloudlet-2", "fed.refused", 256);
  ASSERT_EQ(h.clouds().direct("cloudlet-2", svc::compute, bhttp::verb::post, "/v2.1/flavors/" + on_2 + "/os-extra_specs",
                              h.admin_token(), {{"extra_specs", {{"hw:cpu_policy", "dedicated"}}}}).status, 200u);
  h.clouds().add_fault(call_fault("cloudlet-3", bhttp::verb::post, "/v2.1/flavors/" + on_2 + "/os-extra_specs",
                                  fault_effect::answer, 500));
  h.placement().place_on("cloudlet-3", {"cloudlet-2"});
  auto answer = boot(on_2);
  ASSERT_EQ(answer.status, 202u) << answer.body;
  EXPECT_EQ(flavors_on("cloudlet-3").count("fed.refused"), 0u) << "no copy without its specs is left";
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.1/servers").empty());
  EXPECT_EQ(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers").size(), 1u);
}

TEST_F(FlavorFlow, APrivateFlavorsCopyIsGivenToTheProjectsTheFlavorIsGivenTo) {
  auto on_2 = make_directly("cloudlet-2", "fed.private", 256, false);
  auto demo = h.clouds().demo_project_id();
  ASSERT_EQ(h.clouds().direct("cloudlet-2", svc::compute, bhttp::verb::post, "/v2.1/flavors/" + on_2 + "/action",
                              h.admin_token(), {{"addTenantAccess", {{"tenant", demo}}}})
              .status,
            200u);
  h.placement().place_on("cloudlet-3");
  auto answer = boot(on_2);
  ASSERT_EQ(answer.status, 202u) << "demo boots on cloudlet-3's copy: " << answer.body;
  auto copy = flavors_on("cloudlet-3")["fed.private"];
  EXPECT_EQ(copy["os-flavor-access:is_public"], false);
  auto access = h.clouds().direct("cloudlet-3", svc::compute, bhttp::verb::get,
                                  "/v2.1/flavors/" + copy["id"].get<std::string>() + "/os-flavor-access",
                                  h.admin_token());
  EXPECT_EQ(json::parse(access.body).at("flavor_access"),
            (json::array({{{"flavor_id", copy["id"]}, {"tenant_id", demo}}})));
  EXPECT_TRUE(flavors_on("cloudlet-1").count("fed.private") == 0) << "only where the boot went";
}

TEST_F(FlavorFlow, AServerElsewhereShowsTheIdTheFlavorListShows) {
  // On cloudlet-2 and cloudlet-3 only, under their own IDs: the list through
  // this agent shows cloudlet-2's (the first by region name), and so does a
  // server on cloudlet-3.
  auto on_2 = make_directly("cloudlet-2", "fed.show", 256);
  auto on_3 = make_directly("cloudlet-3", "fed.show", 256);
  ASSERT_NE(on_2, on_3);
  h.placement().place_on("cloudlet-3");
  auto made = boot(on_3);
  ASSERT_EQ(made.status, 202u) << made.body;
  auto server_id = json::parse(made.body).at("server").at("id").get<std::string>();
  auto shown = h.send(bhttp::verb::get, "/compute/v2.1/servers/" + server_id);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("server").at("flavor").at("id"), on_2) << shown.body;
  // The merged server list too (its flavors are parsed only for servers elsewhere).
  auto servers = h.send(bhttp::verb::get, "/compute/v2.1/servers/detail");
  ASSERT_EQ(servers.status, 200u) << servers.body;
  std::size_t found = 0;
  auto detail = json::parse(servers.body);
  for (const auto& s : detail.at("servers"))
    if (s.at("id") == server_id) {
      EXPECT_EQ(s.at("flavor").at("id"), on_2) << servers.body;
      ++found;
    }
  EXPECT_EQ(found, 1u) << servers.body;
  auto listed = json::parse(list().body);
  std::size_t shows = 0;
  for (const auto& f : listed.at("flavors"))
    if (f.at("name") == "fed.show") {
      EXPECT_EQ(f.at("id"), on_2);
      ++shows;
    }
  EXPECT_EQ(shows, 1u);
}

TEST_F(FlavorFlow, AServerListFilteredByFlavorAsksEachCloudletWithItsEqualFlavor) {
  // Each cloudlet numbers its seeded m1.* itself: the filter names the ID the
  // agent shows (cloudlet-1's), and the servers elsewhere match by their own.
  auto tiny = flavors_on("cloudlet-1")["m1.tiny"]["id"].get<std::string>();
  ASSERT_NE(tiny, flavors_on("cloudlet-3")["m1.tiny"]["id"].get<std::string>());
  std::set<std::string> tiny_servers;
  for (const auto* target : {"cloudlet-1", "cloudlet-2", "cloudlet-3"}) {
    h.placement().place_on(target);
    auto made = boot(tiny);
    ASSERT_EQ(made.status, 202u) << made.body;
    tiny_servers.insert(json::parse(made.body).at("server").at("id").get<std::string>());
  }
  h.placement().place_on("cloudlet-2");
  ASSERT_EQ(boot(flavors_on("cloudlet-1")["m1.small"]["id"]).status, 202u);
  auto only_2 = make_directly("cloudlet-2", "only-2", 256);
  auto on_only_2 = boot(only_2);
  ASSERT_EQ(on_only_2.status, 202u) << on_only_2.body;
  for (const auto* path : {"/compute/v2.1/servers?flavor=", "/compute/v2.1/servers/detail?flavor="}) {
    auto listed = h.send(bhttp::verb::get, path + tiny);
    ASSERT_EQ(listed.status, 200u) << listed.body;
    std::set<std::string> ids;
    auto doc = json::parse(listed.body);   // named: a range over a temporary's member dangles
    for (const auto& s : doc.at("servers")) ids.insert(s.at("id"));
    EXPECT_EQ(ids, tiny_servers) << path << ": " << listed.body;
  }
  // A flavor only cloudlet-2 holds: only cloudlet-2 can hold a server with it, and only it is asked.
  h.clouds().clear_log();
  auto listed = h.send(bhttp::verb::get, "/compute/v2.1/servers?flavor=" + only_2);
  ASSERT_EQ(listed.status, 200u) << listed.body;
  auto doc = json::parse(listed.body);
  ASSERT_EQ(doc.at("servers").size(), 1u) << listed.body;
  EXPECT_EQ(doc["servers"][0]["id"], json::parse(on_only_2.body)["server"]["id"]);
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::get, "/v2.1/servers/detail").empty());
  // An ID no cloudlet knows goes to the clouds as it is: Nova lists nothing.
  auto unknown = h.send(bhttp::verb::get, "/compute/v2.1/servers?flavor=no-such-flavor");
  ASSERT_EQ(unknown.status, 200u) << unknown.body;
  EXPECT_TRUE(json::parse(unknown.body).at("servers").empty()) << unknown.body;
}

TEST_F(FlavorFlow, ACloudletDownIsNamedAndTheOthersFlavorsListed) {
  make_directly("cloudlet-2", "only-2", 256);
  h.clouds().set_down("cloudlet-3");
  auto answer = list();
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(answer.header("X-Fedstack-Unreachable"), "cloudlet-3");
  EXPECT_EQ(names(answer).size(), 5u);
  // Every cloudlet that answers refusing the query: Nova's own refusal.
  auto refused = list("?is_public=bogus");
  EXPECT_EQ(refused.status, 400u) << refused.body;
  EXPECT_NE(refused.body.find("Invalid is_public filter [bogus]"), std::string::npos) << refused.body;
  h.clouds().set_down("cloudlet-1");
  h.clouds().set_down("cloudlet-2");
  EXPECT_EQ(list().status, 503u);
}

} // namespace
} // namespace fedstack::agent::testing
