#include <algorithm>

#include "sim/faults.hpp"
#include "sim_fixture.hpp"

namespace fedstack::sim::testing {
namespace {

class cinder_test : public sim_fixture {
protected:
  void SetUp() override {
    admin_ = admin_token();
    demo_ = demo_token();
    admin_project_ = ids_.admin_project_id();
    demo_project_ = ids_.demo_project_id();
  }

  std::string url(const std::string& project, const std::string& tail) { return "/v3/" + project + tail; }

  reply cinder(const std::string& method, const std::string& tail, const std::string& token, const json& body = nullptr,
               header_map headers = {}) {
    auto project = token == demo_ ? demo_project_ : admin_project_;
    return call(cinder_, method, url(project, tail), token, body, std::move(headers));
  }

  std::string create(const std::string& token, json volume) {
    auto out = cinder("POST", "/volumes", token, {{"volume", volume}});
    EXPECT_EQ(out.status, 202u) << out.body;
    return body_of(out)["volume"]["id"];
  }
  json show(const std::string& token, const std::string& id, const std::string& version = "3.0") {
    auto out = cinder("GET", "/volumes/" + id, token, nullptr, {{"OpenStack-API-Version", "volume " + version}});
    EXPECT_EQ(out.status, 200u) << out.body;
    return body_of(out)["volume"];
  }
  reply action(const std::string& token, const std::string& id, const json& body, const std::string& version = "3.0") {
    return cinder("POST", "/volumes/" + id + "/action", token, body, {{"OpenStack-API-Version", "volume " + version}});
  }
  /// A volume past its creation delay.
  std::string available(const std::string& token, json volume) {
    auto id = create(token, std::move(volume));
    advance(std::chrono::seconds{1});
    return id;
  }

  std::string admin_, demo_, admin_project_, demo_project_;
};

TEST_F(cinder_test, versions_root_is_300_and_v3_needs_a_token) {
  auto root = cinder_.handle(make_request("GET", "/"));
  EXPECT_EQ(root.status, 300u);
  auto v = body_of(root)["versions"][0];
  EXPECT_EQ(v["id"], "v3.0");
  EXPECT_EQ(v["version"], "3.70");
  EXPECT_EQ(v["min_version"], "3.0");
  EXPECT_EQ(v["links"][1]["href"], "http://127.0.0.1:8776/v3/");
  EXPECT_EQ(root.headers["OpenStack-API-Version"], "volume 3.0");
  EXPECT_EQ(root.headers["Vary"], "OpenStack-API-Version");
  EXPECT_EQ(cinder_.handle(make_request("GET", "/v3/")).status, 401u);
  auto v3 = call(cinder_, "GET", "/v3/", admin_);
  EXPECT_EQ(v3.status, 200u);
  EXPECT_EQ(body_of(v3)["versions"][0]["version"], "3.70");
}

TEST_F(cinder_test, microversions_echoed_and_refused_as_cinder_does) {
  auto echoed = cinder("GET", "/volumes", admin_, nullptr, {{"OpenStack-API-Version", "volume 3.59"}});
  EXPECT_EQ(echoed.status, 200u);
  EXPECT_EQ(echoed.headers["OpenStack-API-Version"], "volume 3.59");
  auto latest = cinder("GET", "/volumes", admin_, nullptr, {{"OpenStack-API-Version", "volume latest"}});
  EXPECT_EQ(latest.headers["OpenStack-API-Version"], "volume 3.70");
  auto too_new = cinder("GET", "/volumes", admin_, nullptr, {{"OpenStack-API-Version", "volume 3.71"}});
  EXPECT_EQ(too_new.status, 406u);
  EXPECT_EQ(too_new.headers["OpenStack-API-Version"], "volume 3.71");
  EXPECT_EQ(body_of(too_new)["computeFault"]["message"],
            "Version 3.71 is not supported by the API. Minimum is 3.0 and maximum is 3.70.");
  auto old_major = cinder("GET", "/volumes", admin_, nullptr, {{"OpenStack-API-Version", "volume 2.0"}});
  EXPECT_EQ(old_major.status, 406u);
  auto malformed = cinder("GET", "/volumes", admin_, nullptr, {{"OpenStack-API-Version", "volume 3.x"}});
  EXPECT_EQ(malformed.status, 400u);
  EXPECT_TRUE(body_of(malformed).contains("badRequest"));
  // A header with no volume entry is Cinder's VersionNotFoundForAPIMethod.
  EXPECT_EQ(cinder("GET", "/volumes", admin_, nullptr, {{"OpenStack-API-Version", "compute 2.1"}}).status, 404u);
}

TEST_F(cinder_test, catalog_lists_volumev3_and_block_storage_per_cloudlet_with_the_project) {
  auto token = keystone_.handle(make_request("GET", "/v3/auth/tokens", {},
                                             {{"X-Auth-Token", demo_}, {"X-Subject-Token", demo_}}));
  ASSERT_EQ(token.status, 200u) << token.body;
  std::map<std::string, std::vector<std::string>> urls;   // type -> public URLs
  auto catalog = body_of(token)["token"]["catalog"];
  for (const auto& service : catalog) {
    for (const auto& e : service["endpoints"]) {
      if (e["interface"] == "public") urls[service["type"]].push_back(e["region_id"].get<std::string>() + " " + e["url"].get<std::string>());
    }
  }
  std::vector<std::string> expected{"cloudlet-1 http://127.0.0.1:8776/v3/" + demo_project_,
                                    "cloudlet-2 http://127.0.0.1:9776/v3/" + demo_project_};
  EXPECT_EQ(urls["volumev3"], expected);
  EXPECT_EQ(urls["block-storage"], expected);
  // The endpoint list shows the template, as Keystone stores it.
  auto listed = body_of(call(keystone_, "GET", "/v3/endpoints", admin_))["endpoints"];
  EXPECT_TRUE(std::any_of(listed.begin(), listed.end(), [](const json& e) {
    return e["url"] == "http://127.0.0.1:8776/v3/%(project_id)s";
  }));
}

TEST_F(cinder_test, create_goes_creating_then_available_in_the_cloudlets_zone) {
  auto out = cinder("POST", "/volumes", demo_,
                    {{"volume", {{"size", 2}, {"name", "data"}, {"description", "d"}, {"metadata", {{"k", "v"}}}}}});
  ASSERT_EQ(out.status, 202u) << out.body;
  auto made = body_of(out)["volume"];
  EXPECT_EQ(made["status"], "creating");
  EXPECT_EQ(made["availability_zone"], "cloudlet-1");
  EXPECT_EQ(made["volume_type"], "__DEFAULT__");
  EXPECT_EQ(made["bootable"], "false");
  EXPECT_EQ(made["metadata"]["k"], "v");
  EXPECT_EQ(made["links"][0]["href"], "http://127.0.0.1:8776/v3/" + demo_project_ + "/volumes/" + made["id"].get<std::string>());
  EXPECT_FALSE(made.contains("os-vol-tenant-attr:tenant_id"));   // show's extension, not create's
  auto id = made["id"].get<std::string>();
  advance(std::chrono::milliseconds{999});
  EXPECT_EQ(show(demo_, id)["status"], "creating");
  advance(std::chrono::milliseconds{1});
  auto shown = show(demo_, id);
  EXPECT_EQ(shown["status"], "available");
  EXPECT_EQ(shown["os-vol-tenant-attr:tenant_id"], demo_project_);
  EXPECT_FALSE(shown.contains("os-vol-host-attr:host"));   // admin only
  EXPECT_EQ(show(admin_, id)["os-vol-host-attr:host"], "cloudlet-1@sim#sim");
  auto modern = show(demo_, id, "3.65");
  EXPECT_EQ(modern["volume_type_id"], cloud_.volumes.default_type().id);
  EXPECT_EQ(modern["consumes_quota"], true);
  EXPECT_EQ(modern["shared_targets"], false);
  EXPECT_TRUE(modern.contains("group_id"));
}

TEST_F(cinder_test, create_refuses_bad_input_in_cinders_shape) {
  auto no_size = cinder("POST", "/volumes", demo_, {{"volume", {{"name", "x"}}}});
  EXPECT_EQ(no_size.status, 400u);
  EXPECT_TRUE(body_of(no_size)["badRequest"]["message"].get<std::string>().find("size") != std::string::npos);
  EXPECT_EQ(cinder("POST", "/volumes", demo_, {{"volume", {{"size", 0}}}}).status, 400u);
  EXPECT_EQ(cinder("POST", "/volumes", demo_, {{"volume", {{"size", "abc"}}}}).status, 400u);
  EXPECT_EQ(cinder("POST", "/volumes", demo_, {{"volume", {{"size", 1}, {"metadata", {{"k", 1}}}}}}).status, 400u);
  auto zone = cinder("POST", "/volumes", demo_, {{"volume", {{"size", 1}, {"availability_zone", "cloudlet-2"}}}});
  EXPECT_EQ(zone.status, 400u);
  EXPECT_EQ(body_of(zone)["badRequest"]["message"], "Availability zone 'cloudlet-2' is invalid.");
  auto type = cinder("POST", "/volumes", demo_, {{"volume", {{"size", 1}, {"volume_type", "gold"}}}});
  EXPECT_EQ(type.status, 404u);
  EXPECT_EQ(body_of(type)["itemNotFound"]["message"], "Volume type with name gold could not be found.");
  auto image = cinder("POST", "/volumes", demo_, {{"volume", {{"size", 1}, {"imageRef", new_uuid()}}}});
  EXPECT_EQ(image.status, 400u);
  auto source = new_uuid();
  auto clone = cinder("POST", "/volumes", demo_, {{"volume", {{"source_volid", source}}}});
  EXPECT_EQ(clone.status, 404u);
  EXPECT_EQ(body_of(clone)["itemNotFound"]["message"], "Volume " + source + " could not be found.");
  EXPECT_TRUE(cloud_.volumes.volumes().empty());
}

TEST_F(cinder_test, create_from_an_image_is_bootable_and_checks_the_size) {
  auto made = call(glance_, "POST", "/v2/images", demo_, {{"name", "cirros"}, {"disk_format", "raw"}, {"container_format", "bare"}});
  std::string image_id = body_of(made)["id"];
  EXPECT_EQ(cinder("POST", "/volumes", demo_, {{"volume", {{"size", 1}, {"imageRef", image_id}}}}).status, 400u);   // queued
  glance_.handle(make_request("PUT", "/v2/images/" + image_id + "/file", "bytes", {{"X-Auth-Token", demo_}}));
  auto id = available(demo_, {{"size", 1}, {"imageRef", image_id}});
  auto v = show(demo_, id);
  EXPECT_EQ(v["bootable"], "true");
  EXPECT_EQ(v["volume_image_metadata"]["image_id"], image_id);
  EXPECT_EQ(v["volume_image_metadata"]["image_name"], "cirros");
}

TEST_F(cinder_test, clone_takes_the_source_size_and_refuses_smaller) {
  auto source = available(demo_, {{"size", 3}});
  auto small = cinder("POST", "/volumes", demo_, {{"volume", {{"size", 2}, {"source_volid", source}}}});
  EXPECT_EQ(small.status, 400u);
  auto clone = create(demo_, {{"source_volid", source}});
  EXPECT_EQ(show(demo_, clone)["size"], 3);
  EXPECT_EQ(show(demo_, clone)["source_volid"], source);
}

TEST_F(cinder_test, other_projects_volumes_are_not_found_and_admin_sees_all_tenants) {
  auto mine = create(demo_, {{"size", 1}, {"name", "demo-vol"}});
  auto theirs = create(admin_, {{"size", 1}, {"name", "admin-vol"}});
  auto hidden = call(cinder_, "GET", url(demo_project_, "/volumes/" + theirs), demo_);
  EXPECT_EQ(hidden.status, 404u);
  EXPECT_EQ(body_of(hidden)["itemNotFound"]["message"], "Volume " + theirs + " could not be found.");
  EXPECT_EQ(call(cinder_, "DELETE", url(demo_project_, "/volumes/" + theirs), demo_).status, 404u);
  EXPECT_EQ(call(cinder_, "PUT", url(demo_project_, "/volumes/" + theirs), demo_, {{"volume", {{"name", "x"}}}}).status, 404u);
  // A non-admin's all_tenants is ignored (not refused), as Cinder does.
  auto demo_all = body_of(cinder("GET", "/volumes?all_tenants=1", demo_))["volumes"];
  ASSERT_EQ(demo_all.size(), 1u);
  EXPECT_EQ(demo_all[0]["id"], mine);
  EXPECT_EQ(body_of(cinder("GET", "/volumes", admin_))["volumes"].size(), 1u);
  EXPECT_EQ(body_of(cinder("GET", "/volumes/detail?all_tenants=1", admin_))["volumes"].size(), 2u);
  auto only_demo = body_of(cinder("GET", "/volumes/detail?all_tenants=1&project_id=" + demo_project_, admin_))["volumes"];
  ASSERT_EQ(only_demo.size(), 1u);
  EXPECT_EQ(only_demo[0]["id"], mine);
}

TEST_F(cinder_test, lists_page_with_limit_marker_and_sort) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(create(demo_, {{"size", 1 + i}, {"name", "v" + std::to_string(i)}}));
    advance(std::chrono::milliseconds{10});
  }
  auto first = body_of(cinder("GET", "/volumes?limit=2", demo_));
  ASSERT_EQ(first["volumes"].size(), 2u);
  EXPECT_EQ(first["volumes"][0]["id"], ids[2]);   // newest first
  EXPECT_EQ(first["volumes"][0]["name"], "v2");
  EXPECT_FALSE(first["volumes"][0].contains("status"));   // the summary view
  auto next = first["volumes_links"][0]["href"].get<std::string>();
  EXPECT_EQ(next, "http://127.0.0.1:8776/v3/" + demo_project_ + "/volumes?limit=2&marker=" + ids[1]);
  auto rest = body_of(cinder("GET", "/volumes?limit=2&marker=" + ids[1], demo_));
  ASSERT_EQ(rest["volumes"].size(), 1u);
  EXPECT_EQ(rest["volumes"][0]["id"], ids[0]);
  EXPECT_FALSE(rest.contains("volumes_links"));
  auto by_size = body_of(cinder("GET", "/volumes/detail?sort=size:asc", demo_))["volumes"];
  EXPECT_EQ(by_size[0]["size"], 1);
  EXPECT_EQ(by_size[2]["size"], 3);
  auto by_name = body_of(cinder("GET", "/volumes/detail?sort_key=name&sort_dir=asc", demo_))["volumes"];
  EXPECT_EQ(by_name[0]["name"], "v0");
  auto missing = cinder("GET", "/volumes?marker=" + new_uuid(), demo_);
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(cinder("GET", "/volumes?limit=x", demo_).status, 400u);
  EXPECT_EQ(cinder("GET", "/volumes?sort=size&sort_key=name", demo_).status, 400u);
  auto counted = body_of(cinder("GET", "/volumes?limit=1&with_count=true", demo_, nullptr, {{"OpenStack-API-Version", "volume 3.45"}}));
  EXPECT_EQ(counted["count"], 3);
}

TEST_F(cinder_test, filters_as_configured_and_unknown_ones_refused_from_3_31) {
  create(demo_, {{"size", 1}, {"name", "a"}, {"metadata", {{"tier", "gold"}}}});
  create(demo_, {{"size", 2}, {"name", "b"}});
  advance(std::chrono::seconds{1});
  EXPECT_EQ(body_of(cinder("GET", "/volumes?name=a", demo_))["volumes"].size(), 1u);
  EXPECT_EQ(body_of(cinder("GET", "/volumes?status=available", demo_))["volumes"].size(), 2u);
  EXPECT_EQ(body_of(cinder("GET", "/volumes?status=creating", demo_))["volumes"].size(), 0u);
  EXPECT_EQ(body_of(cinder("GET", "/volumes/detail?metadata=%7B%27tier%27%3A%20%27gold%27%7D", demo_))["volumes"].size(), 1u);
  auto refused = cinder("GET", "/volumes?host=x", demo_, nullptr, {{"OpenStack-API-Version", "volume 3.31"}});
  EXPECT_EQ(refused.status, 400u);
  EXPECT_EQ(body_of(refused)["badRequest"]["message"], "Invalid filters host are found in query options.");
  EXPECT_EQ(cinder("GET", "/volumes?host=x", admin_, nullptr, {{"OpenStack-API-Version", "volume 3.31"}}).status, 200u);
}

TEST_F(cinder_test, update_and_metadata_calls) {
  auto id = available(demo_, {{"size", 1}, {"name", "old"}, {"metadata", {{"a", "1"}}}});
  auto updated = cinder("PUT", "/volumes/" + id, demo_, {{"volume", {{"name", "new"}, {"description", "desc"}}}});
  ASSERT_EQ(updated.status, 200u) << updated.body;
  EXPECT_EQ(body_of(updated)["volume"]["name"], "new");
  EXPECT_EQ(body_of(updated)["volume"]["description"], "desc");
  EXPECT_EQ(cinder("PUT", "/volumes/" + id, demo_, {{"volume", {{"size", 5}}}}).status, 400u);
  auto merged = cinder("POST", "/volumes/" + id + "/metadata", demo_, {{"metadata", {{"b", "2"}}}});
  EXPECT_EQ(body_of(merged)["metadata"], json({{"a", "1"}, {"b", "2"}}));
  auto replaced = cinder("PUT", "/volumes/" + id + "/metadata", demo_, {{"metadata", {{"c", "3"}}}});
  EXPECT_EQ(body_of(replaced)["metadata"], json({{"c", "3"}}));
  EXPECT_EQ(body_of(cinder("GET", "/volumes/" + id + "/metadata/c", demo_))["meta"]["c"], "3");
  EXPECT_EQ(cinder("PUT", "/volumes/" + id + "/metadata/c", demo_, {{"meta", {{"d", "4"}}}}).status, 400u);
  EXPECT_EQ(body_of(cinder("PUT", "/volumes/" + id + "/metadata/c", demo_, {{"meta", {{"c", "5"}}}}))["meta"]["c"], "5");
  EXPECT_EQ(cinder("DELETE", "/volumes/" + id + "/metadata/c", demo_).status, 200u);
  auto gone = cinder("GET", "/volumes/" + id + "/metadata/c", demo_);
  EXPECT_EQ(gone.status, 404u);
  EXPECT_EQ(body_of(gone)["itemNotFound"]["message"], "Volume " + id + " has no metadata with key c.");
}

TEST_F(cinder_test, extend_goes_through_extending_and_checks_size_and_status) {
  auto id = create(demo_, {{"size", 1}});
  auto early = action(demo_, id, {{"os-extend", {{"new_size", 2}}}});
  EXPECT_EQ(early.status, 400u);   // still creating
  advance(std::chrono::seconds{1});
  auto same = action(demo_, id, {{"os-extend", {{"new_size", 1}}}});
  EXPECT_EQ(same.status, 400u);
  EXPECT_EQ(body_of(same)["badRequest"]["message"],
            "Invalid input received: New size for extend must be greater than current size. (current: 1, extended: 1).");
  EXPECT_EQ(action(demo_, id, {{"os-extend", {{"new_size", 3}}}}).status, 202u);
  auto extending = show(demo_, id);
  EXPECT_EQ(extending["status"], "extending");
  EXPECT_EQ(extending["size"], 3);
  advance(std::chrono::seconds{1});
  EXPECT_EQ(show(demo_, id)["status"], "available");
}

TEST_F(cinder_test, reset_status_is_for_admins_and_bootable_for_owners) {
  auto id = available(demo_, {{"size", 1}});
  auto refused = action(demo_, id, {{"os-reset_status", {{"status", "error"}}}});
  EXPECT_EQ(refused.status, 403u);
  EXPECT_TRUE(body_of(refused).contains("forbidden"));
  EXPECT_EQ(action(admin_, id, {{"os-reset_status", {{"status", "error"}}}}).status, 202u);
  EXPECT_EQ(show(demo_, id)["status"], "error");
  EXPECT_EQ(action(demo_, id, {{"os-set_bootable", {{"bootable", true}}}}).status, 200u);
  EXPECT_EQ(show(demo_, id)["bootable"], "true");
  EXPECT_EQ(action(demo_, id, {{"os-no-such", nullptr}}).status, 400u);
}

TEST_F(cinder_test, delete_refuses_an_attached_volume_and_removes_an_available_one) {
  auto id = available(demo_, {{"size", 1}});
  ASSERT_EQ(action(demo_, id, {{"os-attach", {{"instance_uuid", new_uuid()}, {"mountpoint", "/dev/vdb"}}}}).status, 202u);
  auto attached = show(demo_, id);
  EXPECT_EQ(attached["status"], "in-use");
  ASSERT_EQ(attached["attachments"].size(), 1u);
  EXPECT_EQ(attached["attachments"][0]["device"], "/dev/vdb");
  auto refused = cinder("DELETE", "/volumes/" + id, demo_);
  EXPECT_EQ(refused.status, 400u);
  EXPECT_EQ(body_of(refused)["badRequest"]["message"],
            "Invalid volume: Volume status must be available or error or error_restoring or error_extending or "
            "error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a "
            "transfer, or be disassociated from snapshots after volume transfer.");
  ASSERT_EQ(action(demo_, id, {{"os-detach", json::object()}}).status, 202u);
  EXPECT_EQ(show(demo_, id)["status"], "available");
  EXPECT_EQ(cinder("DELETE", "/volumes/" + id, demo_).status, 202u);
  // Cinder's volume service deletes in the background: "deleting" for the delay, then gone.
  EXPECT_EQ(show(demo_, id)["status"], "deleting");
  EXPECT_EQ(body_of(cinder("GET", "/volumes/detail", demo_))["volumes"][0]["status"], "deleting");
  EXPECT_EQ(cinder("DELETE", "/volumes/" + id, demo_).status, 400u);   // deleting is no deletable status
  advance(std::chrono::milliseconds{999});
  EXPECT_EQ(show(demo_, id)["status"], "deleting");
  advance(std::chrono::milliseconds{1});
  EXPECT_EQ(cinder("GET", "/volumes/" + id, demo_).status, 404u);
  EXPECT_EQ(body_of(cinder("GET", "/volumes", demo_))["volumes"], json::array());
}

TEST_F(cinder_test, quotas_refuse_with_413_and_a_full_pool_ends_in_error) {
  auto big = cinder("POST", "/volumes", demo_, {{"volume", {{"size", 1001}}}});
  EXPECT_EQ(big.status, 413u);
  EXPECT_EQ(body_of(big)["overLimit"]["message"],
            "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. "
            "Requested 1001G, quota is 1000G and 0G has been consumed.");
  EXPECT_EQ(big.headers["Retry-After"], "0");
  // The fixture's pool holds 100 GB: the scheduler finds no backend for more.
  auto id = create(demo_, {{"size", 101}});
  advance(std::chrono::seconds{1});
  EXPECT_EQ(show(demo_, id)["status"], "error");
  for (int i = 0; i < 9; ++i) create(demo_, {{"size", 1}});
  auto eleventh = cinder("POST", "/volumes", demo_, {{"volume", {{"size", 1}}}});
  EXPECT_EQ(eleventh.status, 413u);
  EXPECT_EQ(body_of(eleventh)["overLimit"]["message"],
            "VolumeLimitExceeded: Maximum number of volumes allowed (10) exceeded for quota 'volumes'.");
}

TEST_F(cinder_test, project_id_in_the_url_is_optional_from_3_67) {
  create(demo_, {{"size", 1}});
  EXPECT_EQ(call(cinder_, "GET", "/v3/volumes", demo_).status, 404u);
  auto bare = call(cinder_, "GET", "/v3/volumes", demo_, nullptr, {{"OpenStack-API-Version", "volume 3.67"}});
  ASSERT_EQ(bare.status, 200u);
  EXPECT_EQ(body_of(bare)["volumes"].size(), 1u);
  EXPECT_EQ(body_of(bare)["volumes"][0]["links"][0]["href"].get<std::string>().find("http://127.0.0.1:8776/v3/volumes/"), 0u);
}

TEST_F(cinder_test, volume_creates_are_creates_for_the_fault_plan) {
  EXPECT_TRUE(creates_resource("cinder", make_request("POST", "/v3/" + demo_project_ + "/volumes")));
  EXPECT_TRUE(creates_resource("cinder", make_request("POST", "/v3/volumes")));
  EXPECT_FALSE(creates_resource("cinder", make_request("POST", "/v3/" + demo_project_ + "/volumes/x/action")));
  EXPECT_FALSE(creates_resource("cinder", make_request("GET", "/v3/" + demo_project_ + "/volumes")));
}

TEST_F(cinder_test, volume_types_default_and_admin_create) {
  auto list = body_of(cinder("GET", "/types", demo_))["volume_types"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "__DEFAULT__");
  EXPECT_EQ(body_of(cinder("GET", "/types/default", demo_))["volume_type"]["id"], list[0]["id"]);
  json gold = {{"volume_type", {{"name", "gold"}, {"extra_specs", {{"volume_backend_name", "sim"}}}}}};
  EXPECT_EQ(cinder("POST", "/types", demo_, gold).status, 403u);
  auto made = cinder("POST", "/types", admin_, gold);
  ASSERT_EQ(made.status, 200u) << made.body;
  EXPECT_EQ(cinder("POST", "/types", admin_, gold).status, 409u);
  std::string gold_id = body_of(made)["volume_type"]["id"];
  // A non-admin sees no admin-only extra specs.
  EXPECT_EQ(body_of(cinder("GET", "/types/" + gold_id, demo_))["volume_type"]["extra_specs"], json::object());
  auto id = create(demo_, {{"size", 1}, {"volume_type", "gold"}});
  EXPECT_EQ(show(demo_, id)["volume_type"], "gold");
  EXPECT_EQ(cinder("DELETE", "/types/" + gold_id, admin_).status, 400u);   // in use
}

TEST_F(cinder_test, limits_and_quota_sets_count_what_is_in_use) {
  create(demo_, {{"size", 3}});
  auto absolute = body_of(cinder("GET", "/limits", demo_))["limits"]["absolute"];
  EXPECT_EQ(absolute["totalVolumesUsed"], 1);
  EXPECT_EQ(absolute["totalGigabytesUsed"], 3);
  EXPECT_EQ(absolute["maxTotalVolumes"], 10);
  auto usage = body_of(cinder("GET", "/os-quota-sets/" + demo_project_ + "?usage=True", demo_))["quota_set"];
  EXPECT_EQ(usage["gigabytes"]["in_use"], 3);
  EXPECT_EQ(usage["gigabytes"]["limit"], 1000);
  EXPECT_EQ(cinder("GET", "/os-quota-sets/" + admin_project_, demo_).status, 403u);
  EXPECT_EQ(cinder("PUT", "/os-quota-sets/" + demo_project_, demo_, {{"quota_set", {{"volumes", 1}}}}).status, 403u);
  auto set = cinder("PUT", "/os-quota-sets/" + demo_project_, admin_, {{"quota_set", {{"volumes", 1}}}});
  ASSERT_EQ(set.status, 200u) << set.body;
  EXPECT_EQ(cinder("POST", "/volumes", demo_, {{"volume", {{"size", 1}}}}).status, 413u);
  EXPECT_EQ(body_of(cinder("GET", "/os-quota-sets/" + demo_project_ + "/defaults", demo_))["quota_set"]["volumes"], 10);
}

TEST_F(cinder_test, per_type_quota_keys_are_the_resource_an_underscore_and_the_type_name) {
  auto usage = body_of(cinder("GET", "/os-quota-sets/" + demo_project_ + "?usage=True", demo_))["quota_set"];
  auto defaults = body_of(cinder("GET", "/os-quota-sets/" + demo_project_ + "/defaults", demo_))["quota_set"];
  for (const char* key : {"volumes___DEFAULT__", "gigabytes___DEFAULT__", "snapshots___DEFAULT__"}) {
    EXPECT_EQ(usage[key]["limit"], -1) << key;
    EXPECT_EQ(defaults[key], -1) << key;
  }
  EXPECT_FALSE(usage.contains("volumes____DEFAULT__"));
}

TEST_F(cinder_test, services_are_the_three_of_one_cinder_for_admins) {
  auto refused = cinder("GET", "/os-services", demo_);
  EXPECT_EQ(refused.status, 403u);
  EXPECT_EQ(body_of(refused)["forbidden"]["message"], "Policy doesn't allow volume_extension:services:index to be performed.");
  auto listed = body_of(cinder("GET", "/os-services", admin_))["services"];
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0]["binary"], "cinder-volume");
  EXPECT_EQ(listed[0]["host"], "cloudlet-1@sim");
  EXPECT_EQ(listed[0]["zone"], "cloudlet-1");
  EXPECT_EQ(listed[0]["state"], "up");
  EXPECT_EQ(listed[0]["frozen"], false);
  EXPECT_FALSE(listed[0].contains("cluster"));
  EXPECT_EQ(listed[1]["binary"], "cinder-scheduler");
  EXPECT_FALSE(listed[1].contains("frozen"));   // only the volume service has the replication fields
  auto modern = body_of(cinder("GET", "/os-services?binary=cinder-volume", admin_, nullptr,
                               {{"OpenStack-API-Version", "volume 3.49"}}))["services"];
  ASSERT_EQ(modern.size(), 1u);
  EXPECT_EQ(modern[0]["backend_state"], "up");
  EXPECT_TRUE(modern[0].contains("cluster"));
}

TEST_F(cinder_test, summary_counts_the_projects_volumes_from_3_12) {
  create(demo_, {{"size", 2}, {"metadata", {{"k", "a"}}}});
  create(demo_, {{"size", 3}, {"metadata", {{"k", "b"}}}});
  create(admin_, {{"size", 5}});
  EXPECT_EQ(cinder("GET", "/volumes/summary", demo_, nullptr, {{"OpenStack-API-Version", "volume 3.11"}}).status, 404u);
  auto summary = cinder("GET", "/volumes/summary", demo_, nullptr, {{"OpenStack-API-Version", "volume 3.12"}});
  ASSERT_EQ(summary.status, 200u) << summary.body;
  EXPECT_EQ(body_of(summary), (json{{"volume-summary", {{"total_count", 2}, {"total_size", 5}}}}));
  auto with_metadata = body_of(cinder("GET", "/volumes/summary", demo_, nullptr, {{"OpenStack-API-Version", "volume 3.36"}}));
  EXPECT_EQ(with_metadata["volume-summary"]["metadata"], (json{{"k", {"a", "b"}}}));
  auto everyone = body_of(cinder("GET", "/volumes/summary?all_tenants=1", admin_, nullptr, {{"OpenStack-API-Version", "volume 3.12"}}));
  EXPECT_EQ(everyone["volume-summary"]["total_size"], 10);
}

TEST_F(cinder_test, extension_attributes_only_where_cinders_extensions_add_them) {
  auto id = available(demo_, {{"size", 1}});
  // Update answers the plain detail view, even for an admin.
  auto updated = body_of(cinder("PUT", "/volumes/" + id, admin_, {{"volume", {{"name", "b"}}}}))["volume"];
  EXPECT_EQ(updated["name"], "b");
  for (const char* key : {"os-vol-tenant-attr:tenant_id", "os-vol-host-attr:host", "os-vol-mig-status-attr:migstat"}) {
    EXPECT_FALSE(updated.contains(key)) << key;
    EXPECT_TRUE(show(admin_, id).contains(key)) << key;
  }
  // Snapshots: create, update and the plain list have no extended attributes; show and detail have.
  auto made = body_of(cinder("POST", "/snapshots", demo_, {{"snapshot", {{"volume_id", id}}}}))["snapshot"];
  EXPECT_FALSE(made.contains("os-extended-snapshot-attributes:project_id"));
  std::string snap_id = made["id"];
  auto renamed = body_of(cinder("PUT", "/snapshots/" + snap_id, demo_, {{"snapshot", {{"name", "s2"}}}}))["snapshot"];
  EXPECT_EQ(renamed["name"], "s2");
  EXPECT_FALSE(renamed.contains("os-extended-snapshot-attributes:progress"));
  EXPECT_FALSE(body_of(cinder("GET", "/snapshots", demo_))["snapshots"][0].contains("os-extended-snapshot-attributes:progress"));
  EXPECT_EQ(body_of(cinder("GET", "/snapshots/detail", demo_))["snapshots"][0]["os-extended-snapshot-attributes:project_id"],
            demo_project_);
  EXPECT_TRUE(body_of(cinder("GET", "/snapshots/" + snap_id, demo_))["snapshot"].contains("os-extended-snapshot-attributes:progress"));
  // Types: the access extension extends list and show, not /types/default.
  auto fallback = body_of(cinder("GET", "/types/default", demo_, nullptr, {{"OpenStack-API-Version", "volume 3.62"}}))["volume_type"];
  EXPECT_FALSE(fallback.contains("os-volume-type-access:is_public"));
  EXPECT_EQ(fallback["is_public"], true);
  EXPECT_EQ(body_of(cinder("GET", "/types", demo_))["volume_types"][0]["os-volume-type-access:is_public"], true);
  EXPECT_EQ(body_of(cinder("GET", "/types/" + fallback["id"].get<std::string>(), demo_))["volume_type"]["os-volume-type-access:is_public"], true);
}

TEST_F(cinder_test, a_path_outside_v3_is_webobs_plain_404) {
  auto v2 = call(cinder_, "GET", "/v2/", admin_);
  EXPECT_EQ(v2.status, 404u);
  EXPECT_EQ(body_of(v2), (json{{"message", "The resource could not be found.<br /><br />\n\n\n"},
                               {"code", "404 Not Found"},
                               {"title", "Not Found"}}));
  EXPECT_FALSE(v2.headers.count("OpenStack-API-Version"));
}

TEST_F(cinder_test, snapshots_transition_and_block_the_volumes_delete) {
  auto id = create(demo_, {{"size", 2}});
  auto early = cinder("POST", "/snapshots", demo_, {{"snapshot", {{"volume_id", id}, {"name", "s1"}}}});
  EXPECT_EQ(early.status, 400u);   // the volume is still creating
  advance(std::chrono::seconds{1});
  auto made = cinder("POST", "/snapshots", demo_, {{"snapshot", {{"volume_id", id}, {"name", "s1"}, {"metadata", {{"k", "v"}}}}}});
  ASSERT_EQ(made.status, 202u) << made.body;
  auto snap = body_of(made)["snapshot"];
  EXPECT_EQ(snap["status"], "creating");
  EXPECT_EQ(snap["size"], 2);
  std::string snap_id = snap["id"];
  EXPECT_EQ(cinder("DELETE", "/snapshots/" + snap_id, demo_).status, 400u);   // not available yet
  advance(std::chrono::seconds{1});
  auto shown = body_of(cinder("GET", "/snapshots/" + snap_id, demo_, nullptr, {{"OpenStack-API-Version", "volume 3.65"}}))["snapshot"];
  EXPECT_EQ(shown["status"], "available");
  EXPECT_EQ(shown["os-extended-snapshot-attributes:progress"], "100%");
  EXPECT_EQ(shown["user_id"], ids_.validate(demo_)->user_id);
  EXPECT_EQ(body_of(cinder("GET", "/snapshots/detail?volume_id=" + id, demo_))["snapshots"].size(), 1u);
  EXPECT_EQ(cinder("GET", "/snapshots/" + snap_id, admin_).status, 200u);
  EXPECT_EQ(call(cinder_, "GET", url(demo_project_, "/snapshots"), demo_).status, 200u);
  auto theirs = available(admin_, {{"size", 1}});
  EXPECT_EQ(cinder("POST", "/snapshots", demo_, {{"snapshot", {{"volume_id", theirs}}}}).status, 404u);
  // A volume with a snapshot is not deleted, unless cascade takes the snapshot too.
  EXPECT_EQ(cinder("DELETE", "/volumes/" + id, demo_).status, 400u);
  auto from_snapshot = create(demo_, {{"snapshot_id", snap_id}});
  EXPECT_EQ(show(demo_, from_snapshot)["snapshot_id"], snap_id);
  EXPECT_EQ(show(demo_, from_snapshot)["size"], 2);
  EXPECT_EQ(cinder("DELETE", "/volumes/" + id + "?cascade=true", demo_).status, 202u);
  EXPECT_EQ(cinder("GET", "/snapshots/" + snap_id, demo_).status, 404u);
}

TEST_F(cinder_test, attachments_reserve_connect_complete_and_delete_from_3_27) {
  auto id = available(demo_, {{"size", 1}});
  json body = {{"attachment", {{"volume_uuid", id}, {"instance_uuid", new_uuid()}}}};
  EXPECT_EQ(cinder("POST", "/attachments", demo_, body, {{"OpenStack-API-Version", "volume 3.26"}}).status, 404u);
  header_map v344{{"OpenStack-API-Version", "volume 3.44"}};
  auto made = cinder("POST", "/attachments", demo_, body, v344);
  ASSERT_EQ(made.status, 200u) << made.body;
  std::string attachment_id = body_of(made)["attachment"]["id"];
  EXPECT_EQ(body_of(made)["attachment"]["status"], "reserved");
  EXPECT_EQ(show(demo_, id)["status"], "reserved");
  // A second instance may not reserve a volume that is not multiattach.
  json other = {{"attachment", {{"volume_uuid", id}, {"instance_uuid", new_uuid()}}}};
  EXPECT_EQ(cinder("POST", "/attachments", demo_, other, v344).status, 400u);
  auto connected = cinder("PUT", "/attachments/" + attachment_id, demo_, {{"attachment", {{"connector", {{"host", "h1"}}}}}}, v344);
  ASSERT_EQ(connected.status, 200u) << connected.body;
  EXPECT_EQ(body_of(connected)["attachment"]["connection_info"]["driver_volume_type"], "iscsi");
  EXPECT_EQ(cinder("POST", "/attachments/" + attachment_id + "/action", demo_, {{"os-complete", nullptr}}, v344).status, 204u);
  auto attached = show(demo_, id);
  EXPECT_EQ(attached["status"], "in-use");
  EXPECT_EQ(attached["attachments"][0]["attachment_id"], attachment_id);
  EXPECT_EQ(cinder("GET", "/attachments/" + attachment_id, admin_, nullptr, v344).status, 200u);
  auto listed = body_of(cinder("GET", "/attachments?volume_id=" + id, demo_, nullptr, v344))["attachments"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["status"], "attached");
  auto deleted = cinder("DELETE", "/attachments/" + attachment_id, demo_, nullptr, v344);
  EXPECT_EQ(deleted.status, 200u);
  EXPECT_EQ(body_of(deleted)["attachments"], json::array());
  EXPECT_EQ(show(demo_, id)["status"], "available");
  // Another project's attachment is not found.
  auto theirs = available(admin_, {{"size", 1}});
  auto admin_attachment = body_of(cinder("POST", "/attachments", admin_, {{"attachment", {{"volume_uuid", theirs}}}}, v344))["attachment"]["id"];
  EXPECT_EQ(cinder("GET", "/attachments/" + admin_attachment.get<std::string>(), demo_, nullptr, v344).status, 404u);
}

TEST_F(cinder_test, backups_create_restore_and_delete) {
  auto id = available(demo_, {{"size", 2}});
  auto made = cinder("POST", "/backups", demo_, {{"backup", {{"volume_id", id}, {"name", "b1"}}}});
  ASSERT_EQ(made.status, 202u) << made.body;
  std::string backup_id = body_of(made)["backup"]["id"];
  EXPECT_EQ(show(demo_, id)["status"], "backing-up");
  advance(std::chrono::seconds{1});
  EXPECT_EQ(show(demo_, id)["status"], "available");
  auto backup = body_of(cinder("GET", "/backups/" + backup_id, demo_))["backup"];
  EXPECT_EQ(backup["status"], "available");
  EXPECT_EQ(backup["size"], 2);
  EXPECT_EQ(backup["container"], "volumebackups");
  EXPECT_EQ(body_of(cinder("GET", "/backups/detail", demo_))["backups"].size(), 1u);
  EXPECT_EQ(body_of(cinder("GET", "/backups", admin_))["backups"].size(), 0u);
  auto restored = cinder("POST", "/backups/" + backup_id + "/restore", demo_, {{"restore", {{"name", "back"}}}});
  ASSERT_EQ(restored.status, 202u) << restored.body;
  std::string new_id = body_of(restored)["restore"]["volume_id"];
  EXPECT_EQ(show(demo_, new_id)["status"], "restoring-backup");
  advance(std::chrono::seconds{1});
  EXPECT_EQ(show(demo_, new_id)["status"], "available");
  EXPECT_EQ(show(demo_, new_id)["size"], 2);
  EXPECT_EQ(cinder("DELETE", "/backups/" + backup_id, demo_).status, 202u);
  EXPECT_EQ(cinder("GET", "/backups/" + backup_id, demo_).status, 404u);
}

// Cinder's export and import (api-ref ext-backups.inc; cinder/backup/api.py): an admin's
// record names the backup's own ID and carries its metadata; an import makes a backup
// under that ID, refused while the backup exists.
TEST_F(cinder_test, backup_export_and_import_keep_the_id_and_the_metadata) {
  auto id = available(admin_, {{"size", 1}});
  header_map v343 = {{"OpenStack-API-Version", "volume 3.43"}};
  auto made = cinder("POST", "/backups", admin_, {{"backup", {{"volume_id", id}, {"name", "b"}, {"metadata", {{"k", "v"}}}}}}, v343);
  ASSERT_EQ(made.status, 202u) << made.body;
  std::string backup_id = body_of(made)["backup"]["id"];
  EXPECT_EQ(cinder("GET", "/backups/" + backup_id + "/export_record", admin_).status, 400u) << "still creating";
  advance(std::chrono::seconds{1});
  EXPECT_EQ(cinder("GET", "/backups/" + backup_id + "/export_record", demo_).status, 404u) << "another project's";
  auto exported = cinder("GET", "/backups/" + backup_id + "/export_record", admin_);
  ASSERT_EQ(exported.status, 200u) << exported.body;
  auto record = body_of(exported)["backup-record"];
  ASSERT_TRUE(record["backup_url"].is_string());
  json import = {{"backup-record", record}};
  auto again = cinder("POST", "/backups/import_record", admin_, import);
  EXPECT_EQ(again.status, 400u);
  EXPECT_EQ(body_of(again)["badRequest"]["message"], "Invalid backup: Backup already exists in database.");
  ASSERT_EQ(cinder("DELETE", "/backups/" + backup_id, admin_).status, 202u);
  EXPECT_EQ(cinder("POST", "/backups/import_record", demo_, import).status, 403u);
  auto bad = cinder("POST", "/backups/import_record", admin_, {{"backup-record", {{"backup_service", record["backup_service"]}, {"backup_url", "%%"}}}});
  EXPECT_EQ(bad.status, 400u);
  auto imported = cinder("POST", "/backups/import_record", admin_, import);
  ASSERT_EQ(imported.status, 201u) << imported.body;
  EXPECT_EQ(body_of(imported)["backup"]["id"], backup_id);
  EXPECT_TRUE(body_of(imported)["backup"].contains("links"));
  advance(std::chrono::seconds{1});
  auto shown = body_of(cinder("GET", "/backups/" + backup_id, admin_, nullptr, v343))["backup"];
  EXPECT_EQ(shown["status"], "available");
  EXPECT_EQ(shown["name"], "b");
  EXPECT_EQ(shown["metadata"], (json{{"k", "v"}}));
}

TEST_F(cinder_test, pools_report_capacity_to_admins) {
  create(demo_, {{"size", 30}});
  EXPECT_EQ(cinder("GET", "/scheduler-stats/get_pools?detail=true", demo_).status, 403u);
  auto pools = body_of(cinder("GET", "/scheduler-stats/get_pools?detail=true", admin_))["pools"];
  ASSERT_EQ(pools.size(), 1u);
  EXPECT_EQ(pools[0]["capabilities"]["total_capacity_gb"], 100);
  EXPECT_EQ(pools[0]["capabilities"]["free_capacity_gb"], 70);
  auto zones = body_of(cinder("GET", "/os-availability-zone", demo_))["availabilityZoneInfo"];
  EXPECT_EQ(zones[0]["zoneName"], "cloudlet-1");
}

} // namespace
} // namespace fedstack::sim::testing
