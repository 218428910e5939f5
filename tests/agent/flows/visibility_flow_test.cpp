// Another project's resources through the agent's handler (docs/federation.md,
// "Who sees what"): the registry maps IDs, the owning cloud decides with the
// caller's token. Public and shared images, another project's networks, image
// members, and what stays hidden (the same 404 as an ID nobody made).

#include <chrono>

#include <gtest/gtest.h>

#include "agent/services/service_session.hpp"
#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;
using svc = api::service_type;

class VisibilityFlow : public ::testing::Test {
protected:
  VisibilityFlow() : session(agent_options{}, h.clouds().keystone()) {
    // The agent's service user is an admin (it makes copies of other projects' resources).
    session.use_token(h.admin_token(), std::chrono::system_clock::now() + std::chrono::hours{1});
    h.context().session = &session;
  }

  std::string admin_project() { return h.clouds().admin_project_id(); }
  std::string demo_project() { return h.clouds().demo_project_id(); }

  /// An image of the admin's project with `visibility`, its primary on
  /// regions[0] and copies (made as the agent makes them: by the admin, with the
  /// same visibility) on the rest, recorded under the admin's project.
  storage::registry_entry admin_image(const std::string& visibility, const std::vector<std::string>& regions) {
    auto global_id = h.registry().new_global_id();
    std::vector<storage::cloud_copy> copies;
    for (std::size_t i = 0; i < regions.size(); ++i) {
      json fields{{"name", "tempest-image"}, {"visibility", visibility}};
      fields[std::string(i == 0 ? api::gid_key : api::copy_of_key)] = global_id;
      copies.push_back({regions[i], h.clouds().seed_image(regions[i], h.admin_token(), fields)});
    }
    return h.record(resource_kind::image, admin_project(), copies, "tempest-image", global_id);
  }

  /// A network (and one subnet) on `region` made with `token` for `project`,
  /// tagged and recorded as the federation records them.
  std::pair<storage::registry_entry, storage::registry_entry> network(const std::string& region,
                                                                      const std::string& token,
                                                                      const std::string& project, bool shared) {
    auto net_gid = h.registry().new_global_id();
    json fields{{"name", "net"}};
    if (shared) fields["shared"] = true;
    auto made = h.clouds().direct(region, svc::network, bhttp::verb::post, "/v2.0/networks", token,
                                  {{"network", fields}});
    EXPECT_EQ(made.status, 201u) << made.body;
    auto net_id = json::parse(made.body).at("network").at("id").get<std::string>();
    tag(region, "networks", net_id, net_gid, token);
    auto sub_gid = h.registry().new_global_id();
    auto sub = h.clouds().direct(region, svc::network, bhttp::verb::post, "/v2.0/subnets", token,
                                 {{"subnet", {{"network_id", net_id}, {"cidr", "10.9.0.0/24"}, {"ip_version", 4}}}});
    EXPECT_EQ(sub.status, 201u) << sub.body;
    auto sub_id = json::parse(sub.body).at("subnet").at("id").get<std::string>();
    tag(region, "subnets", sub_id, sub_gid, token);
    return {h.record(resource_kind::network, project, {{region, net_id}}, "net", net_gid),
            h.record(resource_kind::subnet, project, {{region, sub_id}}, "", sub_gid)};
  }

  void tag(const std::string& region, const std::string& collection, const std::string& id,
           const std::string& global_id, const std::string& token) {
    auto tagged = h.clouds().direct(region, svc::network, bhttp::verb::put, "/v2.0/" + collection + "/" + id + "/tags",
                                    token, {{"tags", {api::marker_tag({global_id, false, {}})}}});
    EXPECT_EQ(tagged.status, 200u) << tagged.body;
  }

  std::string flavor_id(const std::string& region) {
    auto listed = h.clouds().direct(region, svc::compute, bhttp::verb::get, "/v2.1/flavors", h.demo_token());
    auto doc = json::parse(listed.body);   // named: a range-for over a temporary's member dangles
    for (const auto& f : doc.at("flavors"))
      if (f.value("name", std::string{}) == "m1.tiny") return f.value("id", std::string{});
    ADD_FAILURE() << "no m1.tiny on " << region << ": " << listed.status << " " << listed.body;
    return {};
  }

  json boot_body(const std::string& image_gid, json networks = nullptr) {
    json server{{"name", "vm"}, {"imageRef", image_gid}, {"flavorRef", flavor_id("cloudlet-1")}};
    if (!networks.is_null()) server["networks"] = std::move(networks);
    return json{{"server", server}};
  }

  /// The client-visible error of an answer with the ID it names blanked, so
  /// that two 404s about different IDs compare equal when they say the same.
  static std::string without(std::string text, const std::string& id) {
    for (auto at = text.find(id); at != std::string::npos; at = text.find(id)) text.replace(at, id.size(), "<id>");
    return text;
  }

  /// The marked items of `global_id` (copies included) on `region`.
  std::vector<json> marked(const std::string& region, const std::string& collection, const std::string& global_id) {
    auto service = collection == "images" ? svc::image : collection == "servers" ? svc::compute : svc::network;
    std::vector<json> out;
    for (const auto& item : h.clouds().items(region, collection))
      if (auto m = api::read_marker(service, item); m && m->global_id == global_id) out.push_back(item);
    return out;
  }

  flow_harness h;
  service_session session;
};

// --- images ---

TEST_F(VisibilityFlow, APublicImageOfTheAdminIsShownToDemoUnderItsGlobalId) {
  auto image = admin_image("public", {"cloudlet-2"});
  auto answer = h.send(bhttp::verb::get, "/image/v2/images/" + image.global_id);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(json::parse(answer.body).at("id"), image.global_id);
  EXPECT_EQ(answer.body.find(image.copies[0].local_id), std::string::npos) << "no cloud ID leaks";
  // Through the admin's entry and its cloud's answer to demo, not by searching every cloud for its marker.
  for (const auto& call : h.clouds().calls_to("", bhttp::verb::get, "/v2/images"))
    EXPECT_EQ(call.target.find("fedstack_gid="), std::string::npos) << call.cloudlet << " " << call.target;
  EXPECT_EQ(h.clouds().calls_to("cloudlet-1", bhttp::verb::get, "/v2/images").size(), 0u);
  EXPECT_EQ(h.clouds().calls_to("cloudlet-3", bhttp::verb::get, "/v2/images").size(), 0u);
}

TEST_F(VisibilityFlow, NovasImageProxyShowsAPublicImageOfTheAdminFromTheCloudletOfItsPrimary) {
  auto image = admin_image("public", {"cloudlet-2"});   // no copy on the agent's own cloudlet-1
  auto answer = h.send(bhttp::verb::get, "/compute/v2.1/images/" + image.global_id);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  auto shown = json::parse(answer.body).at("image");
  EXPECT_EQ(shown.at("id"), image.global_id);
  EXPECT_EQ(shown.at("name"), "tempest-image");
  EXPECT_EQ(answer.body.find(image.copies[0].local_id), std::string::npos) << "no cloud ID leaks";
  EXPECT_EQ(h.clouds().calls_to("cloudlet-2", bhttp::verb::get, "/v2.1/images").size(), 1u);

  auto hidden = admin_image("private", {"cloudlet-2"});
  auto random = h.registry().new_global_id();
  auto refused = h.send(bhttp::verb::get, "/compute/v2.1/images/" + hidden.global_id);
  auto unknown = h.send(bhttp::verb::get, "/compute/v2.1/images/" + random);
  EXPECT_EQ(refused.status, 404u) << refused.body;
  EXPECT_EQ(without(refused.body, hidden.global_id), without(unknown.body, random));
}

TEST_F(VisibilityFlow, DemoBootsAPublicImageOfTheAdminOnAnotherCloudlet) {
  auto image = admin_image("public", {"cloudlet-2", "cloudlet-3"});
  h.placement().place_on("cloudlet-3");
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers", boot_body(image.global_id));
  ASSERT_EQ(answer.status, 202u) << answer.body;
  auto server_gid = json::parse(answer.body).at("server").at("id").get<std::string>();
  auto sent = h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2.1/servers");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(json::parse(sent[0].body).at("server").at("imageRef"), image.copies[1].local_id)
    << "the copy's ID on the target, not the global ID";
  ASSERT_EQ(marked("cloudlet-3", "servers", server_gid).size(), 1u);
  auto entry = h.registry().entry(server_gid);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->project_id, demo_project()) << "the server is demo's";
}

TEST_F(VisibilityFlow, ACopyOfAPublicImageIsMadeByTheServiceUserForTheImagesOwner) {
  // Image bytes move over sockets (end-to-end tests); here: the copy's create.
  auto image = admin_image("public", {"cloudlet-2"});
  h.placement().place_on("cloudlet-3");
  h.send(bhttp::verb::post, "/compute/v2.1/servers", boot_body(image.global_id));
  auto creates = h.clouds().calls_to("cloudlet-3", bhttp::verb::post, "/v2/images");
  ASSERT_EQ(creates.size(), 1u) << "the copy was attempted on the target";
  auto body = json::parse(creates[0].body);
  EXPECT_EQ(body.at("owner"), admin_project()) << "owned by the image's project";
  EXPECT_EQ(body.at("visibility"), "public") << "visible there as the primary is";
  EXPECT_EQ(body.at(std::string(api::copy_of_key)), image.global_id) << "marked as a copy";
}

TEST_F(VisibilityFlow, APrivateImageOfTheAdminIsAsUnknownToDemoAsARandomId) {
  auto image = admin_image("private", {"cloudlet-2"});
  auto random = h.registry().new_global_id();
  auto hidden = h.send(bhttp::verb::get, "/image/v2/images/" + image.global_id);
  auto unknown = h.send(bhttp::verb::get, "/image/v2/images/" + random);
  EXPECT_EQ(hidden.status, 404u) << hidden.body;
  EXPECT_EQ(without(hidden.body, image.global_id), without(unknown.body, random));

  h.placement().place_on("cloudlet-2");
  auto boot_hidden = h.send(bhttp::verb::post, "/compute/v2.1/servers", boot_body(image.global_id));
  auto boot_unknown = h.send(bhttp::verb::post, "/compute/v2.1/servers", boot_body(random));
  EXPECT_EQ(boot_hidden.status, boot_unknown.status) << boot_hidden.body;
  EXPECT_EQ(without(boot_hidden.body, image.global_id), without(boot_unknown.body, random));
  auto sent = h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/servers");
  for (const auto& call : sent)
    EXPECT_EQ(call.body.find(image.copies[0].local_id), std::string::npos) << "its cloud ID is never used";
  // Its metadata cannot be changed or deleted by demo either.
  auto deleted = h.send(bhttp::verb::delete_, "/image/v2/images/" + image.global_id);
  EXPECT_EQ(deleted.status, 404u) << deleted.body;
  EXPECT_EQ(h.clouds().items("cloudlet-2", "images").size(), 1u);
}

TEST_F(VisibilityFlow, ASharedImageIsDemosOnceTheAdminAddedItAsMemberAndItAccepted) {
  auto image = admin_image("shared", {"cloudlet-2", "cloudlet-3"});
  auto members = "/image/v2/images/" + image.global_id + "/members";
  EXPECT_EQ(h.send(bhttp::verb::get, "/image/v2/images/" + image.global_id).status, 404u) << "not shared yet";

  auto added = h.send(bhttp::verb::post, members, {{"member", demo_project()}}, h.admin_token());
  ASSERT_EQ(added.status, 200u) << added.body;
  EXPECT_EQ(json::parse(added.body).at("image_id"), image.global_id);
  EXPECT_EQ(json::parse(added.body).at("status"), "pending");

  auto accepted = h.send(bhttp::verb::put, members + "/" + demo_project(), {{"status", "accepted"}});
  ASSERT_EQ(accepted.status, 200u) << accepted.body;
  EXPECT_EQ(json::parse(accepted.body).at("status"), "accepted");
  EXPECT_EQ(json::parse(accepted.body).at("image_id"), image.global_id) << "the global ID, not the cloud's";
  auto shown = h.send(bhttp::verb::get, members + "/" + demo_project());
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("status"), "accepted");
  auto listed = h.send(bhttp::verb::get, members);
  ASSERT_EQ(listed.status, 200u) << listed.body;
  EXPECT_EQ(json::parse(listed.body).at("members").size(), 1u);
  EXPECT_EQ(h.send(bhttp::verb::get, "/image/v2/images/" + image.global_id).status, 200u);

  // The boot lands where the copy (made before demo was a member) is not yet shared with demo.
  h.placement().place_on("cloudlet-3");
  auto booted = h.send(bhttp::verb::post, "/compute/v2.1/servers", boot_body(image.global_id));
  ASSERT_EQ(booted.status, 202u) << booted.body;
  auto copy_members = h.clouds().direct("cloudlet-3", svc::image, bhttp::verb::get,
                                        "/v2/images/" + image.copies[1].local_id + "/members", h.admin_token());
  EXPECT_NE(copy_members.body.find(demo_project()), std::string::npos) << "demo is a member of the copy too";
}

TEST_F(VisibilityFlow, TheOwnerOfASharedImageCannotAcceptForTheMember) {
  auto image = admin_image("shared", {"cloudlet-2"});
  auto members = "/image/v2/images/" + image.global_id + "/members";
  ASSERT_EQ(h.send(bhttp::verb::post, members, {{"member", demo_project()}}, h.admin_token()).status, 200u);
  auto by_owner = h.send(bhttp::verb::put, members + "/" + demo_project(), {{"status", "accepted"}}, h.admin_token());
  EXPECT_EQ(by_owner.status, 403u) << "Glance decides: only the member changes its status";
}

// --- networks ---

TEST_F(VisibilityFlow, TheAdminCreatesAPortOnDemosNetwork) {
  auto [net, sub] = network("cloudlet-2", h.demo_token(), demo_project(), false);
  auto answer = h.send(bhttp::verb::post, "/network/v2.0/ports", {{"port", {{"network_id", net.global_id}}}},
                       h.admin_token());
  ASSERT_EQ(answer.status, 201u) << answer.body;
  auto port = json::parse(answer.body).at("port");
  EXPECT_EQ(port.at("network_id"), net.global_id) << "the network's global ID back";
  auto made = marked("cloudlet-2", "ports", port.at("id").get<std::string>());
  ASSERT_EQ(made.size(), 1u) << "on the network's cloudlet";
  EXPECT_EQ(made[0].at("network_id"), net.copies[0].local_id);
}

TEST_F(VisibilityFlow, TheAdminsBulkPortCreateOnDemosNetworkGoesToTheNetworksCloudlet) {
  auto [net, sub] = network("cloudlet-2", h.demo_token(), demo_project(), false);
  json item{{"network_id", net.global_id}};
  auto answer = h.send(bhttp::verb::post, "/network/v2.0/ports", {{"ports", json::array({item, item})}},
                       h.admin_token());
  ASSERT_EQ(answer.status, 201u) << answer.body;
  auto ports = json::parse(answer.body).at("ports");
  ASSERT_EQ(ports.size(), 2u);
  for (const auto& port : ports) {
    EXPECT_EQ(port.at("network_id"), net.global_id);
    auto made = marked("cloudlet-2", "ports", port.at("id").get<std::string>());
    ASSERT_EQ(made.size(), 1u) << "on the network's cloudlet";
    EXPECT_EQ(made[0].at("network_id"), net.copies[0].local_id);
  }
  EXPECT_TRUE(h.clouds().items("cloudlet-1", "ports").empty());
}

TEST_F(VisibilityFlow, DemoCannotCreateAPortOnTheAdminsPrivateNetwork) {
  auto [net, sub] = network("cloudlet-2", h.admin_token(), admin_project(), false);
  auto random = h.registry().new_global_id();
  auto hidden = h.send(bhttp::verb::post, "/network/v2.0/ports", {{"port", {{"network_id", net.global_id}}}});
  auto unknown = h.send(bhttp::verb::post, "/network/v2.0/ports", {{"port", {{"network_id", random}}}});
  EXPECT_EQ(hidden.status, 404u) << hidden.body;
  EXPECT_EQ(without(hidden.body, net.global_id), without(unknown.body, random));
  EXPECT_TRUE(h.clouds().items("cloudlet-2", "ports").empty());
  for (const auto& call : h.clouds().calls())
    EXPECT_EQ(call.body.find(net.copies[0].local_id), std::string::npos) << "its cloud ID is never used";
}

TEST_F(VisibilityFlow, DemoBootsOnTheAdminsSharedNetworkOnACloudletWithoutACopy) {
  auto [net, sub] = network("cloudlet-2", h.admin_token(), admin_project(), true);
  auto image = admin_image("public", {"cloudlet-3"});
  h.placement().place_on("cloudlet-3");
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                       boot_body(image.global_id, json::array({{{"uuid", net.global_id}}})));
  ASSERT_EQ(answer.status, 202u) << answer.body;
  auto copies = marked("cloudlet-3", "networks", net.global_id);
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0].at("project_id"), admin_project()) << "the network's project owns the copy";
  EXPECT_EQ(copies[0].at("shared"), true) << "shared there as it is on its own cloud";
  auto entry = h.registry().entry(net.global_id);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->project_id, admin_project()) << "recorded under the network's project";
  EXPECT_TRUE(entry->copy_on("cloudlet-3"));
  auto sub_entry = h.registry().entry(sub.global_id);
  EXPECT_TRUE(sub_entry && sub_entry->copy_on("cloudlet-3")) << "its subnet is copied too";
}

TEST_F(VisibilityFlow, DemoCannotBootOnTheAdminsPrivateNetwork) {
  auto [net, sub] = network("cloudlet-2", h.admin_token(), admin_project(), false);
  auto image = admin_image("public", {"cloudlet-3"});
  h.placement().place_on("cloudlet-3");
  auto answer = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                       boot_body(image.global_id, json::array({{{"uuid", net.global_id}}})));
  auto random = h.registry().new_global_id();
  auto unknown = h.send(bhttp::verb::post, "/compute/v2.1/servers",
                        boot_body(image.global_id, json::array({{{"uuid", random}}})));
  EXPECT_GE(answer.status, 400u) << answer.body;
  EXPECT_EQ(answer.status, unknown.status);
  EXPECT_EQ(without(answer.body, net.global_id), without(unknown.body, random)) << "as if nobody made it";
  EXPECT_TRUE(marked("cloudlet-3", "networks", net.global_id).empty()) << "nothing copied for demo";
}

} // namespace
} // namespace fedstack::agent::testing
