// Networks made on a cloud directly, through the agent's handler
// (docs/federation.md, "Networks made on a cloud directly"): demo's network made
// straight on cloudlet-2's Neutron booted on cloudlet-3 (adopted, copied with
// its subnets, the network untouched, the copy reused); on its own cloudlet
// unchanged; the admin's private network as unknown as a random ID; the admin's
// shared network copied for the admin's project; a forged marker on it
// deletes nothing.

#include <chrono>

#include <gtest/gtest.h>

#include "agent/rules/direct_network_rule.hpp"
#include "agent/services/service_session.hpp"
#include "agent/tasks/reservation_sweep.hpp"
#include "api/global_id.hpp"
#include "api/uuid.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;
using svc = api::service_type;

class DirectNetworkFlow : public ::testing::Test {
protected:
  DirectNetworkFlow() : session(agent_options{}, h.clouds().keystone()) {
    // The agent's service user is an admin (it makes copies of other projects' networks).
    session.use_token(h.admin_token(), std::chrono::system_clock::now() + std::chrono::hours{1});
    h.context().session = &session;
    image = h.clouds().seed_image("cloudlet-3", h.admin_token(), {{"name", "cirros"}, {"visibility", "public"}});
  }

  std::string admin_project() { return h.clouds().admin_project_id(); }
  std::string demo_project() { return h.clouds().demo_project_id(); }

  /// A network and one subnet made on `region`'s Neutron directly with `token`: the network's ID.
  std::string direct_network(const std::string& region, const std::string& token, bool shared = false,
                             const std::string& cidr = "10.7.0.0/24") {
    json fields{{"name", "direct-net"}};
    if (shared) fields["shared"] = true;
    auto made = h.clouds().direct(region, svc::network, bhttp::verb::post, "/v2.0/networks", token,
                                  {{"network", fields}});
    EXPECT_EQ(made.status, 201u) << made.body;
    auto id = json::parse(made.body).at("network").at("id").get<std::string>();
    add_subnet(region, token, id, cidr);
    return id;
  }

  std::string add_subnet(const std::string& region, const std::string& token, const std::string& network,
                         const std::string& cidr) {
    auto sub = h.clouds().direct(region, svc::network, bhttp::verb::post, "/v2.0/subnets", token,
                                 {{"subnet", {{"network_id", network}, {"cidr", cidr}, {"ip_version", 4},
                                              {"name", "direct-sub"}}}});
    EXPECT_EQ(sub.status, 201u) << sub.body;
    return json::parse(sub.body).at("subnet").at("id").get<std::string>();
  }

  std::string flavor_id(const std::string& region) {
    auto listed = h.clouds().direct(region, svc::compute, bhttp::verb::get, "/v2.1/flavors", h.demo_token());
    auto doc = json::parse(listed.body);
    for (const auto& f : doc.at("flavors"))
      if (f.value("name", std::string{}) == "m1.tiny") return f.value("id", std::string{});
    ADD_FAILURE() << "no m1.tiny on " << region;
    return {};
  }

  captured_response boot(const std::string& network, const std::string& on, const std::string& token = {}) {
    h.placement().place_on(on);
    json server{{"name", "vm"}, {"imageRef", image}, {"flavorRef", flavor_id("cloudlet-1")},
                {"networks", json::array({{{"uuid", network}}})}};
    return h.send(bhttp::verb::post, "/compute/v2.1/servers", {{"server", server}}, token);
  }

  /// The network uuid of each boot Nova on `region` was sent.
  std::vector<std::string> booted_networks(const std::string& region) {
    std::vector<std::string> out;
    for (const auto& call : h.clouds().calls_to(region, bhttp::verb::post, "/v2.1/servers"))
      out.push_back(json::parse(call.body).at("server").at("networks").at(0).at("uuid").get<std::string>());
    return out;
  }

  /// This agent's entry of the copies of the network or subnet `cloud_id`.
  std::optional<storage::registry_entry> adopted(resource_kind kind, const std::string& cloud_id) {
    auto it = h.registry().meta().find(adopted_neutron_key(kind, cloud_id));
    if (it == h.registry().meta().end()) return std::nullopt;
    auto record = decode_adopted(it->second);
    if (!record) return std::nullopt;
    return h.registry().entry(record->global_id);
  }

  std::size_t adoptions() {
    std::size_t n = 0;
    for (const auto& [key, value] : h.registry().meta())
      if (key.rfind("adopted/network/", 0) == 0 || key.rfind("adopted/subnet/", 0) == 0) ++n;
    return n;
  }

  json item_on(const std::string& region, const std::string& collection, const std::string& id) {
    for (const auto& item : h.clouds().items(region, collection))
      if (item.value("id", std::string{}) == id) return item;
    return json();
  }

  /// Items on `region` marked as copies of `global_id`.
  std::vector<json> copies_of(const std::string& region, const std::string& collection, const std::string& global_id) {
    std::vector<json> out;
    for (const auto& item : h.clouds().items(region, collection))
      if (auto m = api::read_marker(svc::network, item); m && m->is_copy && m->global_id == global_id)
        out.push_back(item);
    return out;
  }

  /// No write of any kind reached `region`'s Neutron.
  void expect_no_neutron_writes(const std::string& region) {
    for (auto method : {bhttp::verb::post, bhttp::verb::put, bhttp::verb::delete_})
      for (const auto& call : h.clouds().calls_to(region, method, "/v2.0"))
        ADD_FAILURE() << "a " << call.method << " reached " << region << ": " << call.target;
  }

  static std::string without(std::string text, const std::string& id) {
    for (auto at = text.find(id); at != std::string::npos; at = text.find(id)) text.replace(at, id.size(), "<id>");
    return text;
  }

  flow_harness h;
  service_session session;
  std::string image;   // the operator's image on cloudlet-3, booted by its cloud ID there
};

TEST_F(DirectNetworkFlow, DemosNetworkOnCloudlet2IsAdoptedAndCopiedWithItsSubnetToCloudlet3) {
  auto net = direct_network("cloudlet-2", h.demo_token());
  auto net_before = item_on("cloudlet-2", "networks", net);
  auto subnet = h.clouds().items("cloudlet-2", "subnets");
  auto answer = boot(net, "cloudlet-3");
  ASSERT_EQ(answer.status, 202u) << answer.body;
  auto entry = adopted(resource_kind::network, net);
  ASSERT_TRUE(entry) << "adopted";
  EXPECT_EQ(entry->project_id, demo_project()) << "under the project its cloud names";
  ASSERT_EQ(entry->copies.size(), 1u);
  EXPECT_EQ(entry->copies[0].cloudlet, "cloudlet-3") << "the network itself is never in it";
  auto copies = copies_of("cloudlet-3", "networks", entry->global_id);
  ASSERT_EQ(copies.size(), 1u) << "marked as the federation's copy";
  EXPECT_EQ(copies[0].at("id"), entry->copies[0].local_id);
  EXPECT_EQ(copies[0].at("project_id"), demo_project());
  EXPECT_EQ(booted_networks("cloudlet-3"), (std::vector<std::string>{entry->copies[0].local_id}))
    << "the boot on cloudlet-3 names the copy";
  // The subnet: adopted too, and copied with its CIDR.
  ASSERT_EQ(subnet.size(), 1u);
  auto sub_entry = adopted(resource_kind::subnet, subnet[0].at("id"));
  ASSERT_TRUE(sub_entry);
  auto sub_copies = copies_of("cloudlet-3", "subnets", sub_entry->global_id);
  ASSERT_EQ(sub_copies.size(), 1u);
  EXPECT_EQ(sub_copies[0].at("cidr"), "10.7.0.0/24");
  EXPECT_EQ(sub_copies[0].at("network_id"), entry->copies[0].local_id);
  // The network made directly is never changed: same object, no write reached cloudlet-2's Neutron.
  EXPECT_EQ(item_on("cloudlet-2", "networks", net), net_before);
  expect_no_neutron_writes("cloudlet-2");
  // Lists show it as its cloud does, once; the copies are hidden.
  for (const std::string collection : {"networks", "subnets"}) {
    auto listed = h.send(bhttp::verb::get, "/network/v2.0/" + collection + "?name=direct-" +
                                             (collection == "networks" ? "net" : "sub"));
    ASSERT_EQ(listed.status, 200u) << listed.body;
    auto doc = json::parse(listed.body);
    ASSERT_EQ(doc.at(collection).size(), 1u) << listed.body;
    EXPECT_EQ(doc.at(collection).at(0).at("id"), collection == "networks" ? net : subnet[0].at("id").get<std::string>());
  }
}

TEST_F(DirectNetworkFlow, TheNextBootReusesTheCopyAndASubnetAddedLaterIsCopiedThen) {
  auto net = direct_network("cloudlet-2", h.demo_token());
  ASSERT_EQ(boot(net, "cloudlet-3").status, 202u);
  auto copy = adopted(resource_kind::network, net)->copies.at(0).local_id;
  auto later = add_subnet("cloudlet-2", h.demo_token(), net, "10.8.0.0/24");
  h.clouds().clear_log();
  auto answer = boot(net, "cloudlet-3");
  ASSERT_EQ(answer.status, 202u) << answer.body;
  EXPECT_EQ(booted_networks("cloudlet-3"), (std::vector<std::string>{copy}));
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.0/networks").empty()) << "no second copy";
  EXPECT_EQ(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.0/subnets").size(), 1u) << "only the new subnet";
  auto later_entry = adopted(resource_kind::subnet, later);
  ASSERT_TRUE(later_entry);
  EXPECT_TRUE(later_entry->copy_on("cloudlet-3"));
  EXPECT_EQ(adoptions(), 3u) << "one network and two subnets, each adopted once";
  expect_no_neutron_writes("cloudlet-2");
}

TEST_F(DirectNetworkFlow, OnItsOwnCloudletTheNetworkGoesUnchangedAndNothingIsAdopted) {
  auto net = direct_network("cloudlet-3", h.demo_token());
  auto answer = boot(net, "cloudlet-3");
  ASSERT_EQ(answer.status, 202u) << answer.body;
  EXPECT_EQ(booted_networks("cloudlet-3"), (std::vector<std::string>{net}));
  EXPECT_EQ(adoptions(), 0u);
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.0/networks").empty());
}

TEST_F(DirectNetworkFlow, TheAdminsPrivateNetworkByItsCloudIdIsAsUnknownAsARandomId) {
  auto hidden = direct_network("cloudlet-2", h.admin_token());
  auto random = api::make_uuid();
  auto refused = boot(hidden, "cloudlet-3");
  auto unknown = boot(random, "cloudlet-3");
  EXPECT_GE(refused.status, 400u) << refused.body;
  EXPECT_EQ(refused.status, unknown.status) << refused.body;
  EXPECT_EQ(without(refused.body, hidden), without(unknown.body, random)) << "as if nobody made it";
  EXPECT_EQ(booted_networks("cloudlet-3"), (std::vector<std::string>{hidden, random})) << "each unchanged";
  EXPECT_EQ(adoptions(), 0u) << "never recorded";
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.0/networks").empty()) << "never copied";
}

TEST_F(DirectNetworkFlow, DemosBootOnTheAdminsSharedNetworkCopiesItForTheAdminsProjectShared) {
  auto shared = direct_network("cloudlet-2", h.admin_token(), true);
  auto answer = boot(shared, "cloudlet-3");
  ASSERT_EQ(answer.status, 202u) << answer.body;
  auto entry = adopted(resource_kind::network, shared);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->project_id, admin_project()) << "the network's project, not demo's";
  auto copies = copies_of("cloudlet-3", "networks", entry->global_id);
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0].at("project_id"), admin_project()) << "made by the service user for the admin's project";
  EXPECT_EQ(copies[0].at("shared"), true) << "shared there as it is on its own cloud";
  auto subnets = h.clouds().items("cloudlet-3", "subnets");
  ASSERT_EQ(subnets.size(), 1u);
  EXPECT_EQ(subnets[0].at("project_id"), admin_project());
  // Demo sees the copy on cloudlet-3 as it sees the network on cloudlet-2.
  auto seen = h.clouds().direct("cloudlet-3", svc::network, bhttp::verb::get, "/v2.0/networks/" + copies[0].at("id").get<std::string>(),
                                h.demo_token());
  EXPECT_EQ(seen.status, 200u) << seen.body;
  expect_no_neutron_writes("cloudlet-2");
}

TEST_F(DirectNetworkFlow, ANetworkCarryingAMarkerIsNotAdoptedAndAForgedOneDeletesNothing) {
  auto net = direct_network("cloudlet-2", h.demo_token());
  ASSERT_EQ(boot(net, "cloudlet-3").status, 202u);
  auto entry = *adopted(resource_kind::network, net);
  // Demo forges the federation's marker, with a token of its own, straight on Neutron.
  const std::string forged = "00112233445566778899aabbccddeeff";
  auto tagged = h.clouds().direct("cloudlet-2", svc::network, bhttp::verb::put, "/v2.0/networks/" + net + "/tags",
                                  h.demo_token(),
                                  {{"tags", {api::marker_tag({entry.global_id, false, {}}), api::attempt_tag(forged)}}});
  ASSERT_EQ(tagged.status, 200u) << tagged.body;
  // An abandoned attempt of that global ID on the network's cloudlet (none is ever
  // recorded there: copies go to other cloudlets), with a token the tenant never saw.
  h.run([&]() -> http::awaitable<void> {
    storage::abandoned_attempt record{"ffeeddccbbaa99887766554433221100", resource_kind::network, entry.global_id,
                                      demo_project(), "cloudlet-2", 0};
    co_await h.registry().abandon(record);
  });
  h.clouds().clear_log();
  h.run([&]() -> http::awaitable<void> {
    co_await sweep_reservations_once(h.context(), session, std::chrono::milliseconds{-1});
  });
  EXPECT_FALSE(item_on("cloudlet-2", "networks", net).is_null()) << "the reclaim deleted nothing";
  EXPECT_FALSE(item_on("cloudlet-3", "networks", entry.copies.at(0).local_id).is_null()) << "nor the copy";
  expect_no_neutron_writes("cloudlet-2");
  // Marked now, the ID is no longer taken for a network made directly: it goes unchanged, nothing more is made.
  h.clouds().clear_log();
  boot(net, "cloudlet-3");
  EXPECT_EQ(booted_networks("cloudlet-3"), (std::vector<std::string>{net}));
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.0/networks").empty());
}

TEST_F(DirectNetworkFlow, WhileItsCloudletIsDownOnlyTheNetworksProjectBootsOnACopyAndNotOnceItIsGone) {
  auto net = direct_network("cloudlet-2", h.demo_token());
  ASSERT_EQ(boot(net, "cloudlet-3").status, 202u);
  auto copy = adopted(resource_kind::network, net)->copies.at(0).local_id;
  h.clouds().set_down("cloudlet-2");
  h.clouds().clear_log();
  ASSERT_EQ(boot(net, "cloudlet-3").status, 202u);
  EXPECT_EQ(booted_networks("cloudlet-3"), (std::vector<std::string>{copy})) << "demo's own network, on its copy";
  // The admin is another project: only the holder could say it may, and it cannot answer.
  h.clouds().clear_log();
  boot(net, "cloudlet-3", h.admin_token());
  EXPECT_EQ(booted_networks("cloudlet-3"), (std::vector<std::string>{net})) << "unchanged, as an unknown ID";
  // No copy on the target: nothing is made while the network cannot be read.
  h.clouds().clear_log();
  boot(net, "cloudlet-1");
  EXPECT_TRUE(booted_networks("cloudlet-1").empty());
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-1", bhttp::verb::post, "/v2.0/networks").empty());
  // Deleted on its cloud (the holder answers 404): no copy stands in for it.
  h.clouds().set_down("cloudlet-2", false);
  ASSERT_EQ(h.clouds().direct("cloudlet-2", svc::network, bhttp::verb::delete_, "/v2.0/networks/" + net,
                              h.demo_token()).status, 204u);
  h.clouds().clear_log();
  boot(net, "cloudlet-3");
  EXPECT_EQ(booted_networks("cloudlet-3"), (std::vector<std::string>{net}));
}

TEST_F(DirectNetworkFlow, AShowOfACloudIdGoesToTheCloudletThatShowsItToTheCaller) {
  // The CLI's `--nic net-id=<id>` looks the network up by ID before the boot.
  auto net = direct_network("cloudlet-2", h.demo_token());
  auto shown = h.send(bhttp::verb::get, "/network/v2.0/networks/" + net);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("network").at("id"), net) << "under its cloud ID";
  auto hidden = direct_network("cloudlet-3", h.admin_token());
  auto random = api::make_uuid();
  auto refused = h.send(bhttp::verb::get, "/network/v2.0/networks/" + hidden);
  auto unknown = h.send(bhttp::verb::get, "/network/v2.0/networks/" + random);
  EXPECT_EQ(refused.status, 404u) << refused.body;
  EXPECT_EQ(without(refused.body, hidden), without(unknown.body, random)) << "the agent's cloudlet's 404, as before";
  EXPECT_EQ(adoptions(), 0u) << "a show adopts nothing";
  // One on this agent's cloudlet is answered by that one call, as before.
  auto mine = direct_network("cloudlet-1", h.demo_token());
  h.clouds().clear_log();
  ASSERT_EQ(h.send(bhttp::verb::get, "/network/v2.0/networks/" + mine).status, 200u);
  EXPECT_EQ(h.clouds().calls_to("", bhttp::verb::get, "/v2.0/networks").size(), 1u);
}

TEST_F(DirectNetworkFlow, DeletingTheNetworkByItsCloudIdRemovesTheFederationsCopiesAfterIt) {
  auto net = direct_network("cloudlet-2", h.demo_token());
  ASSERT_EQ(boot(net, "cloudlet-3").status, 202u);
  auto entry = *adopted(resource_kind::network, net);
  auto sub_entry = *adopted(resource_kind::subnet, h.clouds().items("cloudlet-2", "subnets").at(0).at("id"));
  // The boot's server holds a port on the copy: gone first, as a client deletes its servers before the network.
  for (const auto& server : h.clouds().items("cloudlet-3", "servers"))
    h.clouds().direct("cloudlet-3", svc::compute, bhttp::verb::delete_, "/v2.1/servers/" + server.at("id").get<std::string>(),
                      h.demo_token());
  // Demo's delete through the agent: the holder decides, then the copies go.
  auto deleted = h.send(bhttp::verb::delete_, "/network/v2.0/networks/" + net);
  ASSERT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_TRUE(item_on("cloudlet-2", "networks", net).is_null()) << "demo deleted its own network";
  EXPECT_TRUE(copies_of("cloudlet-3", "networks", entry.global_id).empty()) << "the copy went with it";
  EXPECT_TRUE(copies_of("cloudlet-3", "subnets", sub_entry.global_id).empty()) << "and its subnet's copy";
  EXPECT_FALSE(h.registry().entry(entry.global_id)) << "the entries are forgotten";
  EXPECT_FALSE(h.registry().entry(sub_entry.global_id));
}

TEST_F(DirectNetworkFlow, DemosDeleteOfTheAdminsSharedNetworkIsNeutronsToRefuseAndKeepsTheCopies) {
  auto shared = direct_network("cloudlet-2", h.admin_token(), true);
  ASSERT_EQ(boot(shared, "cloudlet-3").status, 202u);
  auto entry = *adopted(resource_kind::network, shared);
  auto refused = h.send(bhttp::verb::delete_, "/network/v2.0/networks/" + shared);
  EXPECT_GE(refused.status, 400u) << refused.body;
  EXPECT_FALSE(item_on("cloudlet-2", "networks", shared).is_null());
  EXPECT_EQ(copies_of("cloudlet-3", "networks", entry.global_id).size(), 1u) << "the copy stays";
  EXPECT_TRUE(h.registry().entry(entry.global_id));
}

} // namespace
} // namespace fedstack::agent::testing
