// Calls about one resource named by a global ID, through the agent's handler
// against fake clouds and a fake registry (flow_harness.hpp): where they go,
// how IDs are translated, what happens when the owner cannot place the
// resource, and how a delete removes every copy.

#include <gtest/gtest.h>

#include "agent/flows/proxy.hpp"
#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::cloud_copy;
using storage::registry_entry;
using storage::resource_kind;
using svc = api::service_type;

class ResourceFlow : public ::testing::Test {
protected:
  std::string demo_project() { return h.clouds().demo_project_id(); }

  /// Records a bound entry under `project` (a fresh global ID, its copies as given).
  registry_entry record(resource_kind kind, const std::string& global_id, const std::string& project,
                        std::vector<cloud_copy> copies) {
    registry_entry entry;
    entry.kind = kind;
    entry.global_id = global_id;
    entry.project_id = project;
    entry.state = storage::entry_state::bound;
    entry.copies = std::move(copies);
    h.registry().seed(entry);
    return entry;
  }

  /// An image on `region` marked as `global_id`'s primary (or a copy of it), made with `token`.
  std::string marked_image(const std::string& region, const std::string& global_id, const std::string& token,
                           bool is_copy = false) {
    auto key = std::string(is_copy ? api::copy_of_key : api::gid_key);
    return h.clouds().seed_image(region, token, {{"name", "image-" + region}, {key, global_id}});
  }

  /// A network on `region` tagged with `global_id`'s marker, made with the demo user's token.
  std::string marked_network(const std::string& region, const std::string& global_id, bool is_copy = false) {
    auto made = h.clouds().direct(region, svc::network, bhttp::verb::post, "/v2.0/networks", h.demo_token(),
                                  {{"network", {{"name", "net-" + region}}}});
    EXPECT_EQ(made.status, 201u) << made.body;
    auto id = json::parse(made.body).at("network").at("id").get<std::string>();
    auto tagged = h.clouds().direct(region, svc::network, bhttp::verb::put, "/v2.0/networks/" + id + "/tags",
                                    h.demo_token(), {{"tags", {api::marker_tag({global_id, is_copy, {}})}}});
    EXPECT_EQ(tagged.status, 200u) << tagged.body;
    return id;
  }

  /// A server on `region` booted from the image `image_local`, its metadata marked with `global_id`.
  std::string marked_server(const std::string& region, const std::string& global_id, const std::string& image_local) {
    auto flavors = h.clouds().direct(region, svc::compute, bhttp::verb::get, "/v2.1/flavors", h.demo_token());
    auto flavor = json::parse(flavors.body).at("flavors").at(0).at("id");
    json body{{"server",
               {{"name", "server-" + region},
                {"flavorRef", flavor},
                {"imageRef", image_local},
                {"networks", "none"},
                {"metadata", {{std::string(api::gid_key), global_id}}}}}};
    auto made = h.clouds().direct(region, svc::compute, bhttp::verb::post, "/v2.1/servers", h.demo_token(), body);
    EXPECT_EQ(made.status, 202u) << made.body;
    return json::parse(made.body).at("server").at("id").get<std::string>();
  }

  /// The calls the flows made to any cloud (not Keystone).
  std::vector<logged_call> cloud_calls() {
    std::vector<logged_call> out;
    for (const auto& c : h.clouds().calls())
      if (c.cloudlet != "keystone") out.push_back(c);
    return out;
  }

  /// The images on `region` (any project) with ID `local`.
  bool image_exists(const std::string& region, const std::string& local) {
    for (const auto& image : h.clouds().items(region, "images"))
      if (image.at("id") == local) return true;
    return false;
  }

  /// A request whose body is sent as these bytes (flow_harness::send takes JSON).
  captured_response send_raw(bhttp::verb method, const std::string& target, std::string body) {
    bhttp::request_header<> header;
    header.method(method);
    header.target(target);
    header.version(11);
    header.set("X-Auth-Token", h.demo_token());
    header.set(bhttp::field::content_type, "application/json");
    header.set(bhttp::field::content_length, std::to_string(body.size()));
    fake_exchange exchange{std::move(header), std::move(body)};
    auto handler = make_proxy_handler(h.context(), [](request&) -> http::awaitable<void> { co_return; });
    h.run([&]() { return handler(exchange); });
    return exchange.response();
  }

  flow_harness h;
};

// --- reads of a recorded resource ---

TEST_F(ResourceFlow, ShowOfARecordedImageGoesToItsPrimaryWithIdsTranslatedBothWays) {
  auto gid = h.registry().new_global_id();
  auto primary = marked_image("cloudlet-2", gid, h.demo_token());
  auto copy = marked_image("cloudlet-1", gid, h.demo_token(), true);   // a copy on the agent's own cloudlet
  record(resource_kind::image, gid, demo_project(), {{"cloudlet-2", primary}, {"cloudlet-1", copy}});

  auto answer = h.send(bhttp::verb::get, "/image/v2/images/" + gid);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  auto shown = json::parse(answer.body);
  EXPECT_EQ(shown.at("id"), gid) << "the client sees the global ID";
  EXPECT_EQ(shown.at("self"), "/v2/images/" + gid);
  EXPECT_EQ(shown.at("file"), "/v2/images/" + gid + "/file");
  EXPECT_FALSE(shown.contains(std::string(api::gid_key))) << "the marker is hidden";
  EXPECT_EQ(answer.body.find(primary), std::string::npos) << "no cloud ID leaks";

  auto calls = cloud_calls();
  ASSERT_EQ(calls.size(), 1u) << "one call, no search";
  EXPECT_EQ(calls[0].cloudlet, "cloudlet-2") << "the primary answers reads, not the copy on the own cloudlet";
  EXPECT_EQ(calls[0].target, "/v2/images/" + primary) << "the cloud sees its own ID";
}

TEST_F(ResourceFlow, ShowOfARecordedServerNamesItsImageAndZoneAsTheFederationDoes) {
  auto image_gid = h.registry().new_global_id();
  auto image_primary = marked_image("cloudlet-2", image_gid, h.demo_token());
  auto image_copy = marked_image("cloudlet-3", image_gid, h.demo_token(), true);
  record(resource_kind::image, image_gid, demo_project(), {{"cloudlet-2", image_primary}, {"cloudlet-3", image_copy}});
  auto gid = h.registry().new_global_id();
  auto local = marked_server("cloudlet-3", gid, image_copy);
  record(resource_kind::server, gid, demo_project(), {{"cloudlet-3", local}});

  auto answer = h.send(bhttp::verb::get, "/compute/v2.1/servers/" + gid);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  auto server = json::parse(answer.body).at("server");
  EXPECT_EQ(server.at("id"), gid);
  EXPECT_EQ(server.at("image").at("id"), image_gid) << "the copy it booted from is shown as the global image";
  EXPECT_EQ(server.at("OS-EXT-AZ:availability_zone"), "cloudlet-3") << "its zone is the cloudlet it lives on";
  EXPECT_FALSE(server.at("metadata").contains(std::string(api::gid_key))) << "the marker is hidden";
  EXPECT_EQ(answer.body.find(local), std::string::npos);
  EXPECT_EQ(answer.body.find(image_copy), std::string::npos);

  // (Its flavor is looked up too, to show this agent's flavor ID: flavor_ids.hpp.)
  auto calls = h.clouds().calls_to("", bhttp::verb::get, "/v2.1/servers");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].cloudlet, "cloudlet-3");
  EXPECT_EQ(calls[0].target, "/v2.1/servers/" + local);
  EXPECT_TRUE(h.clouds().calls_to("", bhttp::verb::get, "/v2.1/servers/detail").empty()) << "no search";
}

TEST_F(ResourceFlow, UpdateOfARecordedNetworkTranslatesTheBodyBothWays) {
  auto gid = h.registry().new_global_id();
  auto local = marked_network("cloudlet-2", gid);
  record(resource_kind::network, gid, demo_project(), {{"cloudlet-2", local}});

  // The client names the network by its global ID in the body too.
  auto answer = h.send(bhttp::verb::put, "/network/v2.0/networks/" + gid,
                       {{"network", {{"name", "renamed"}, {"description", "was " + gid}}}});
  ASSERT_EQ(answer.status, 200u) << answer.body;
  auto network = json::parse(answer.body).at("network");
  EXPECT_EQ(network.at("id"), gid);
  EXPECT_EQ(network.at("name"), "renamed");
  EXPECT_EQ(network.at("description"), "was " + gid) << "back to the global ID on the way out";
  EXPECT_EQ(network.at("tags"), json::array()) << "the marker tag is hidden";

  auto calls = cloud_calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].cloudlet, "cloudlet-2");
  EXPECT_EQ(calls[0].target, "/v2.0/networks/" + local);
  EXPECT_NE(calls[0].body.find("was " + local), std::string::npos) << "the cloud sees its own ID: " << calls[0].body;
}

TEST_F(ResourceFlow, APrimaryOnACloudletOutsideTheCatalogIs503) {
  auto gid = h.registry().new_global_id();
  record(resource_kind::image, gid, demo_project(), {{"cloudlet-9", "gone"}});
  auto answer = h.send(bhttp::verb::get, "/image/v2/images/" + gid);
  EXPECT_EQ(answer.status, 503u);
  EXPECT_NE(answer.body.find("The cloudlet cloudlet-9 that holds this resource is not in the catalog."),
            std::string::npos)
    << answer.body;
  EXPECT_TRUE(cloud_calls().empty());
}

TEST_F(ResourceFlow, ACloudsOwnIdPassesThroughToTheOwnCloudletUnasked) {
  auto local = h.clouds().seed_image("cloudlet-1", h.demo_token(), {{"name", "unrecorded"}});
  auto answer = h.send(bhttp::verb::get, "/image/v2/images/" + local);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(json::parse(answer.body).at("id"), local);
  auto calls = cloud_calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].cloudlet, "cloudlet-1");
  EXPECT_EQ(calls[0].target, "/v2/images/" + local);
  for (const auto& call : h.registry().call_log())
    EXPECT_NE(call, "get") << "no owner is asked where a cloud's own ID lives";
}

TEST_F(ResourceFlow, AMalformedJsonBodyIsRefusedBeforeAnyoneIsAsked) {
  auto gid = h.registry().new_global_id();
  auto local = marked_network("cloudlet-2", gid);
  record(resource_kind::network, gid, demo_project(), {{"cloudlet-2", local}});
  auto answer = send_raw(bhttp::verb::put, "/network/v2.0/networks/" + gid, "{\"network\": ");
  EXPECT_EQ(answer.status, 400u) << answer.body;
  EXPECT_NE(answer.body.find("Malformed JSON in request body."), std::string::npos) << answer.body;
  EXPECT_TRUE(cloud_calls().empty());
  EXPECT_TRUE(h.registry().call_log().empty());
}

// --- the owner cannot place it ---

TEST_F(ResourceFlow, OwnerAwayAReadIsAnsweredFromTheResourceFoundByItsMarker) {
  auto gid = h.registry().new_global_id();
  auto local = marked_image("cloudlet-3", gid, h.demo_token());
  record(resource_kind::image, gid, demo_project(), {{"cloudlet-3", local}});
  h.registry().set_unavailable(true, {"get"});

  auto answer = h.send(bhttp::verb::get, "/image/v2/images/" + gid);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(json::parse(answer.body).at("id"), gid);

  // Every cloudlet is searched by the marker until it is found, then asked for it.
  auto searched = h.clouds().calls_to("", bhttp::verb::get, "/v2/images");
  ASSERT_EQ(searched.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(searched[i].cloudlet, "cloudlet-" + std::to_string(i + 1));
    EXPECT_EQ(searched[i].target, "/v2/images?fedstack_gid=" + gid);
  }
  EXPECT_EQ(searched[3].cloudlet, "cloudlet-3");
  EXPECT_EQ(searched[3].target, "/v2/images/" + local);
}

TEST_F(ResourceFlow, OwnerAwayTheSearchUsesTheClientsTokenSoTheCloudsVisibilityDecides) {
  // The admin project's private image: the demo user may not see it, wherever it is asked.
  auto gid = h.registry().new_global_id();
  auto local = marked_image("cloudlet-2", gid, h.admin_token());
  record(resource_kind::image, gid, h.clouds().admin_project_id(), {{"cloudlet-2", local}});
  h.registry().set_unavailable(true, {"get"});

  auto hidden = h.send(bhttp::verb::get, "/image/v2/images/" + gid);
  EXPECT_EQ(hidden.status, 404u) << hidden.body;
  EXPECT_EQ(h.clouds().calls_to("", bhttp::verb::get, "/v2/images").size(), 3u) << "searched, not found";

  auto shown = h.send(bhttp::verb::get, "/image/v2/images/" + gid, nullptr, h.admin_token());
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("id"), gid);
}

TEST_F(ResourceFlow, OwnerAwayAndTheResourceOnACloudletThatDoesNotAnswerIs503) {
  auto gid = h.registry().new_global_id();
  auto local = marked_image("cloudlet-3", gid, h.demo_token());
  record(resource_kind::image, gid, demo_project(), {{"cloudlet-3", local}});
  h.registry().set_unavailable(true, {"get"});
  h.clouds().set_down("cloudlet-3");

  auto answer = h.send(bhttp::verb::get, "/image/v2/images/" + gid);
  EXPECT_EQ(answer.status, 503u) << "nobody can tell whether it exists: " << answer.body;
}

TEST_F(ResourceFlow, OwnerAwayAWriteIsRefusedAndNothingIsSentByMarker) {
  auto gid = h.registry().new_global_id();
  auto local = marked_network("cloudlet-2", gid);
  record(resource_kind::network, gid, demo_project(), {{"cloudlet-2", local}});
  h.registry().set_unavailable(true, {"get"});

  for (auto method : {bhttp::verb::put, bhttp::verb::delete_}) {
    json body = method == bhttp::verb::put ? json{{"network", {{"name", "x"}}}} : json(nullptr);
    auto answer = h.send(method, "/network/v2.0/networks/" + gid, body);
    EXPECT_EQ(answer.status, 503u) << answer.body;
    EXPECT_NE(json::parse(answer.body).at("NeutronError").at("message").get<std::string>().find(
                "A registry of the federation is unavailable"),
              std::string::npos)
      << answer.body;
  }
  bhttp::fields json_patch;
  json_patch.set(bhttp::field::content_type, "application/openstack-images-v2.1-json-patch");
  auto patched = h.send(bhttp::verb::patch, "/image/v2/images/" + gid, json::array(), {}, json_patch);
  EXPECT_EQ(patched.status, 503u) << patched.body;
  EXPECT_TRUE(cloud_calls().empty()) << "no cloud was searched or written";
  EXPECT_EQ(h.registry().entry(gid)->copies.size(), 1u);
}

TEST_F(ResourceFlow, AWriteOnAnEntryThisProjectDoesNotHaveIsTheOwningCloudsToRefuse) {
  // The admin's networks, and the demo user writing to them: no entry of the demo project.
  auto admins_network = [&](bool shared) {
    auto gid = h.registry().new_global_id();
    auto made = h.clouds().direct("cloudlet-2", svc::network, bhttp::verb::post, "/v2.0/networks", h.admin_token(),
                                  {{"network", {{"name", "admins"}, {"shared", shared}}}});
    EXPECT_EQ(made.status, 201u) << made.body;
    auto local = json::parse(made.body).at("network").at("id").get<std::string>();
    record(resource_kind::network, gid, h.clouds().admin_project_id(), {{"cloudlet-2", local}});
    return gid;
  };
  // Shared: Neutron shows it to demo, so the write reaches it, and Neutron's policy refuses it.
  auto shared = admins_network(true);
  auto answer = h.send(bhttp::verb::put, "/network/v2.0/networks/" + shared, {{"network", {{"name", "mine"}}}});
  EXPECT_EQ(answer.status, 403u) << answer.body;
  // Private: unknown to demo (404), and no write is sent anywhere.
  auto hidden = admins_network(false);
  h.clouds().clear_log();
  answer = h.send(bhttp::verb::put, "/network/v2.0/networks/" + hidden, {{"network", {{"name", "mine"}}}});
  EXPECT_EQ(answer.status, 404u) << answer.body;
  EXPECT_TRUE(h.clouds().calls_to("", bhttp::verb::put, "/v2.0/networks").empty());
  for (const auto& item : h.clouds().items("cloudlet-2", "networks")) EXPECT_EQ(item.at("name"), "admins");
  h.clouds().clear_log();

  // A reservation (a create still running) places nothing either.
  auto reserved = h.registry().new_global_id();
  registry_entry entry;
  entry.kind = resource_kind::network;
  entry.global_id = reserved;
  entry.project_id = demo_project();
  h.registry().seed(entry);
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/network/v2.0/networks/" + reserved).status, 404u);
  EXPECT_TRUE(cloud_calls().empty());
  EXPECT_TRUE(h.registry().entry(reserved)) << "the reservation is the create's to settle";
}

TEST_F(ResourceFlow, AnUnknownGlobalIdIs404InEachServicesErrorShape) {
  auto gid = h.registry().new_global_id();

  auto image = h.send(bhttp::verb::get, "/image/v2/images/" + gid);
  EXPECT_EQ(image.status, 404u);
  EXPECT_EQ(image.header("Content-Type"), "text/html; charset=UTF-8") << "Glance answers webob's page";
  EXPECT_NE(image.body.find("No image with ID " + gid + " was found."), std::string::npos) << image.body;

  auto server = h.send(bhttp::verb::get, "/compute/v2.1/servers/" + gid);
  EXPECT_EQ(server.status, 404u);
  EXPECT_EQ(json::parse(server.body).at("itemNotFound").at("message"), "No server with ID " + gid + " was found.");

  auto network = h.send(bhttp::verb::get, "/network/v2.0/networks/" + gid);
  EXPECT_EQ(network.status, 404u);
  EXPECT_EQ(json::parse(network.body).at("NeutronError").at("type"), "HTTPNotFound");

  // Reads searched every cloudlet by the marker and found nothing there.
  EXPECT_EQ(h.clouds().calls_to("", bhttp::verb::get, "/v2/images").size(), 3u);
  EXPECT_EQ(h.clouds().calls_to("", bhttp::verb::get, "/v2.1/servers/detail").size(), 3u);
  EXPECT_EQ(h.clouds().calls_to("", bhttp::verb::get, "/v2.0/networks").size(), 3u);
  EXPECT_EQ(cloud_calls().size(), 9u) << "and asked nothing else";

  auto deleted = h.send(bhttp::verb::delete_, "/compute/v2.1/servers/" + gid);
  EXPECT_EQ(deleted.status, 404u);
  EXPECT_EQ(json::parse(deleted.body).at("itemNotFound").at("code"), 404);
  EXPECT_EQ(cloud_calls().size(), 9u) << "a write is not searched for";
}

TEST_F(ResourceFlow, AListMarkerItsOwnerCannotPlaceIsFoundByItsMarkerToo) {
  // The same rule places a list's marker (list_flow.cpp): owner away, search the clouds.
  auto first = h.registry().new_global_id();
  auto second = h.registry().new_global_id();
  h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "a"}, {std::string(api::gid_key), first}});
  h.clouds().seed_image("cloudlet-3", h.demo_token(), {{"name", "b"}, {std::string(api::gid_key), second}});
  h.registry().set_unavailable(true, {"get"});

  auto answer = h.send(bhttp::verb::get, "/image/v2/images?sort_key=name&sort_dir=asc&marker=" + first);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  auto images = json::parse(answer.body).at("images");
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0].at("id"), second);
  EXPECT_EQ(h.clouds().calls_to("", bhttp::verb::get, "/v2/images")[0].target, "/v2/images?fedstack_gid=" + first);

  // An ID no cloud carries is no marker.
  auto unknown = h.send(bhttp::verb::get, "/image/v2/images?marker=" + h.registry().new_global_id());
  EXPECT_EQ(unknown.status, 400u) << unknown.body;
}

// --- an image's visibility reaches its copies ---

/// demo's image: its primary on cloudlet-2, copies on cloudlet-1 and cloudlet-3.
class ImageWithCopies : public ResourceFlow {
protected:
  void SetUp() override {
    gid = h.registry().new_global_id();
    primary = marked_image("cloudlet-2", gid, h.demo_token());
    copy1 = marked_image("cloudlet-1", gid, h.demo_token(), true);
    copy3 = marked_image("cloudlet-3", gid, h.demo_token(), true);
    record(resource_kind::image, gid, demo_project(), {{"cloudlet-2", primary}, {"cloudlet-1", copy1}, {"cloudlet-3", copy3}});
  }

  std::string gid, primary, copy1, copy3;
};

class ImageVisibility : public ImageWithCopies {
protected:
  void SetUp() override {
    ImageWithCopies::SetUp();
    json_patch.set(bhttp::field::content_type, "application/openstack-images-v2.1-json-patch");
  }

  std::string visibility(const std::string& region, const std::string& local) {
    auto shown = h.clouds().direct(region, svc::image, bhttp::verb::get, "/v2/images/" + local, h.demo_token());
    EXPECT_EQ(shown.status, 200u) << shown.body;
    auto image = json::parse(shown.body);
    return image.value("visibility", std::string{});
  }

  json shown(const std::string& region, const std::string& local) {
    auto answer = h.clouds().direct(region, svc::image, bhttp::verb::get, "/v2/images/" + local, h.demo_token());
    EXPECT_EQ(answer.status, 200u) << answer.body;
    return json::parse(answer.body);
  }

  std::string name(const std::string& region, const std::string& local) {
    return shown(region, local).value("name", std::string{});
  }

  bhttp::fields json_patch;
};

TEST_F(ImageVisibility, AChangeReachesEveryCopyBeforeThePrimary) {
  json ops = json::array({{{"op", "replace"}, {"path", "/visibility"}, {"value", "community"}},
                          {{"op", "replace"}, {"path", "/name"}, {"value", "renamed"}}});
  auto answer = h.send(bhttp::verb::patch, "/image/v2/images/" + gid, ops, {}, json_patch);
  EXPECT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(json::parse(answer.body).value("id", std::string{}), gid);
  for (const auto& [region, local] : {std::pair{"cloudlet-1", copy1}, {"cloudlet-2", primary}, {"cloudlet-3", copy3}})
    EXPECT_EQ(visibility(region, local), "community") << region;
  auto patches = h.clouds().calls_to("", bhttp::verb::patch, "/v2/images");
  ASSERT_EQ(patches.size(), 3u);
  EXPECT_EQ(patches[2].cloudlet, "cloudlet-2") << "the primary last";
  for (const auto& [region, local] : {std::pair{"cloudlet-1", copy1}, {"cloudlet-2", primary}, {"cloudlet-3", copy3}})
    EXPECT_EQ(name(region, local), "renamed") << region << ": the name shows on every cloudlet";
}

TEST_F(ImageVisibility, PropertiesThatDriveABootReachEveryCopyAddedWhereACopyLacksThem) {
  // The primary alone holds os_type (set on its cloud directly): a replace there is an add on the copies.
  ASSERT_EQ(h.clouds().direct("cloudlet-2", svc::image, bhttp::verb::patch, "/v2/images/" + primary, h.demo_token(),
                              json::array({{{"op", "add"}, {"path", "/os_type"}, {"value", "linux"}}}))
              .status, 200u);
  ASSERT_FALSE(shown("cloudlet-1", copy1).contains("os_type"));
  json ops = json::array({{{"op", "add"}, {"path", "/hw_disk_bus"}, {"value", "scsi"}},
                          {{"op", "replace"}, {"path", "/min_ram"}, {"value", 512}},
                          {{"op", "replace"}, {"path", "/os_type"}, {"value", "windows"}}});
  auto answer = h.send(bhttp::verb::patch, "/image/v2/images/" + gid, ops, {}, json_patch);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  for (const auto& [region, local] : {std::pair{"cloudlet-1", copy1}, {"cloudlet-2", primary}, {"cloudlet-3", copy3}}) {
    auto image = shown(region, local);
    EXPECT_EQ(image.value("hw_disk_bus", ""), "scsi") << region;
    EXPECT_EQ(image.value("min_ram", 0), 512) << region;
    EXPECT_EQ(image.value("os_type", ""), "windows") << region;
  }
  auto patches = h.clouds().calls_to("", bhttp::verb::patch, "/v2/images");
  ASSERT_EQ(patches.size(), 3u);
  EXPECT_EQ(patches[2].cloudlet, "cloudlet-2") << "the primary last";
}

TEST_F(ImageVisibility, LocationsStayTheImagesOwnAndNoCopyIsAskedAboutThem) {
  json location{{"url", "http://127.0.0.1:9/cirros.img"}, {"metadata", json::object()}};
  json only_locations = json::array({{{"op", "add"}, {"path", "/locations/-"}, {"value", location}}});
  h.send(bhttp::verb::patch, "/image/v2/images/" + gid, only_locations, {}, json_patch);   // Glance's answer, whatever it is
  auto patches = h.clouds().calls_to("", bhttp::verb::patch, "/v2/images");
  ASSERT_EQ(patches.size(), 1u);
  EXPECT_EQ(patches[0].cloudlet, "cloudlet-2") << "the primary only";
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-1", bhttp::verb::get, "/v2/images").empty()) << "no copy read either";

  h.clouds().clear_log();
  json mixed = json::array({{{"op", "replace"}, {"path", "/name"}, {"value", "renamed"}},
                            {{"op", "add"}, {"path", "/locations/-"}, {"value", location}}});
  h.send(bhttp::verb::patch, "/image/v2/images/" + gid, mixed, {}, json_patch);
  for (const char* region : {"cloudlet-1", "cloudlet-3"}) {
    auto sent = h.clouds().calls_to(region, bhttp::verb::patch, "/v2/images");
    ASSERT_EQ(sent.size(), 1u) << region;
    EXPECT_EQ(json::parse(sent[0].body), json::array({mixed[0]})) << region << ": the name, not the location";
  }
}

TEST_F(ImageVisibility, ACopyThatRefusesLeavesThePrimaryAsItWasAndACopyGoneIsSkipped) {
  ASSERT_EQ(h.clouds().direct("cloudlet-1", svc::image, bhttp::verb::delete_, "/v2/images/" + copy1, h.demo_token())
              .status, 204u);
  h.clouds().add_fault(call_fault("cloudlet-3", bhttp::verb::patch, "/v2/images/" + copy3, fault_effect::answer, 403));
  auto before = visibility("cloudlet-2", primary);
  ASSERT_NE(before, "community");
  json ops = json::array({{{"op", "replace"}, {"path", "/visibility"}, {"value", "community"}}});
  auto answer = h.send(bhttp::verb::patch, "/image/v2/images/" + gid, ops, {}, json_patch);
  EXPECT_EQ(answer.status, 403u) << answer.body;
  EXPECT_EQ(visibility("cloudlet-2", primary), before);
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-2", bhttp::verb::patch, "/v2/images").empty());
  // The same request again, the copy now answering: done everywhere.
  answer = h.send(bhttp::verb::patch, "/image/v2/images/" + gid, ops, {}, json_patch);
  EXPECT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(visibility("cloudlet-2", primary), "community");
  EXPECT_EQ(visibility("cloudlet-3", copy3), "community");
}

// --- deletes ---

using ResourceDelete = ImageWithCopies;

TEST_F(ResourceDelete, RemovesEveryCopyThenThePrimaryThenTheEntry) {
  auto answer = h.send(bhttp::verb::delete_, "/image/v2/images/" + gid);
  EXPECT_EQ(answer.status, 204u) << answer.body;
  auto deletes = h.clouds().calls_to("", bhttp::verb::delete_, "/v2/images");
  ASSERT_EQ(deletes.size(), 3u);
  EXPECT_EQ(deletes[0].target, "/v2/images/" + copy1);
  EXPECT_EQ(deletes[1].target, "/v2/images/" + copy3);
  EXPECT_EQ(deletes[2].cloudlet, "cloudlet-2") << "the primary last";
  EXPECT_EQ(deletes[2].target, "/v2/images/" + primary);
  EXPECT_FALSE(image_exists("cloudlet-1", copy1));
  EXPECT_FALSE(image_exists("cloudlet-2", primary));
  EXPECT_FALSE(image_exists("cloudlet-3", copy3));
  EXPECT_FALSE(h.registry().entry(gid)) << "the registry forgets it";
}

TEST_F(ResourceDelete, ACopyAlreadyGoneCountsAsDeleted) {
  ASSERT_EQ(h.clouds().direct("cloudlet-3", svc::image, bhttp::verb::delete_, "/v2/images/" + copy3, h.demo_token())
              .status,
            204u);
  auto answer = h.send(bhttp::verb::delete_, "/image/v2/images/" + gid);
  EXPECT_EQ(answer.status, 204u) << answer.body;
  EXPECT_EQ(h.clouds().calls_to("cloudlet-3", bhttp::verb::delete_, "/v2/images")[0].status, 404u);
  EXPECT_FALSE(image_exists("cloudlet-2", primary));
  EXPECT_FALSE(h.registry().entry(gid));
}

TEST_F(ResourceDelete, ACopyThatFailsKeepsThePrimaryAndTheEntryForARetry) {
  h.clouds().add_fault(call_fault("cloudlet-3", bhttp::verb::delete_, "/v2/images/" + copy3, fault_effect::answer, 500));
  auto answer = h.send(bhttp::verb::delete_, "/image/v2/images/" + gid);
  EXPECT_EQ(answer.status, 500u) << "the copy's failure is the client's answer";
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-2", bhttp::verb::delete_, "/v2/images").empty()) << "primary untouched";
  EXPECT_TRUE(image_exists("cloudlet-2", primary));
  ASSERT_TRUE(h.registry().entry(gid));
  EXPECT_EQ(h.registry().entry(gid)->copies.size(), 3u);

  // The retry finishes the job.
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/image/v2/images/" + gid).status, 204u);
  EXPECT_FALSE(h.registry().entry(gid));
}

TEST_F(ResourceDelete, APrimaryThatFailsKeepsTheEntryAndOneAlreadyGoneIsForgotten) {
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::delete_, "/v2/images/" + primary, fault_effect::answer, 409));
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/image/v2/images/" + gid).status, 409u);
  EXPECT_TRUE(h.registry().entry(gid)) << "kept for a retry";

  // Deleted behind the federation's back: its cloud's 404, as a direct delete gets
  // (Tempest's clean-ups ignore a 404 and fail on a 204), and the entry goes.
  ASSERT_EQ(h.clouds().direct("cloudlet-2", svc::image, bhttp::verb::delete_, "/v2/images/" + primary, h.demo_token())
              .status,
            204u);
  auto answer = h.send(bhttp::verb::delete_, "/image/v2/images/" + gid);
  EXPECT_EQ(answer.status, 404u) << answer.body;
  EXPECT_EQ(answer.body.find(primary), std::string::npos) << "no cloud ID: " << answer.body;
  EXPECT_FALSE(h.registry().entry(gid));
}

/// A server on cloudlet-2 recorded under the demo project, for the deletes below.
class ServerDelete : public ResourceFlow {
protected:
  void SetUp() override {
    auto image = h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "base"}});
    gid = h.registry().new_global_id();
    local = marked_server("cloudlet-2", gid, image);
    record(resource_kind::server, gid, demo_project(), {{"cloudlet-2", local}});
  }

  bool server_exists() {
    for (const auto& server : h.clouds().items("cloudlet-2", "servers"))
      if (server.at("id") == local) return true;
    return false;
  }

  std::string gid, local;
};

// Seen on the lab: the owner checks the cloud before it forgets (actors/node.hpp)
// and, under load, answered after the 10 s ask; the delete was done but answered 503.
TEST_F(ServerDelete, DoneOnItsCloudItIsAnsweredAsNovaDidWhenTheOwnersAnswerIsLost) {
  h.registry().lose_answers({"erase"});
  auto answer = h.send(bhttp::verb::delete_, "/compute/v2.1/servers/" + gid);
  EXPECT_EQ(answer.status, 204u) << answer.body;
  EXPECT_FALSE(server_exists());
  ASSERT_TRUE(h.registry().entry(gid));
  EXPECT_EQ(h.registry().entry(gid)->state, storage::entry_state::deleted) << "the owner left its tombstone";
}

TEST_F(ServerDelete, DoneOnItsCloudItIsAnsweredAsNovaDidWhenTheOwnerNeverAnswers) {
  h.registry().set_unavailable(true, {"erase"});
  auto answer = h.send(bhttp::verb::delete_, "/compute/v2.1/servers/" + gid);
  EXPECT_EQ(answer.status, 204u) << answer.body;
  EXPECT_FALSE(server_exists());
  ASSERT_TRUE(h.registry().entry(gid)) << "left to its owner";
  EXPECT_NE(h.registry().entry(gid)->state, storage::entry_state::deleted);

  // The entry left behind names a server its cloud no longer has: 404 as Nova says,
  // and a second delete (Nova's 404 too) finishes forgetting it.
  h.registry().set_unavailable(false);
  EXPECT_EQ(h.send(bhttp::verb::get, "/compute/v2.1/servers/" + gid).status, 404u);
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/compute/v2.1/servers/" + gid).status, 404u);
  ASSERT_TRUE(h.registry().entry(gid));
  EXPECT_EQ(h.registry().entry(gid)->state, storage::entry_state::deleted);
}

// --- an admin and another project's resource ---

TEST_F(ResourceFlow, AnAdminDeletesAnotherProjectsResourceThroughThatProjectsEntry) {
  auto gid = h.registry().new_global_id();
  auto primary = marked_image("cloudlet-2", gid, h.demo_token());
  auto copy = marked_image("cloudlet-3", gid, h.demo_token(), true);
  record(resource_kind::image, gid, demo_project(), {{"cloudlet-2", primary}, {"cloudlet-3", copy}});

  auto answer = h.send(bhttp::verb::delete_, "/image/v2/images/" + gid, nullptr, h.admin_token());
  EXPECT_EQ(answer.status, 204u) << answer.body;
  EXPECT_FALSE(image_exists("cloudlet-2", primary));
  EXPECT_FALSE(image_exists("cloudlet-3", copy)) << "the copies too, as the owner's entry lists them";
  EXPECT_FALSE(h.registry().entry(gid)) << "forgotten under the demo project";
  // The demo project's entry, found at its owner, and the primary's cloud showing it to the admin's token.
  auto shown = h.clouds().calls_to("", bhttp::verb::get, "/v2/images");
  ASSERT_FALSE(shown.empty());
  EXPECT_EQ(shown[0].target, "/v2/images/" + primary);
  EXPECT_EQ(shown[0].cloudlet, "cloudlet-2");
}

TEST_F(ResourceFlow, AnAdminReadsAnotherProjectsResourceAtItsPrimary) {
  auto gid = h.registry().new_global_id();
  auto local = marked_network("cloudlet-3", gid);
  record(resource_kind::network, gid, demo_project(), {{"cloudlet-3", local}});

  auto answer = h.send(bhttp::verb::get, "/network/v2.0/networks/" + gid, nullptr, h.admin_token());
  ASSERT_EQ(answer.status, 200u) << answer.body;
  auto network = json::parse(answer.body).at("network");
  EXPECT_EQ(network.at("id"), gid);
  EXPECT_EQ(network.at("project_id"), demo_project());
  // Shown to the admin by its cloud (the visibility check), then read there.
  auto reads = h.clouds().calls_to("", bhttp::verb::get, "/v2.0/networks/" + local);
  ASSERT_EQ(reads.size(), 2u);
  for (const auto& read : reads) EXPECT_EQ(read.cloudlet, "cloudlet-3");
}

TEST_F(ResourceFlow, AnAdminWithoutAnEntryAnywhereWritesNothing) {
  // A marked network no registry records (the admin's own project has no entry, nor has its owner).
  auto gid = h.registry().new_global_id();
  marked_network("cloudlet-2", gid);
  auto answer = h.send(bhttp::verb::put, "/network/v2.0/networks/" + gid, {{"network", {{"name", "x"}}}},
                       h.admin_token());
  EXPECT_EQ(answer.status, 404u) << answer.body;
  EXPECT_TRUE(h.clouds().calls_to("", bhttp::verb::put, "/v2.0/networks").empty());
}

// --- tags and the agent's markers (what the agent does today) ---

TEST_F(ResourceFlow, ServerTagsPutGoesToThePrimaryAndLeavesTheMarkerInItsMetadata) {
  auto image = h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "base"}});
  auto gid = h.registry().new_global_id();
  auto local = marked_server("cloudlet-2", gid, image);
  record(resource_kind::server, gid, demo_project(), {{"cloudlet-2", local}});

  json tags{{"tags", {"blue", "green"}}};
  h.send(bhttp::verb::put, "/compute/v2.1/servers/" + gid + "/tags", tags);
  auto sent = h.clouds().calls_to("", bhttp::verb::put, "/v2.1/servers");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].cloudlet, "cloudlet-2");
  EXPECT_EQ(sent[0].target, "/v2.1/servers/" + local + "/tags");
  EXPECT_EQ(json::parse(sent[0].body), tags) << "the client's tags, as they are: the marker is not a tag";

  auto metadata = h.clouds().direct("cloudlet-2", svc::compute, bhttp::verb::get,
                                    "/v2.1/servers/" + local + "/metadata", h.demo_token());
  EXPECT_EQ(json::parse(metadata.body).at("metadata").at(std::string(api::gid_key)), gid);
}

TEST_F(ResourceFlow, NetworkTagsPutKeepsTheMarker) {
  // The client's list replaces the network's own tags; the marker is put back
  // in the same PUT (rules/lifecycle_rule.hpp) and hidden from the answer.
  auto gid = h.registry().new_global_id();
  auto local = marked_network("cloudlet-2", gid);
  record(resource_kind::network, gid, demo_project(), {{"cloudlet-2", local}});

  json tags{{"tags", {"blue"}}};
  auto answer = h.send(bhttp::verb::put, "/network/v2.0/networks/" + gid + "/tags", tags);
  EXPECT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(json::parse(answer.body), tags);
  auto sent = h.clouds().calls_to("cloudlet-2", bhttp::verb::put, "/v2.0/networks/" + local + "/tags");
  ASSERT_EQ(sent.size(), 1u);
  auto network = h.clouds().direct("cloudlet-2", svc::network, bhttp::verb::get, "/v2.0/networks/" + local,
                                   h.demo_token());
  EXPECT_EQ(json::parse(network.body).at("network").at("tags"),
            json::array({"blue", api::marker_tag({gid, false, {}})}));
}

} // namespace
} // namespace fedstack::agent::testing
