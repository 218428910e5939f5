// Which calls a flow makes to another cloudlet one after another and which
// together: across sites each call in turn costs a round trip (bench/wan/,
// docs/performance.md, "Across a WAN"). The fake clouds yield once before each
// answer (overlap_calls), so that calls made together are seen in flight at once.

#include <map>

#include <gtest/gtest.h>

#include "api/global_id.hpp"
#include "tests/agent/flows/fake_registry.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;

fake_clouds_options overlapping() {
  fake_clouds_options options;
  options.overlap_calls = true;
  return options;
}

class RoundTrips : public ::testing::Test {
protected:
  RoundTrips() : h(overlapping()) {}

  std::string flavor_id(const std::string& region, const std::string& name) {
    auto listed = h.clouds().direct(region, api::service_type::compute, bhttp::verb::get, "/v2.1/flavors",
                                    h.demo_token());
    auto doc = json::parse(listed.body);   // named: a range-for over a temporary's member dangles
    for (const auto& f : doc.at("flavors"))
      if (f.value("name", std::string{}) == name) return f.value("id", std::string{});
    ADD_FAILURE() << "no flavor " << name << " on " << region << ": " << listed.body;
    return {};
  }

  /// An image of the demo project with its copy on `there` too: a boot there copies no image.
  std::string image_on_both(const std::string& there) {
    auto global_id = h.registry().new_global_id();
    std::vector<storage::cloud_copy> copies;
    for (const auto& region : {std::string("cloudlet-1"), there}) {
      json fields{{"name", "cirros"}};
      fields[std::string(region == "cloudlet-1" ? api::gid_key : api::copy_of_key)] = global_id;
      copies.push_back({region, h.clouds().seed_image(region, h.demo_token(), fields)});
    }
    h.record(resource_kind::image, h.clouds().demo_project_id(), copies, "cirros", global_id);
    return global_id;
  }

  /// A network made through the agent (on cloudlet-1) with a subnet for each of `cidrs`; {network, subnets}.
  std::pair<std::string, std::vector<std::string>> network_with(const std::vector<std::string>& cidrs) {
    auto net = h.send(bhttp::verb::post, "/network/v2.0/networks", json{{"network", {{"name", "net"}}}});
    EXPECT_EQ(net.status, 201u) << net.body;
    auto network_id = json::parse(net.body).at("network").at("id").get<std::string>();
    std::vector<std::string> subnets;
    for (const auto& cidr : cidrs) {
      auto sub = h.send(bhttp::verb::post, "/network/v2.0/subnets",
                        json{{"subnet", {{"network_id", network_id}, {"cidr", cidr}, {"ip_version", 4}}}});
      EXPECT_EQ(sub.status, 201u) << sub.body;
      subnets.push_back(json::parse(sub.body).at("subnet").at("id").get<std::string>());
    }
    return {network_id, subnets};
  }

  /// The keypair "k" and the security group "web" of the demo user, on cloudlet-1.
  void make_keypair_and_group() {
    auto key = h.send(bhttp::verb::post, "/compute/v2.1/os-keypairs",
                      {{"keypair", {{"name", "k"}, {"public_key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey me@here"}}}});
    EXPECT_EQ(key.status, 200u) << key.body;
    auto group = h.send(bhttp::verb::post, "/network/v2.0/security-groups", {{"security_group", {{"name", "web"}}}});
    EXPECT_EQ(group.status, 201u) << group.body;
  }

  /// The first logged call to `region` of `service` with `method` whose target starts with `prefix`.
  const logged_call* first_call(const std::string& region, api::service_type service, bhttp::verb method,
                                const std::string& prefix) {
    for (const auto& call : h.clouds().calls())
      if (call.cloudlet == region && call.service == service && call.method == method &&
          call.target.find(prefix) != std::string::npos)
        return &call;
    return nullptr;
  }

  /// A boot of `image` on `network` that the scheduler places on cloudlet-2 (`extra`: more of the
  /// server's fields); the call log starts with it.
  captured_response boot_there(const std::string& image, const std::string& network,
                               json extra = json::object()) {
    json server{{"name", "vm"},
                {"imageRef", image},
                {"flavorRef", flavor_id("cloudlet-1", "m1.tiny")},
                {"networks", {{{"uuid", network}}}}};
    server.update(extra);
    h.placement().place_on("cloudlet-2");
    h.clouds().clear_log();
    return h.send(bhttp::verb::post, "/compute/v2.1/servers", json{{"server", server}});
  }

  flow_harness h;
};

TEST_F(RoundTrips, BootElsewhereAsksForTheFlavorByIdAndForTheFlavorListTogether) {
  // The image has its copy on cloudlet-2 already: only the flavor is looked for there.
  auto global_id = h.registry().new_global_id();
  std::vector<storage::cloud_copy> copies;
  for (const std::string region : {"cloudlet-1", "cloudlet-2"}) {
    json fields{{"name", "cirros"}};
    fields[std::string(region == "cloudlet-1" ? api::gid_key : api::copy_of_key)] = global_id;
    copies.push_back({region, h.clouds().seed_image(region, h.demo_token(), fields)});
  }
  h.record(resource_kind::image, h.clouds().demo_project_id(), copies, "cirros", global_id);
  auto tiny_here = flavor_id("cloudlet-1", "m1.tiny");
  auto tiny_there = flavor_id("cloudlet-2", "m1.tiny");
  ASSERT_NE(tiny_here, tiny_there) << "the simulator numbers flavors per cloudlet, as clouds do";

  // What cloudlet-2 holds before, plus the copies it should hold after.
  std::map<std::string, std::size_t> before;
  for (const std::string collection : {"networks", "subnets", "images"})
    before[collection] = h.clouds().items("cloudlet-2", collection).size() + 1;

  h.placement().place_on("cloudlet-2");
  h.clouds().clear_log();
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                       {{"server", {{"name", "vm"}, {"imageRef", global_id}, {"flavorRef", tiny_here}}}});
  ASSERT_EQ(answer.status, 202u) << answer.body;

  auto by_id = h.clouds().calls_to("cloudlet-2", bhttp::verb::get, "/v2.1/flavors/" + tiny_here);
  auto listed = h.clouds().calls_to("cloudlet-2", bhttp::verb::get, "/v2.1/flavors/detail");
  ASSERT_EQ(by_id.size(), 1u);
  EXPECT_EQ(by_id[0].status, 404u) << "cloudlet-2 has no flavor under cloudlet-1's ID";
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_GE(listed[0].in_flight, 1) << "the list is asked for while the flavor by its ID is: one round trip, not two";

  // The boot still found cloudlet-2's own m1.tiny by its name and shape.
  auto booted = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers");
  ASSERT_EQ(booted.size(), 1u);
  EXPECT_EQ(json::parse(booted[0].body).at("server").at("flavorRef"), tiny_there) << booted[0].body;
}

TEST_F(RoundTrips, BootElsewhereCopiesTheImageAndTheNetworkTogether) {
  // A network with a subnet on the agent's own cloudlet, and an image there only.
  auto net = h.send(bhttp::verb::post, "/network/v2.0/networks", json{{"network", {{"name", "net"}}}});
  ASSERT_EQ(net.status, 201u) << net.body;
  auto network_id = json::parse(net.body).at("network").at("id").get<std::string>();
  auto sub = h.send(bhttp::verb::post, "/network/v2.0/subnets",
                    json{{"subnet", {{"network_id", network_id}, {"cidr", "10.1.0.0/24"}, {"ip_version", 4}}}});
  ASSERT_EQ(sub.status, 201u) << sub.body;
  auto subnet_id = json::parse(sub.body).at("subnet").at("id").get<std::string>();
  auto image_id = h.registry().new_global_id();
  json fields{{"name", "cirros"}, {std::string(api::gid_key), image_id}};
  h.record(resource_kind::image, h.clouds().demo_project_id(),
           {{"cloudlet-1", h.clouds().seed_image("cloudlet-1", h.demo_token(), fields)}}, "cirros", image_id);
  // The image copy's create fails on cloudlet-2 (its bytes cannot be streamed
  // between fake clouds anyway): the network copy still ends as it would alone.
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::post, "/v2/images", fault_effect::answer, 500));

  // What cloudlet-2 holds before, plus the copies it should hold after.
  std::map<std::string, std::size_t> before;
  for (const std::string collection : {"networks", "subnets", "images"})
    before[collection] = h.clouds().items("cloudlet-2", collection).size() + 1;

  auto answer = boot_there(image_id, network_id);
  EXPECT_EQ(answer.status, 503u) << answer.body;

  // The network copy's first call is made while the image copy's are in flight.
  const logged_call* first_network_call = nullptr;
  for (const auto& call : h.clouds().calls())
    if (call.service == api::service_type::network) {
      first_network_call = &call;
      break;
    }
  ASSERT_NE(first_network_call, nullptr) << "the network was copied although the image copy failed";
  EXPECT_GE(first_network_call->in_flight, 1) << first_network_call->target
                                              << ": the network copy waited for the image copy";
  ASSERT_EQ(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2/images").size(), 1u);

  // What was made is marked as a copy and recorded on its entry; nothing is left unmarked.
  std::map<std::string, std::string> copied{{"networks", network_id}, {"subnets", subnet_id}};
  for (const auto& [collection, global_id] : copied) {
    auto items = h.clouds().items("cloudlet-2", collection);
    EXPECT_EQ(items.size(), before[collection]) << collection << ": one more, the copy";
    int copies = 0;
    for (const auto& item : items) {
      auto marker = api::read_marker(api::service_type::network, item);
      if (!marker || marker->global_id != global_id) continue;
      ++copies;
      EXPECT_TRUE(marker->is_copy) << item.dump();
      auto entry = h.registry().entry(global_id);
      ASSERT_TRUE(entry && entry->copy_on("cloudlet-2")) << collection;
      EXPECT_EQ(entry->copy_on("cloudlet-2")->local_id, item.at("id").get<std::string>());
    }
    EXPECT_EQ(copies, 1) << collection;
  }
  EXPECT_EQ(h.clouds().items("cloudlet-2", "images").size(), before["images"] - 1) << "the failed create made nothing";
  EXPECT_TRUE(h.registry().abandoned_attempts().empty());
}


TEST_F(RoundTrips, BootElsewhereCopiesTheKeypairGroupAndFlavorWhileTheNetworkIsCopied) {
  auto image_id = image_on_both("cloudlet-2");
  auto [network_id, subnets] = network_with({"10.2.0.0/24"});
  make_keypair_and_group();

  auto answer = boot_there(image_id, network_id, {{"key_name", "k"}, {"security_groups", {{{"name", "web"}}}}});
  ASSERT_EQ(answer.status, 202u) << answer.body;

  // Each step's first call on its way is made while another step's calls are in flight.
  const std::string network_here = h.registry().entry(network_id)->copies.front().local_id;
  std::map<std::string, const logged_call*> first{
    {"the flavor", first_call("cloudlet-2", api::service_type::compute, bhttp::verb::get, "/v2.1/flavors")},
    {"the keypair", first_call("cloudlet-2", api::service_type::compute, bhttp::verb::get, "/v2.1/os-keypairs/k")},
    {"the security group", first_call("cloudlet-2", api::service_type::network, bhttp::verb::get,
                                      "/v2.0/security-groups")},
    {"the network", first_call("cloudlet-1", api::service_type::network, bhttp::verb::get,
                               "/v2.0/networks/" + network_here)}};
  int alone = 0;
  for (const auto& [step, call] : first) {
    ASSERT_NE(call, nullptr) << step << " was not looked up on its way to cloudlet-2";
    if (call->in_flight == 0) ++alone;
  }
  EXPECT_LE(alone, 1) << "only the step that starts first may find nothing else in flight";
  auto keypair = first["the keypair"];
  auto network = first["the network"];
  EXPECT_GE(keypair->in_flight + network->in_flight, 1)
    << "the keypair and the network copy were asked for one after the other";

  // Everything reached cloudlet-2 as it does one step at a time.
  auto booted = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers");
  ASSERT_EQ(booted.size(), 1u);
  auto sent = json::parse(booted[0].body).at("server");
  EXPECT_EQ(sent.at("flavorRef"), flavor_id("cloudlet-2", "m1.tiny")) << booted[0].body;
  EXPECT_EQ(sent.at("key_name"), "k");
  EXPECT_EQ(sent.at("security_groups").at(0).at("name"), "web");
  auto network_entry = h.registry().entry(network_id);   // named: copy_on points into it
  ASSERT_TRUE(network_entry && network_entry->copy_on("cloudlet-2"));
  EXPECT_EQ(sent.at("networks").at(0).at("uuid"), network_entry->copy_on("cloudlet-2")->local_id);
  EXPECT_EQ(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/os-keypairs").size(), 1u);
  EXPECT_EQ(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.0/security-groups").size(), 1u);
}

TEST_F(RoundTrips, BootElsewhereCopiesTheSubnetsOfANetworkTogether) {
  auto image_id = image_on_both("cloudlet-2");
  auto [network_id, subnets] = network_with({"10.3.0.0/24", "10.4.0.0/24", "10.5.0.0/24"});
  // One router of the federation on all three: it follows them once, not once per subnet.
  auto made = h.send(bhttp::verb::post, "/network/v2.0/routers", {{"router", {{"name", "r"}}}});
  ASSERT_EQ(made.status, 201u) << made.body;
  auto router_id = json::parse(made.body).at("router").at("id").get<std::string>();
  for (const auto& subnet : subnets)
    ASSERT_EQ(h.send(bhttp::verb::put, "/network/v2.0/routers/" + router_id + "/add_router_interface",
                     {{"subnet_id", subnet}})
                .status,
              200u);

  auto answer = boot_there(image_id, network_id);
  ASSERT_EQ(answer.status, 202u) << answer.body;

  auto creates = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.0/subnets");
  ASSERT_EQ(creates.size(), 3u);
  for (std::size_t i = 1; i < creates.size(); ++i)
    EXPECT_GE(creates[i].in_flight, 1) << "subnet copy " << i << " waited for the one before";

  // Each subnet has one marked copy, recorded; the router one copy with an interface on each.
  for (const auto& subnet : subnets) {
    auto entry = h.registry().entry(subnet);
    ASSERT_TRUE(entry && entry->copy_on("cloudlet-2")) << subnet;
    int copies = 0;
    for (const auto& item : h.clouds().items("cloudlet-2", "subnets")) {
      auto marker = api::read_marker(api::service_type::network, item);
      if (!marker || marker->global_id != subnet) continue;
      ++copies;
      EXPECT_TRUE(marker->is_copy);
      EXPECT_EQ(item.at("id"), entry->copy_on("cloudlet-2")->local_id);
    }
    EXPECT_EQ(copies, 1) << subnet;
  }
  EXPECT_EQ(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.0/routers").size(), 1u)
    << "each subnet's copy made the router's again";
  auto router = h.registry().entry(router_id);
  ASSERT_TRUE(router && router->copy_on("cloudlet-2"));
  auto interfaces = h.clouds().calls_to("cloudlet-2", bhttp::verb::put,
                                        "/v2.0/routers/" + router->copy_on("cloudlet-2")->local_id +
                                          "/add_router_interface");
  EXPECT_EQ(interfaces.size(), 3u);
  EXPECT_TRUE(h.registry().abandoned_attempts().empty());
}

TEST_F(RoundTrips, ABootReadsItsKeypairAndGroupsWhileTheFlavorAndTheImageAreRead) {
  auto image_id = image_on_both("cloudlet-2");
  auto [network_id, subnets] = network_with({"10.6.0.0/24"});
  make_keypair_and_group();
  const auto image_here = h.registry().entry(image_id)->copies.front().local_id;

  // On the agent's own cloudlet nothing is copied: the boot's read is all it asks before the create.
  h.placement().place_on("cloudlet-1");
  h.clouds().clear_log();
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                       {{"server", {{"name", "vm"},
                                    {"imageRef", image_id},
                                    {"flavorRef", flavor_id("cloudlet-1", "m1.tiny")},
                                    {"key_name", "k"},
                                    {"security_groups", {{{"name", "web"}}}},
                                    {"networks", {{{"uuid", network_id}}}}}}});
  ASSERT_EQ(answer.status, 202u) << answer.body;

  std::map<std::string, const logged_call*> first{
    {"the flavor", first_call("cloudlet-1", api::service_type::compute, bhttp::verb::get, "/v2.1/flavors/")},
    {"the image", first_call("cloudlet-1", api::service_type::image, bhttp::verb::get, "/v2/images/" + image_here)},
    {"the keypair", first_call("cloudlet-1", api::service_type::compute, bhttp::verb::get, "/v2.1/os-keypairs/k")},
    {"the security group", first_call("cloudlet-1", api::service_type::network, bhttp::verb::get,
                                      "/v2.0/security-groups")}};
  int alone = 0;
  for (const auto& [read, call] : first) {
    ASSERT_NE(call, nullptr) << read << " was not read";
    if (call->in_flight == 0) ++alone;
  }
  EXPECT_LE(alone, 1) << "the keypair and the groups were read one after the other, after the flavor and the image";

  // The boot reached the cloud as it does with the reads in turn.
  auto booted = h.clouds().calls_to("cloudlet-1", bhttp::verb::post, "/v2.1/servers");
  ASSERT_EQ(booted.size(), 1u);
  auto sent = json::parse(booted[0].body).at("server");
  EXPECT_EQ(sent.at("key_name"), "k");
  EXPECT_EQ(sent.at("security_groups").at(0).at("name"), "web");
  EXPECT_EQ(sent.at("networks").at(0).at("uuid"), h.registry().entry(network_id)->copies.front().local_id);
}

TEST_F(RoundTrips, BootElsewhereCopiesTheSubnetsWhileTheNetworkCopyIsMarked) {
  auto image_id = image_on_both("cloudlet-2");
  auto [network_id, subnets] = network_with({"10.7.0.0/24"});
  const auto network_here = h.registry().entry(network_id)->copies.front().local_id;

  auto answer = boot_there(image_id, network_id);
  ASSERT_EQ(answer.status, 202u) << answer.body;

  // The network and its subnets are read together on cloudlet-1.
  auto read = first_call("cloudlet-1", api::service_type::network, bhttp::verb::get, "/v2.0/networks/" + network_here);
  auto listed = first_call("cloudlet-1", api::service_type::network, bhttp::verb::get,
                           "/v2.0/subnets?network_id=" + network_here);
  ASSERT_NE(read, nullptr);
  ASSERT_NE(listed, nullptr);
  EXPECT_GE(read->in_flight + listed->in_flight, 1) << "the network and its subnets were read one after the other";

  // The subnet's create leaves while the network copy's marking is in flight:
  // once the network's create answered and its copy was bound.
  auto network_entry = h.registry().entry(network_id);   // named: copy_on points into it
  ASSERT_TRUE(network_entry && network_entry->copy_on("cloudlet-2"));
  const auto network_there = network_entry->copy_on("cloudlet-2")->local_id;
  auto created = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.0/subnets");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_GE(created[0].in_flight, 1) << "the subnet copy waited for the network copy's tags and description";
  EXPECT_EQ(json::parse(created[0].body).at("subnet").at("network_id"), network_there);

  // Both copies end marked, their descriptions given back, and recorded.
  std::map<std::string, std::string> copied{{"networks", network_id}, {"subnets", subnets[0]}};
  for (const auto& [collection, global_id] : copied) {
    int copies = 0;
    for (const auto& item : h.clouds().items("cloudlet-2", collection)) {
      auto marker = api::read_marker(api::service_type::network, item);
      if (!marker || marker->global_id != global_id) continue;
      ++copies;
      EXPECT_TRUE(marker->is_copy) << item.dump();
      EXPECT_FALSE(api::pending_token(item.value("description", std::string{}))) << item.dump();
      auto entry = h.registry().entry(global_id);
      ASSERT_TRUE(entry && entry->copy_on("cloudlet-2")) << collection;
      EXPECT_EQ(entry->copy_on("cloudlet-2")->local_id, item.at("id").get<std::string>());
    }
    EXPECT_EQ(copies, 1) << collection;
  }
}

TEST_F(RoundTrips, ANetworkCopyThatLostItsBindingIsDeletedUnmarkedAndItsSubnetsGoOnTheWinner) {
  auto image_id = image_on_both("cloudlet-2");
  auto [network_id, subnets] = network_with({"10.8.0.0/24"});
  // Another agent's copy of the network on cloudlet-2, recorded while ours is made.
  auto theirs = h.clouds().direct("cloudlet-2", api::service_type::network, bhttp::verb::post, "/v2.0/networks",
                                  h.demo_token(), {{"network", {{"name", "net"}}}});
  ASSERT_EQ(theirs.status, 201u) << theirs.body;
  auto their_id = json::parse(theirs.body).at("network").at("id").get<std::string>();
  h.registry().win_next_copy(network_id, {"cloudlet-2", their_id});

  auto answer = boot_there(image_id, network_id);
  ASSERT_EQ(answer.status, 202u) << answer.body;

  auto made = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.0/networks");
  ASSERT_EQ(made.size(), 1u);
  std::string ours;
  for (const auto& item : h.clouds().items("cloudlet-2", "networks"))
    if (item.at("id") != their_id && item.value("name", std::string{}) == "net") ours = item.at("id");
  EXPECT_TRUE(ours.empty()) << "our copy was left on cloudlet-2: " << ours;
  auto deleted = h.clouds().calls_to("cloudlet-2", bhttp::verb::delete_, "/v2.0/networks");
  ASSERT_EQ(deleted.size(), 1u) << "our copy was not deleted";
  const auto deleted_id = deleted[0].target.substr(deleted[0].target.rfind('/') + 1);
  EXPECT_NE(deleted_id, their_id);
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-2", bhttp::verb::put, "/v2.0/networks/" + deleted_id).empty())
    << "the deleted copy was marked";

  // The subnet's copy is on the winner, and the boot on it.
  auto created = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.0/subnets");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(json::parse(created[0].body).at("subnet").at("network_id"), their_id);
  auto booted = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers");
  ASSERT_EQ(booted.size(), 1u);
  EXPECT_EQ(json::parse(booted[0].body).at("server").at("networks").at(0).at("uuid"), their_id);
}

TEST_F(RoundTrips, ACopyOfAnotherAgentsNetworkIsMarkedBeforeItsSubnetsAreCopied) {
  // A network with a subnet on cloudlet-1 whose entries another agent recorded: that owner
  // records a copy only once it sees it marked (actors/node.cpp, check_copy).
  auto image_id = image_on_both("cloudlet-2");
  fake_registry other_agent("10.0.0.2");
  auto seed = [&](resource_kind kind, const std::string& collection, const json& fields) {
    auto made = h.clouds().direct("cloudlet-1", api::service_type::network, bhttp::verb::post, "/v2.0/" + collection,
                                  h.demo_token(), fields);
    EXPECT_EQ(made.status, 201u) << made.body;
    auto item = json::parse(made.body).begin().value();
    storage::registry_entry entry;
    entry.kind = kind;
    entry.global_id = other_agent.new_global_id();
    entry.project_id = h.clouds().demo_project_id();
    entry.state = storage::entry_state::bound;
    entry.copies.push_back({"cloudlet-1", item.at("id").get<std::string>()});
    auto tag = api::marker_tag({entry.global_id, false, {}});
    auto tagged = h.clouds().direct("cloudlet-1", api::service_type::network, bhttp::verb::put,
                                    "/v2.0/" + collection + "/" + entry.copies[0].local_id + "/tags", h.demo_token(),
                                    {{"tags", {tag}}});
    EXPECT_LT(tagged.status, 300u) << tagged.body;
    h.registry().seed_at_another_agent(entry);
    return entry;
  };
  auto network = seed(resource_kind::network, "networks", {{"network", {{"name", "theirs"}}}});
  seed(resource_kind::subnet, "subnets",
       {{"subnet", {{"network_id", network.copies[0].local_id}, {"cidr", "10.9.0.0/24"}, {"ip_version", 4}}}});

  auto answer = boot_there(image_id, network.global_id);
  ASSERT_EQ(answer.status, 202u) << answer.body;

  // The copy's tags and description are set (answered) before the subnet's create is answered.
  const auto& calls = h.clouds().calls();
  auto at = [&](bhttp::verb method, const std::string& prefix) {
    for (std::size_t i = 0; i < calls.size(); ++i)
      if (calls[i].cloudlet == "cloudlet-2" && calls[i].method == method && calls[i].target.find(prefix) == 0)
        return i;
    return calls.size();
  };
  ASSERT_EQ(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.0/networks").size(), 1u);
  auto entry = h.registry().entry(network.global_id);   // named: copy_on points into it
  ASSERT_TRUE(entry && entry->copy_on("cloudlet-2"));
  const auto copy_id = entry->copy_on("cloudlet-2")->local_id;
  auto tags = at(bhttp::verb::put, "/v2.0/networks/" + copy_id + "/tags");
  auto description = calls.size();
  for (std::size_t i = 0; i < calls.size(); ++i)
    if (calls[i].cloudlet == "cloudlet-2" && calls[i].method == bhttp::verb::put &&
        calls[i].target == "/v2.0/networks/" + copy_id)
      description = i;
  auto subnet = at(bhttp::verb::post, "/v2.0/subnets");
  ASSERT_LT(tags, calls.size());
  ASSERT_LT(description, calls.size());
  ASSERT_LT(subnet, calls.size());
  EXPECT_LT(tags, subnet);
  EXPECT_LT(description, subnet) << "another agent's network copy was bound (and its subnets copied) before it was marked";
}

TEST_F(RoundTrips, ABootPinnedElsewhereLooksItsFlavorUpThereWhileTheImageIsRead) {
  // An image another agent recorded (its entry is asked of that agent), with a copy on cloudlet-2.
  fake_registry other_agent("10.0.0.2");
  storage::registry_entry image;
  image.kind = resource_kind::image;
  image.global_id = other_agent.new_global_id();
  image.project_id = h.clouds().demo_project_id();
  image.state = storage::entry_state::bound;
  image.name = "cirros";
  for (const std::string region : {"cloudlet-3", "cloudlet-2"}) {
    json fields{{"name", "cirros"}};
    fields[std::string(region == "cloudlet-3" ? api::gid_key : api::copy_of_key)] = image.global_id;
    image.copies.push_back({region, h.clouds().seed_image(region, h.demo_token(), fields)});
  }
  h.registry().seed_at_another_agent(image);
  const auto image_id = image.global_id;
  auto key = h.send(bhttp::verb::post, "/compute/v2.1/os-keypairs",
                    {{"keypair", {{"name", "k"}, {"public_key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey me@here"}}}});
  ASSERT_EQ(key.status, 200u) << key.body;
  auto tiny_here = flavor_id("cloudlet-1", "m1.tiny");
  h.clouds().clear_log();
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                       {{"server", {{"name", "vm"},
                                    {"imageRef", image_id},
                                    {"flavorRef", tiny_here},
                                    {"key_name", "k"},
                                    {"availability_zone", "cloudlet-2"}}}});
  ASSERT_EQ(answer.status, 202u) << answer.body;

  // The flavor is looked up on cloudlet-2 once, while the boot is read (answered
  // before the keypair is looked for there, the boot's preparation), not after it was placed.
  const auto& calls = h.clouds().calls();
  auto at = [&](const std::string& region, const std::string& prefix) {
    for (std::size_t i = 0; i < calls.size(); ++i)
      if (calls[i].cloudlet == region && calls[i].target.find(prefix) != std::string::npos) return i;
    return calls.size();
  };
  auto flavor_there = at("cloudlet-2", "/v2.1/flavors/" + tiny_here);
  auto keypair_there = at("cloudlet-2", "/v2.1/os-keypairs/k");
  ASSERT_LT(flavor_there, calls.size());
  ASSERT_LT(keypair_there, calls.size());
  EXPECT_LT(flavor_there, keypair_there) << "the flavor was looked up on cloudlet-2 only once the boot was read";
  EXPECT_EQ(h.clouds().calls_to("cloudlet-2", bhttp::verb::get, "/v2.1/flavors/" + tiny_here).size(), 1u);
  EXPECT_EQ(h.clouds().calls_to("cloudlet-2", bhttp::verb::get, "/v2.1/flavors/detail").size(), 1u)
    << "what was found is not asked again when the boot is prepared there";
  auto booted = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers");
  ASSERT_EQ(booted.size(), 1u);
  EXPECT_EQ(json::parse(booted[0].body).at("server").at("flavorRef"), flavor_id("cloudlet-2", "m1.tiny"));
}

} // namespace
} // namespace fedstack::agent::testing
