// Nova flavors: list/detail/show, create/delete (admin), extra specs, access.
#include <algorithm>

#include "sim/nova.hpp"

namespace fedstack::sim {
namespace {

constexpr const char* not_allowed = "The method is not allowed for this resource.";

std::string policy_denied(std::string_view rule) {
  return "Policy doesn't allow os_compute_api:" + std::string{rule} + " to be performed.";
}

} // namespace

reply nova_api::flavors(const call& c) {
  const auto& p = c.path;
  const auto& method = c.r.method;
  auto& compute = cloud_.compute;
  std::lock_guard lock{cloud_.mutex};

  if (p.size() == 1 || (p.size() == 2 && p[1] == "detail")) {
    bool detail = p.size() == 2;
    if (method == "POST" && !detail) {
      if (!c.ctx.is_admin) return error(403, policy_denied("os-flavor-manage:create"));
      auto body = parse_json(c.r);
      if (!body || !body->contains("flavor")) return error(400, "Invalid input for field/attribute flavor. 'flavor' is a required property");
      auto in = (*body)["flavor"];
      if (!c.at_least(55) && in.is_object()) in.erase("description");
      auto created = compute.create_flavor(in);
      if (failed(created)) return error(error_of(created).status, error_of(created).message);
      return json_reply(200, {{"flavor", flavor_json(std::get<flavor_record>(created), c, true)}});
    }
    if (method != "GET") return error(405, not_allowed);
    std::optional<bool> is_public = true;
    if (auto text = c.r.query_value("is_public")) {
      auto lower = to_lower(*text);
      is_public = lower == "none" ? std::nullopt : parse_bool(lower);
      if (lower != "none" && !is_public) return error(400, "Invalid is_public filter [" + *text + "]");
    }
    auto list = compute.flavors(c.ctx, is_public);
    if (auto min_ram = c.r.query_value("minRam")) {
      auto n = parse_int(*min_ram).value_or(0);
      std::erase_if(list, [&](auto* f) { return f->ram < n; });
    }
    if (auto min_disk = c.r.query_value("minDisk")) {
      auto n = parse_int(*min_disk).value_or(0);
      std::erase_if(list, [&](auto* f) { return f->disk < n; });
    }
    if (auto marker = c.r.query_value("marker")) {
      auto at = std::find_if(list.begin(), list.end(), [&](auto* f) { return f->id == *marker; });
      if (at == list.end()) return error(400, "marker [" + *marker + "] not found");
      list.erase(list.begin(), at + 1);
    }
    bool full = false;
    if (auto text = c.r.query_value("limit")) {
      auto limit = parse_int(*text);
      if (!limit) return error(400, "Invalid input for query parameters limit. Value: " + *text);
      if (static_cast<std::int64_t>(list.size()) >= *limit) {
        list.resize(static_cast<std::size_t>(*limit));
        full = *limit > 0;
      }
    }
    json flavors = json::array();
    for (const auto* f : list) flavors.push_back(flavor_json(*f, c, detail));
    json body = {{"flavors", flavors}};
    if (full) {
      std::string query;
      for (const auto& [k, v] : c.r.query) if (k != "marker") query += url_encode(k) + "=" + url_encode(v) + "&";
      body["flavors_links"] = json::array({{{"rel", "next"},
                                            {"href", base_url_ + "/v2.1/flavors" + (detail ? "/detail" : "") + "?" +
                                                       query + "marker=" + list.back()->id}}});
    }
    return json_reply(200, body);
  }

  const auto& id = p[1];
  const auto* flavor = compute.find_flavor(c.ctx, id);
  if (!flavor) return error(404, "Flavor " + id + " could not be found.");
  if (p.size() == 2) {
    if (method == "GET") return json_reply(200, {{"flavor", flavor_json(*flavor, c, true)}});
    if (method == "DELETE") {
      if (!c.ctx.is_admin) return error(403, policy_denied("os-flavor-manage:delete"));
      compute.delete_flavor(id);
      return empty_reply(202);
    }
    if (method == "PUT" && c.at_least(55)) {
      if (!c.ctx.is_admin) return error(403, policy_denied("os-flavor-manage:update"));
      auto body = parse_json(c.r);
      if (!body || !body->contains("flavor") || !(*body)["flavor"].contains("description")) {
        return error(400, "Invalid input for field/attribute flavor. 'description' is a required property");
      }
      const auto& description = (*body)["flavor"]["description"];
      compute.flavor_mutable(id)->description = description.is_string() ? description.get<std::string>() : "";
      return json_reply(200, {{"flavor", flavor_json(*flavor, c, true)}});
    }
    return error(405, not_allowed);
  }

  auto* mutable_flavor = compute.flavor_mutable(id);
  if (p[2] == "os-extra_specs") {
    auto& specs = mutable_flavor->extra_specs;
    if (p.size() == 3) {
      if (method == "GET") return json_reply(200, {{"extra_specs", specs}});
      if (method != "POST") return error(405, not_allowed);
      if (!c.ctx.is_admin) return error(403, policy_denied("os-flavor-extra-specs:create"));
      auto body = parse_json(c.r);
      if (!body || !body->contains("extra_specs") || !(*body)["extra_specs"].is_object()) {
        return error(400, "Invalid input for field/attribute extra_specs. 'extra_specs' is a required property");
      }
      for (const auto& [k, v] : (*body)["extra_specs"].items()) {
        specs[k] = v.is_string() ? v : json(v.dump());
      }
      return json_reply(200, {{"extra_specs", (*body)["extra_specs"]}});
    }
    const auto& key = p[3];
    if (method == "GET") {
      if (!specs.contains(key)) return error(404, "Flavor " + id + " has no extra specs with key " + key + ".");
      return json_reply(200, {{key, specs[key]}});
    }
    if (!c.ctx.is_admin) return error(403, policy_denied("os-flavor-extra-specs:update"));
    if (method == "PUT") {
      auto body = parse_json(c.r);
      if (!body || !body->contains(key)) return error(400, "Request body and URI mismatch");
      specs[key] = (*body)[key].is_string() ? (*body)[key] : json((*body)[key].dump());
      return json_reply(200, {{key, specs[key]}});
    }
    if (method == "DELETE") {
      if (!specs.contains(key)) return error(404, "Flavor " + id + " has no extra specs with key " + key + ".");
      specs.erase(key);
      return empty_reply(202);
    }
    return error(405, not_allowed);
  }

  auto access_list = [&] {
    json list = json::array();
    for (const auto& project : mutable_flavor->access) list.push_back({{"flavor_id", id}, {"tenant_id", project}});
    return json{{"flavor_access", list}};
  };
  if (p[2] == "os-flavor-access" && p.size() == 3 && method == "GET") {
    if (mutable_flavor->is_public) return error(404, "Access list not available for public flavors.");
    return json_reply(200, access_list());
  }
  if (p[2] == "action" && p.size() == 3 && method == "POST") {
    if (!c.ctx.is_admin) return error(403, policy_denied("os-flavor-access:add_tenant_access"));
    auto body = parse_json(c.r);
    if (!body || !body->is_object()) return error(400, "Malformed request body");
    for (const char* action : {"addTenantAccess", "removeTenantAccess"}) {
      if (!body->contains(action)) continue;
      const auto& in = (*body)[action];
      auto tenant = in.is_object() && in.contains("tenant") && in["tenant"].is_string() ? in["tenant"].get<std::string>() : "";
      if (tenant.empty()) return error(400, "Invalid input for field/attribute tenant.");
      if (mutable_flavor->is_public) return error(409, "Can not add access to a public flavor.");
      if (std::string_view{action} == "addTenantAccess") {
        if (!mutable_flavor->access.insert(tenant).second) {
          return error(409, "Flavor access already exists for flavor " + id + " and project " + tenant + " combination.");
        }
      } else if (!mutable_flavor->access.erase(tenant)) {
        return error(404, "Flavor access not found for " + id + " / " + tenant + " combination.");
      }
      return json_reply(200, access_list());
    }
    return error(400, "There is no such action: " + (body->empty() ? std::string{} : body->begin().key()));
  }
  return error(404, "The resource could not be found.");
}

} // namespace fedstack::sim
