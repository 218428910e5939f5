// Keystone's resource APIs: domains, projects, users, roles, grants, catalog.
#include <algorithm>

#include "sim/keystone.hpp"

namespace fedstack::sim {
namespace {

constexpr const char* not_allowed = "The method is not allowed for the requested URL.";

reply render_error(const api_error& e) { return keystone_error(e.status, e.message); }

reply denied(std::string_view action) {
  return keystone_error(403, "You are not authorized to perform the requested action: identity:" +
                               std::string{action} + ".");
}

/// True when every filter given in the query matches (absent filters match).
bool query_matches(const request& r, std::string_view key, std::string_view value) {
  auto wanted = r.query_value(key);
  return !wanted || *wanted == value;
}

bool enabled_matches(const request& r, bool enabled) {
  auto wanted = r.query_value("enabled");
  if (!wanted) return true;
  auto flag = parse_bool(*wanted);
  return !flag || *flag == enabled;
}

std::string string_field(const json& object, const char* key, std::string fallback = {}) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

} // namespace

json keystone_api::project_json(const project_record& p) const {
  return {{"id", p.id},
          {"name", p.name},
          {"domain_id", p.domain_id},
          {"description", p.description},
          {"enabled", p.enabled},
          {"parent_id", p.domain_id},
          {"is_domain", false},
          {"tags", p.tags},
          {"options", json::object()},
          {"links", link("projects/" + p.id)}};
}

json keystone_api::user_json(const user_record& u) const {
  json out = {{"id", u.id}, {"name", u.name}, {"domain_id", u.domain_id}, {"enabled", u.enabled}};
  if (!u.default_project_id.empty()) out["default_project_id"] = u.default_project_id;
  if (!u.email.empty()) out["email"] = u.email;
  if (!u.description.empty()) out["description"] = u.description;
  out["password_expires_at"] = nullptr;
  out["options"] = json::object();
  out["links"] = link("users/" + u.id);
  return out;
}

json keystone_api::role_json(const role_record& role) const {
  return {{"id", role.id},
          {"name", role.name},
          {"domain_id", nullptr},
          {"description", nullptr},
          {"options", json::object()},
          {"links", link("roles/" + role.id)}};
}

json keystone_api::domain_json(const domain_record& d) const {
  return {{"id", d.id},
          {"name", d.name},
          {"description", d.description},
          {"enabled", d.enabled},
          {"tags", json::array()},
          {"options", json::object()},
          {"links", link("domains/" + d.id)}};
}

reply keystone_api::domains(const request& r, const auth_context& ctx) {
  if (match(r, {"v3", "domains"})) {
    if (r.method != "GET") return keystone_error(405, not_allowed);
    json list = json::array();
    for (const auto& d : ids_.domains()) {
      // Everyone may look up their own domain by name (the CLI resolves "Default").
      if (!ctx.is_admin && d.id != ctx.user_domain_id && d.id != ctx.project_domain_id) continue;
      if (query_matches(r, "name", d.name) && enabled_matches(r, d.enabled)) {
        list.push_back(domain_json(d));
      }
    }
    return json_reply(200, {{"domains", list}, {"links", list_links("domains")}});
  }
  if (auto m = match(r, {"v3", "domains", "*"})) {
    if (r.method != "GET") return keystone_error(405, not_allowed);
    auto d = ids_.find_domain((*m)[0]);
    if (!d) return keystone_error(404, "Could not find domain: " + (*m)[0] + ".");
    return json_reply(200, {{"domain", domain_json(*d)}});
  }
  return keystone_error(404, "The resource could not be found.");
}

reply keystone_api::projects(const request& r, const auth_context& ctx) {
  if (match(r, {"v3", "projects"})) {
    if (r.method == "GET") {
      if (!ctx.is_admin) return denied("list_projects");
      json list = json::array();
      for (const auto& p : ids_.projects()) {
        if (query_matches(r, "name", p.name) && query_matches(r, "domain_id", p.domain_id) &&
            query_matches(r, "parent_id", p.domain_id) && enabled_matches(r, p.enabled)) {
          list.push_back(project_json(p));
        }
      }
      return json_reply(200, {{"projects", list}, {"links", list_links("projects")}});
    }
    if (r.method == "POST") {
      if (!ctx.is_admin) return denied("create_project");
      auto body = parse_json(r);
      if (!body || !body->contains("project") || !(*body)["project"].is_object()) {
        return keystone_error(400, "Invalid input for field 'project': is a required property");
      }
      const auto& in = (*body)["project"];
      project_record p;
      p.name = string_field(in, "name");
      p.domain_id = string_field(in, "domain_id", "default");
      p.description = string_field(in, "description");
      p.enabled = !in.contains("enabled") || !in["enabled"].is_boolean() || in["enabled"].get<bool>();
      if (in.contains("tags") && in["tags"].is_array()) {
        for (const auto& t : in["tags"]) {
          if (t.is_string()) p.tags.push_back(t.get<std::string>());
        }
      }
      auto created = ids_.create_project(p);
      if (failed(created)) return render_error(error_of(created));
      return json_reply(201, {{"project", project_json(std::get<project_record>(created))}});
    }
    return keystone_error(405, not_allowed);
  }
  if (auto m = match(r, {"v3", "projects", "*"})) {
    const auto& id = (*m)[0];
    if (r.method == "GET") {
      if (!ctx.is_admin && id != ctx.project_id) return denied("get_project");
      auto p = ids_.find_project(id);
      if (!p) return keystone_error(404, "Could not find project: " + id + ".");
      return json_reply(200, {{"project", project_json(*p)}});
    }
    if (!ctx.is_admin) return denied(r.method == "DELETE" ? "delete_project" : "update_project");
    if (r.method == "PATCH") {
      auto body = parse_json(r);
      if (!body || !body->contains("project")) return keystone_error(400, "Malformed request body.");
      auto updated = ids_.update_project(id, (*body)["project"]);
      if (failed(updated)) return render_error(error_of(updated));
      return json_reply(200, {{"project", project_json(std::get<project_record>(updated))}});
    }
    if (r.method == "DELETE") {
      if (auto e = ids_.delete_project(id)) return render_error(*e);
      return empty_reply(204);
    }
    return keystone_error(405, not_allowed);
  }
  if (auto m = match(r, {"v3", "projects", "*", "users", "*", "roles"})) {
    if (r.method != "GET") return keystone_error(405, not_allowed);
    if (!ctx.is_admin) return denied("list_grants");
    if (!ids_.find_project((*m)[0])) return keystone_error(404, "Could not find project: " + (*m)[0] + ".");
    if (!ids_.find_user((*m)[1])) return keystone_error(404, "Could not find user: " + (*m)[1] + ".");
    json list = json::array();
    for (const auto& a : ids_.assignments()) {
      if (a.project_id != (*m)[0] || a.user_id != (*m)[1]) continue;
      if (auto role = ids_.find_role(a.role_id)) list.push_back(role_json(*role));
    }
    return json_reply(200, {{"roles", list},
                            {"links", list_links("projects/" + (*m)[0] + "/users/" + (*m)[1] + "/roles")}});
  }
  if (auto m = match(r, {"v3", "projects", "*", "users", "*", "roles", "*"})) {
    if (!ctx.is_admin) return denied("create_grant");
    assignment_record a{(*m)[1], (*m)[0], (*m)[2]};
    if (r.method == "PUT") {
      if (auto e = ids_.grant(a)) return render_error(*e);
      return empty_reply(204);
    }
    if (r.method == "HEAD" || r.method == "GET") {
      if (!ids_.has_grant(a)) {
        return keystone_error(404, "Could not find role assignment: " + a.role_id + ".");
      }
      return empty_reply(204);
    }
    if (r.method == "DELETE") {
      if (auto e = ids_.revoke_grant(a)) return render_error(*e);
      return empty_reply(204);
    }
    return keystone_error(405, not_allowed);
  }
  return keystone_error(404, "The resource could not be found.");
}

reply keystone_api::users(const request& r, const auth_context& ctx) {
  if (match(r, {"v3", "users"})) {
    if (r.method == "GET") {
      if (!ctx.is_admin) return denied("list_users");
      json list = json::array();
      for (const auto& u : ids_.users()) {
        if (query_matches(r, "name", u.name) && query_matches(r, "domain_id", u.domain_id) &&
            enabled_matches(r, u.enabled)) {
          list.push_back(user_json(u));
        }
      }
      return json_reply(200, {{"users", list}, {"links", list_links("users")}});
    }
    if (r.method == "POST") {
      if (!ctx.is_admin) return denied("create_user");
      auto body = parse_json(r);
      if (!body || !body->contains("user") || !(*body)["user"].is_object()) {
        return keystone_error(400, "Invalid input for field 'user': is a required property");
      }
      const auto& in = (*body)["user"];
      user_record u;
      u.name = string_field(in, "name");
      u.domain_id = string_field(in, "domain_id", "default");
      u.password = string_field(in, "password");
      u.default_project_id = string_field(in, "default_project_id");
      u.email = string_field(in, "email");
      u.description = string_field(in, "description");
      u.enabled = !in.contains("enabled") || !in["enabled"].is_boolean() || in["enabled"].get<bool>();
      auto created = ids_.create_user(u);
      if (failed(created)) return render_error(error_of(created));
      return json_reply(201, {{"user", user_json(std::get<user_record>(created))}});
    }
    return keystone_error(405, not_allowed);
  }
  if (auto m = match(r, {"v3", "users", "*"})) {
    const auto& id = (*m)[0];
    if (r.method == "GET") {
      if (!ctx.is_admin && id != ctx.user_id) return denied("get_user");
      auto u = ids_.find_user(id);
      if (!u) return keystone_error(404, "Could not find user: " + id + ".");
      return json_reply(200, {{"user", user_json(*u)}});
    }
    if (!ctx.is_admin) return denied(r.method == "DELETE" ? "delete_user" : "update_user");
    if (r.method == "PATCH") {
      auto body = parse_json(r);
      if (!body || !body->contains("user")) return keystone_error(400, "Malformed request body.");
      auto updated = ids_.update_user(id, (*body)["user"]);
      if (failed(updated)) return render_error(error_of(updated));
      return json_reply(200, {{"user", user_json(std::get<user_record>(updated))}});
    }
    if (r.method == "DELETE") {
      if (auto e = ids_.delete_user(id)) return render_error(*e);
      return empty_reply(204);
    }
    return keystone_error(405, not_allowed);
  }
  if (auto m = match(r, {"v3", "users", "*", "projects"})) {
    if (r.method != "GET") return keystone_error(405, not_allowed);
    if (!ctx.is_admin && (*m)[0] != ctx.user_id) return denied("list_user_projects");
    if (!ids_.find_user((*m)[0])) return keystone_error(404, "Could not find user: " + (*m)[0] + ".");
    json list = json::array();
    for (const auto& p : ids_.projects_of_user((*m)[0])) list.push_back(project_json(p));
    return json_reply(200, {{"projects", list}, {"links", list_links("users/" + (*m)[0] + "/projects")}});
  }
  return keystone_error(404, "The resource could not be found.");
}

reply keystone_api::roles(const request& r, const auth_context& ctx) {
  if (match(r, {"v3", "roles"})) {
    if (r.method == "GET") {
      json list = json::array();
      for (const auto& role : ids_.roles()) {
        if (query_matches(r, "name", role.name)) list.push_back(role_json(role));
      }
      return json_reply(200, {{"roles", list}, {"links", list_links("roles")}});
    }
    if (r.method == "POST") {
      if (!ctx.is_admin) return denied("create_role");
      auto body = parse_json(r);
      if (!body || !body->contains("role") || !(*body)["role"].is_object()) {
        return keystone_error(400, "Invalid input for field 'role': is a required property");
      }
      auto created = ids_.create_role({"", string_field((*body)["role"], "name")});
      if (failed(created)) return render_error(error_of(created));
      return json_reply(201, {{"role", role_json(std::get<role_record>(created))}});
    }
    return keystone_error(405, not_allowed);
  }
  if (auto m = match(r, {"v3", "roles", "*"})) {
    if (r.method == "GET") {
      auto role = ids_.find_role((*m)[0]);
      if (!role) return keystone_error(404, "Could not find role: " + (*m)[0] + ".");
      return json_reply(200, {{"role", role_json(*role)}});
    }
    if (r.method == "DELETE") {
      if (!ctx.is_admin) return denied("delete_role");
      if (auto e = ids_.delete_role((*m)[0])) return render_error(*e);
      return empty_reply(204);
    }
    return keystone_error(405, not_allowed);
  }
  return keystone_error(404, "The resource could not be found.");
}

reply keystone_api::role_assignments(const request& r, const auth_context& ctx) {
  if (!match(r, {"v3", "role_assignments"})) return keystone_error(404, "The resource could not be found.");
  if (r.method != "GET") return keystone_error(405, not_allowed);
  auto user_filter = r.query_value("user.id");
  if (!ctx.is_admin && (!user_filter || *user_filter != ctx.user_id)) {
    return denied("list_role_assignments");
  }
  bool names = r.query_value("include_names").has_value();
  json list = json::array();
  for (const auto& a : ids_.assignments()) {
    if (!query_matches(r, "user.id", a.user_id) || !query_matches(r, "role.id", a.role_id) ||
        !query_matches(r, "scope.project.id", a.project_id)) {
      continue;
    }
    json role = {{"id", a.role_id}};
    json user = {{"id", a.user_id}};
    json project = {{"id", a.project_id}};
    if (names) {
      auto domain_ref = [&](const std::string& id) {
        auto d = ids_.find_domain(id);
        return json{{"id", id}, {"name", d ? d->name : id}};
      };
      if (auto x = ids_.find_role(a.role_id)) role["name"] = x->name;
      if (auto x = ids_.find_user(a.user_id)) {
        user["name"] = x->name;
        user["domain"] = domain_ref(x->domain_id);
      }
      if (auto x = ids_.find_project(a.project_id)) {
        project["name"] = x->name;
        project["domain"] = domain_ref(x->domain_id);
      }
    }
    list.push_back({{"role", role},
                    {"user", user},
                    {"scope", {{"project", project}}},
                    {"links",
                     {{"assignment", base_url_ + "/v3/projects/" + a.project_id + "/users/" +
                                       a.user_id + "/roles/" + a.role_id}}}});
  }
  return json_reply(200, {{"role_assignments", list}, {"links", list_links("role_assignments")}});
}

reply keystone_api::catalog_resources(const request& r, const auth_context& ctx) {
  if (r.method != "GET") return keystone_error(405, not_allowed);
  const auto& collection = r.segments[1];
  if (!ctx.is_admin) return denied("list_" + collection);
  auto services = ids_.services();
  if (collection == "services") {
    auto render = [&](const identity::service_entry& s) {
      return json{{"id", s.id}, {"name", s.name}, {"type", s.type}, {"enabled", true},
                  {"description", ""}, {"links", link("services/" + s.id)}};
    };
    if (auto m = match(r, {"v3", "services", "*"})) {
      for (const auto& s : services) {
        if (s.id == (*m)[0]) return json_reply(200, {{"service", render(s)}});
      }
      return keystone_error(404, "Could not find service: " + (*m)[0] + ".");
    }
    json list = json::array();
    for (const auto& s : services) {
      if (query_matches(r, "type", s.type) && query_matches(r, "name", s.name)) list.push_back(render(s));
    }
    return json_reply(200, {{"services", list}, {"links", list_links("services")}});
  }
  if (collection == "endpoints") {
    json list = json::array();
    for (const auto& s : services) {
      for (const auto& e : s.endpoints) {
        if (!query_matches(r, "service_id", e.service_id) || !query_matches(r, "interface", e.interface) ||
            !query_matches(r, "region_id", e.region)) {
          continue;
        }
        list.push_back({{"id", e.id}, {"interface", e.interface}, {"region_id", e.region},
                        {"service_id", e.service_id}, {"url", e.url}, {"enabled", true},
                        {"region", e.region}, {"links", link("endpoints/" + e.id)}});
      }
    }
    return json_reply(200, {{"endpoints", list}, {"links", list_links("endpoints")}});
  }
  // regions
  auto render = [&](const std::string& id) {
    return json{{"id", id}, {"description", ""}, {"parent_region_id", nullptr},
                {"links", link("regions/" + id)}};
  };
  auto regions = ids_.regions();
  if (auto m = match(r, {"v3", "regions", "*"})) {
    if (std::find(regions.begin(), regions.end(), (*m)[0]) == regions.end()) {
      return keystone_error(404, "Could not find region: " + (*m)[0] + ".");
    }
    return json_reply(200, {{"region", render((*m)[0])}});
  }
  json list = json::array();
  for (const auto& id : regions) list.push_back(render(id));
  return json_reply(200, {{"regions", list}, {"links", list_links("regions")}});
}

} // namespace fedstack::sim
