// Nova servers: list, show, update, delete, actions and metadata (boot is in nova_boot.cpp).
#include <algorithm>
#include <regex>

#include "sim/nova.hpp"

namespace fedstack::sim {
namespace {

constexpr const char* not_allowed = "The method is not allowed for this resource.";

std::string invalid(std::string_view field, const json& value, std::string_view why) {
  return "Invalid input for field/attribute " + std::string{field} + ". Value: " + value.dump() + ". " + std::string{why};
}

/// Nova's name filter is a Python regex search; fall back to a substring match.
bool name_matches(const std::string& name, const std::string& pattern) {
  try {
    return std::regex_search(name, std::regex{pattern});
  } catch (const std::regex_error&) {
    return name.find(pattern) != std::string::npos;
  }
}

/// Nova's sort_key/sort_dir (db process_sort_params): pairs, a missing direction takes the
/// first (default desc), then created_at and id in the first direction. The sim sorts by
/// the keys it keeps (display_name, created_at, updated_at, uuid) and ignores others.
void sort_servers(std::vector<const server_record*>& list, const std::vector<std::string>& keys,
                  const std::vector<std::string>& dirs) {
  if (keys.empty()) return;
  auto descending = [&](std::size_t i) { return (i < dirs.size() ? dirs[i] : dirs.empty() ? "desc" : dirs[0]) != "asc"; };
  auto order = [](bool desc, auto a, auto b) { return desc ? b < a : a < b; };
  bool first = descending(0);
  std::stable_sort(list.begin(), list.end(), [&](auto* a, auto* b) {
    if (a->created_at != b->created_at) return order(first, a->created_at, b->created_at);
    return order(first, a->sequence, b->sequence);
  });
  for (std::size_t i = keys.size(); i-- > 0;) {
    bool desc = descending(i);
    const auto& key = keys[i];
    std::stable_sort(list.begin(), list.end(), [&](auto* a, auto* b) {
      if (key == "display_name") return order(desc, a->name, b->name);
      if (key == "created_at") return order(desc, a->created_at, b->created_at);
      if (key == "updated_at") return order(desc, a->updated_at, b->updated_at);
      if (key == "uuid") return order(desc, a->id, b->id);
      return false;
    });
  }
}

} // namespace

reply nova_api::servers(const call& c) {
  const auto& p = c.path;
  const auto& method = c.r.method;
  if (p.size() == 1) {
    if (method == "GET") return list_servers(c, false);
    if (method == "POST") return create_server(c);
    return error(405, not_allowed);
  }
  if (p.size() == 2 && p[1] == "detail") {
    if (method == "GET") return list_servers(c, true);
    return error(405, not_allowed);
  }
  const auto& id = p[1];
  if (p.size() >= 3 && p[2] == "action") return server_action(c, id);
  if (p.size() >= 3 && p[2] == "metadata") return server_metadata(c, id);
  if (p.size() >= 3 && p[2] == "tags") return server_tags(c, id);
  if (p.size() >= 3 && p[2] == "os-volume_attachments") return volume_attachments(c, id);
  if (p.size() >= 3 && p[2] == "os-instance-actions") return instance_actions(c, id);

  std::lock_guard lock{cloud_.mutex};
  auto* s = cloud_.compute.server_mutable(c.ctx, id);
  if (!s) return error(404, "Instance " + id + " could not be found.");
  if (p.size() == 3 && p[2] == "ips" && method == "GET") {
    auto status = cloud_.compute.status(*s);
    return json_reply(200, {{"addresses", status == "BUILD" || status == "ERROR" ? json::object() : addresses_json(*s)}});
  }
  if (p.size() != 2) return error(404, "The resource could not be found.");
  if (method == "GET") return json_reply(200, {{"server", server_show_json(*s, c)}});
  if (method == "PUT") {
    auto body = parse_json(c.r);
    if (!body || !body->contains("server") || !(*body)["server"].is_object()) {
      return error(400, "Malformed request body");
    }
    const auto& in = (*body)["server"];
    if (in.contains("name")) {
      if (!in["name"].is_string() || in["name"].get<std::string>().empty()) {
        return error(400, invalid("name", in["name"], "is not a valid name"));
      }
      s->name = in["name"];
    }
    if (in.contains("description") && c.at_least(19)) {
      s->description = in["description"].is_string() ? std::optional{in["description"].get<std::string>()} : std::nullopt;
    }
    s->updated_at = cloud_.compute.now();
    return json_reply(200, {{"server", server_show_json(*s, c)}});
  }
  if (method == "DELETE") {
    if (s->locked && !c.ctx.is_admin) return error(409, "Instance " + id + " is locked");
    delete_server_locked(c.ctx, *s);
    return empty_reply(204);
  }
  return error(405, not_allowed);
}

void nova_api::delete_server_locked(const auth_context& ctx, const server_record& s) {
  record_action_locked(ctx, s, "delete");
  // Ports Nova created go away; ports the user handed in are only unbound.
  for (const auto& port : s.ports) {
    if (port.created_by_nova) cloud_.networks.remove_port(port.port_id);
    else cloud_.networks.unbind_port(port.port_id);
  }
  for (auto& [id, g] : server_groups_) std::erase(g.members, s.id);
  release_volumes_locked(s);
  cloud_.compute.remove_server(s.id);
}

reply nova_api::list_servers(const call& c, bool detail) {
  const auto& r = c.r;
  bool all_tenants = false;
  if (auto value = r.query_value("all_tenants")) {
    all_tenants = value->empty() || parse_bool(*value).value_or(true);
    if (all_tenants && !c.ctx.is_admin) {
      return error(403, "Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed.");
    }
  }
  std::optional<std::int64_t> limit;
  if (auto text = r.query_value("limit")) {
    limit = parse_int(*text);
    if (!limit) return error(400, "Invalid input for query parameters limit. Value: " + *text + ". '" + *text + "' does not match '^[0-9]*$'");
  }
  std::lock_guard lock{cloud_.mutex};
  auto& compute = cloud_.compute;
  std::vector<const server_record*> list;
  auto project = r.query_value("project_id");
  if (!project) project = r.query_value("tenant_id");
  for (const auto* s : compute.servers()) {
    if (all_tenants) {
      if (project && s->project_id != *project) continue;
    } else if (s->project_id != c.ctx.project_id) {
      continue;
    }
    if (auto name = r.query_value("name"); name && !name_matches(s->name, *name)) continue;
    if (auto status = r.query_value("status"); status && to_lower(compute.status(*s)) != to_lower(*status)) continue;
    if (auto image = r.query_value("image"); image && s->image_id != *image) continue;
    if (auto flavor = r.query_value("flavor"); flavor && s->flavor.id != *flavor) continue;
    if (auto host = r.query_value("host"); host && c.ctx.is_admin && compute.host_of(*s) != *host) continue;
    if (auto ip = r.query_value("ip")) {
      auto text = addresses_json(*s).dump();
      if (!name_matches(text, *ip)) continue;
    }
    list.push_back(s);
  }
  // Newest first, like Nova's default sort (created_at desc, id desc).
  std::sort(list.begin(), list.end(), [](auto* a, auto* b) {
    if (a->created_at != b->created_at) return a->created_at > b->created_at;
    if (a->sequence != b->sequence) return a->sequence > b->sequence;
    return a->id > b->id;
  });
  sort_servers(list, r.query_values("sort_key"), r.query_values("sort_dir"));
  if (auto marker = r.query_value("marker")) {
    auto at = std::find_if(list.begin(), list.end(), [&](auto* s) { return s->id == *marker; });
    if (at == list.end()) return error(400, "marker [" + *marker + "] not found");
    list.erase(list.begin(), at + 1);
  }
  bool full = false;
  if (limit && static_cast<std::int64_t>(list.size()) >= *limit) {
    list.resize(static_cast<std::size_t>(*limit));
    full = *limit > 0;
  }
  json servers = json::array();
  for (const auto* s : list) servers.push_back(detail ? server_json(*s, c) : server_brief(*s));
  json body = {{"servers", servers}};
  if (full) {
    std::string query;
    for (const auto& [k, v] : r.query) {
      if (k != "marker") query += url_encode(k) + "=" + url_encode(v) + "&";
    }
    body["servers_links"] = json::array({{{"rel", "next"},
                                          {"href", base_url_ + "/v2.1/servers" + (detail ? "/detail" : "") + "?" +
                                                     query + "marker=" + list.back()->id}}});
  }
  return json_reply(200, body);
}

reply nova_api::server_action(const call& c, const std::string& id) {
  if (c.r.method != "POST") return error(405, not_allowed);
  auto body = parse_json(c.r);
  if (!body || !body->is_object() || body->size() != 1) return error(400, "Malformed request body");
  auto action = body->begin().key();
  std::lock_guard lock{cloud_.mutex};
  auto& compute = cloud_.compute;
  auto* s = compute.server_mutable(c.ctx, id);
  if (!s) return error(404, "Instance " + id + " could not be found.");
  auto status = compute.status(*s);
  auto refuse = [&](std::string_view verb) {
    return error(409, "Cannot '" + std::string{verb} + "' instance " + id + " while it is in vm_state " + compute.vm_state(*s));
  };
  if (action == "os-stop") {
    if (status != "ACTIVE") return refuse("stop");
    s->stopped = true;
  } else if (action == "os-start") {
    if (status != "SHUTOFF") return refuse("start");
    s->stopped = false;
  } else if (action == "reboot") {
    if (status != "ACTIVE" && status != "SHUTOFF") return refuse("reboot");
    s->stopped = false;
  } else if (action == "lock" || action == "unlock") {
    s->locked = action == "lock";
  } else if (auto done = lifecycle_action(c, *s, action, body->begin().value())) {
    return std::move(*done);
  } else if (auto changed = security_group_action(c, *s, action, body->begin().value())) {
    return std::move(*changed);   // not an instance action in Nova
  } else {
    return error(400, "There is no such action: " + action);
  }
  s->updated_at = compute.now();
  record_action_locked(c.ctx, *s, action == "os-stop" ? "stop" : action == "os-start" ? "start" : action);
  return empty_reply(202);
}

reply nova_api::server_metadata(const call& c, const std::string& id) {
  std::lock_guard lock{cloud_.mutex};
  auto& compute = cloud_.compute;
  auto* s = compute.server_mutable(c.ctx, id);
  if (!s) return error(404, "Instance " + id + " could not be found.");
  // Nova's update_instance_metadata and delete_instance_metadata (nova/compute/api.py) run
  // behind check_instance_lock and check_instance_state(vm_state active, paused, suspended
  // or stopped, task_state None): a building server's metadata cannot change yet.
  auto refusal = [&](std::string_view verb) -> std::optional<reply> {
    if (s->locked && !c.ctx.is_admin) return error(409, "Instance " + s->id + " is locked");
    auto vm_state = compute.vm_state(*s);
    if (vm_state != "active" && vm_state != "paused" && vm_state != "suspended" && vm_state != "stopped") {
      return error(409, "Cannot '" + std::string{verb} + "' instance " + id + " while it is in vm_state " + vm_state);
    }
    if (auto task = compute.task_state(*s); !task.is_null()) {
      return error(409, "Cannot '" + std::string{verb} + "' instance " + id + " while it is in task_state " +
                          task.get<std::string>());
    }
    return std::nullopt;
  };
  const auto& p = c.path;
  if (p.size() == 3) {
    if (c.r.method == "GET") return json_reply(200, {{"metadata", s->metadata}});
    if (c.r.method != "POST" && c.r.method != "PUT") return error(405, not_allowed);
    auto body = parse_json(c.r);
    if (!body || !body->contains("metadata") || !(*body)["metadata"].is_object()) return error(400, "Malformed request body");
    for (const auto& [k, v] : (*body)["metadata"].items()) {
      if (!v.is_string()) return error(400, "Invalid input for field/attribute metadata. Value: " + v.dump());
    }
    if (auto refused = refusal("update metadata")) return std::move(*refused);
    if (c.r.method == "PUT") s->metadata = json::object();
    for (const auto& [k, v] : (*body)["metadata"].items()) s->metadata[k] = v;
    return json_reply(200, {{"metadata", s->metadata}});
  }
  const auto& key = p[3];
  if (c.r.method == "GET") {
    if (!s->metadata.contains(key)) return error(404, "Metadata item was not found");
    return json_reply(200, {{"meta", {{key, s->metadata[key]}}}});
  }
  if (c.r.method == "DELETE") {
    if (!s->metadata.contains(key)) return error(404, "Metadata item was not found");
    if (auto refused = refusal("delete metadata")) return std::move(*refused);
    s->metadata.erase(key);
    return empty_reply(204);
  }
  if (c.r.method == "PUT") {
    auto body = parse_json(c.r);
    if (!body || !body->contains("meta") || !(*body)["meta"].is_object() || !(*body)["meta"].contains(key)) {
      return error(400, "Request body and URI mismatch");
    }
    if (auto refused = refusal("update metadata")) return std::move(*refused);
    s->metadata[key] = (*body)["meta"][key];
    return json_reply(200, {{"meta", {{key, s->metadata[key]}}}});
  }
  return error(405, not_allowed);
}

} // namespace fedstack::sim
