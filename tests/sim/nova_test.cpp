#include <algorithm>
#include <map>
#include <tuple>

#include "sim_fixture.hpp"

namespace fedstack::sim::testing {
namespace {

class nova_test : public sim_fixture {
protected:
  void SetUp() override {
    admin_ = admin_token();
    auto image = call(glance_, "POST", "/v2/images", admin_,
                      {{"name", "cirros"}, {"disk_format", "raw"}, {"container_format", "bare"}, {"visibility", "public"}});
    image_id_ = body_of(image)["id"];
    glance_.handle(make_request("PUT", "/v2/images/" + image_id_ + "/file", "bytes", {{"X-Auth-Token", admin_}}));
    auto net = call(neutron_, "POST", "/v2.0/networks", admin_, {{"network", {{"name", "net1"}}}});
    network_id_ = body_of(net)["network"]["id"];
    call(neutron_, "POST", "/v2.0/subnets", admin_,
         {{"subnet", {{"network_id", network_id_}, {"cidr", "192.168.0.0/24"}, {"ip_version", 4}}}});
    tiny_ = flavor_id(nova_, "m1.tiny");
  }

  /// The ID `nova` gives the flavor called `name` (each cloudlet numbers its own).
  std::string flavor_id(nova_api& nova, const std::string& name) {
    auto listed = body_of(call(nova, "GET", "/v2.1/flavors", admin_));
    for (const auto& f : listed["flavors"])
      if (f["name"] == name) return f["id"];
    ADD_FAILURE() << "no flavor " << name;
    return {};
  }

  reply boot(const std::string& token, const std::string& name, const std::string& flavor = "",
             json networks = nullptr) {
    json server = {{"name", name}, {"imageRef", image_id_}, {"flavorRef", flavor.empty() ? tiny_ : flavor}};
    server["networks"] = networks.is_null() ? json::array({{{"uuid", network_id_}}}) : networks;
    return call(nova_, "POST", "/v2.1/servers", token, {{"server", server}});
  }
  std::string boot_id(const std::string& token, const std::string& name, const std::string& flavor = "") {
    auto out = boot(token, name, flavor);
    EXPECT_EQ(out.status, 202u) << out.body;
    return body_of(out)["server"]["id"];
  }
  json show(const std::string& token, const std::string& id, const std::string& version = "2.1") {
    auto out = call(nova_, "GET", "/v2.1/servers/" + id, token, nullptr, {{"X-OpenStack-Nova-API-Version", version}});
    EXPECT_EQ(out.status, 200u) << out.body;
    return body_of(out)["server"];
  }
  json stats() {
    return body_of(call(nova_, "GET", "/v2.1/os-hypervisors/statistics", admin_))["hypervisor_statistics"];
  }

  std::string admin_, image_id_, network_id_, tiny_;
};

TEST_F(nova_test, version_documents_and_headers) {
  auto root = nova_.handle(make_request("GET", "/"));
  EXPECT_EQ(root.status, 200u);
  EXPECT_EQ(body_of(root)["versions"][1]["version"], "2.93");
  auto v21 = nova_.handle(make_request("GET", "/v2.1"));
  EXPECT_EQ(v21.status, 200u);
  EXPECT_EQ(v21.headers["OpenStack-API-Version"], "compute 2.1");
  EXPECT_EQ(v21.headers["X-OpenStack-Nova-API-Version"], "2.1");
  EXPECT_EQ(v21.headers["Vary"], "OpenStack-API-Version, X-OpenStack-Nova-API-Version");

  auto echoed = call(nova_, "GET", "/v2.1/flavors", admin_, nullptr, {{"OpenStack-API-Version", "compute 2.60"}});
  EXPECT_EQ(echoed.headers["OpenStack-API-Version"], "compute 2.60");
  EXPECT_EQ(echoed.headers["X-OpenStack-Nova-API-Version"], "2.60");

  auto too_new = call(nova_, "GET", "/v2.1/flavors", admin_, nullptr, {{"X-OpenStack-Nova-API-Version", "2.94"}});
  EXPECT_EQ(too_new.status, 406u);
  EXPECT_EQ(body_of(too_new)["computeFault"]["code"], 406);
}

// Real Nova (Zed, lab 2026-11-29) echoes the version it refused, as tests/conformance/shapes.py saw.
TEST_F(nova_test, refused_version_is_echoed_with_406) {
  auto too_new = call(nova_, "GET", "/v2.1/servers", admin_, nullptr, {{"OpenStack-API-Version", "compute 2.94"}});
  EXPECT_EQ(too_new.status, 406u);
  EXPECT_EQ(too_new.headers["OpenStack-API-Version"], "compute 2.94");
  EXPECT_EQ(too_new.headers["X-OpenStack-Nova-API-Version"], "2.94");
  EXPECT_EQ(body_of(too_new)["computeFault"]["message"],
            "Version 2.94 is not supported by the API. Minimum is 2.1 and maximum is 2.93.");
  auto malformed = call(nova_, "GET", "/v2.1/servers", admin_, nullptr, {{"X-OpenStack-Nova-API-Version", "2.x"}});
  EXPECT_EQ(malformed.status, 400u);
  EXPECT_EQ(malformed.headers["X-OpenStack-Nova-API-Version"], "2.1");
}

TEST_F(nova_test, flavors_seeded_and_found_by_id_only) {
  auto list = body_of(call(nova_, "GET", "/v2.1/flavors", admin_))["flavors"];
  ASSERT_EQ(list.size(), 4u);
  auto listed_tiny = std::find_if(list.begin(), list.end(), [](const json& f) { return f["name"] == "m1.tiny"; });
  ASSERT_NE(listed_tiny, list.end());
  EXPECT_EQ((*listed_tiny)["links"][0]["href"], "http://127.0.0.1:8774/v2.1/flavors/" + tiny_);
  auto by_name = call(nova_, "GET", "/v2.1/flavors/m1.tiny", admin_);
  EXPECT_EQ(by_name.status, 404u);
  EXPECT_EQ(body_of(by_name)["itemNotFound"]["message"], "Flavor m1.tiny could not be found.");
  auto tiny = body_of(call(nova_, "GET", "/v2.1/flavors/" + tiny_, admin_))["flavor"];
  EXPECT_EQ(tiny["ram"], 512);
  EXPECT_EQ(tiny["swap"], "");
  EXPECT_EQ(tiny["os-flavor-access:is_public"], true);
  EXPECT_EQ(tiny["rxtx_factor"], 1.0);
  auto modern = body_of(call(nova_, "GET", "/v2.1/flavors/" + tiny_, admin_, nullptr, {{"X-OpenStack-Nova-API-Version", "2.75"}}))["flavor"];
  EXPECT_EQ(modern["swap"], 0);
  EXPECT_TRUE(modern.contains("extra_specs"));
}

TEST_F(nova_test, flavor_create_and_delete_need_admin) {
  json flavor = {{"flavor", {{"name", "custom"}, {"ram", 1024}, {"vcpus", 2}, {"disk", 10}, {"id", "custom-1"}}}};
  EXPECT_EQ(call(nova_, "POST", "/v2.1/flavors", demo_token(), flavor).status, 403u);
  auto created = call(nova_, "POST", "/v2.1/flavors", admin_, flavor);
  ASSERT_EQ(created.status, 200u) << created.body;
  EXPECT_EQ(body_of(created)["flavor"]["OS-FLV-EXT-DATA:ephemeral"], 0);
  EXPECT_EQ(call(nova_, "POST", "/v2.1/flavors", admin_, flavor).status, 409u);
  EXPECT_EQ(body_of(call(nova_, "GET", "/v2.1/flavors/custom-1/os-extra_specs", admin_))["extra_specs"], json::object());
  EXPECT_EQ(call(nova_, "DELETE", "/v2.1/flavors/custom-1", admin_).status, 202u);
  EXPECT_EQ(call(nova_, "GET", "/v2.1/flavors/custom-1", admin_).status, 404u);
}

TEST_F(nova_test, boot_goes_build_then_active_by_clock) {
  auto out = boot(admin_, "vm1");
  ASSERT_EQ(out.status, 202u) << out.body;
  auto created = body_of(out)["server"];
  auto id = created["id"].get<std::string>();
  EXPECT_EQ(out.headers["Location"], "http://127.0.0.1:8774/v2.1/servers/" + id);
  EXPECT_EQ(created["OS-DCF:diskConfig"], "MANUAL");
  EXPECT_EQ(created["security_groups"][0]["name"], "default");
  EXPECT_FALSE(created["adminPass"].get<std::string>().empty());

  auto building = show(admin_, id);
  EXPECT_EQ(building["status"], "BUILD");
  EXPECT_EQ(building["OS-EXT-STS:vm_state"], "building");
  EXPECT_EQ(building["OS-EXT-STS:task_state"], "scheduling");
  EXPECT_EQ(building["addresses"], json::object());
  EXPECT_EQ(building["image"]["id"], image_id_);
  EXPECT_EQ(building["flavor"]["id"], tiny_);

  advance(std::chrono::milliseconds{1999});
  EXPECT_EQ(show(admin_, id)["status"], "BUILD");
  advance(std::chrono::milliseconds{1});
  auto active = show(admin_, id);
  EXPECT_EQ(active["status"], "ACTIVE");
  EXPECT_EQ(active["OS-EXT-STS:power_state"], 1);
  EXPECT_TRUE(active["OS-EXT-STS:task_state"].is_null());
  EXPECT_EQ(active["OS-EXT-AZ:availability_zone"], "cloudlet-1");
  EXPECT_EQ(active["OS-EXT-SRV-ATTR:host"], "cloudlet-1-hv1");
  EXPECT_EQ(active["OS-SRV-USG:launched_at"], "2027-01-15T08:00:02.000000");
  EXPECT_EQ(active["addresses"]["net1"][0]["addr"], "192.168.0.2");
  EXPECT_EQ(active["addresses"]["net1"][0]["OS-EXT-IPS:type"], "fixed");
  EXPECT_EQ(active["hostId"].get<std::string>().size(), 56u);
  EXPECT_EQ(active["tenant_id"], ids_.admin_project_id());

  // The port Nova created is bound to the server.
  auto ports = body_of(call(neutron_, "GET", "/v2.0/ports?device_id=" + id, admin_))["ports"];
  ASSERT_EQ(ports.size(), 1u);
  EXPECT_EQ(ports[0]["device_owner"], "compute:cloudlet-1");
  EXPECT_EQ(ports[0]["status"], "ACTIVE");
}

TEST_F(nova_test, a_ports_floating_ip_is_in_the_servers_addresses) {
  // Nova's addresses list a port's floating IPs after its fixed ones, typed `floating` (Compute API
  // reference, "Show Server Details": addresses, OS-EXT-IPS:type).
  cloud_.networks.seed_external_network("public", "172.24.4.0/24", ids_.admin_project_id());
  auto externals = body_of(call(neutron_, "GET", "/v2.0/networks?name=public", admin_))["networks"];
  auto subnets = body_of(call(neutron_, "GET", "/v2.0/subnets?network_id=" + network_id_, admin_))["subnets"];
  auto router = body_of(call(neutron_, "POST", "/v2.0/routers", admin_,
                             {{"router", {{"name", "r"}, {"external_gateway_info", {{"network_id", externals[0]["id"]}}}}}}));
  ASSERT_EQ(call(neutron_, "PUT", "/v2.0/routers/" + router["router"]["id"].get<std::string>() + "/add_router_interface",
                 admin_, {{"subnet_id", subnets[0]["id"]}})
                .status,
            200u);
  auto id = boot_id(admin_, "vm1");
  advance(std::chrono::seconds{2});
  auto ports = body_of(call(neutron_, "GET", "/v2.0/ports?device_id=" + id, admin_))["ports"];
  ASSERT_EQ(ports.size(), 1u);
  EXPECT_EQ(show(admin_, id)["addresses"]["net1"].size(), 1u) << "no floating IP yet";
  auto fip = call(neutron_, "POST", "/v2.0/floatingips", admin_,
                  {{"floatingip", {{"floating_network_id", externals[0]["id"]}, {"port_id", ports[0]["id"]}}}});
  ASSERT_EQ(fip.status, 201u) << fip.body;
  auto address = body_of(fip)["floatingip"]["floating_ip_address"];

  auto shown = show(admin_, id)["addresses"]["net1"];
  ASSERT_EQ(shown.size(), 2u) << shown;
  EXPECT_EQ(shown[0]["OS-EXT-IPS:type"], "fixed");
  EXPECT_EQ(shown[1]["addr"], address);
  EXPECT_EQ(shown[1]["OS-EXT-IPS:type"], "floating");
  EXPECT_EQ(shown[1]["OS-EXT-IPS-MAC:mac_addr"], ports[0]["mac_address"]);
  EXPECT_EQ(shown[1]["version"], 4);
  // Disassociated, it is gone from the addresses.
  ASSERT_EQ(call(neutron_, "PUT", "/v2.0/floatingips/" + body_of(fip)["floatingip"]["id"].get<std::string>(), admin_,
                 {{"floatingip", {{"port_id", nullptr}}}})
                .status,
            200u);
  EXPECT_EQ(show(admin_, id)["addresses"]["net1"].size(), 1u);
}

TEST_F(nova_test, embedded_flavor_from_2_47) {
  auto id = boot_id(admin_, "vm");
  auto server = show(admin_, id, "2.47");
  EXPECT_EQ(server["flavor"]["original_name"], "m1.tiny");
  EXPECT_EQ(server["flavor"]["ram"], 512);
  EXPECT_FALSE(server["flavor"].contains("id"));
  auto latest = show(admin_, id, "latest");
  EXPECT_TRUE(latest.contains("locked"));
  EXPECT_TRUE(latest.contains("description"));
}

TEST_F(nova_test, capacity_is_consumed_and_given_back) {
  EXPECT_EQ(stats()["memory_mb_used"], 0);
  auto id = boot_id(admin_, "big", flavor_id(nova_, "m1.small"));   // 2048 MB, 20 GB, 1 vCPU
  auto used = stats();
  EXPECT_EQ(used["memory_mb_used"], 2048);
  EXPECT_EQ(used["local_gb_used"], 20);
  EXPECT_EQ(used["vcpus_used"], 1);
  EXPECT_EQ(used["running_vms"], 1);
  EXPECT_EQ(used["free_ram_mb"], 4096 - 2048);

  auto detail = body_of(call(nova_, "GET", "/v2.1/os-hypervisors/detail", admin_))["hypervisors"][0];
  EXPECT_EQ(detail["memory_mb_used"], 2048);
  EXPECT_EQ(detail["id"], 1);

  EXPECT_EQ(call(nova_, "DELETE", "/v2.1/servers/" + id, admin_).status, 204u);
  EXPECT_EQ(stats()["memory_mb_used"], 0);
  EXPECT_EQ(call(nova_, "GET", "/v2.1/servers/" + id, admin_).status, 404u);
  // Its port went with it.
  EXPECT_TRUE(body_of(call(neutron_, "GET", "/v2.0/ports?device_id=" + id, admin_))["ports"].empty());
}

TEST_F(nova_test, no_valid_host_means_error_with_fault) {
  auto small = flavor_id(nova_, "m1.small");
  boot_id(admin_, "first", small);
  boot_id(admin_, "second", small);   // the hypervisor's 4096 MB are now used up
  auto id = boot_id(admin_, "third");
  auto server = show(admin_, id);
  EXPECT_EQ(server["status"], "ERROR");
  EXPECT_EQ(server["OS-EXT-STS:vm_state"], "error");
  EXPECT_EQ(server["fault"]["code"], 500);
  EXPECT_NE(server["fault"]["message"].get<std::string>().find("No valid host"), std::string::npos);
  EXPECT_EQ(stats()["running_vms"], 2);
  // No port was plugged for it.
  EXPECT_TRUE(body_of(call(neutron_, "GET", "/v2.0/ports?device_id=" + id, admin_))["ports"].empty());
  EXPECT_EQ(call(nova_, "DELETE", "/v2.1/servers/" + id, admin_).status, 204u);
  EXPECT_EQ(stats()["running_vms"], 2);
}

TEST_F(nova_test, flavor_too_big_for_any_hypervisor_is_no_valid_host) {
  // m1.large (8192 MB) exceeds the only hypervisor's 4096 MB even when it is empty.
  auto id = boot_id(admin_, "too-big", flavor_id(nova_, "m1.large"));
  const std::string message = "No valid host was found. There are not enough hosts available.";
  auto server = show(admin_, id);
  EXPECT_EQ(server["status"], "ERROR");
  EXPECT_EQ(server["OS-EXT-STS:vm_state"], "error");
  EXPECT_TRUE(server["OS-EXT-STS:task_state"].is_null());
  EXPECT_EQ(server["fault"]["code"], 500);
  EXPECT_EQ(server["fault"]["message"], message);
  EXPECT_TRUE(server["fault"].contains("created"));
  EXPECT_EQ(server["addresses"], json::object());
  EXPECT_EQ(server["OS-EXT-AZ:availability_zone"], "");
  // Also in the detailed list, and the same later on: no build delay rescues it.
  advance(std::chrono::seconds{10});
  auto listed = body_of(call(nova_, "GET", "/v2.1/servers/detail", admin_))["servers"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["status"], "ERROR");
  EXPECT_EQ(listed[0]["fault"]["message"], message);
  EXPECT_EQ(stats()["running_vms"], 0);
  EXPECT_EQ(stats()["memory_mb_used"], 0);
}

TEST_F(nova_test, metadata_marker_round_trips) {
  // The agent marks servers with metadata; Nova has no metadata filter for users.
  const std::string gid = "5f0c2b1e-7d4a-8c3b-9e21-0a000005d4c0";
  json server = {{"name", "marked"}, {"imageRef", image_id_}, {"flavorRef", tiny_},
                 {"metadata", {{"fedstack_gid", gid}, {"role", "web"}}},
                 {"networks", json::array({{{"uuid", network_id_}}})}};
  auto out = call(nova_, "POST", "/v2.1/servers", admin_, {{"server", server}});
  ASSERT_EQ(out.status, 202u) << out.body;
  auto id = body_of(out)["server"]["id"].get<std::string>();
  boot_id(admin_, "plain");

  EXPECT_EQ(show(admin_, id)["metadata"]["fedstack_gid"], gid);
  EXPECT_EQ(show(admin_, id, "latest")["metadata"]["role"], "web");
  auto detail = body_of(call(nova_, "GET", "/v2.1/servers/detail", admin_))["servers"];
  ASSERT_EQ(detail.size(), 2u);
  for (const auto& item : detail) {
    auto expected = item["id"] == id ? json{{"fedstack_gid", gid}, {"role", "web"}} : json::object();
    EXPECT_EQ(item["metadata"], expected);
  }
  EXPECT_EQ(body_of(call(nova_, "GET", "/v2.1/servers/" + id + "/metadata/fedstack_gid", admin_))["meta"]["fedstack_gid"], gid);
  // Still there once the server is ACTIVE.
  advance(std::chrono::seconds{3});
  auto active = show(admin_, id);
  EXPECT_EQ(active["status"], "ACTIVE");
  EXPECT_EQ(active["metadata"]["fedstack_gid"], gid);
  // Metadata values must be strings.
  server["metadata"] = {{"fedstack_gid", 5}};
  EXPECT_EQ(call(nova_, "POST", "/v2.1/servers", admin_, {{"server", server}}).status, 400u);
}

TEST_F(nova_test, metadata_cannot_change_while_the_server_builds) {
  // Nova's update_instance_metadata and delete_instance_metadata check the vm_state (issue 18).
  auto id = boot_id(admin_, "vm");
  auto meta = "/v2.1/servers/" + id + "/metadata";
  auto refusal = "Cannot 'update metadata' instance " + id + " while it is in vm_state building";
  for (const auto& [method, tail, body] : {std::tuple{"POST", std::string{}, json{{"metadata", {{"k", "v"}}}}},
                                           std::tuple{"PUT", std::string{}, json{{"metadata", {{"k", "v"}}}}},
                                           std::tuple{"PUT", std::string{"/k"}, json{{"meta", {{"k", "v"}}}}}}) {
    auto out = call(nova_, method, meta + tail, admin_, body);
    EXPECT_EQ(out.status, 409u) << method << tail;
    EXPECT_EQ(body_of(out)["conflictingRequest"]["message"], refusal) << method << tail;
  }
  EXPECT_EQ(show(admin_, id)["metadata"], json::object());
  // Reads work, and a rename (PUT /servers/{id}) has no state check in Nova.
  EXPECT_EQ(call(nova_, "GET", meta, admin_).status, 200u);
  EXPECT_EQ(call(nova_, "PUT", "/v2.1/servers/" + id, admin_, {{"server", {{"name", "renamed"}}}}).status, 200u);
  // A bad body is still a 400 first, as Nova's schema check runs before the state check.
  EXPECT_EQ(call(nova_, "PUT", meta + "/k", admin_, {{"meta", {{"other", "v"}}}}).status, 400u);
  advance(std::chrono::seconds{2});
  ASSERT_EQ(call(nova_, "POST", meta, admin_, {{"metadata", {{"k", "v"}}}}).status, 200u);
  EXPECT_EQ(show(admin_, id)["metadata"], (json{{"k", "v"}}));
  auto demo = demo_token();
  auto booted = call(nova_, "POST", "/v2.1/servers", demo,
                     {{"server", {{"name", "d"}, {"imageRef", image_id_}, {"flavorRef", tiny_}, {"networks", "none"}}}},
                     {{"X-OpenStack-Nova-API-Version", "2.37"}});
  ASSERT_EQ(booted.status, 202u) << booted.body;
  std::string theirs = body_of(booted)["server"]["id"];
  auto deleting = call(nova_, "DELETE", "/v2.1/servers/" + theirs + "/metadata/k", demo);
  EXPECT_EQ(deleting.status, 404u);   // no such key: found missing before the state is checked
  // Locked: 409 for its owner, not for an admin.
  advance(std::chrono::seconds{2});
  ASSERT_EQ(call(nova_, "POST", "/v2.1/servers/" + theirs + "/action", demo, {{"lock", nullptr}}).status, 202u);
  auto locked = call(nova_, "POST", "/v2.1/servers/" + theirs + "/metadata", demo, {{"metadata", {{"k", "v"}}}});
  EXPECT_EQ(locked.status, 409u);
  EXPECT_EQ(body_of(locked)["conflictingRequest"]["message"], "Instance " + theirs + " is locked");
  EXPECT_EQ(call(nova_, "POST", "/v2.1/servers/" + theirs + "/metadata", admin_, {{"metadata", {{"k", "v"}}}}).status, 200u);
  auto delete_refused = call(nova_, "DELETE", "/v2.1/servers/" + theirs + "/metadata/k", demo);
  EXPECT_EQ(delete_refused.status, 409u);
}

TEST_F(nova_test, show_names_the_servers_group_from_2_71) {
  auto group = call(nova_, "POST", "/v2.1/os-server-groups", admin_, {{"server_group", {{"name", "g"}, {"policies", {"affinity"}}}}});
  ASSERT_EQ(group.status, 200u) << group.body;
  std::string group_id = body_of(group)["server_group"]["id"];
  json server = {{"name", "grouped"}, {"imageRef", image_id_}, {"flavorRef", tiny_}, {"networks", "none"}};
  auto out = call(nova_, "POST", "/v2.1/servers", admin_, {{"server", server}, {"os:scheduler_hints", {{"group", group_id}}}},
                  {{"X-OpenStack-Nova-API-Version", "2.37"}});
  ASSERT_EQ(out.status, 202u) << out.body;
  std::string id = body_of(out)["server"]["id"];
  auto plain = boot_id(admin_, "plain");
  EXPECT_FALSE(show(admin_, id, "2.70").contains("server_groups"));
  EXPECT_EQ(show(admin_, id, "2.71")["server_groups"], json::array({group_id}));
  EXPECT_EQ(show(admin_, plain, "2.71")["server_groups"], json::array());
  // Lists do not have it.
  auto detail = call(nova_, "GET", "/v2.1/servers/detail", admin_, nullptr, {{"X-OpenStack-Nova-API-Version", "2.71"}});
  EXPECT_FALSE(body_of(detail)["servers"][0].contains("server_groups"));
}

TEST_F(nova_test, default_flavors_have_each_cloudlets_own_ids_and_given_ids_are_kept) {
  cloudlet second{"cloudlet-2", data_dir_, options(), clock()};
  nova_api other{ids_, second};
  other.set_base_url("http://127.0.0.1:9774");
  auto flavors = [&](nova_api& nova) {
    std::map<std::string, json> seen;   // by name: the list is in ID order
    auto listed = body_of(call(nova, "GET", "/v2.1/flavors/detail", admin_))["flavors"];
    for (const auto& f : listed) seen[f["name"]] = {{"id", f["id"]}, {"shape", {f["ram"], f["disk"], f["vcpus"]}}};
    return seen;
  };
  auto here = flavors(nova_);
  auto there = flavors(other);
  const std::map<std::string, json> shapes{{"m1.tiny", {512, 1, 1}}, {"m1.small", {2048, 20, 1}},
                                           {"m1.medium", {4096, 40, 2}}, {"m1.large", {8192, 80, 4}}};
  ASSERT_EQ(here.size(), shapes.size());
  ASSERT_EQ(there.size(), shapes.size());
  for (const auto& [name, shape] : shapes) {
    // Same names and shapes, but another ID on each cloud, as on real clouds (docs/conformance.md).
    EXPECT_EQ(here[name]["shape"], shape) << name;
    EXPECT_EQ(there[name]["shape"], shape) << name;
    EXPECT_NE(here[name]["id"], there[name]["id"]) << name;
    EXPECT_EQ(here[name]["id"].get<std::string>().size(), 36u) << here[name]["id"];   // a UUID, as in the lab
  }
  // Deterministic: a cloudlet of the same region, restarted, seeds the same IDs.
  cloudlet again{"cloudlet-2", data_dir_, options(), clock()};
  nova_api restarted{ids_, again};
  EXPECT_EQ(flavors(restarted), there);

  // An admin may create a flavor under a chosen ID, the same on every cloudlet.
  const std::string id = "5f0c2b1e-7d4a-8c3b-9e21-0a000005d4c0";
  json flavor = {{"flavor", {{"name", "fed.small"}, {"ram", 1024}, {"vcpus", 1}, {"disk", 5}, {"id", id}}}};
  EXPECT_EQ(call(nova_, "POST", "/v2.1/flavors", demo_token(), flavor).status, 403u);
  for (auto* nova : {&nova_, &other}) {
    auto created = call(*nova, "POST", "/v2.1/flavors", admin_, flavor);
    ASSERT_EQ(created.status, 200u) << created.body;
    EXPECT_EQ(body_of(created)["flavor"]["id"], id);
    auto shown = call(*nova, "GET", "/v2.1/flavors/" + id, admin_);
    ASSERT_EQ(shown.status, 200u);
    EXPECT_EQ(body_of(shown)["flavor"]["name"], "fed.small");
  }
  // A numeric ID is kept as its string.
  json numbered = {{"flavor", {{"name", "fed.num"}, {"ram", 512}, {"vcpus", 1}, {"disk", 1}, {"id", 42}}}};
  EXPECT_EQ(body_of(call(nova_, "POST", "/v2.1/flavors", admin_, numbered))["flavor"]["id"], "42");
  // A server booted on the chosen ID reports it.
  auto booted = boot_id(admin_, "on-fed-flavor", id);
  EXPECT_EQ(show(admin_, booted)["flavor"]["id"], id);
}

// Nova keeps flavor IDs and names unique: a create repeating either is refused
// with 409 (nova/api/openstack/compute/flavor_manage.py turns FlavorIdExists and
// FlavorExists into HTTPConflict), and the ID is checked first.
TEST_F(nova_test, flavor_create_refuses_a_taken_name_or_id) {
  auto body = [](const std::string& name, const std::string& id) {
    return json{{"flavor", {{"name", name}, {"ram", 256}, {"vcpus", 1}, {"disk", 1}, {"id", id}}}};
  };
  auto taken_name = call(nova_, "POST", "/v2.1/flavors", admin_, body("m1.tiny", "fresh-id"));
  EXPECT_EQ(taken_name.status, 409u);
  EXPECT_EQ(body_of(taken_name),
            json::parse(R"({"conflictingRequest": {"code": 409, "message": "Flavor with name m1.tiny already exists."}})"));
  auto taken_id = call(nova_, "POST", "/v2.1/flavors", admin_, body("fresh-name", tiny_));
  EXPECT_EQ(taken_id.status, 409u);
  EXPECT_EQ(body_of(taken_id)["conflictingRequest"]["message"], "Flavor with ID " + tiny_ + " already exists.");
  auto both = call(nova_, "POST", "/v2.1/flavors", admin_, body("m1.tiny", tiny_));
  EXPECT_EQ(body_of(both)["conflictingRequest"]["message"], "Flavor with ID " + tiny_ + " already exists.");
  // Nothing was made by the refused creates.
  EXPECT_EQ(body_of(call(nova_, "GET", "/v2.1/flavors", admin_))["flavors"].size(), 4u);
  EXPECT_EQ(call(nova_, "GET", "/v2.1/flavors/fresh-id", admin_).status, 404u);
}

TEST_F(nova_test, a_boot_over_the_projects_quota_is_403_and_makes_nothing) {
  auto demo = demo_token();
  auto net = body_of(call(neutron_, "POST", "/v2.0/networks", demo, {{"network", {{"name", "demo-net"}}}}));
  std::string demo_net = net["network"]["id"];
  call(neutron_, "POST", "/v2.0/subnets", demo,
       {{"subnet", {{"network_id", demo_net}, {"cidr", "10.9.0.0/24"}, {"ip_version", 4}}}});
  auto boot_demo = [&](json server) {
    server.update({{"imageRef", image_id_}, {"flavorRef", tiny_}, {"networks", json::array({{{"uuid", demo_net}}})}});
    return call(nova_, "POST", "/v2.1/servers", demo, {{"server", server}});
  };
  auto first = boot_demo({{"name", "first"}});
  ASSERT_EQ(first.status, 202u) << first.body;
  std::string project = show(demo, body_of(first)["server"]["id"])["tenant_id"];
  auto ram = body_of(call(nova_, "GET", "/v2.1/flavors/" + tiny_, demo))["flavor"]["ram"].get<std::int64_t>();
  auto servers = [&] { return body_of(call(nova_, "GET", "/v2.1/servers?all_tenants=1", admin_))["servers"].size(); };
  auto ports = [&] { return body_of(call(neutron_, "GET", "/v2.0/ports", admin_))["ports"].size(); };
  ASSERT_EQ(call(nova_, "PUT", "/v2.1/os-quota-sets/" + project, admin_, {{"quota_set", {{"instances", 2}}}}).status, 200u);
  auto before_servers = servers(), before_ports = ports();

  auto refused = boot_demo({{"name", "two"}, {"min_count", 2}});
  ASSERT_EQ(refused.status, 403u) << refused.body;
  EXPECT_EQ(body_of(refused)["forbidden"]["message"],
            "Quota exceeded for instances: Requested 2, but already used 1 of 2 instances");
  EXPECT_EQ(servers(), before_servers) << "nothing made";
  EXPECT_EQ(ports(), before_ports);

  // max_count is lowered to what fits (Nova's compute API), when min_count fits.
  EXPECT_EQ(boot_demo({{"name", "some"}, {"min_count", 1}, {"max_count", 3}}).status, 202u);
  EXPECT_EQ(servers(), before_servers + 1);

  // RAM counts as well; another project has its own quota.
  ASSERT_EQ(call(nova_, "PUT", "/v2.1/os-quota-sets/" + project, admin_,
                 {{"quota_set", {{"instances", -1}, {"ram", 2 * ram}}}}).status, 200u);
  auto over_ram = boot_demo({{"name", "third"}});
  ASSERT_EQ(over_ram.status, 403u) << over_ram.body;
  EXPECT_EQ(body_of(over_ram)["forbidden"]["message"],
            "Quota exceeded for ram: Requested " + std::to_string(ram) + ", but already used " +
                std::to_string(2 * ram) + " of " + std::to_string(2 * ram) + " ram");
  EXPECT_EQ(boot(admin_, "admins").status, 202u);
}

TEST_F(nova_test, boot_validation) {
  EXPECT_EQ(boot(admin_, "x", "99").status, 400u);
  json server = {{"name", "x"}, {"imageRef", "00000000-0000-4000-8000-000000000000"}, {"flavorRef", tiny_}};
  EXPECT_EQ(call(nova_, "POST", "/v2.1/servers", admin_, {{"server", server}}).status, 400u);
  EXPECT_EQ(boot(admin_, "x", tiny_, json::array({{{"uuid", "00000000-0000-4000-8000-000000000000"}}})).status, 400u);
  // "none" needs 2.37; from 2.37 networks are required.
  server["imageRef"] = image_id_;
  server["networks"] = "none";
  EXPECT_EQ(call(nova_, "POST", "/v2.1/servers", admin_, {{"server", server}}).status, 400u);
  auto none = call(nova_, "POST", "/v2.1/servers", admin_, {{"server", server}}, {{"X-OpenStack-Nova-API-Version", "2.37"}});
  EXPECT_EQ(none.status, 202u) << none.body;
  server.erase("networks");
  EXPECT_EQ(call(nova_, "POST", "/v2.1/servers", admin_, {{"server", server}}, {{"X-OpenStack-Nova-API-Version", "2.37"}}).status, 400u);
  auto malformed = nova_.handle(make_request("POST", "/v2.1/servers", "{", {{"X-Auth-Token", admin_}}));
  EXPECT_EQ(malformed.status, 400u);
  EXPECT_TRUE(body_of(malformed).contains("badRequest"));
}

TEST_F(nova_test, list_newest_first_with_paging) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(boot_id(admin_, "vm-" + std::to_string(i)));
    advance(std::chrono::seconds{1});
  }
  auto all = body_of(call(nova_, "GET", "/v2.1/servers", admin_))["servers"];
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]["id"], ids[2]);
  EXPECT_EQ(all[0]["name"], "vm-2");

  auto page = body_of(call(nova_, "GET", "/v2.1/servers/detail?limit=2", admin_));
  ASSERT_EQ(page["servers"].size(), 2u);
  auto next = page["servers_links"][0]["href"].get<std::string>();
  EXPECT_NE(next.find("marker=" + ids[1]), std::string::npos);
  auto rest = body_of(call(nova_, "GET", next.substr(next.find("/v2.1")), admin_));
  ASSERT_EQ(rest["servers"].size(), 1u);
  EXPECT_EQ(rest["servers"][0]["id"], ids[0]);
  EXPECT_FALSE(rest.contains("servers_links"));

  EXPECT_EQ(call(nova_, "GET", "/v2.1/servers?marker=nope", admin_).status, 400u);
  EXPECT_EQ(body_of(call(nova_, "GET", "/v2.1/servers?name=vm-1", admin_))["servers"].size(), 1u);
  EXPECT_EQ(body_of(call(nova_, "GET", "/v2.1/servers?status=ACTIVE", admin_))["servers"].size(), 2u);
  // Legacy project prefix.
  auto legacy = call(nova_, "GET", "/v2.1/" + ids_.admin_project_id() + "/servers", admin_);
  EXPECT_EQ(body_of(legacy)["servers"].size(), 3u);
}

TEST_F(nova_test, list_sorted_by_sort_key_then_created_in_the_first_direction_with_paging) {
  // Booted in one second: names decide, then (same name) the creation order.
  std::vector<std::string> ids;
  for (const char* name : {"bravo", "alpha", "charlie", "alpha"}) ids.push_back(boot_id(admin_, name));
  auto names = [](const json& servers) {
    std::vector<std::string> out;
    for (const auto& s : servers) out.push_back(s["name"].get<std::string>());
    return out;
  };
  auto asc = body_of(call(nova_, "GET", "/v2.1/servers/detail?sort_key=display_name&sort_dir=asc", admin_))["servers"];
  EXPECT_EQ(names(asc), (std::vector<std::string>{"alpha", "alpha", "bravo", "charlie"}));
  EXPECT_EQ(asc[0]["id"], ids[1]) << "the older of the two first, as created_at asc";
  auto desc = body_of(call(nova_, "GET", "/v2.1/servers/detail?sort_key=display_name", admin_))["servers"];
  EXPECT_EQ(names(desc), (std::vector<std::string>{"charlie", "bravo", "alpha", "alpha"}));
  // A marker resumes in the sorted order.
  auto after = body_of(call(nova_, "GET", "/v2.1/servers/detail?sort_key=display_name&sort_dir=asc&marker=" + ids[3],
                            admin_))["servers"];
  EXPECT_EQ(names(after), (std::vector<std::string>{"bravo", "charlie"}));
}

TEST_F(nova_test, projects_are_isolated) {
  auto demo = demo_token();
  auto id = boot_id(admin_, "admin-vm");
  EXPECT_EQ(call(nova_, "GET", "/v2.1/servers/" + id, demo).status, 404u);
  EXPECT_TRUE(body_of(call(nova_, "GET", "/v2.1/servers/detail", demo))["servers"].empty());
  EXPECT_EQ(call(nova_, "DELETE", "/v2.1/servers/" + id, demo).status, 404u);
  EXPECT_EQ(call(nova_, "GET", "/v2.1/servers?all_tenants=1", demo).status, 403u);
  EXPECT_EQ(call(nova_, "GET", "/v2.1/os-hypervisors", demo).status, 403u);
  // The demo project cannot boot from nor reach admin's private network.
  EXPECT_EQ(boot(demo, "x").status, 400u);
  // The admin sees everything only when asking for all projects.
  auto demo_vm = call(nova_, "POST", "/v2.1/servers", demo,
                      {{"server", {{"name", "demo-vm"}, {"imageRef", image_id_}, {"flavorRef", tiny_}}}});
  ASSERT_EQ(demo_vm.status, 202u) << demo_vm.body;
  EXPECT_EQ(body_of(call(nova_, "GET", "/v2.1/servers", admin_))["servers"].size(), 1u);
  EXPECT_EQ(body_of(call(nova_, "GET", "/v2.1/servers?all_tenants=1", admin_))["servers"].size(), 2u);
  auto non_admin_view = body_of(call(nova_, "GET", "/v2.1/servers/" + body_of(demo_vm)["server"]["id"].get<std::string>(), demo))["server"];
  EXPECT_FALSE(non_admin_view.contains("OS-EXT-SRV-ATTR:host"));
}

TEST_F(nova_test, instance_actions_outlive_the_server_from_2_21_for_its_project) {
  auto id = boot_id(admin_, "vm");
  advance(std::chrono::seconds{10});   // ACTIVE
  ASSERT_EQ(call(nova_, "POST", "/v2.1/servers/" + id + "/action", admin_, {{"os-stop", nullptr}}).status, 202u);
  auto path = "/v2.1/servers/" + id + "/os-instance-actions";
  auto actions = [&](const std::string& version) {
    auto out = call(nova_, "GET", path, admin_, nullptr, {{"X-OpenStack-Nova-API-Version", version}});
    std::vector<std::string> names;
    auto doc = body_of(out);   // named: a range over a temporary's member dangles
    if (out.status == 200)
      for (const auto& a : doc["instanceActions"]) names.push_back(a["action"]);
    return std::make_pair(out.status, names);
  };
  EXPECT_EQ(actions("2.1"), std::make_pair(200u, std::vector<std::string>{"stop", "create"}));
  EXPECT_EQ(call(nova_, "GET", path, demo_token()).status, 404u) << "another project's";
  ASSERT_EQ(call(nova_, "DELETE", "/v2.1/servers/" + id, admin_).status, 204u);
  EXPECT_EQ(actions("2.20").first, 404u) << "a deleted server before 2.21";
  EXPECT_EQ(actions("2.21"), std::make_pair(200u, std::vector<std::string>{"delete", "stop", "create"}));
  auto listed = body_of(call(nova_, "GET", path, admin_, nullptr, {{"X-OpenStack-Nova-API-Version", "2.21"}}));
  auto request_id = listed["instanceActions"][2]["request_id"].get<std::string>();
  auto one = call(nova_, "GET", path + "/" + request_id, admin_, nullptr, {{"X-OpenStack-Nova-API-Version", "2.21"}});
  ASSERT_EQ(one.status, 200u) << one.body;
  auto shown = body_of(one)["instanceAction"];
  EXPECT_EQ(shown["action"], "create");
  EXPECT_EQ(shown["events"].size(), 1u);
  EXPECT_EQ(call(nova_, "GET", path, demo_token(), nullptr, {{"X-OpenStack-Nova-API-Version", "2.21"}}).status, 404u);
}

TEST_F(nova_test, hypervisor_views_follow_microversions) {
  auto v53 = body_of(call(nova_, "GET", "/v2.1/os-hypervisors/detail", admin_, nullptr, {{"X-OpenStack-Nova-API-Version", "2.53"}}));
  EXPECT_EQ(v53["hypervisors"][0]["id"].get<std::string>().size(), 36u);
  EXPECT_TRUE(v53["hypervisors"][0]["cpu_info"].is_object());
  auto v88 = body_of(call(nova_, "GET", "/v2.1/os-hypervisors/detail", admin_, nullptr, {{"X-OpenStack-Nova-API-Version", "2.88"}}));
  EXPECT_FALSE(v88["hypervisors"][0].contains("memory_mb"));
  EXPECT_TRUE(v88["hypervisors"][0].contains("uptime"));
  EXPECT_EQ(call(nova_, "GET", "/v2.1/os-hypervisors/statistics", admin_, nullptr, {{"X-OpenStack-Nova-API-Version", "2.88"}}).status, 404u);
  auto v1 = body_of(call(nova_, "GET", "/v2.1/os-hypervisors/detail", admin_));
  EXPECT_TRUE(v1["hypervisors"][0]["cpu_info"].is_string());
}

TEST_F(nova_test, availability_zone_limits_services) {
  auto zones = body_of(call(nova_, "GET", "/v2.1/os-availability-zone", admin_))["availabilityZoneInfo"];
  ASSERT_EQ(zones.size(), 1u);
  EXPECT_EQ(zones[0]["zoneName"], "cloudlet-1");
  boot_id(admin_, "vm");
  auto limits = body_of(call(nova_, "GET", "/v2.1/limits", admin_))["limits"]["absolute"];
  EXPECT_EQ(limits["totalInstancesUsed"], 1);
  EXPECT_EQ(limits["totalRAMUsed"], 512);
  auto services = body_of(call(nova_, "GET", "/v2.1/os-services", admin_))["services"];
  EXPECT_EQ(services.size(), 3u);
  EXPECT_EQ(body_of(call(nova_, "GET", "/v2.1/os-security-groups", admin_))["security_groups"].size(), 1u);
}

TEST_F(nova_test, security_groups_are_added_and_removed_by_name_or_id_in_the_project) {
  // nova/network/security_group_api.py, add_to_instance and remove_from_instance: 202, or 404.
  auto id = boot_id(admin_, "vm");
  advance(std::chrono::seconds{3});   // a building server's view shows no groups
  auto group = body_of(call(neutron_, "POST", "/v2.0/security-groups", admin_,
                            {{"security_group", {{"name", "web"}}}}))["security_group"]["id"].get<std::string>();
  auto act = [&](json body) { return call(nova_, "POST", "/v2.1/servers/" + id + "/action", admin_, body); };
  auto names = [&] {
    std::vector<std::string> out;
    auto server = show(admin_, id);   // named: a range over a temporary's member dangles
    for (const auto& g : server["security_groups"]) out.push_back(g["name"]);
    return out;
  };
  auto missing = act({{"addSecurityGroup", {{"name", "nosuch"}}}});
  EXPECT_EQ(missing.status, 404u);
  EXPECT_NE(missing.body.find("Security group nosuch is not found for project"), std::string::npos) << missing.body;
  EXPECT_EQ(act({{"addSecurityGroup", {{"name", "web"}}}}).status, 202u);
  EXPECT_EQ(names(), (std::vector<std::string>{"default", "web"}));
  EXPECT_EQ(act({{"removeSecurityGroup", {{"name", group}}}}).status, 202u) << "by its ID";
  EXPECT_EQ(names(), std::vector<std::string>{"default"});
  auto again = act({{"removeSecurityGroup", {{"name", "web"}}}});
  EXPECT_EQ(again.status, 404u);
  EXPECT_NE(again.body.find("not associated with the instance"), std::string::npos) << again.body;
}

TEST_F(nova_test, the_security_group_proxy_creates_and_deletes_in_neutron_before_2_36) {
  // nova/api/openstack/compute/security_groups.py: create 200, delete 202 (Tempest's
  // compute tests make their groups this way).
  auto made = call(nova_, "POST", "/v2.1/os-security-groups", admin_,
                   {{"security_group", {{"name", "web"}, {"description", "d"}}}});
  ASSERT_EQ(made.status, 200u) << made.body;
  auto id = body_of(made)["security_group"]["id"].get<std::string>();
  EXPECT_EQ(call(neutron_, "GET", "/v2.0/security-groups/" + id, admin_).status, 200u) << "made in Neutron";
  EXPECT_EQ(call(nova_, "POST", "/v2.1/os-security-groups", admin_, {{"security_group", {{"description", "d"}}}}).status,
            400u);
  EXPECT_EQ(call(nova_, "DELETE", "/v2.1/os-security-groups/" + id, admin_).status, 202u);
  EXPECT_EQ(call(neutron_, "GET", "/v2.0/security-groups/" + id, admin_).status, 404u);
  EXPECT_EQ(call(nova_, "DELETE", "/v2.1/os-security-groups/" + id, admin_).status, 404u);
  const header_map v236{{"X-OpenStack-Nova-API-Version", "2.36"}};
  EXPECT_EQ(call(nova_, "POST", "/v2.1/os-security-groups", admin_, {{"security_group", {{"name", "x"}}}}, v236).status,
            404u);
}

TEST_F(nova_test, a_rebuild_at_2_54_sets_a_key_the_user_has) {
  auto id = boot_id(admin_, "vm");
  advance(std::chrono::seconds{3});
  ASSERT_LT(call(nova_, "POST", "/v2.1/os-keypairs", admin_,
                 {{"keypair", {{"name", "k"}, {"public_key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey a@b"}}}})
              .status, 300u);
  const header_map v254{{"X-OpenStack-Nova-API-Version", "2.54"}};
  auto rebuild = [&](const std::string& key) {
    return call(nova_, "POST", "/v2.1/servers/" + id + "/action", admin_,
                {{"rebuild", {{"imageRef", image_id_}, {"key_name", key}}}}, v254);
  };
  auto refused = rebuild("nosuch");
  EXPECT_EQ(refused.status, 400u);
  EXPECT_NE(refused.body.find("Invalid key_name provided."), std::string::npos) << refused.body;
  EXPECT_EQ(rebuild("k").status, 202u);
  EXPECT_EQ(show(admin_, id)["key_name"], "k");
}

TEST_F(nova_test, stop_and_start) {
  auto id = boot_id(admin_, "vm");
  EXPECT_EQ(call(nova_, "POST", "/v2.1/servers/" + id + "/action", admin_, {{"os-stop", nullptr}}).status, 409u);
  advance(std::chrono::seconds{3});
  EXPECT_EQ(call(nova_, "POST", "/v2.1/servers/" + id + "/action", admin_, {{"os-stop", nullptr}}).status, 202u);
  EXPECT_EQ(show(admin_, id)["status"], "SHUTOFF");
  EXPECT_EQ(call(nova_, "POST", "/v2.1/servers/" + id + "/action", admin_, {{"os-start", nullptr}}).status, 202u);
  EXPECT_EQ(show(admin_, id)["status"], "ACTIVE");
}

TEST_F(nova_test, keypairs_and_boot_with_key) {
  auto created = call(nova_, "POST", "/v2.1/os-keypairs", admin_,
                      {{"keypair", {{"name", "k1"}, {"public_key", "ssh-ed25519 AAAAC3Nza test"}}}},
                      {{"X-OpenStack-Nova-API-Version", "2.2"}});
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(body_of(created)["keypair"]["fingerprint"].get<std::string>().size(), 47u);
  EXPECT_EQ(call(nova_, "POST", "/v2.1/os-keypairs", admin_, {{"keypair", {{"name", "k1"}}}}).status, 409u);
  EXPECT_EQ(body_of(call(nova_, "GET", "/v2.1/os-keypairs", admin_))["keypairs"].size(), 1u);
  // Key pairs belong to their user.
  EXPECT_TRUE(body_of(call(nova_, "GET", "/v2.1/os-keypairs", demo_token()))["keypairs"].empty());

  json server = {{"name", "keyed"}, {"imageRef", image_id_}, {"flavorRef", tiny_}, {"key_name", "k1"},
                 {"networks", json::array({{{"uuid", network_id_}}})}};
  auto out = call(nova_, "POST", "/v2.1/servers", admin_, {{"server", server}});
  ASSERT_EQ(out.status, 202u) << out.body;
  EXPECT_EQ(show(admin_, body_of(out)["server"]["id"])["key_name"], "k1");
  server["key_name"] = "missing";
  EXPECT_EQ(call(nova_, "POST", "/v2.1/servers", admin_, {{"server", server}}).status, 400u);
  EXPECT_EQ(call(nova_, "DELETE", "/v2.1/os-keypairs/k1", admin_).status, 202u);
}

TEST_F(nova_test, a_keypairs_fingerprint_is_novas_md5_of_the_key_data_without_the_comment) {
  // A real ed25519 key; `ssh-keygen -l -E md5` gives d2:8e:...:8d for it.
  const std::string key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAn4PsaEkjb50vUVoSo/hnjls20ymYA5EVhek3W5D0DK";
  auto fingerprint_of = [&](const std::string& name, const std::string& public_key) {
    auto made = call(nova_, "POST", "/v2.1/os-keypairs", admin_,
                     {{"keypair", {{"name", name}, {"public_key", public_key}}}});
    EXPECT_EQ(made.status, 200u) << made.body;
    return body_of(made)["keypair"]["fingerprint"].get<std::string>();
  };
  EXPECT_EQ(fingerprint_of("plain", key), "d2:8e:d3:1c:20:d4:e8:c2:12:99:ae:6f:9a:8e:76:8d");
  EXPECT_EQ(fingerprint_of("commented", key + " alice@laptop"), fingerprint_of("marked", key + " alice@laptop x=y"));
  EXPECT_EQ(fingerprint_of("placeholder", "ssh-rsa AAAA one"), fingerprint_of("placeholder2", "ssh-rsa AAAA two"));
  EXPECT_NE(fingerprint_of("other", "ssh-rsa AAAB one"), fingerprint_of("other2", "ssh-rsa AAAA one"));
}

TEST_F(nova_test, existing_port_is_bound_and_released) {
  auto port = body_of(call(neutron_, "POST", "/v2.0/ports", admin_, {{"port", {{"network_id", network_id_}}}}))["port"];
  auto port_id = port["id"].get<std::string>();
  auto out = boot(admin_, "on-port", tiny_, json::array({{{"port", port_id}}}));
  ASSERT_EQ(out.status, 202u) << out.body;
  auto id = body_of(out)["server"]["id"].get<std::string>();
  EXPECT_EQ(body_of(call(neutron_, "GET", "/v2.0/ports/" + port_id, admin_))["port"]["device_id"], id);
  // A port in use cannot be taken twice.
  EXPECT_EQ(boot(admin_, "again", tiny_, json::array({{{"port", port_id}}})).status, 409u);
  EXPECT_EQ(call(nova_, "DELETE", "/v2.1/servers/" + id, admin_).status, 204u);
  auto released = body_of(call(neutron_, "GET", "/v2.0/ports/" + port_id, admin_))["port"];
  EXPECT_EQ(released["device_id"], "");
}

TEST_F(nova_test, cli_side_calls) {
  EXPECT_EQ(body_of(call(nova_, "GET", "/v2.1/os-aggregates", admin_))["aggregates"].size(), 0u);
  auto uptime = call(nova_, "GET", "/v2.1/os-hypervisors/1/uptime", admin_);
  ASSERT_EQ(uptime.status, 200u);
  EXPECT_TRUE(body_of(uptime)["hypervisor"].contains("uptime"));
  EXPECT_EQ(body_of(call(nova_, "GET", "/v2.1/os-hypervisors/1", admin_))["hypervisor"]["hypervisor_hostname"], "cloudlet-1-hv1");
}

} // namespace
} // namespace fedstack::sim::testing
