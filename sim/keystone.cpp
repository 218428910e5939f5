#include "sim/keystone.hpp"

namespace fedstack::sim {
namespace {

constexpr const char* not_allowed = "The method is not allowed for the requested URL.";

reply render_error(const api_error& e) { return keystone_error(e.status, e.message); }

} // namespace

reply keystone_api::handle(const request& r) {
  auto out = [&] {
    if (r.segments.empty() || (r.segments.size() == 1 && r.segments[0] == "v3")) {
      return versions(r);
    }
    if (r.segments[0] != "v3") return keystone_error(404, "The resource could not be found.");
    if (r.segments.size() >= 2 && r.segments[1] == "auth") return auth_routes(r);
    auto ctx = authenticate(ids_, r);
    if (!ctx) {
      // Unlike the other services, Keystone also accepts unscoped tokens for itself.
      auto token = ids_.validate(r.header("X-Auth-Token"));
      if (!token) return unauthorized_reply(ids_);
      ctx = token;
    }
    return resource_routes(r, *ctx);
  }();
  out.headers["Vary"] = "X-Auth-Token";
  return out;
}

json keystone_api::version_json() const {
  return {{"id", "v3.14"},
          {"status", "stable"},
          {"updated", "2020-04-07T00:00:00Z"},
          {"links", json::array({{{"rel", "self"}, {"href", base_url_ + "/v3/"}}})},
          {"media-types",
           json::array({{{"base", "application/json"},
                         {"type", "application/vnd.openstack.identity-v3+json"}}})}};
}

reply keystone_api::versions(const request& r) const {
  if (r.method != "GET" && r.method != "HEAD") return keystone_error(405, not_allowed);
  if (r.segments.empty()) {
    auto out = json_reply(300, {{"versions", {{"values", json::array({version_json()})}}}});
    out.headers["Location"] = base_url_ + "/v3/";
    return out;
  }
  return json_reply(200, {{"version", version_json()}});
}

json keystone_api::link(std::string_view path) const {
  return {{"self", base_url_ + "/v3/" + std::string{path}}};
}

json keystone_api::list_links(std::string_view path) const {
  return {{"next", nullptr}, {"self", base_url_ + "/v3/" + std::string{path}},
          {"previous", nullptr}};
}

reply keystone_api::auth_routes(const request& r) {
  if (match(r, {"v3", "auth", "tokens"})) {
    if (r.method == "POST") {
      auto body = parse_json(r);
      if (!body) return keystone_error(400, "Malformed request body.");
      auto issued = ids_.issue_token(*body);
      if (failed(issued)) return render_error(error_of(issued));
      const auto& ctx = std::get<auth_context>(issued);
      auto out = json_reply(201, ids_.token_json(ctx, !r.query_value("nocatalog")));
      out.headers["X-Subject-Token"] = ctx.token;
      return out;
    }
    // Validating, checking and revoking need a valid caller token too.
    auto caller = ids_.validate(r.header("X-Auth-Token"));
    if (!caller) return unauthorized_reply(ids_);
    auto subject_token = r.header("X-Subject-Token");
    auto subject = ids_.validate(subject_token);
    if (!subject) return keystone_error(404, "Could not find token: " + subject_token + ".");
    if (r.method == "GET") {
      auto out = json_reply(200, ids_.token_json(*subject, !r.query_value("nocatalog")));
      out.headers["X-Subject-Token"] = subject_token;
      return out;
    }
    if (r.method == "HEAD") return empty_reply(200);
    if (r.method == "DELETE") {
      ids_.revoke(subject_token);
      return empty_reply(204);
    }
    return keystone_error(405, not_allowed);
  }

  auto ctx = ids_.validate(r.header("X-Auth-Token"));
  if (!ctx) return unauthorized_reply(ids_);
  if (r.method != "GET") return keystone_error(405, not_allowed);
  if (match(r, {"v3", "auth", "catalog"})) {
    return json_reply(200, {{"catalog", ids_.catalog_json(ctx->project_id)}, {"links", list_links("auth/catalog")}});
  }
  if (match(r, {"v3", "auth", "projects"})) {
    json list = json::array();
    for (const auto& p : ids_.projects_of_user(ctx->user_id)) list.push_back(project_json(p));
    return json_reply(200, {{"projects", list}, {"links", list_links("auth/projects")}});
  }
  if (match(r, {"v3", "auth", "domains"})) {
    return json_reply(200, {{"domains", json::array()}, {"links", list_links("auth/domains")}});
  }
  if (match(r, {"v3", "auth", "system"})) {
    return json_reply(200, {{"system", json::array()}, {"links", list_links("auth/system")}});
  }
  return keystone_error(404, "The resource could not be found.");
}

reply keystone_api::resource_routes(const request& r, const auth_context& ctx) {
  const auto& collection = r.segments.size() >= 2 ? r.segments[1] : std::string{};
  if (collection == "domains") return domains(r, ctx);
  if (collection == "projects") return projects(r, ctx);
  if (collection == "users") return users(r, ctx);
  if (collection == "roles") return roles(r, ctx);
  if (collection == "role_assignments") return role_assignments(r, ctx);
  if (collection == "services" || collection == "endpoints" || collection == "regions") {
    return catalog_resources(r, ctx);
  }
  return keystone_error(404, "The resource could not be found.");
}

} // namespace fedstack::sim
