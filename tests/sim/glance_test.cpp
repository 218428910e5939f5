#include <fstream>

#include "sim_fixture.hpp"

namespace fedstack::sim::testing {
namespace {

class glance_test : public sim_fixture {
protected:
  std::string create(const std::string& token, const std::string& name, json extra = json::object()) {
    extra["name"] = name;
    extra["disk_format"] = "raw";
    extra["container_format"] = "bare";
    auto out = call(glance_, "POST", "/v2/images", token, extra);
    EXPECT_EQ(out.status, 201u) << out.body;
    return body_of(out)["id"];
  }
  reply upload(const std::string& token, const std::string& id, const std::string& data) {
    auto r = make_request("PUT", "/v2/images/" + id + "/file", data,
                          {{"X-Auth-Token", token}, {"Content-Type", "application/octet-stream"}});
    return glance_.handle(r);
  }
};

TEST_F(glance_test, root_is_300_with_own_url) {
  auto out = glance_.handle(make_request("GET", "/"));
  EXPECT_EQ(out.status, 300u);
  auto versions = body_of(out)["versions"];
  EXPECT_EQ(versions[0]["id"], "v2.16");
  EXPECT_EQ(versions[0]["links"][0]["href"], "http://127.0.0.1:9292/v2/");
  EXPECT_EQ(glance_.handle(make_request("GET", "/versions")).status, 200u);
}

TEST_F(glance_test, create_has_captured_shape) {
  auto admin = admin_token();
  auto out = call(glance_, "POST", "/v2/images", admin,
                  {{"name", "dbg-img"}, {"container_format", "bare"}, {"disk_format", "raw"},
                   {"owner_specified.openstack.md5", ""}, {"owner_specified.openstack.object", "images/dbg-img"}});
  ASSERT_EQ(out.status, 201u);
  auto image = body_of(out);
  EXPECT_EQ(out.headers["Location"], "http://127.0.0.1:9292/v2/images/" + image["id"].get<std::string>());
  EXPECT_EQ(out.headers["OpenStack-Image-Import-Methods"], "glance-direct,web-download");
  EXPECT_EQ(image["status"], "queued");
  EXPECT_EQ(image["visibility"], "shared");
  EXPECT_EQ(image["owner"], ids_.admin_project_id());
  EXPECT_TRUE(image["size"].is_null());
  EXPECT_TRUE(image["checksum"].is_null());
  EXPECT_EQ(image["owner_specified.openstack.object"], "images/dbg-img");
  EXPECT_EQ(image["file"], "/v2/images/" + image["id"].get<std::string>() + "/file");
  EXPECT_EQ(image["schema"], "/v2/schemas/image");
  EXPECT_EQ(image["created_at"], "2027-01-15T08:00:00Z");
}

// Real Glance (Zed, lab 2026-11-29): the import methods header comes with the create only.
TEST_F(glance_test, import_methods_only_on_create) {
  auto admin = admin_token();
  auto id = create(admin, "methods");
  auto shown = call(glance_, "GET", "/v2/images/" + id, admin);
  EXPECT_EQ(shown.status, 200u);
  EXPECT_EQ(shown.headers.count("OpenStack-Image-Import-Methods"), 0u);
  EXPECT_EQ(call(glance_, "GET", "/v2/images", admin).headers.count("OpenStack-Image-Import-Methods"), 0u);
}

// Real Glance answers errors as JSON to a client that accepts JSON, as an HTML page otherwise.
TEST_F(glance_test, errors_follow_accept) {
  auto admin = admin_token();
  const std::string missing = "/v2/images/6a1b7e0e-0000-4000-8000-000000000000";
  auto page = call(glance_, "GET", missing, admin);
  EXPECT_EQ(page.status, 404u);
  EXPECT_EQ(page.headers["Content-Type"], "text/html; charset=UTF-8");
  auto as_json = call(glance_, "GET", missing, admin, nullptr, {{"Accept", "application/json"}});
  EXPECT_EQ(as_json.status, 404u);
  EXPECT_EQ(as_json.headers["Content-Type"], "application/json");
  auto body = body_of(as_json);
  EXPECT_EQ(body["code"], "404 Not Found");
  EXPECT_EQ(body["title"], "Not Found");
  EXPECT_EQ(body["message"], "No image found with ID 6a1b7e0e-0000-4000-8000-000000000000<br /><br />\n\n\n");
}

TEST_F(glance_test, given_id_is_honoured_and_duplicates_conflict) {
  auto admin = admin_token();
  const std::string id = "11111111-2222-4333-8444-555555555555";
  auto out = call(glance_, "POST", "/v2/images", admin, {{"id", id}, {"name", "fixed"}});
  ASSERT_EQ(out.status, 201u);
  EXPECT_EQ(body_of(out)["id"], id);
  EXPECT_EQ(call(glance_, "POST", "/v2/images", admin, {{"id", id}}).status, 409u);
  EXPECT_EQ(call(glance_, "POST", "/v2/images", admin, {{"status", "active"}}).status, 403u);
}

TEST_F(glance_test, upload_download_and_checksums) {
  auto admin = admin_token();
  auto id = create(admin, "hello");
  auto up = upload(admin, id, "hello");
  EXPECT_EQ(up.status, 204u) << up.body;
  auto image = body_of(call(glance_, "GET", "/v2/images/" + id, admin));
  EXPECT_EQ(image["status"], "active");
  EXPECT_EQ(image["size"], 5);
  EXPECT_EQ(image["virtual_size"], 5);
  EXPECT_EQ(image["checksum"], "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(image["os_hash_algo"], "sha512");
  EXPECT_EQ(image["os_hash_value"],
            "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043");
  EXPECT_TRUE(std::filesystem::exists(data_dir_ / "cloudlet-1" / "images" / id));

  auto down = call(glance_, "GET", "/v2/images/" + id + "/file", admin);
  EXPECT_EQ(down.status, 200u);
  EXPECT_EQ(down.body, "hello");
  EXPECT_EQ(down.headers["Content-MD5"], "5d41402abc4b2a76b9719d911017c592");

  // A second upload is a state conflict.
  EXPECT_EQ(upload(admin, id, "again").status, 409u);
}

TEST_F(glance_test, download_without_data_is_204) {
  auto admin = admin_token();
  auto id = create(admin, "empty");
  EXPECT_EQ(call(glance_, "GET", "/v2/images/" + id + "/file", admin).status, 204u);
}

TEST_F(glance_test, streamed_upload_in_chunks) {
  auto admin = admin_token();
  auto id = create(admin, "chunks");
  auto r = make_request("PUT", "/v2/images/" + id + "/file", "", {{"X-Auth-Token", admin}});
  auto begun = glance_.begin_upload(r);
  ASSERT_TRUE(std::holds_alternative<glance_api::upload_ticket>(begun));
  auto& ticket = std::get<glance_api::upload_ticket>(begun);
  EXPECT_EQ(body_of(call(glance_, "GET", "/v2/images/" + id, admin))["status"], "saving");
  ticket.upload->write("hel");
  ticket.upload->write("lo");
  EXPECT_EQ(glance_.finish_upload(ticket).status, 204u);
  EXPECT_EQ(body_of(call(glance_, "GET", "/v2/images/" + id, admin))["checksum"], "5d41402abc4b2a76b9719d911017c592");
}

TEST_F(glance_test, aborted_upload_returns_to_queued) {
  auto admin = admin_token();
  auto id = create(admin, "broken");
  auto begun = glance_.begin_upload(make_request("PUT", "/v2/images/" + id + "/file", "", {{"X-Auth-Token", admin}}));
  auto& ticket = std::get<glance_api::upload_ticket>(begun);
  ticket.upload->write("partial");
  glance_.abort_upload(ticket);
  EXPECT_EQ(body_of(call(glance_, "GET", "/v2/images/" + id, admin))["status"], "queued");
  EXPECT_FALSE(std::filesystem::exists(data_dir_ / "cloudlet-1" / "images" / id));
}

TEST_F(glance_test, paging_newest_first_ending_with_empty_page) {
  auto admin = admin_token();
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(create(admin, "img-" + std::to_string(i)));
    advance(std::chrono::seconds{1});
  }
  std::vector<std::string> seen;
  std::string target = "/v2/images?limit=2";
  int pages = 0;
  for (;;) {
    auto out = call(glance_, "GET", target, admin);
    ASSERT_EQ(out.status, 200u);
    auto body = body_of(out);
    ++pages;
    for (const auto& image : body["images"]) seen.push_back(image["id"]);
    if (!body.contains("next")) {
      EXPECT_TRUE(body["images"].empty());
      break;
    }
    EXPECT_EQ(body["images"].size(), 2u);
    target = body["next"];
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{ids[3], ids[2], ids[1], ids[0]}));

  auto filtered = body_of(call(glance_, "GET", "/v2/images?name=img-1", admin));
  ASSERT_EQ(filtered["images"].size(), 1u);
  EXPECT_EQ(filtered["first"], "/v2/images?name=img-1");
  EXPECT_EQ(call(glance_, "GET", "/v2/images?marker=00000000-0000-4000-8000-000000000000", admin).status, 400u);
  EXPECT_EQ(call(glance_, "GET", "/v2/images?status=active", admin).body.find("img-"), std::string::npos);
}

TEST_F(glance_test, projects_are_isolated) {
  auto admin = admin_token();
  auto demo = demo_token();
  auto secret = create(admin, "admin-private", {{"visibility", "private"}});
  auto mine = create(demo, "demo-image");
  auto missing = call(glance_, "GET", "/v2/images/" + secret, demo);
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.headers["Content-Type"], "text/html; charset=UTF-8");
  auto listed = body_of(call(glance_, "GET", "/v2/images", demo))["images"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["id"], mine);
  EXPECT_EQ(call(glance_, "DELETE", "/v2/images/" + secret, demo).status, 404u);
  // Only admins may publish.
  EXPECT_EQ(call(glance_, "POST", "/v2/images", demo, {{"visibility", "public"}}).status, 403u);
}

TEST_F(glance_test, delete_removes_record_and_file) {
  auto admin = admin_token();
  auto id = create(admin, "doomed");
  ASSERT_EQ(upload(admin, id, "bytes").status, 204u);
  EXPECT_EQ(call(glance_, "DELETE", "/v2/images/" + id, admin).status, 204u);
  EXPECT_EQ(call(glance_, "GET", "/v2/images/" + id, admin).status, 404u);
  EXPECT_FALSE(std::filesystem::exists(data_dir_ / "cloudlet-1" / "images" / id));
}

TEST_F(glance_test, patch_updates_name_and_properties) {
  auto admin = admin_token();
  auto id = create(admin, "before");
  json ops = json::array({{{"op", "replace"}, {"path", "/name"}, {"value", "after"}},
                          {{"op", "add"}, {"path", "/hw_disk_bus"}, {"value", "virtio"}}});
  auto out = call(glance_, "PATCH", "/v2/images/" + id, admin, ops);
  ASSERT_EQ(out.status, 200u) << out.body;
  EXPECT_EQ(body_of(out)["name"], "after");
  EXPECT_EQ(body_of(out)["hw_disk_bus"], "virtio");
}

TEST_F(glance_test, federation_marker_round_trips_and_filters) {
  // The agent marks images with a top-level extra property, as Glance stores it.
  auto admin = admin_token();
  const std::string gid = "5f0c2b1e-7d4a-8c3b-9e21-0a000005d4c0";
  auto marked = create(admin, "marked", {{"fedstack_gid", gid}});
  auto other = create(admin, "other", {{"fedstack_gid", "5f0c2b1e-7d4a-8c3b-9e21-0a000006d4c0"}});
  create(admin, "plain");

  EXPECT_EQ(body_of(call(glance_, "GET", "/v2/images/" + marked, admin))["fedstack_gid"], gid);
  auto all = body_of(call(glance_, "GET", "/v2/images", admin))["images"];
  ASSERT_EQ(all.size(), 3u);
  for (const auto& image : all) {
    if (image["id"] == marked) {
      EXPECT_EQ(image["fedstack_gid"], gid);
    } else if (image["name"] == "plain") {
      EXPECT_FALSE(image.contains("fedstack_gid"));
    }
  }
  auto found = body_of(call(glance_, "GET", "/v2/images?fedstack_gid=" + gid, admin))["images"];
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]["id"], marked);
  EXPECT_EQ(found[0]["fedstack_gid"], gid);
  EXPECT_TRUE(body_of(call(glance_, "GET", "/v2/images?fedstack_gid=00000000-0000-8000-8000-000000000000", admin))["images"].empty());
  // A marker survives the upload that activates the image.
  ASSERT_EQ(upload(admin, other, "bytes").status, 204u);
  auto active = body_of(call(glance_, "GET", "/v2/images?status=active&fedstack_gid=5f0c2b1e-7d4a-8c3b-9e21-0a000006d4c0", admin));
  ASSERT_EQ(active["images"].size(), 1u);
  EXPECT_EQ(active["images"][0]["id"], other);
  // The property must be a string, as Glance's schema says.
  auto refused = call(glance_, "POST", "/v2/images", admin, {{"name", "bad"}, {"fedstack_gid", 7}});
  EXPECT_EQ(refused.status, 400u);
}

TEST_F(glance_test, schemas_and_auth) {
  auto admin = admin_token();
  auto schema = body_of(call(glance_, "GET", "/v2/schemas/image", admin));
  EXPECT_EQ(schema["name"], "image");
  EXPECT_EQ(schema["additionalProperties"]["type"], "string");
  EXPECT_EQ(body_of(call(glance_, "GET", "/v2/schemas/images", admin))["name"], "images");
  auto anonymous = call(glance_, "GET", "/v2/images", "");
  EXPECT_EQ(anonymous.status, 401u);
  EXPECT_FALSE(anonymous.headers["WWW-Authenticate"].empty());
  EXPECT_EQ(call(glance_, "POST", "/v2/images", admin, nullptr, {}).status, 400u);
}

} // namespace
} // namespace fedstack::sim::testing
