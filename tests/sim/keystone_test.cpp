#include "sim_fixture.hpp"

namespace fedstack::sim::testing {
namespace {

using keystone_test = sim_fixture;

TEST_F(keystone_test, root_lists_v3_with_300_and_location) {
  auto out = keystone_.handle(make_request("GET", "/"));
  EXPECT_EQ(out.status, 300u);
  EXPECT_EQ(out.headers["Location"], "http://127.0.0.1:5000/v3/");
  auto body = body_of(out);
  EXPECT_EQ(body["versions"]["values"][0]["id"], "v3.14");
  auto v3 = keystone_.handle(make_request("GET", "/v3"));
  EXPECT_EQ(v3.status, 200u);
  EXPECT_EQ(body_of(v3)["version"]["links"][0]["href"], "http://127.0.0.1:5000/v3/");
}

TEST_F(keystone_test, password_token_has_captured_shape_and_catalog) {
  json auth = {{"auth",
                {{"identity",
                  {{"methods", {"password"}},
                   {"password", {{"user", {{"name", "admin"}, {"domain", {{"name", "Default"}}}, {"password", "secret"}}}}}}},
                 {"scope", {{"project", {{"name", "admin"}, {"domain", {{"name", "Default"}}}}}}}}}};
  auto out = keystone_.handle(make_request("POST", "/v3/auth/tokens", auth.dump()));
  ASSERT_EQ(out.status, 201u);
  EXPECT_FALSE(out.headers["X-Subject-Token"].empty());
  auto token = body_of(out)["token"];
  EXPECT_EQ(token["methods"], json({"password"}));
  EXPECT_EQ(token["user"]["name"], "admin");
  EXPECT_EQ(token["user"]["domain"]["id"], "default");
  EXPECT_EQ(token["project"]["name"], "admin");
  EXPECT_EQ(token["project"]["id"], ids_.admin_project_id());
  EXPECT_EQ(token["is_domain"], false);
  EXPECT_EQ(token["roles"].size(), 3u);
  EXPECT_EQ(token["expires_at"], "2027-01-15T09:00:00.000000Z");   // issued + 1 h
  EXPECT_EQ(token["issued_at"], "2027-01-15T08:00:00.000000Z");
  EXPECT_EQ(token["audit_ids"].size(), 1u);

  std::map<std::string, int> endpoints_per_type;
  for (const auto& service : token["catalog"]) {
    for (const auto& e : service["endpoints"]) {
      ++endpoints_per_type[service["type"]];
      EXPECT_EQ(e["region"], e["region_id"]);
      if (service["type"] == "compute") {
        auto url = e["url"].get<std::string>();
        EXPECT_EQ(url.substr(url.size() - 5), "/v2.1");
      }
    }
  }
  // Two regions times public/internal/admin.
  for (const char* type : {"compute", "image", "network", "identity"}) EXPECT_EQ(endpoints_per_type[type], 6) << type;
}

TEST_F(keystone_test, wrong_password_is_401_in_keystone_shape) {
  auto out = keystone_.handle(make_request(
    "POST", "/v3/auth/tokens",
    R"({"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"id":"default"},"password":"nope"}}}}})"));
  EXPECT_EQ(out.status, 401u);
  auto body = body_of(out);
  EXPECT_EQ(body["error"]["code"], 401);
  EXPECT_EQ(body["error"]["title"], "Unauthorized");
}

TEST_F(keystone_test, malformed_json_is_400) {
  auto out = keystone_.handle(make_request("POST", "/v3/auth/tokens", "{nope"));
  EXPECT_EQ(out.status, 400u);
  EXPECT_EQ(body_of(out)["error"]["code"], 400);
}

TEST_F(keystone_test, validate_then_expire) {
  auto admin = admin_token();
  auto subject = demo_token();
  header_map headers{{"X-Subject-Token", subject}};
  auto valid = call(keystone_, "GET", "/v3/auth/tokens", admin, nullptr, headers);
  EXPECT_EQ(valid.status, 200u);
  EXPECT_EQ(valid.headers["X-Subject-Token"], subject);
  EXPECT_EQ(body_of(valid)["token"]["project"]["name"], "demo");

  advance(std::chrono::minutes{61});
  auto fresh_admin = admin_token();
  auto expired = call(keystone_, "GET", "/v3/auth/tokens", fresh_admin, nullptr, headers);
  EXPECT_EQ(expired.status, 404u);
  // And the services no longer accept it.
  EXPECT_EQ(call(nova_, "GET", "/v2.1/servers", subject).status, 401u);
}

TEST_F(keystone_test, revoked_token_is_rejected_by_services) {
  auto admin = admin_token();
  auto victim = admin_token();
  EXPECT_EQ(call(neutron_, "GET", "/v2.0/networks", victim).status, 200u);
  auto revoked = call(keystone_, "DELETE", "/v3/auth/tokens", admin, nullptr, {{"X-Subject-Token", victim}});
  EXPECT_EQ(revoked.status, 204u);
  auto out = call(neutron_, "GET", "/v2.0/networks", victim);
  EXPECT_EQ(out.status, 401u);
  EXPECT_EQ(out.headers["WWW-Authenticate"], "Keystone uri=\"http://127.0.0.1:5000\"");
}

TEST_F(keystone_test, token_method_rescopes_and_keeps_expiry) {
  auto unscoped = keystone_.handle(make_request(
    "POST", "/v3/auth/tokens",
    R"({"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"id":"default"},"password":"secret"}}}}})"));
  ASSERT_EQ(unscoped.status, 201u);   // falls back to the default project
  auto first = unscoped.headers["X-Subject-Token"];
  advance(std::chrono::minutes{10});
  json rescope = {{"auth", {{"identity", {{"methods", {"token"}}, {"token", {{"id", first}}}}},
                            {"scope", {{"project", {{"id", ids_.admin_project_id()}}}}}}}};
  auto out = keystone_.handle(make_request("POST", "/v3/auth/tokens", rescope.dump()));
  ASSERT_EQ(out.status, 201u);
  auto token = body_of(out)["token"];
  EXPECT_EQ(token["expires_at"], body_of(unscoped)["token"]["expires_at"]);
  EXPECT_NE(std::find(token["methods"].begin(), token["methods"].end(), "token"), token["methods"].end());
}

TEST_F(keystone_test, rally_users_context_flow) {
  auto admin = admin_token();
  auto domains = call(keystone_, "GET", "/v3/domains?name=Default", admin);
  ASSERT_EQ(domains.status, 200u);
  EXPECT_EQ(body_of(domains)["domains"][0]["id"], "default");

  auto project = call(keystone_, "POST", "/v3/projects", admin,
                      {{"project", {{"name", "rally-1"}, {"domain_id", "default"}}}});
  ASSERT_EQ(project.status, 201u);
  auto project_id = body_of(project)["project"]["id"].get<std::string>();
  EXPECT_EQ(call(keystone_, "POST", "/v3/projects", admin, {{"project", {{"name", "rally-1"}}}}).status, 409u);

  auto user = call(keystone_, "POST", "/v3/users", admin,
                   {{"user", {{"name", "rally-user"}, {"password", "pw"}, {"default_project_id", project_id},
                              {"domain_id", "default"}}}});
  ASSERT_EQ(user.status, 201u);
  auto user_id = body_of(user)["user"]["id"].get<std::string>();

  auto roles = body_of(call(keystone_, "GET", "/v3/roles?name=member", admin))["roles"];
  ASSERT_EQ(roles.size(), 1u);
  auto role_id = roles[0]["id"].get<std::string>();
  auto grant = call(keystone_, "PUT", "/v3/projects/" + project_id + "/users/" + user_id + "/roles/" + role_id, admin);
  EXPECT_EQ(grant.status, 204u);
  auto assignments = call(keystone_, "GET", "/v3/role_assignments?user.id=" + user_id + "&include_names=1", admin);
  ASSERT_EQ(body_of(assignments)["role_assignments"].size(), 1u);
  auto assignment = body_of(assignments)["role_assignments"][0];
  EXPECT_EQ(assignment["role"]["name"], "member");
  EXPECT_EQ(assignment["user"]["domain"]["name"], "Default");
  EXPECT_EQ(assignment["scope"]["project"]["name"], "rally-1");

  auto user_token = token("rally-user", "pw", "rally-1");
  EXPECT_EQ(call(nova_, "GET", "/v2.1/servers", user_token).status, 200u);
  // The member user is not an admin.
  EXPECT_EQ(call(keystone_, "GET", "/v3/users", user_token).status, 403u);

  EXPECT_EQ(call(keystone_, "DELETE", "/v3/users/" + user_id, admin).status, 204u);
  EXPECT_EQ(call(nova_, "GET", "/v2.1/servers", user_token).status, 401u);
  EXPECT_EQ(call(keystone_, "DELETE", "/v3/projects/" + project_id, admin).status, 204u);
  EXPECT_EQ(call(keystone_, "GET", "/v3/projects/" + project_id, admin).status, 404u);
}

TEST_F(keystone_test, catalog_resources_for_admin) {
  auto admin = admin_token();
  EXPECT_EQ(body_of(call(keystone_, "GET", "/v3/regions", admin))["regions"].size(), 2u);
  EXPECT_EQ(body_of(call(keystone_, "GET", "/v3/services?type=compute", admin))["services"].size(), 1u);
  // Per cloudlet: compute, image, network, identity, volumev3 and block-storage.
  EXPECT_EQ(body_of(call(keystone_, "GET", "/v3/endpoints?interface=public", admin))["endpoints"].size(), 12u);
  EXPECT_EQ(body_of(call(keystone_, "GET", "/v3/auth/catalog", admin))["catalog"].size(), 6u);
  EXPECT_EQ(body_of(call(keystone_, "GET", "/v3/auth/projects", admin))["projects"].size(), 1u);
}

} // namespace
} // namespace fedstack::sim::testing
