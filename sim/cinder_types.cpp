// Cinder volume types: list, show (by ID, or "default"), and the admin's create,
// update, delete, extra specs and project access (os-volume-type-access).
#include "sim/cinder.hpp"

namespace fedstack::sim {
reply cinder_api::types(const call& c) {
  const auto& p = c.path;
  const auto& method = c.r.method;
  std::lock_guard lock{cloud_.mutex};
  auto& store = cloud_.volumes;
  if (p.size() == 1 && method == "GET") {
    json list = json::array();
    for (const auto* t : store.types(c.ctx)) {
      if (auto pub = c.r.query_value("is_public"); pub && c.ctx.is_admin && parse_bool(*pub) && *parse_bool(*pub) != t->is_public) continue;
      list.push_back(type_json(*t, c, true));
    }
    return json_reply(200, {{"volume_types", list}});
  }
  if (p.size() == 1 && method == "POST") {
    if (!c.ctx.is_admin) return error(403, cinder_policy_refusal("volume_extension:types_manage"));
    auto body = parse_json(c.r);
    if (!body || !body->contains("volume_type") || !(*body)["volume_type"].is_object()) {
      return error(400, "Invalid input for field/attribute volume_type. 'volume_type' is a required property");
    }
    const auto& in = (*body)["volume_type"];
    if (!in.contains("name") || !in["name"].is_string() || in["name"].get<std::string>().empty() ||
        in["name"].get<std::string>().size() > 255) {
      return error(400, "Invalid input for field/attribute name. 'name' is a required property");
    }
    volume_type_record t;
    t.name = in["name"];
    if (in.contains("description") && in["description"].is_string()) t.description = in["description"].get<std::string>();
    if (in.contains("os-volume-type-access:is_public")) {
      const auto& pub = in["os-volume-type-access:is_public"];
      auto value = pub.is_boolean() ? std::optional{pub.get<bool>()} : pub.is_string() ? parse_bool(pub.get<std::string>()) : std::nullopt;
      if (!value) return error(400, "Invalid value '" + pub.dump() + "' for is_public. Accepted values: True or False.");
      t.is_public = *value;
    }
    if (in.contains("extra_specs")) {
      if (!in["extra_specs"].is_object()) return error(400, "Invalid input for field/attribute extra_specs.");
      t.extra_specs = in["extra_specs"];
    }
    auto made = store.create_type(std::move(t));
    if (failed(made)) return error(error_of(made));
    return json_reply(200, {{"volume_type", type_json(*std::get<const volume_type_record*>(made), c, true)}});
  }
  if (p.size() == 1) return error(405, cinder_not_allowed);

  const auto* t = p[1] == "default" ? &store.default_type() : store.find_type(c.ctx, p[1]);
  // Types are found by ID here; a name is not an ID.
  if (t && p[1] != "default" && t->id != p[1]) t = nullptr;
  if (!t) return error(404, "Volume type " + p[1] + " could not be found.");
  if (p.size() == 2) {
    // The access extension looks the type up by the URL's ID; under "default" it finds none
    // and adds nothing (contrib/volume_type_access.py show; captures/cinder/08).
    if (method == "GET") return json_reply(200, {{"volume_type", type_json(*t, c, p[1] != "default")}});
    if (!c.ctx.is_admin) return error(403, cinder_policy_refusal("volume_extension:types_manage"));
    if (method == "DELETE") {
      if (auto refused = store.delete_type(t->id)) return error(*refused);
      return empty_reply(202);
    }
    if (method == "PUT") {
      auto body = parse_json(c.r);
      if (!body || !body->contains("volume_type") || !(*body)["volume_type"].is_object()) return error(400, "Malformed request body");
      const auto& in = (*body)["volume_type"];
      auto* m = store.type_mutable(t->id);
      if (in.contains("name") && in["name"].is_string()) m->name = in["name"];
      if (in.contains("description")) m->description = in["description"].is_string() ? std::optional{in["description"].get<std::string>()} : std::nullopt;
      if (in.contains("is_public") && in["is_public"].is_boolean()) m->is_public = in["is_public"];
      return json_reply(200, {{"volume_type", type_json(*m, c, false)}});
    }
    return error(405, cinder_not_allowed);
  }
  if (p[2] == "extra_specs") {
    auto* m = store.type_mutable(t->id);
    if (method == "GET" && p.size() == 3) return json_reply(200, {{"extra_specs", type_json(*t, c, false)["extra_specs"]}});
    if (!c.ctx.is_admin) return error(403, cinder_policy_refusal("volume_extension:types_extra_specs:create"));
    if (method == "POST" && p.size() == 3) {
      auto body = parse_json(c.r);
      if (!body || !body->contains("extra_specs") || !(*body)["extra_specs"].is_object()) return error(400, "Malformed request body");
      for (const auto& [k, v] : (*body)["extra_specs"].items()) m->extra_specs[k] = v;
      return json_reply(200, {{"extra_specs", (*body)["extra_specs"]}});
    }
    if (method == "DELETE" && p.size() == 4) {
      if (!m->extra_specs.contains(p[3])) return error(404, "Volume Type " + t->id + " has no extra specs with key " + p[3] + ".");
      m->extra_specs.erase(p[3]);
      return empty_reply(202);
    }
    return error(405, cinder_not_allowed);
  }
  if (p[2] == "os-volume-type-access" && p.size() == 3 && method == "GET") {
    if (!c.ctx.is_admin) return error(403, cinder_policy_refusal("volume_extension:volume_type_access:get_all_for_type"));
    if (t->is_public) return error(404, "Access list not available for public volume types.");
    json list = json::array();
    for (const auto& project : t->access) list.push_back({{"volume_type_id", t->id}, {"project_id", project}});
    return json_reply(200, {{"volume_type_access", list}});
  }
  if (p[2] == "action" && p.size() == 3 && method == "POST") return type_access_action(c, t->id);
  return error(404, "The resource could not be found.");
}

// addProjectAccess / removeProjectAccess (cinder/api/contrib/volume_type_access.py): 202,
// or 409 VolumeTypeAccessExists / 404 VolumeTypeAccessNotFound.
reply cinder_api::type_access_action(const call& c, const std::string& type_id) {
  auto body = parse_json(c.r);
  for (const char* action : {"addProjectAccess", "removeProjectAccess"}) {
    if (!body || !body->contains(action)) continue;
    if (!c.ctx.is_admin) return error(403, cinder_policy_refusal(std::string{"volume_extension:volume_type_access:"} + action));
    const auto& in = (*body)[action];
    if (!in.is_object() || !in.contains("project") || !in["project"].is_string())
      return error(400, "Invalid input for field/attribute project.");
    auto project = in["project"].get<std::string>();
    auto& access = cloud_.volumes.type_mutable(type_id)->access;
    auto combination = type_id + " / " + project + " combination";
    if (std::string_view{action} == "addProjectAccess") {
      if (!access.insert(project).second) return error(409, "Volume type access for " + combination + " already exists.");
    } else if (access.erase(project) == 0) {
      return error(404, "Volume type access not found for " + combination + ".");
    }
    return empty_reply(202);
  }
  return error(400, "Invalid request body");
}

} // namespace fedstack::sim
