#include "agent/flows/security_groups.hpp"
#include "agent/rules/json_text.hpp"

#include <spdlog/spdlog.h>

#include "agent/flows/copies.hpp"
#include "agent/flows/federation.hpp"
#include "agent/rules/security_group_rule.hpp"
#include "agent/services/cloudlets.hpp"
#include "api/percent.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

json parse_object(const http::response& answer) {
  auto doc = json::parse(answer.body, nullptr, false);
  return doc.is_object() ? doc : json::object();
}

using json_fields::text;

std::string project_of(const json& group) {
  auto owner = text(group, "project_id");
  return owner.empty() ? text(group, "tenant_id") : owner;
}

// Bodies are built outside the coroutines: GCC 12 cannot keep an
// initializer_list in a coroutine frame (docs/decisions.md).
std::string group_copy_body(const boot_group& g) {
  json fields{{"name", g.name}, {"description", text(g.group, "description")}};
  return json{{"security_group", fields}}.dump();
}

std::string copy_tags_body(const std::string& origin) {
  return json{{"tags", json::array({security_group_copy_tag(origin)})}}.dump();
}

/// The fields of a group's PUT its copies follow: its name and description.
json renamed_fields(const json& body) {
  json out = json::object();
  if (!body.is_object() || !body.contains("security_group") || !body["security_group"].is_object()) return out;
  for (const char* key : {"name", "description"})
    if (body["security_group"].contains(key) && body["security_group"][key].is_string())
      out[key] = body["security_group"][key];
  return out;
}

std::string rename_body(const json& change) {
  json doc = json::object();
  doc["security_group"] = change;
  return doc.dump();
}

std::string rule_body(json rule, const std::string& group_id) {
  rule["security_group_id"] = group_id;
  return json{{"security_group_rule", rule}}.dump();
}

http::awaitable<http::response> neutron(request& r, const cloudlet_endpoints& on, bhttp::verb method,
                                        const std::string& path, const std::string& body = {}) {
  co_return co_await call_cloudlet(r.context, on, api::service_type::network, method, path, client_call_headers(r),
                                   body);
}

/// The groups of `project` named `name` on `on`, as the client sees them. Throws copy_failed.
http::awaitable<std::vector<json>> groups_named(request& r, const cloudlet_endpoints& on, const std::string& name,
                                                const std::string& project) {
  auto listed = co_await neutron(r, on, bhttp::verb::get,
                                 "/v2.0/security-groups?name=" + api::percent_encode_segment(name) +
                                   "&project_id=" + api::percent_encode_segment(project));
  if (listed.status != 200)
    throw copy_failed("listing the security groups of " + on.region + " answered " + std::to_string(listed.status));
  std::vector<json> out;
  for (const auto& g : parse_object(listed).value("security_groups", json::array()))
    if (g.is_object() && text(g, "name") == name && project_of(g) == project) out.push_back(g);
  co_return out;
}

/// Group `id` on `on` with its rules; nullopt on 404. Throws copy_failed on any other failure.
http::awaitable<std::optional<json>> group_on(request& r, const cloudlet_endpoints& on, const std::string& id) {
  auto shown = co_await neutron(r, on, bhttp::verb::get, "/v2.0/security-groups/" + api::percent_encode_segment(id));
  if (shown.status == 404) co_return std::nullopt;
  auto group = parse_object(shown).value("security_group", json());
  if (shown.status != 200 || !group.is_object())
    throw copy_failed("reading security group " + id + " on " + on.region + " answered " +
                      std::to_string(shown.status));
  co_return group;
}

http::awaitable<std::vector<json>> family_on(request& r, const cloudlet_endpoints& on, const std::string& origin,
                                             const std::string& project);

/// The remote groups `source`'s rules name, as `on` holds them: each one's copy
/// there (or itself, when `on` holds the origin). A remote without one is left out.
http::awaitable<std::map<std::string, std::string>> remotes_on(request& r, const json& source,
                                                               const cloudlet_endpoints& on) {
  std::map<std::string, std::string> out;
  for (const auto& remote : remote_groups_of(source)) {
    auto family = co_await family_on(r, on, remote, project_of(source));
    if (!family.empty()) out.emplace(remote, text(family.front(), "id"));
  }
  co_return out;
}

/// Makes `copy`'s rules on `on` those of `source` (rules/security_group_rule.hpp).
http::awaitable<void> sync_rules(request& r, const json& source, const json& copy, const cloudlet_endpoints& on) {
  auto remotes = co_await remotes_on(r, source, on);
  auto plan = plan_rule_sync(source, copy, remotes);
  auto copy_id = text(copy, "id");
  for (const auto& id : plan.to_delete) {
    auto gone = co_await neutron(r, on, bhttp::verb::delete_, "/v2.0/security-group-rules/" + id);
    if (gone.status >= 300 && gone.status != 404)
      throw copy_failed("removing a rule of security group " + copy_id + " on " + on.region + " answered " +
                        std::to_string(gone.status));
  }
  for (const auto& rule : plan.to_add) {
    auto body = rule_body(rule, copy_id);
    auto made = co_await neutron(r, on, bhttp::verb::post, "/v2.0/security-group-rules", body);
    if (made.status != 201 && made.status != 409)   // 409: the same rule is there already
      throw copy_failed("adding a rule to security group " + copy_id + " on " + on.region + " answered " +
                        std::to_string(made.status));
  }
  if (plan.skipped > 0)
    spdlog::warn("{} {} rule(s) of security group {} name a group without a copy on {} as remote: not copied",
                 r.request_id,
                 plan.skipped, text(source, "id"), on.region);
}

/// The groups on `on` that are `origin` or copies of it, in `project`.
http::awaitable<std::vector<json>> family_on(request& r, const cloudlet_endpoints& on, const std::string& origin,
                                             const std::string& project) {
  std::vector<json> out;
  auto self = co_await group_on(r, on, origin);
  if (self && project_of(*self) == project) out.push_back(*self);
  auto listed = co_await neutron(r, on, bhttp::verb::get,
                                 "/v2.0/security-groups?tags=" +
                                   api::percent_encode_segment(security_group_copy_tag(origin)));
  if (listed.status != 200)
    throw copy_failed("listing the security groups of " + on.region + " answered " + std::to_string(listed.status));
  for (const auto& g : parse_object(listed).value("security_groups", json::array()))
    if (security_group_origin_of(g) == origin && project_of(g) == project) out.push_back(g);
  co_return out;
}

/// Brings every other cloudlet's copies of `group` (and the group it copies) in step with it.
http::awaitable<void> sync_family(request& r, const json& group) {
  auto origin = security_group_origin_of(group).value_or(text(group, "id"));
  for (const auto& c : all_cloudlets(r.context)) {
    if (c.region == r.context.cloudlet.region) continue;
    try {
      auto family = co_await family_on(r, c, origin, project_of(group));
      for (const auto& member : family) co_await sync_rules(r, group, member, c);
    } catch (const std::exception& e) {
      // The next boot there brings the copy in step (ensure_group_on).
      spdlog::warn("{} security group {}: the copies on {} are not in step: {}", r.request_id, origin, c.region,
                   e.what());
    }
  }
}

} // namespace

http::awaitable<std::vector<boot_group>> read_boot_groups(request& r, const json& server) {
  std::vector<boot_group> out;
  auto groups = server.find("security_groups");
  if (groups == server.end() || !groups->is_array()) co_return out;
  for (std::size_t i = 0; i < groups->size(); ++i) {
    const auto& item = (*groups)[i];
    auto given = item.is_object() ? text(item, "name") : std::string{};
    if (given.empty() || given == "default") continue;   // the default group: the same name everywhere
    std::optional<json> group;
    if (api::is_uuid(given)) {
      try {
        group = co_await group_on(r, r.context.cloudlet, given);
      } catch (const copy_failed&) {
      }
      if (group && project_of(*group) != r.identity->project_id) group.reset();   // an admin sees every project's
    }
    if (!group) {
      auto listed = co_await neutron(r, r.context.cloudlet, bhttp::verb::get,
                                     "/v2.0/security-groups?name=" + api::percent_encode_segment(given));
      if (listed.status != 200) continue;
      // Only the client's project's group: an admin's list shows every project's.
      group = group_of_project(parse_object(listed), r.identity->project_id, given);
    }
    if (!group) continue;   // the cloud's Nova judges the name
    boot_group found;
    found.index = i;
    found.given = given;
    found.name = text(*group, "name");
    found.origin = security_group_origin_of(*group).value_or(text(*group, "id"));
    found.group = std::move(*group);
    out.push_back(std::move(found));
  }
  co_return out;
}

void name_groups_for(const std::vector<boot_group>& groups, json& server, bool own_cloudlet) {
  auto list = server.find("security_groups");
  if (list == server.end() || !list->is_array()) return;
  for (const auto& g : groups)
    if (g.index < list->size() && (*list)[g.index].is_object())
      (*list)[g.index]["name"] = own_cloudlet ? g.given : g.name;
}

http::awaitable<void> ensure_group_on(request& r, const boot_group& g, const cloudlet_endpoints& to) {
  const auto& project = r.identity->project_id;
  auto guard = co_await r.context.copy_locks.acquire("security-group\n" + g.origin + "\n" + to.region);
  auto step = group_step_for(co_await groups_named(r, to, g.name, project), g.origin);
  if (step.what == group_step::refuse)
    throw copy_failed("Security group '" + g.name + "' on " + to.region + " (" + step.id +
                        ") was not made by the federation; a boot names its groups by name, so it would take that "
                        "group for the one on " + r.context.cloudlet.region + ".",
                      409);
  std::optional<json> copy;
  if (step.what == group_step::use) {
    copy = co_await group_on(r, to, step.id);
    if (!copy) throw copy_failed("security group " + step.id + " on " + to.region + " went away");
  } else {
    auto body = group_copy_body(g);
    auto made = co_await neutron(r, to, bhttp::verb::post, "/v2.0/security-groups", body);
    auto item = parse_object(made).value("security_group", json());
    if (made.status != 201 || !item.is_object() || text(item, "id").empty())
      throw copy_failed("creating the security group copy on " + to.region + " answered " +
                        std::to_string(made.status));
    auto id = text(item, "id");
    auto tags = copy_tags_body(g.origin);
    auto tagged = co_await neutron(r, to, bhttp::verb::put, "/v2.0/security-groups/" + id + "/tags", tags);
    if (tagged.status != 200) {
      // Unmarked, it could never be told from the user's own group: it goes now.
      co_await neutron(r, to, bhttp::verb::delete_, "/v2.0/security-groups/" + id);
      throw copy_failed("marking the security group copy on " + to.region + " answered " +
                        std::to_string(tagged.status));
    }
    spdlog::info("{} copied security group {} ({}) to {} as {}", r.request_id, g.name, g.origin, to.region, id);
    copy = co_await group_on(r, to, id);
    if (!copy) throw copy_failed("security group copy " + id + " on " + to.region + " went away");
  }
  co_await sync_rules(r, g.group, *copy, to);
}

http::awaitable<void> handle_security_group_rule_change(request& r, std::string body) {
  const auto& own = r.context.cloudlet;
  r.target = own;
  r.upstream = endpoint_of(own, api::service_type::network).to_string();
  // The rule's group: named in a create's body; read from the rule before a delete.
  std::string group_id;
  if (r.header().method() == bhttp::verb::post) {
    auto doc = json::parse(body, nullptr, false);
    if (doc.is_object() && doc.contains("security_group_rule") && doc["security_group_rule"].is_object())
      group_id = text(doc["security_group_rule"], "security_group_id");
  } else {
    auto shown = co_await neutron(r, own, bhttp::verb::get, r.route.upstream_path);
    if (shown.status == 200) group_id = text(parse_object(shown).value("security_group_rule", json::object()),
                                             "security_group_id");
  }
  auto target = r.route.upstream_path;
  if (!r.route.query.empty()) target += "?" + r.route.query;
  auto answer = co_await neutron(r, own, r.header().method(), target, body);
  if (answer.status < 300 && !group_id.empty()) {
    std::optional<json> group;
    try {
      group = co_await group_on(r, own, group_id);
    } catch (const copy_failed& e) {
      spdlog::warn("{} security group {} cannot be read after its rule change: {}", r.request_id, group_id, e.what());
    }
    if (group) co_await sync_family(r, *group);
  }
  co_await send_upstream_response(r, answer, answer.body);
}

http::awaitable<void> handle_security_group_update(request& r, std::string body) {
  const auto& own = r.context.cloudlet;
  r.target = own;
  r.upstream = endpoint_of(own, api::service_type::network).to_string();
  auto target = r.route.upstream_path;
  if (!r.route.query.empty()) target += "?" + r.route.query;
  auto answer = co_await neutron(r, own, bhttp::verb::put, target, body);
  auto group = parse_object(answer).value("security_group", json());
  auto change = renamed_fields(json::parse(body, nullptr, false));
  if (answer.status == 200 && group.is_object() && !change.empty()) {
    auto origin = security_group_origin_of(group).value_or(text(group, "id"));
    auto copy_body = rename_body(change);
    for (const auto& c : all_cloudlets(r.context)) {
      if (c.region == own.region) continue;
      try {
        auto family = co_await family_on(r, c, origin, project_of(group));
        for (const auto& member : family) {
          auto put = co_await neutron(r, c, bhttp::verb::put, "/v2.0/security-groups/" + text(member, "id"),
                                      copy_body);
          if (put.status != 200)
            spdlog::warn("{} renaming security group {} on {} answered {}", r.request_id, text(member, "id"),
                         c.region, put.status);
        }
      } catch (const std::exception& e) {
        // Not in step there: the copy keeps its old name until the next change.
        spdlog::warn("{} security group {}: the copies on {} keep their name: {}", r.request_id, origin, c.region,
                     e.what());
      }
    }
  }
  co_await send_upstream_response(r, answer, answer.body);
}

http::awaitable<void> handle_security_group_delete(request& r) {
  const auto& own = r.context.cloudlet;
  r.target = own;
  // Nova's proxy names the same group by its Neutron ID: the copies are found the same way.
  r.upstream = endpoint_of(own, r.route.service).to_string();
  std::optional<json> group;
  try {
    group = co_await group_on(r, own, r.route.resource_id);
  } catch (const copy_failed&) {
  }
  if (group) {
    auto origin = security_group_origin_of(*group).value_or(text(*group, "id"));
    for (const auto& c : all_cloudlets(r.context)) {
      if (c.region == own.region) continue;
      std::vector<json> family;
      std::optional<std::string> unreadable;
      try {
        family = co_await family_on(r, c, origin, project_of(*group));
      } catch (const copy_failed& e) {
        unreadable = e.what();
      }
      if (unreadable)   // nothing is deleted here before every copy can be
        co_return co_await send_error(r, 503, "The copies of security group " + r.route.resource_id + " on " +
                                                c.region + " cannot be read: " + *unreadable);
      for (const auto& member : family) {
        auto gone = co_await neutron(r, c, bhttp::verb::delete_, "/v2.0/security-groups/" + text(member, "id"));
        if (gone.status >= 300 && gone.status != 404) {
          spdlog::warn("{} deleting security group {} on {} answered {}", r.request_id, text(member, "id"), c.region,
                       gone.status);
          co_return co_await send_upstream_response(r, gone, gone.body);
        }
      }
    }
  }
  auto answer = co_await call_cloudlet(r.context, own, r.route.service, bhttp::verb::delete_, r.route.upstream_path,
                                       client_call_headers(r));
  co_await send_upstream_response(r, answer, answer.body);
}

} // namespace fedstack::agent
