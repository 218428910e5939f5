// Nova's boot from volume and os-volume_attachments on the cloudlet's own Cinder.
#include "sim_fixture.hpp"

namespace fedstack::sim::testing {
namespace {

class nova_volumes_test : public sim_fixture {
protected:
  void SetUp() override {
    demo_ = demo_token();
    project_ = ids_.demo_project_id();
    auto image = call(glance_, "POST", "/v2/images", demo_, {{"name", "cirros"}, {"disk_format", "raw"}, {"container_format", "bare"}});
    image_id_ = body_of(image)["id"];
    glance_.handle(make_request("PUT", "/v2/images/" + image_id_ + "/file", "bytes", {{"X-Auth-Token", demo_}}));
    auto flavors = body_of(call(nova_, "GET", "/v2.1/flavors", demo_))["flavors"];
    for (const auto& f : flavors) {
      if (f["name"] == "m1.tiny") tiny_ = f["id"];
    }
  }

  std::string volume(int size = 1) {
    auto out = call(cinder_, "POST", "/v3/" + project_ + "/volumes", demo_, {{"volume", {{"size", size}}}});
    EXPECT_EQ(out.status, 202u) << out.body;
    advance(std::chrono::seconds{1});
    return body_of(out)["volume"]["id"];
  }
  json show_volume(const std::string& id) {
    auto out = call(cinder_, "GET", "/v3/" + project_ + "/volumes/" + id, demo_);
    EXPECT_EQ(out.status, 200u) << out.body;
    return body_of(out)["volume"];
  }
  reply boot(json bdm, const std::string& image = "", header_map headers = {}) {
    json server = {{"name", "vm"}, {"flavorRef", tiny_}, {"imageRef", image}, {"networks", "none"},
                   {"block_device_mapping_v2", std::move(bdm)}};
    headers.emplace("X-OpenStack-Nova-API-Version", "2.79");
    return call(nova_, "POST", "/v2.1/servers", demo_, {{"server", server}}, std::move(headers));
  }
  std::string boot_id(json bdm) {
    auto out = boot(std::move(bdm));
    EXPECT_EQ(out.status, 202u) << out.body;
    advance(std::chrono::seconds{2});
    return body_of(out)["server"]["id"];
  }
  json show_server(const std::string& id) {
    return body_of(call(nova_, "GET", "/v2.1/servers/" + id, demo_, nullptr, {{"X-OpenStack-Nova-API-Version", "2.79"}}))["server"];
  }
  reply attachments(const std::string& method, const std::string& server, const std::string& tail = "",
                    const json& body = nullptr, const std::string& version = "2.79") {
    return call(nova_, method, "/v2.1/servers/" + server + "/os-volume_attachments" + tail, demo_, body,
                {{"X-OpenStack-Nova-API-Version", version}});
  }

  std::string demo_, project_, image_id_, tiny_;
};

TEST_F(nova_volumes_test, boot_from_an_existing_volume_makes_it_in_use_and_the_server_volume_backed) {
  auto vol = volume();
  auto server = boot_id({{{"boot_index", 0}, {"uuid", vol}, {"source_type", "volume"}, {"destination_type", "volume"}}});
  auto s = show_server(server);
  EXPECT_EQ(s["status"], "ACTIVE");
  EXPECT_EQ(s["image"], "");
  ASSERT_EQ(s["os-extended-volumes:volumes_attached"].size(), 1u);
  EXPECT_EQ(s["os-extended-volumes:volumes_attached"][0]["id"], vol);
  EXPECT_EQ(s["os-extended-volumes:volumes_attached"][0]["delete_on_termination"], false);
  auto v = show_volume(vol);
  EXPECT_EQ(v["status"], "in-use");
  EXPECT_EQ(v["attachments"][0]["server_id"], server);
  EXPECT_EQ(v["attachments"][0]["device"], "/dev/vda");
  // The root volume cannot be detached, and a second server cannot take it.
  EXPECT_EQ(attachments("DELETE", server, "/" + vol).status, 400u);
  auto again = boot({{{"boot_index", 0}, {"uuid", vol}, {"source_type", "volume"}, {"destination_type", "volume"}}});
  EXPECT_EQ(again.status, 400u);
  // Deleting the server keeps the volume (delete_on_termination false) and frees it.
  EXPECT_EQ(call(nova_, "DELETE", "/v2.1/servers/" + server, demo_).status, 204u);
  EXPECT_EQ(show_volume(vol)["status"], "available");
}

TEST_F(nova_volumes_test, boot_from_an_image_makes_the_volume_and_honours_delete_on_termination) {
  auto server = boot_id({{{"boot_index", 0}, {"uuid", image_id_}, {"source_type", "image"}, {"destination_type", "volume"},
                          {"volume_size", 2}, {"delete_on_termination", true}}});
  auto attached = show_server(server)["os-extended-volumes:volumes_attached"];
  ASSERT_EQ(attached.size(), 1u);
  std::string vol = attached[0]["id"];
  auto v = show_volume(vol);
  EXPECT_EQ(v["size"], 2);
  EXPECT_EQ(v["status"], "in-use");
  EXPECT_EQ(v["bootable"], "true");
  EXPECT_EQ(v["availability_zone"], "cloudlet-1");
  EXPECT_EQ(v["volume_image_metadata"]["image_id"], image_id_);
  EXPECT_EQ(call(nova_, "DELETE", "/v2.1/servers/" + server, demo_).status, 204u);
  EXPECT_EQ(call(cinder_, "GET", "/v3/" + project_ + "/volumes/" + vol, demo_).status, 404u);
}

TEST_F(nova_volumes_test, block_devices_are_checked_before_anything_is_made) {
  auto missing = new_uuid();
  auto unknown = boot({{{"boot_index", 0}, {"uuid", missing}, {"source_type", "volume"}, {"destination_type", "volume"}}});
  EXPECT_EQ(unknown.status, 400u);
  EXPECT_EQ(body_of(unknown)["badRequest"]["message"], "Volume " + missing + " could not be found.");
  auto no_size = boot({{{"boot_index", 0}, {"uuid", image_id_}, {"source_type", "image"}, {"destination_type", "volume"}}});
  EXPECT_EQ(no_size.status, 400u);
  auto no_root = boot({{{"uuid", volume()}, {"source_type", "volume"}, {"destination_type", "volume"}}});
  EXPECT_EQ(no_root.status, 400u);
  EXPECT_EQ(body_of(no_root)["badRequest"]["message"],
            "Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.");
  EXPECT_TRUE(cloud_.compute.servers().empty());
  EXPECT_EQ(cloud_.volumes.volumes().size(), 1u);
  // Another project's volume is not found either.
  auto admin = admin_token();
  auto theirs = call(cinder_, "POST", "/v3/" + ids_.admin_project_id() + "/volumes", admin, {{"volume", {{"size", 1}}}});
  advance(std::chrono::seconds{1});
  auto hidden = boot({{{"boot_index", 0}, {"uuid", body_of(theirs)["volume"]["id"]}, {"source_type", "volume"},
                       {"destination_type", "volume"}}});
  EXPECT_EQ(hidden.status, 400u);
}

TEST_F(nova_volumes_test, attach_and_detach_mark_the_volume_in_use_and_available) {
  auto server = boot_id({{{"boot_index", 0}, {"uuid", image_id_}, {"source_type", "image"}, {"destination_type", "volume"},
                          {"volume_size", 1}}});
  auto data = volume(3);
  auto made = attachments("POST", server, "", {{"volumeAttachment", {{"volumeId", data}, {"delete_on_termination", true}}}});
  ASSERT_EQ(made.status, 200u) << made.body;
  EXPECT_EQ(body_of(made)["volumeAttachment"]["device"], "/dev/vdb");
  EXPECT_EQ(body_of(made)["volumeAttachment"]["delete_on_termination"], true);
  EXPECT_EQ(show_volume(data)["status"], "in-use");
  auto listed = body_of(attachments("GET", server))["volumeAttachments"];
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[1]["volumeId"], data);
  auto modern = body_of(attachments("GET", server, "/" + data, nullptr, "2.89"))["volumeAttachment"];
  EXPECT_FALSE(modern.contains("id"));
  EXPECT_EQ(modern["attachment_id"], show_volume(data)["attachments"][0]["attachment_id"]);
  // Attached volumes cannot be attached again or deleted.
  EXPECT_EQ(attachments("POST", server, "", {{"volumeAttachment", {{"volumeId", data}}}}).status, 400u);
  EXPECT_EQ(call(cinder_, "DELETE", "/v3/" + project_ + "/volumes/" + data, demo_).status, 400u);
  EXPECT_EQ(attachments("DELETE", server, "/" + data).status, 202u);
  // Nova detaches in the background: "detaching", the attachment still listed, for the delay.
  auto detaching = show_volume(data);
  EXPECT_EQ(detaching["status"], "detaching");
  ASSERT_EQ(detaching["attachments"].size(), 1u);
  EXPECT_EQ(detaching["attachments"][0]["server_id"], server);
  auto again = attachments("DELETE", server, "/" + data);
  EXPECT_EQ(again.status, 400u);
  EXPECT_EQ(body_of(again)["badRequest"]["message"],
            "Invalid volume: Invalid input received: Invalid volume: Unable to detach volume. Volume status must be "
            "'in-use' and attach_status must be 'attached' to detach. (HTTP 400)");
  advance(std::chrono::milliseconds{999});
  EXPECT_EQ(show_volume(data)["status"], "detaching");
  advance(std::chrono::milliseconds{1});
  EXPECT_EQ(show_volume(data)["status"], "available");
  EXPECT_EQ(show_volume(data)["attachments"], json::array());
  EXPECT_EQ(attachments("GET", server, "/" + data).status, 404u);
  EXPECT_EQ(attachments("DELETE", server, "/" + data).status, 404u);
  auto missing = new_uuid();
  auto unknown = attachments("POST", server, "", {{"volumeAttachment", {{"volumeId", missing}}}});
  EXPECT_EQ(unknown.status, 404u);
  EXPECT_EQ(body_of(unknown)["itemNotFound"]["message"], "Volume " + missing + " could not be found.");
}

TEST_F(nova_volumes_test, attach_waits_for_a_built_server) {
  auto out = boot({{{"boot_index", 0}, {"uuid", image_id_}, {"source_type", "image"}, {"destination_type", "volume"},
                    {"volume_size", 1}}});
  std::string server = body_of(out)["server"]["id"];
  auto building = attachments("POST", server, "", {{"volumeAttachment", {{"volumeId", volume()}}}});
  EXPECT_EQ(building.status, 409u);
  EXPECT_EQ(body_of(building)["conflictingRequest"]["message"],
            "Cannot 'attach_volume' instance " + server + " while it is in vm_state building");
}

} // namespace
} // namespace fedstack::sim::testing
