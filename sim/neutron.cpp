#include "sim/neutron.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace fedstack::sim {
namespace {

struct resource_names {
  const char* singular;   // JSON key of one item
  const char* plural;     // JSON key of a list
  const char* title;      // for "<Title> X could not be found."
};

const std::map<std::string, resource_names, std::less<>> resources = {
  {"networks", {"network", "networks", "Network"}},
  {"subnets", {"subnet", "subnets", "Subnet"}},
  {"ports", {"port", "ports", "Port"}},
  {"security-groups", {"security_group", "security_groups", "Security group"}},
  {"security-group-rules", {"security_group_rule", "security_group_rules", "Security group rule"}},
  {"routers", {"router", "routers", "Router"}},
  {"floatingips", {"floatingip", "floatingips", "Floating IP"}},
};

// Collections the simulator has no objects for; listing them returns nothing.
const std::map<std::string, std::string, std::less<>> empty_collections = {
  {"subnetpools", "subnetpools"},
  {"trunks", "trunks"}, {"rbac-policies", "rbac_policies"}, {"address-scopes", "address_scopes"},
  {"agents", "agents"}, {"availability_zones", "availability_zones"},
  {"address-groups", "address_groups"}, {"network_segment_ranges", "network_segment_ranges"}};

const std::set<std::string, std::less<>> list_parameters = {
  "limit", "marker", "fields", "sort_key", "sort_dir", "page_reverse",
  "tags", "tags-any", "not-tags", "not-tags-any"};

std::string not_found_type(const resource_names& names) {
  std::string type;
  bool upper = true;
  for (const char* c = names.title; *c; ++c) {
    if (*c == ' ') {
      upper = true;
      continue;
    }
    type.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(*c))) : *c);
    upper = false;
  }
  return type + "NotFound";
}

/// Neutron compares filters as strings: booleans "true"/"True", numbers in decimal.
bool value_matches(const json& actual, const std::string& wanted) {
  if (actual.is_string()) return actual.get<std::string>() == wanted;
  if (actual.is_boolean()) return parse_bool(wanted) == actual.get<bool>();
  if (actual.is_number_integer()) return std::to_string(actual.get<std::int64_t>()) == wanted;
  if (actual.is_null()) return wanted.empty() || wanted == "None";
  if (actual.is_array()) {
    return std::any_of(actual.begin(), actual.end(), [&](const json& x) { return value_matches(x, wanted); });
  }
  return false;
}

bool fixed_ip_matches(const json& fixed_ips, const std::string& wanted) {
  // "ip_address=10.0.0.3" or "subnet_id=<id>"
  auto eq = wanted.find('=');
  if (eq == std::string::npos) return false;
  auto key = wanted.substr(0, eq);
  auto value = wanted.substr(eq + 1);
  return std::any_of(fixed_ips.begin(), fixed_ips.end(),
                     [&](const json& ip) { return ip.contains(key) && ip[key] == value; });
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::string_view rest{text};
  while (!rest.empty()) {
    auto comma = rest.find(',');
    if (auto part = rest.substr(0, comma); !part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

} // namespace

reply neutron_api::error(unsigned status, std::string_view type, std::string_view message) {
  return json_reply(status, {{"NeutronError", {{"type", type}, {"message", message}, {"detail", ""}}}});
}

reply neutron_api::handle(const request& r) {
  if (r.segments.empty()) {
    if (r.method != "GET") return error(405, "HTTPMethodNotAllowed", "The method is not allowed for this resource.");
    return json_reply(200, {{"versions", json::array({{{"id", "v2.0"}, {"status", "CURRENT"},
                                                       {"links", json::array({{{"rel", "self"}, {"href", base_url_ + "/v2.0/"}}})}}})}});
  }
  auto ctx = authenticate(ids_, r);
  if (!ctx) return unauthorized_reply(ids_);
  if (r.segments[0] != "v2.0") return error(404, "HTTPNotFound", "The resource could not be found.");
  // Older clients append ".json" to the last segment.
  if (!r.segments.empty() && r.segments.back().size() > 5 &&
      r.segments.back().compare(r.segments.back().size() - 5, 5, ".json") == 0) {
    auto copy = r;
    copy.segments.back().resize(copy.segments.back().size() - 5);
    return route(copy, *ctx);
  }
  return route(r, *ctx);
}

reply neutron_api::route(const request& r, const auth_context& ctx) {
  if (r.segments.size() == 1) {
    // "/v2.0" is a 404 and "/v2.0/" the resource index, as in the captures.
    if (r.path.back() != '/') return error(404, "HTTPNotFound", "The resource could not be found.");
    json list = json::array();
    for (const char* name : {"network", "subnet", "subnetpool", "port"}) {
      auto collection = std::string{name} + "s";
      list.push_back({{"name", name}, {"collection", collection},
                      {"links", json::array({{{"rel", "self"}, {"href", base_url_ + "/v2.0/" + collection}}})}});
    }
    return json_reply(200, {{"resources", list}});
  }
  const auto& name = r.segments[1];
  if (name == "extensions") {
    if (r.segments.size() == 2) return json_reply(200, {{"extensions", neutron_extensions()}});
    for (const auto& e : neutron_extensions()) {
      if (r.segments.size() == 3 && e["alias"] == r.segments[2]) return json_reply(200, {{"extension", e}});
    }
    return error(404, "HTTPNotFound", "Extension with alias " + r.segments.back() + " does not exist");
  }
  if (name == "quotas") return quotas(r, ctx);
  if (auto empty = empty_collections.find(name); empty != empty_collections.end()) {
    if (r.segments.size() == 2 && r.method == "GET") return json_reply(200, {{empty->second, json::array()}});
    return error(404, "HTTPNotFound", "The resource could not be found.");
  }
  if (!resources.count(name)) return error(404, "HTTPNotFound", "The resource could not be found.");
  if (r.segments.size() == 2) return collection(r, ctx, name);
  if (r.segments.size() == 3) return member(r, ctx, name, r.segments[2]);
  if (name == "routers" && r.segments.size() == 4 &&
      (r.segments[3] == "add_router_interface" || r.segments[3] == "remove_router_interface"))
    return router_interface(r, ctx, r.segments[2], r.segments[3] == "add_router_interface");
  if (r.segments[3] == "tags" && r.segments.size() <= 5) return tags(r, ctx, name);
  return error(404, "HTTPNotFound", "The resource could not be found.");
}

reply neutron_api::collection(const request& r, const auth_context& ctx, const std::string& name) {
  const auto& names = resources.at(name);
  auto& net = cloud_.networks;
  std::lock_guard lock{cloud_.mutex};
  net.ensure_default_group(ctx.project_id);
  if (r.method == "GET") {
    std::vector<json> items;
    if (name == "networks") for (auto* x : net.networks(ctx)) items.push_back(net.network_json(*x, ctx));
    if (name == "subnets") for (auto* x : net.subnets(ctx)) items.push_back(net.subnet_json(*x));
    if (name == "ports") for (auto* x : net.ports(ctx)) items.push_back(net.port_json(*x, ctx));
    if (name == "security-groups") {
      // Listing another project's groups creates its default group, as Neutron does.
      if (ctx.is_admin) {
        for (const char* key : {"project_id", "tenant_id"}) {
          for (const auto& p : r.query_values(key)) net.ensure_default_group(p);
        }
      }
      for (auto* x : net.security_groups(ctx)) items.push_back(net.security_group_json(*x));
    }
    if (name == "security-group-rules") for (auto* x : net.rules(ctx)) items.push_back(net.rule_json(*x));
    if (name == "routers") for (auto* x : net.routers(ctx)) items.push_back(net.router_json(*x, ctx));
    if (name == "floatingips") for (auto* x : net.floating_ips(ctx)) items.push_back(net.floating_ip_json(*x));
    return list(r, name, names.plural, std::move(items));
  }
  if (r.method != "POST") return error(405, "HTTPMethodNotAllowed", "The method is not allowed for this resource.");

  auto body = parse_json(r);
  if (!body || !body->is_object()) {
    return error(400, "MalformedRequestBody", "Malformed request body: Body contains invalid data");
  }
  auto create_one = [&](const json& in) -> outcome<json> {
    if (auto e = check_create_tags(name, in)) return *e;
    auto render = [&](const auto& created) -> outcome<json> {
      if (failed(created)) return error_of(created);
      using record = std::decay_t<decltype(std::get<0>(created))>;
      const auto& x = std::get<record>(created);
      if constexpr (std::is_same_v<record, network_record>) {
        // Real Neutron (Zed, ML2) shows "is_default" in a create's answer only, not in
        // show or list (docs/conformance.md).
        auto shown = net.network_json(x, ctx);
        shown["is_default"] = false;
        return shown;
      } else if constexpr (std::is_same_v<record, subnet_record>) return net.subnet_json(x);
      else if constexpr (std::is_same_v<record, port_record>) return net.port_json(x, ctx);
      else if constexpr (std::is_same_v<record, security_group_record>) return net.security_group_json(x);
      else if constexpr (std::is_same_v<record, router_record>) return net.router_json(x, ctx);
      else if constexpr (std::is_same_v<record, floating_ip_record>) return net.floating_ip_json(x);
      else return net.rule_json(x);
    };
    if (name == "networks") return render(net.create_network(ctx, in));
    if (name == "subnets") return render(net.create_subnet(ctx, in));
    if (name == "ports") return render(net.create_port(ctx, in));
    if (name == "security-groups") return render(net.create_security_group(ctx, in));
    if (name == "routers") return render(net.create_router(ctx, in));
    if (name == "floatingips") return render(net.create_floating_ip(ctx, in));
    return render(net.create_rule(ctx, in));
  };
  auto remove_one = [&](const std::string& id) {
    if (name == "networks") net.delete_network(ctx, id);
    else if (name == "subnets") net.delete_subnet(ctx, id);
    else if (name == "ports") net.delete_port(ctx, id);
    else if (name == "security-groups") net.delete_security_group(ctx, id);
    else if (name == "routers") net.delete_router(ctx, id);
    else if (name == "floatingips") net.delete_floating_ip(ctx, id);
    else net.delete_rule(ctx, id);
  };

  if (body->contains(names.singular) && (*body)[names.singular].is_object()) {
    auto created = create_one((*body)[names.singular]);
    if (failed(created)) {
      const auto& e = error_of(created);
      return error(e.status, e.type, e.message);
    }
    return json_reply(201, {{names.singular, std::get<json>(created)}});
  }
  if (body->contains(names.plural) && (*body)[names.plural].is_array()) {
    // Bulk create is all or nothing.
    json done = json::array();
    for (const auto& in : (*body)[names.plural]) {
      auto created = create_one(in.is_object() ? in : json::object());
      if (failed(created)) {
        for (const auto& x : done) remove_one(x["id"].get<std::string>());
        const auto& e = error_of(created);
        return error(e.status, e.type, e.message);
      }
      done.push_back(std::get<json>(created));
    }
    return json_reply(201, {{names.plural, done}});
  }
  return error(400, "BadRequest", std::string{"Bad "} + name + " request: Resource body required");
}

reply neutron_api::member(const request& r, const auth_context& ctx, const std::string& name, const std::string& id) {
  const auto& names = resources.at(name);
  auto& net = cloud_.networks;
  std::lock_guard lock{cloud_.mutex};
  auto missing = [&] {
    std::string what = names.title;
    if (name == "security-groups" || name == "security-group-rules") {
      return error(404, not_found_type(names), what + " " + id + " does not exist");
    }
    return error(404, not_found_type(names), what + " " + id + " could not be found.");
  };
  auto show = [&]() -> std::optional<json> {
    if (name == "networks") if (auto* x = net.find_network(ctx, id)) return net.network_json(*x, ctx);
    if (name == "subnets") if (auto* x = net.find_subnet(ctx, id)) return net.subnet_json(*x);
    if (name == "ports") if (auto* x = net.find_port(ctx, id)) return net.port_json(*x, ctx);
    if (name == "security-groups") if (auto* x = net.find_security_group(ctx, id)) return net.security_group_json(*x);
    if (name == "security-group-rules") if (auto* x = net.find_rule(ctx, id)) return net.rule_json(*x);
    if (name == "routers") if (auto* x = net.find_router(ctx, id)) return net.router_json(*x, ctx);
    if (name == "floatingips") if (auto* x = net.find_floating_ip(ctx, id)) return net.floating_ip_json(*x);
    return std::nullopt;
  };

  if (r.method == "GET") {
    auto item = show();
    if (!item) return missing();
    if (auto fields = r.query_values("fields"); !fields.empty()) {
      json projected = json::object();
      for (const auto& f : fields) if (item->contains(f)) projected[f] = (*item)[f];
      item = projected;
    }
    return json_reply(200, {{names.singular, *item}});
  }
  if (r.method == "DELETE") {
    std::optional<api_error> e;
    if (name == "networks") e = net.delete_network(ctx, id);
    else if (name == "subnets") e = net.delete_subnet(ctx, id);
    else if (name == "ports") e = net.delete_port(ctx, id);
    else if (name == "security-groups") e = net.delete_security_group(ctx, id);
    else if (name == "routers") e = net.delete_router(ctx, id);
    else if (name == "floatingips") e = net.delete_floating_ip(ctx, id);
    else e = net.delete_rule(ctx, id);
    if (e) return error(e->status, e->type, e->message);
    return empty_reply(204);
  }
  if (r.method == "PUT") {
    auto body = parse_json(r);
    if (!body || !body->is_object() || !body->contains(names.singular) || !(*body)[names.singular].is_object()) {
      return error(400, "MalformedRequestBody", "Malformed request body: Body contains invalid data");
    }
    const auto& in = (*body)[names.singular];
    std::optional<api_error> e;
    if (name == "networks") { auto u = net.update_network(ctx, id, in); if (failed(u)) e = error_of(u); }
    else if (name == "subnets") { auto u = net.update_subnet(ctx, id, in); if (failed(u)) e = error_of(u); }
    else if (name == "ports") {
      auto u = net.update_port(ctx, id, in);
      if (failed(u)) e = error_of(u);
      // ML2's answer lags a show right after by one revision (network_ports.cpp).
      else return json_reply(200, {{names.singular, net.port_json(std::get<port_record>(u), ctx)}});
    }
    else if (name == "routers") { auto u = net.update_router(ctx, id, in); if (failed(u)) e = error_of(u); }
    else if (name == "floatingips") { auto u = net.update_floating_ip(ctx, id, in); if (failed(u)) e = error_of(u); }
    else if (name == "security-groups") {
      // Only name and description change; enough for `security group set`.
      const auto* found = net.find_security_group(ctx, id);
      if (!found) return missing();
      auto* group = const_cast<security_group_record*>(found);   // the store hands out const views only
      for (const char* key : {"name", "description"})
        if (in.contains(key) && !in[key].is_string())
          return error(400, "HTTPBadRequest", std::string("Invalid input for ") + key + ".");
      if (in.contains("name")) group->name = in["name"].get<std::string>();
      if (in.contains("description")) group->description = in["description"].get<std::string>();
    } else {
      return error(400, "BadRequest", "Security group rules cannot be updated.");
    }
    if (e) return error(e->status, e->type, e->message);
    return json_reply(200, {{names.singular, *show()}});
  }
  return error(405, "HTTPMethodNotAllowed", "The method is not allowed for this resource.");
}

reply neutron_api::router_interface(const request& r, const auth_context& ctx, const std::string& id, bool add) {
  if (r.method != "PUT") return error(405, "HTTPMethodNotAllowed", "The method is not allowed for this resource.");
  auto body = parse_json(r);
  if (!body || !body->is_object()) return error(400, "MalformedRequestBody", "Malformed request body: Body contains invalid data");
  auto& net = cloud_.networks;
  std::lock_guard lock{cloud_.mutex};
  auto done = add ? net.add_router_interface(ctx, id, *body) : net.remove_router_interface(ctx, id, *body);
  if (failed(done)) {
    const auto& e = error_of(done);
    return error(e.status, e.type, e.message);
  }
  return json_reply(200, std::get<json>(done));
}

reply neutron_api::tags(const request& r, const auth_context& ctx, const std::string& name) {
  auto& net = cloud_.networks;
  std::lock_guard lock{cloud_.mutex};
  const auto& id = r.segments[2];
  std::optional<api_error> e;
  if (r.segments.size() == 4) {
    if (r.method == "PUT") {
      auto body = parse_json(r);
      if (!body || !body->contains("tags")) return error(400, "MalformedRequestBody", "Malformed request body: Body contains invalid data");
      e = net.set_tags(ctx, name, id, std::nullopt, std::nullopt, &(*body)["tags"]);
      if (!e) return json_reply(200, {{"tags", (*body)["tags"]}});
    } else if (r.method == "DELETE") {
      json none = json::array();
      e = net.set_tags(ctx, name, id, std::nullopt, std::nullopt, &none);
      if (!e) return empty_reply(204);
    } else if (r.method == "GET") {
      // Neutron's tagging extension: the resource's tags, {"tags": [...]}.
      auto tags = net.tags_of(ctx, name, id);
      if (!tags) return error(404, "HTTPNotFound", "The resource could not be found.");
      return json_reply(200, {{"tags", *tags}});
    } else {
      return error(405, "HTTPMethodNotAllowed", "The method is not allowed for this resource.");
    }
  } else {
    const auto& tag = r.segments[4];
    if (r.method == "GET") {
      // One tag: 204 when the resource carries it, else TagNotFound.
      auto tags = net.tags_of(ctx, name, id);
      if (!tags) return error(404, "HTTPNotFound", "The resource could not be found.");
      if (std::find(tags->begin(), tags->end(), tag) != tags->end()) return empty_reply(204);
      return error(404, "TagNotFound", "Tag " + tag + " could not be found for " + name + " " + id + ".");
    }
    if (r.method == "PUT") e = net.set_tags(ctx, name, id, tag, std::nullopt, nullptr);
    else if (r.method == "DELETE") e = net.set_tags(ctx, name, id, std::nullopt, tag, nullptr);
    else return error(405, "HTTPMethodNotAllowed", "The method is not allowed for this resource.");
    if (!e) return empty_reply(r.method == "PUT" ? 201 : 204);
  }
  return error(e->status, e->type, e->message);
}

reply neutron_api::list(const request& r, const std::string& collection, const std::string& key,
                        std::vector<json> items) const {
  // Repeated keys are ORed, different keys ANDed.
  std::map<std::string, std::vector<std::string>> filters;
  for (const auto& [k, v] : r.query) {
    if (!list_parameters.count(k)) filters[k].push_back(v);
  }
  auto tag_filter = [&](const char* param, auto&& test) {
    for (const auto& value : r.query_values(param)) {
      auto wanted = split_commas(value);
      std::erase_if(items, [&](const json& item) { return !test(item["tags"], wanted); });
    }
  };
  std::erase_if(items, [&](const json& item) {
    for (const auto& [k, values] : filters) {
      if (!item.contains(k)) continue;   // unknown attributes are ignored
      const auto& actual = item[k];
      bool any = std::any_of(values.begin(), values.end(), [&](const std::string& v) {
        return k == "fixed_ips" ? fixed_ip_matches(actual, v) : value_matches(actual, v);
      });
      if (!any) return true;
    }
    return false;
  });
  auto has = [](const json& tags, const std::string& t) { return std::find(tags.begin(), tags.end(), t) != tags.end(); };
  tag_filter("tags", [&](const json& tags, const auto& wanted) {
    return std::all_of(wanted.begin(), wanted.end(), [&](auto& t) { return has(tags, t); });
  });
  tag_filter("tags-any", [&](const json& tags, const auto& wanted) {
    return std::any_of(wanted.begin(), wanted.end(), [&](auto& t) { return has(tags, t); });
  });
  tag_filter("not-tags", [&](const json& tags, const auto& wanted) {
    return !std::all_of(wanted.begin(), wanted.end(), [&](auto& t) { return has(tags, t); });
  });
  tag_filter("not-tags-any", [&](const json& tags, const auto& wanted) {
    return !std::any_of(wanted.begin(), wanted.end(), [&](auto& t) { return has(tags, t); });
  });

  if (auto sort_key = r.query_value("sort_key")) {
    bool descending = r.query_value("sort_dir").value_or("asc") == "desc";
    std::stable_sort(items.begin(), items.end(), [&](const json& a, const json& b) {
      auto x = a.value(*sort_key, json{});
      auto y = b.value(*sort_key, json{});
      return descending ? y < x : x < y;
    });
  }

  json links = json::array();
  if (auto marker = r.query_value("marker")) {
    auto at = std::find_if(items.begin(), items.end(), [&](const json& item) { return item["id"] == *marker; });
    if (at == items.end()) {
      const auto& names = resources.at(collection);
      return error(404, not_found_type(names), std::string{names.title} + " " + *marker + " could not be found.");
    }
    items.erase(items.begin(), at + 1);
  }
  if (auto limit_text = r.query_value("limit")) {
    auto limit = parse_int(*limit_text);
    if (!limit) return error(400, "BadRequest", "Bad limit request: Limit must be an integer 0 or greater and not '" + *limit_text + "'.");
    // A full page gets a "next" link (limit 0 means no limit, as in Neutron).
    if (*limit > 0 && static_cast<std::int64_t>(items.size()) >= *limit) {
      items.resize(static_cast<std::size_t>(*limit));
      std::string query;
      for (const auto& [k, v] : r.query) {
        if (k != "marker") query += url_encode(k) + "=" + url_encode(v) + "&";
      }
      links.push_back({{"rel", "next"},
                       {"href", base_url_ + "/v2.0/" + collection + "?" + query + "marker=" +
                                  url_encode(items.back()["id"].get<std::string>())}});
    }
  }
  if (auto fields = r.query_values("fields"); !fields.empty()) {
    for (auto& item : items) {
      json projected = json::object();
      for (const auto& f : fields) if (item.contains(f)) projected[f] = item[f];
      item = projected;
    }
  }
  json body = {{key, items}};
  if (!links.empty()) body[key + "_links"] = links;
  return json_reply(200, body);
}

} // namespace fedstack::sim
