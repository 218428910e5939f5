#include <set>

#include "sim_fixture.hpp"

namespace fedstack::sim::testing {
namespace {

class neutron_test : public sim_fixture {
protected:
  json create(const std::string& token, const std::string& collection, const std::string& key, const json& body) {
    auto out = call(neutron_, "POST", "/v2.0/" + collection, token, {{key, body}});
    EXPECT_EQ(out.status, 201u) << out.body;
    return body_of(out)[key];
  }
};

TEST_F(neutron_test, versions_and_resource_index) {
  auto root = neutron_.handle(make_request("GET", "/"));
  EXPECT_EQ(root.status, 200u);
  EXPECT_EQ(body_of(root)["versions"][0]["links"][0]["href"], "http://127.0.0.1:9696/v2.0/");
  auto admin = admin_token();
  auto no_slash = call(neutron_, "GET", "/v2.0", admin);
  EXPECT_EQ(no_slash.status, 404u);
  EXPECT_EQ(body_of(no_slash)["NeutronError"]["type"], "HTTPNotFound");
  EXPECT_EQ(body_of(call(neutron_, "GET", "/v2.0/", admin))["resources"].size(), 4u);
  EXPECT_GT(body_of(call(neutron_, "GET", "/v2.0/extensions", admin))["extensions"].size(), 60u);
}

// Real Neutron (Zed, ML2, lab 2026-11-29): "is_default" in the create's answer, not in show or list.
TEST_F(neutron_test, is_default_only_in_the_create_answer) {
  auto admin = admin_token();
  auto net = create(admin, "networks", "network", {{"name", "dflt"}});
  EXPECT_EQ(net["is_default"], false);
  auto id = net["id"].get<std::string>();
  EXPECT_FALSE(body_of(call(neutron_, "GET", "/v2.0/networks/" + id, admin))["network"].contains("is_default"));
  auto networks = body_of(call(neutron_, "GET", "/v2.0/networks", admin))["networks"];   // kept, not a temporary's member
  ASSERT_FALSE(networks.empty());
  for (const auto& n : networks) EXPECT_FALSE(n.contains("is_default"));
}

TEST_F(neutron_test, network_subnet_port_lifecycle) {
  auto admin = admin_token();
  auto net = create(admin, "networks", "network", {{"name", "dbg-net"}, {"admin_state_up", true}});
  EXPECT_EQ(net["status"], "ACTIVE");
  EXPECT_EQ(net["mtu"], 1450);
  EXPECT_EQ(net["project_id"], ids_.admin_project_id());
  EXPECT_EQ(net["tenant_id"], ids_.admin_project_id());
  EXPECT_EQ(net["revision_number"], 1);
  EXPECT_EQ(net["provider:network_type"], "vxlan");
  EXPECT_EQ(net["router:external"], false);
  auto net_id = net["id"].get<std::string>();

  auto subnet = create(admin, "subnets", "subnet",
                       {{"network_id", net_id}, {"ip_version", 4}, {"cidr", "10.0.0.0/24"}, {"name", "dbg-sub"}});
  EXPECT_EQ(subnet["gateway_ip"], "10.0.0.1");
  EXPECT_EQ(subnet["allocation_pools"], json::parse(R"([{"start":"10.0.0.2","end":"10.0.0.254"}])"));
  EXPECT_EQ(subnet["enable_dhcp"], true);
  auto shown = body_of(call(neutron_, "GET", "/v2.0/networks/" + net_id, admin))["network"];
  EXPECT_EQ(shown["subnets"], json::array({subnet["id"]}));
  EXPECT_EQ(shown["revision_number"], 2);

  auto port1 = create(admin, "ports", "port", {{"network_id", net_id}, {"name", "p1"}});
  auto port2 = create(admin, "ports", "port", {{"network_id", net_id}, {"name", "p2"}});
  EXPECT_EQ(port1["fixed_ips"][0]["ip_address"], "10.0.0.2");
  EXPECT_EQ(port2["fixed_ips"][0]["ip_address"], "10.0.0.3");
  EXPECT_EQ(port1["fixed_ips"][0]["subnet_id"], subnet["id"]);
  EXPECT_EQ(port1["mac_address"].get<std::string>().substr(0, 9), "fa:16:3e:");
  EXPECT_EQ(port1["status"], "DOWN");
  EXPECT_EQ(port1["security_groups"].size(), 1u);

  auto taken = call(neutron_, "POST", "/v2.0/ports", admin,
                    {{"port", {{"network_id", net_id}, {"fixed_ips", {{{"ip_address", "10.0.0.3"}}}}}}});
  EXPECT_EQ(taken.status, 409u);
  EXPECT_EQ(body_of(taken)["NeutronError"]["type"], "IpAddressAlreadyAllocated");

  // A network with ports cannot go; its subnet cannot either.
  auto in_use = call(neutron_, "DELETE", "/v2.0/networks/" + net_id, admin);
  EXPECT_EQ(in_use.status, 409u);
  EXPECT_EQ(body_of(in_use)["NeutronError"]["type"], "NetworkInUse");
  EXPECT_EQ(call(neutron_, "DELETE", "/v2.0/subnets/" + subnet["id"].get<std::string>(), admin).status, 409u);

  EXPECT_EQ(call(neutron_, "DELETE", "/v2.0/ports/" + port1["id"].get<std::string>(), admin).status, 204u);
  EXPECT_EQ(call(neutron_, "DELETE", "/v2.0/ports/" + port2["id"].get<std::string>(), admin).status, 204u);
  EXPECT_EQ(call(neutron_, "DELETE", "/v2.0/networks/" + net_id, admin).status, 204u);
  // Deleting the network took its subnet along.
  EXPECT_EQ(call(neutron_, "GET", "/v2.0/subnets/" + subnet["id"].get<std::string>(), admin).status, 404u);
  auto missing = call(neutron_, "GET", "/v2.0/networks/" + net_id, admin);
  EXPECT_EQ(body_of(missing)["NeutronError"]["type"], "NetworkNotFound");
}

TEST_F(neutron_test, subnet_validation) {
  auto admin = admin_token();
  auto net_id = create(admin, "networks", "network", {{"name", "n"}})["id"].get<std::string>();
  auto bad = call(neutron_, "POST", "/v2.0/subnets", admin,
                  {{"subnet", {{"network_id", net_id}, {"ip_version", 4}, {"cidr", "10.0.0.5/24"}}}});
  EXPECT_EQ(bad.status, 400u);
  create(admin, "subnets", "subnet", {{"network_id", net_id}, {"ip_version", 4}, {"cidr", "10.1.0.0/16"}});
  auto overlap = call(neutron_, "POST", "/v2.0/subnets", admin,
                      {{"subnet", {{"network_id", net_id}, {"ip_version", 4}, {"cidr", "10.1.2.0/24"}}}});
  EXPECT_EQ(overlap.status, 400u);
  auto v6 = create(admin, "subnets", "subnet", {{"network_id", net_id}, {"ip_version", 6}, {"cidr", "fd00::/64"}});
  EXPECT_EQ(v6["gateway_ip"], "fd00::1");
  auto port = create(admin, "ports", "port", {{"network_id", net_id}});
  EXPECT_EQ(port["fixed_ips"].size(), 2u);
}

TEST_F(neutron_test, small_subnet_runs_out_of_addresses) {
  auto admin = admin_token();
  auto net_id = create(admin, "networks", "network", {{"name", "tiny"}})["id"].get<std::string>();
  create(admin, "subnets", "subnet", {{"network_id", net_id}, {"cidr", "10.9.0.0/30"}});
  create(admin, "ports", "port", {{"network_id", net_id}});   // .2 (.1 is the gateway)
  auto out = call(neutron_, "POST", "/v2.0/ports", admin, {{"port", {{"network_id", net_id}}}});
  EXPECT_EQ(out.status, 409u);
  EXPECT_EQ(body_of(out)["NeutronError"]["type"], "IpAddressGenerationFailure");
}

TEST_F(neutron_test, list_filters_and_pages) {
  auto admin = admin_token();
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(create(admin, "networks", "network", {{"name", "net-" + std::to_string(i)}})["id"]);
  auto by_name = body_of(call(neutron_, "GET", "/v2.0/networks?name=net-1", admin))["networks"];
  ASSERT_EQ(by_name.size(), 1u);
  EXPECT_EQ(by_name[0]["id"], ids[1]);
  auto two_names = body_of(call(neutron_, "GET", "/v2.0/networks?name=net-0&name=net-2", admin))["networks"];
  EXPECT_EQ(two_names.size(), 2u);
  auto by_id = body_of(call(neutron_, "GET", "/v2.0/networks?id=" + ids[2], admin))["networks"];
  EXPECT_EQ(by_id.size(), 1u);
  EXPECT_EQ(body_of(call(neutron_, "GET", "/v2.0/networks?admin_state_up=True", admin))["networks"].size(), 3u);

  auto page = body_of(call(neutron_, "GET", "/v2.0/networks?limit=2", admin));
  ASSERT_EQ(page["networks"].size(), 2u);
  ASSERT_TRUE(page.contains("networks_links"));
  auto next = page["networks_links"][0]["href"].get<std::string>();
  EXPECT_EQ(page["networks_links"][0]["rel"], "next");
  auto rest = body_of(call(neutron_, "GET", next.substr(next.find("/v2.0")), admin));
  ASSERT_EQ(rest["networks"].size(), 1u);
  EXPECT_EQ(rest["networks"][0]["id"], ids[2]);
  EXPECT_FALSE(rest.contains("networks_links"));

  auto fields = body_of(call(neutron_, "GET", "/v2.0/networks?fields=id&fields=name", admin))["networks"][0];
  EXPECT_EQ(fields.size(), 2u);

  auto port = create(admin, "ports", "port", {{"network_id", ids[0]}});
  auto by_network = body_of(call(neutron_, "GET", "/v2.0/ports?network_id=" + ids[0], admin))["ports"];
  EXPECT_EQ(by_network.size(), 1u);
  EXPECT_TRUE(body_of(call(neutron_, "GET", "/v2.0/ports?network_id=" + ids[1], admin))["ports"].empty());
}

TEST_F(neutron_test, tag_markers_find_networks_subnets_and_ports) {
  // The agent tags what it creates "fedstack_gid=<id>"; '=' and ':' must survive
  // the path and the filter, raw or percent-encoded.
  auto admin = admin_token();
  const std::string marker = "fedstack_gid=5f0c2b1e-7d4a-8c3b-9e21-0a000005d4c0";
  const std::string with_colon = "owner=10.0.0.5:7100";
  auto net = create(admin, "networks", "network", {{"name", "marked"}})["id"].get<std::string>();
  auto other_net = create(admin, "networks", "network", {{"name", "plain"}})["id"].get<std::string>();
  auto subnet = create(admin, "subnets", "subnet", {{"network_id", net}, {"cidr", "10.1.0.0/24"}})["id"].get<std::string>();
  create(admin, "subnets", "subnet", {{"network_id", other_net}, {"cidr", "10.2.0.0/24"}});
  auto port = create(admin, "ports", "port", {{"network_id", net}})["id"].get<std::string>();
  create(admin, "ports", "port", {{"network_id", net}});

  for (const auto& [collection, id] : {std::pair{std::string{"networks"}, net}, std::pair{std::string{"subnets"}, subnet},
                                       std::pair{std::string{"ports"}, port}}) {
    SCOPED_TRACE(collection);
    auto key = collection.substr(0, collection.size() - 1);
    auto tagged = call(neutron_, "PUT", "/v2.0/" + collection + "/" + id + "/tags/" + marker, admin);
    EXPECT_EQ(tagged.status, 201u) << tagged.body;
    auto encoded = call(neutron_, "PUT", "/v2.0/" + collection + "/" + id + "/tags/" + url_encode(with_colon), admin);
    EXPECT_EQ(encoded.status, 201u) << encoded.body;
    auto shown = body_of(call(neutron_, "GET", "/v2.0/" + collection + "/" + id, admin))[key];
    EXPECT_EQ(shown["tags"], json::array({marker, with_colon}));

    for (const auto& query : {"tags=" + marker, "tags=" + url_encode(marker), "tags=" + url_encode(with_colon),
                              "tags-any=" + url_encode(marker + ",missing"), "tags=" + marker + "," + with_colon}) {
      auto found = body_of(call(neutron_, "GET", "/v2.0/" + collection + "?" + query, admin))[collection];
      ASSERT_EQ(found.size(), 1u) << query;
      EXPECT_EQ(found[0]["id"], id);
    }
    EXPECT_TRUE(body_of(call(neutron_, "GET", "/v2.0/" + collection + "?tags=" + marker + ",missing", admin))[collection].empty());
    auto rest = body_of(call(neutron_, "GET", "/v2.0/" + collection + "?not-tags=" + url_encode(marker), admin))[collection];
    EXPECT_EQ(rest.size(), 1u);
    EXPECT_NE(rest[0]["id"], id);
  }

  // A tag can be removed by its name again.
  EXPECT_EQ(call(neutron_, "DELETE", "/v2.0/networks/" + net + "/tags/" + url_encode(marker), admin).status, 204u);
  EXPECT_TRUE(body_of(call(neutron_, "GET", "/v2.0/networks?tags=" + marker, admin))["networks"].empty());
}

TEST_F(neutron_test, a_resources_tags_are_read_as_neutrons_tagging_extension_answers) {
  // GET .../tags: {"tags": [...]}; GET .../tags/{tag}: 204, or 404 TagNotFound.
  auto admin = admin_token();
  auto net = create(admin, "networks", "network", {{"name", "tagged"}})["id"].get<std::string>();
  auto item = "/v2.0/networks/" + net;
  EXPECT_EQ(body_of(call(neutron_, "GET", item + "/tags", admin)), json({{"tags", json::array()}}));
  ASSERT_EQ(call(neutron_, "PUT", item + "/tags", admin, json{{"tags", {"red", "blue"}}}).status, 200u);
  auto listed = call(neutron_, "GET", item + "/tags", admin);
  ASSERT_EQ(listed.status, 200u) << listed.body;
  EXPECT_EQ(body_of(listed), json({{"tags", {"red", "blue"}}}));
  EXPECT_EQ(call(neutron_, "GET", item + "/tags/red", admin).status, 204u);
  auto missing = call(neutron_, "GET", item + "/tags/green", admin);
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(body_of(missing)["NeutronError"]["type"], "TagNotFound") << missing.body;
  EXPECT_EQ(call(neutron_, "GET", item + "/tags", demo_token()).status, 404u) << "another project's network";
  EXPECT_EQ(call(neutron_, "GET", "/v2.0/networks/no-such-network/tags", admin).status, 404u);
}

TEST_F(neutron_test, tags_in_create_bodies_follow_the_extension_list) {
  // The captured Zed lists standard-attr-tag only: no tag-creation and no
  // tag-ports-during-bulk-creation. Networks and subnets refuse "tags" on POST;
  // ports accept it but keep no tags.
  auto admin = admin_token();
  auto aliases = [&] {
    std::set<std::string> out;
    auto extensions = body_of(call(neutron_, "GET", "/v2.0/extensions", admin))["extensions"];
    for (const auto& e : extensions) out.insert(e["alias"].get<std::string>());
    return out;
  }();
  EXPECT_TRUE(aliases.count("standard-attr-tag"));
  EXPECT_FALSE(aliases.count("tag-creation"));
  EXPECT_FALSE(aliases.count("tag-ports-during-bulk-creation"));

  json tags = json::array({"fedstack_gid=5f0c2b1e-7d4a-8c3b-9e21-0a000005d4c0"});
  auto refused = call(neutron_, "POST", "/v2.0/networks", admin, {{"network", {{"name", "n"}, {"tags", tags}}}});
  EXPECT_EQ(refused.status, 400u);
  EXPECT_EQ(body_of(refused)["NeutronError"]["type"], "HTTPBadRequest");
  EXPECT_EQ(body_of(refused)["NeutronError"]["message"], "Attribute 'tags' not allowed in POST");
  EXPECT_TRUE(body_of(call(neutron_, "GET", "/v2.0/networks", admin))["networks"].empty());

  auto net = create(admin, "networks", "network", {{"name", "n"}})["id"].get<std::string>();
  auto subnet = call(neutron_, "POST", "/v2.0/subnets", admin,
                     {{"subnet", {{"network_id", net}, {"cidr", "10.3.0.0/24"}, {"tags", tags}}}});
  EXPECT_EQ(subnet.status, 400u);
  EXPECT_EQ(body_of(subnet)["NeutronError"]["message"], "Attribute 'tags' not allowed in POST");
  // Bulk creates are all or nothing, so one tagged item refuses the lot.
  auto bulk = call(neutron_, "POST", "/v2.0/networks", admin,
                   {{"networks", json::array({{{"name", "a"}}, {{"name", "b"}, {"tags", tags}}})}});
  EXPECT_EQ(bulk.status, 400u);
  EXPECT_EQ(body_of(call(neutron_, "GET", "/v2.0/networks", admin))["networks"].size(), 1u);

  auto port = create(admin, "ports", "port", {{"network_id", net}, {"tags", tags}});
  EXPECT_EQ(port["tags"], json::array());
  EXPECT_TRUE(body_of(call(neutron_, "GET", "/v2.0/ports?tags=" + tags[0].get<std::string>(), admin))["ports"].empty());
  auto bad_port = call(neutron_, "POST", "/v2.0/ports", admin, {{"port", {{"network_id", net}, {"tags", "x"}}}});
  EXPECT_EQ(bad_port.status, 400u);
}

TEST_F(neutron_test, projects_are_isolated_and_default_group_exists) {
  auto admin = admin_token();
  auto demo = demo_token();
  auto private_net = create(admin, "networks", "network", {{"name", "admin-net"}})["id"].get<std::string>();
  auto shared_net = create(admin, "networks", "network", {{"name", "shared"}, {"shared", true}})["id"].get<std::string>();
  EXPECT_EQ(call(neutron_, "GET", "/v2.0/networks/" + private_net, demo).status, 404u);
  auto visible = body_of(call(neutron_, "GET", "/v2.0/networks", demo))["networks"];
  ASSERT_EQ(visible.size(), 1u);
  EXPECT_EQ(visible[0]["id"], shared_net);
  EXPECT_FALSE(visible[0].contains("provider:network_type"));   // admin-only attribute
  EXPECT_EQ(call(neutron_, "POST", "/v2.0/networks", demo, {{"network", {{"shared", true}}}}).status, 403u);

  auto groups = body_of(call(neutron_, "GET", "/v2.0/security-groups", demo))["security_groups"];
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0]["name"], "default");
  EXPECT_EQ(groups[0]["security_group_rules"].size(), 4u);
  auto id = groups[0]["id"].get<std::string>();
  EXPECT_EQ(call(neutron_, "DELETE", "/v2.0/security-groups/" + id, demo).status, 409u);
  EXPECT_EQ(call(neutron_, "DELETE", "/v2.0/security-groups/" + id, admin).status, 204u);
}

TEST_F(neutron_test, malformed_json_and_unknown_paths) {
  auto admin = admin_token();
  auto bad = neutron_.handle(make_request("POST", "/v2.0/networks", "{not json", {{"X-Auth-Token", admin}}));
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(body_of(bad)["NeutronError"]["detail"], "");
  EXPECT_EQ(call(neutron_, "GET", "/v2.0/bogus", admin).status, 404u);
  EXPECT_EQ(call(neutron_, "PATCH", "/v2.0/networks", admin).status, 405u);
  EXPECT_EQ(call(neutron_, "GET", "/v2.0/networks", "").status, 401u);
  EXPECT_EQ(body_of(call(neutron_, "GET", "/v2.0/routers", admin))["routers"].size(), 0u);
}

TEST_F(neutron_test, a_routers_gateway_network_id_must_be_a_uuid_and_an_empty_gateway_is_none) {
  auto demo = demo_token();
  // Neutron's answer on the lab to `"external_gateway_info": {"network_id": ""}`.
  for (const json& id : {json(""), json("public"), json(7)}) {
    auto bad = call(neutron_, "POST", "/v2.0/routers", demo,
                    {{"router", {{"name", "r"}, {"external_gateway_info", {{"network_id", id}}}}}});
    EXPECT_EQ(bad.status, 400u) << id;
    EXPECT_NE(body_of(bad)["NeutronError"]["message"].get<std::string>().find("is not a valid UUID"),
              std::string::npos) << bad.body;
  }
  EXPECT_EQ(body_of(call(neutron_, "GET", "/v2.0/routers", demo))["routers"].size(), 0u);   // nothing made
  auto made = create(demo, "routers", "router", {{"name", "r"}, {"external_gateway_info", json::object()}});
  EXPECT_TRUE(made["external_gateway_info"].is_null()) << made;
  auto renamed = call(neutron_, "PUT", "/v2.0/routers/" + made["id"].get<std::string>(), demo,
                      {{"router", {{"name", "s"}, {"external_gateway_info", {{"network_id", ""}}}}}});
  EXPECT_EQ(renamed.status, 400u);
  auto shown = body_of(call(neutron_, "GET", "/v2.0/routers/" + made["id"].get<std::string>(), demo))["router"];
  EXPECT_EQ(shown["name"], "r");   // refused before anything changed
}

TEST_F(neutron_test, quotas_in_neutrons_shapes_with_usage_and_an_admins_update) {
  auto admin = admin_token(), demo = demo_token();
  auto net = create(demo, "networks", "network", {{"name", "mine"}});
  std::string project = net["project_id"];
  auto shown = call(neutron_, "GET", "/v2.0/quotas/" + project, demo);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_EQ(body_of(shown)["quota"],
            (json{{"floatingip", 50}, {"network", 100}, {"port", 500}, {"rbac_policy", 10}, {"router", 10},
                  {"security_group", 10}, {"security_group_rule", 100}, {"subnet", 100}, {"subnetpool", -1}}));

  auto detail = call(neutron_, "GET", "/v2.0/quotas/" + project + "/details.json", demo);
  ASSERT_EQ(detail.status, 200u) << detail.body;
  EXPECT_EQ(body_of(detail)["quota"]["network"], (json{{"used", 1}, {"limit", 100}, {"reserved", 0}}));

  EXPECT_EQ(call(neutron_, "PUT", "/v2.0/quotas/" + project, demo, {{"quota", {{"network", 5}}}}).status, 403u);
  EXPECT_EQ(call(neutron_, "GET", "/v2.0/quotas/" + project, admin).status, 200u) << "an admin reads any project's";
  auto set = call(neutron_, "PUT", "/v2.0/quotas/" + project, admin, {{"quota", {{"network", 5}}}});
  ASSERT_EQ(set.status, 200u) << set.body;
  EXPECT_EQ(body_of(set)["quota"]["network"], 5);
  EXPECT_EQ(body_of(call(neutron_, "GET", "/v2.0/quotas/" + project, demo))["quota"]["network"], 5);
  EXPECT_EQ(body_of(call(neutron_, "GET", "/v2.0/quotas/" + project + "/default", demo))["quota"]["network"], 100);
  EXPECT_EQ(call(neutron_, "PUT", "/v2.0/quotas/" + project, admin, {{"quota", {{"nets", 5}}}}).status, 400u);
  EXPECT_EQ(call(neutron_, "PUT", "/v2.0/quotas/" + project, admin, {{"quota", {{"network", -2}}}}).status, 400u);

  // A non-admin reads only its own project's.
  std::string theirs = create(admin, "networks", "network", {{"name", "theirs"}})["project_id"];
  EXPECT_EQ(call(neutron_, "GET", "/v2.0/quotas/" + theirs, demo).status, 403u);

  EXPECT_EQ(call(neutron_, "DELETE", "/v2.0/quotas/" + project, admin).status, 204u);
  EXPECT_EQ(body_of(call(neutron_, "GET", "/v2.0/quotas/" + project, demo))["quota"]["network"], 100);
}

} // namespace
} // namespace fedstack::sim::testing
