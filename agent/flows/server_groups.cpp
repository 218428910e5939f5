#include "agent/flows/server_groups.hpp"
#include "agent/rules/json_text.hpp"

#include <spdlog/spdlog.h>

#include "agent/flows/copies.hpp"
#include "agent/flows/federation.hpp"
#include "agent/rules/list_paging.hpp"
#include "agent/services/cloudlets.hpp"
#include "api/global_id.hpp"
#include "api/percent.hpp"
#include "api/query.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

using json_fields::text;

json parse_object(const std::string& body) {
  auto doc = json::parse(body, nullptr, false);
  return doc.is_object() ? doc : json::object();
}

std::string group_path(const std::string& id) { return "/v2.1/os-server-groups/" + api::percent_encode_segment(id); }

/// The client's headers at a microversion that takes every policy and
/// `policies` (2.15, soft-* added) and shows the project (2.13 on).
bhttp::fields copy_headers(const request& r) {
  auto headers = client_call_headers(r);
  headers.set("X-OpenStack-Nova-API-Version", "2.15");
  headers.set("OpenStack-API-Version", "compute 2.15");
  return headers;
}

// Built outside the coroutines: GCC 12 cannot keep an initializer_list in a
// coroutine frame (docs/decisions.md).
std::string copy_body(const boot_server_group& g) {
  json group{{"name", server_group_copy_name(g.origin)}, {"policies", json::array({g.policy})}};
  return json{{"server_group", group}}.dump();
}

http::awaitable<http::response> nova(request& r, const cloudlet_endpoints& on, bhttp::verb method,
                                     const std::string& path, const bhttp::fields& headers,
                                     const std::string& body = {}) {
  co_return co_await call_cloudlet(r.context, on, api::service_type::compute, method, path, headers, body);
}

/// Group `id` on `on` as the client sees it; nullopt for any answer but 200.
http::awaitable<std::optional<json>> group_on(request& r, const cloudlet_endpoints& on, const std::string& id) {
  auto headers = copy_headers(r);
  auto shown = co_await nova(r, on, bhttp::verb::get, group_path(id), headers);
  auto group = parse_object(shown.body).value("server_group", json());
  if (shown.status != 200 || !group.is_object()) co_return std::nullopt;
  co_return group;
}

/// The cloudlets, this agent's first (most groups are made through it).
std::vector<cloudlet_endpoints> own_first(request& r) {
  std::vector<cloudlet_endpoints> out{r.context.cloudlet};
  for (auto& c : all_cloudlets(r.context))
    if (c.region != r.context.cloudlet.region) out.push_back(std::move(c));
  return out;
}

/// Where the origin of group `id` is: the first cloudlet that shows it to the caller.
struct found_group {
  cloudlet_endpoints where;
  json group;
};
http::awaitable<std::optional<found_group>> find_origin(request& r, const std::string& id) {
  for (const auto& c : own_first(r)) {
    std::optional<json> group;
    try {
      group = co_await group_on(r, c, id);
    } catch (const std::exception& e) {
      spdlog::warn("{} server group {}: {} cannot tell: {}", r.request_id, id, c.region, e.what());
    }
    if (group) {
      found_group out;
      out.where = c;
      out.group = std::move(*group);
      co_return out;
    }
  }
  co_return std::nullopt;
}

/// The groups on `on` the caller's list shows (an admin's: every project's). Throws copy_failed.
http::awaitable<std::vector<json>> groups_on(request& r, const cloudlet_endpoints& on) {
  auto headers = copy_headers(r);
  std::string path = "/v2.1/os-server-groups";
  if (r.identity->is_admin) path += "?all_projects=True";
  auto listed = co_await nova(r, on, bhttp::verb::get, path, headers);
  if (listed.status != 200)
    throw copy_failed("listing the server groups of " + on.region + " answered " + std::to_string(listed.status));
  std::vector<json> out;
  for (auto& g : parse_object(listed.body).value("server_groups", json::array()))
    if (g.is_object()) out.push_back(std::move(g));
  co_return out;
}

std::vector<std::string> members_of(const json& group) {
  std::vector<std::string> out;
  for (const auto& m : group.value("members", json::array()))
    if (m.is_string()) out.push_back(m.get<std::string>());
  return out;
}

/// The members of a group on `on` as the federation names them: a server the
/// registry or its marker names by a global ID shows by it.
http::awaitable<std::vector<std::string>> global_members(request& r, const cloudlet_endpoints& on,
                                                         const std::vector<std::string>& local) {
  std::vector<std::string> out;
  if (local.empty()) co_return out;
  auto known = co_await ids_to_global(r, on.region, api::service_type::compute, nullptr, local);
  auto headers = client_call_headers(r);
  for (const auto& id : local) {
    if (auto it = known.find(id); it != known.end()) {
      out.push_back(it->second);
      continue;
    }
    // A server another agent booted: its marker says.
    auto shown = co_await nova(r, on, bhttp::verb::get, "/v2.1/servers/" + api::percent_encode_segment(id), headers);
    auto server = parse_object(shown.body).value("server", json());
    auto marker = shown.status == 200 ? api::read_marker(api::service_type::compute, server) : std::nullopt;
    if (marker && !marker->is_copy) r.context.aliases.learn(on.region, id, marker->global_id);
    out.push_back(marker && !marker->is_copy ? marker->global_id : id);
  }
  co_return out;
}

/// The group as the client sees it: the origin's fields, the members of the
/// origin and of every copy, by their federation IDs.
struct member_source {
  cloudlet_endpoints where;
  std::vector<std::string> local;
};
/// Plain functions: GCC 12 cannot keep braced initializers in a coroutine frame.
std::vector<member_source> sources_of(const cloudlet_endpoints& where, const json& group) {
  std::vector<member_source> out;
  out.push_back(member_source{where, members_of(group)});
  return out;
}
std::string wrapped(const char* key, json value) {
  json doc = json::object();
  doc[key] = std::move(value);
  return doc.dump();
}

http::awaitable<json> client_view(request& r, json group, const std::vector<member_source>& sources) {
  json members = json::array();
  for (const auto& s : sources) {
    auto ids = co_await global_members(r, s.where, s.local);
    for (auto& id : ids) members.push_back(std::move(id));
  }
  if (group.contains("members")) group["members"] = std::move(members);
  co_return group;
}

http::awaitable<void> show_group(request& r) {
  const auto& id = r.route.resource_id;
  auto found = co_await find_origin(r, id);
  if (!found) co_return co_await send_error(r, 404, "Instance group " + id + " could not be found.");
  // Read again at the client's microversion, for its shape.
  auto headers = client_call_headers(r);
  auto shown = co_await nova(r, found->where, bhttp::verb::get, group_path(id), headers);
  auto group = parse_object(shown.body).value("server_group", json());
  if (shown.status != 200 || !group.is_object()) co_return co_await send_upstream_response(r, shown, shown.body);
  auto sources = sources_of(found->where, group);
  auto origin = server_group_origin_of(group) ? std::string{} : id;   // a copy asked by its own ID shows as is
  for (const auto& c : own_first(r)) {
    if (origin.empty() || c.region == found->where.region) continue;
    try {
      auto listed = co_await groups_on(r, c);
      for (const auto& g : listed)
        if (server_group_origin_of(g) == origin) sources.push_back(member_source{c, members_of(g)});
    } catch (const std::exception& e) {
      spdlog::warn("{} server group {}: the members on {} are not shown: {}", r.request_id, id, c.region, e.what());
    }
  }
  auto view = co_await client_view(r, std::move(group), sources);
  co_await send_json(r, 200, wrapped("server_group", std::move(view)));
}

http::awaitable<void> list_groups(request& r) {
  auto query = api::query_string::parse(r.route.query);
  auto offset = query.get("offset");
  auto limit = query.limit();
  if (!limit.valid || (offset && offset->find_first_not_of("0123456789") != std::string::npos))
    co_return co_await send_error(r, 400, "Invalid input for query parameters limit or offset.");
  query.remove("limit");
  query.remove("offset");
  auto path = std::string("/v2.1/os-server-groups");
  if (!query.empty()) path += "?" + query.encode();
  auto headers = client_call_headers(r);
  struct listed {
    cloudlet_endpoints where;
    std::vector<json> groups;
  };
  std::vector<listed> answers;
  std::vector<std::string> unreachable;
  std::optional<http::response> refusal;
  for (const auto& c : all_cloudlets(r.context)) {
    std::optional<http::response> answer;
    try {
      answer = co_await nova(r, c, bhttp::verb::get, path, headers);
    } catch (const std::exception& e) {
      spdlog::warn("{} server groups of {}: {}", r.request_id, c.region, e.what());
    }
    if (!answer || answer->status >= 500) {
      unreachable.push_back(c.region);
      continue;
    }
    if (answer->status != 200) {
      refusal = std::move(answer);   // a policy refusal (an all_projects by a non-admin)
      continue;
    }
    listed one;
    one.where = c;
    for (auto& g : parse_object(answer->body).value("server_groups", json::array()))
      if (g.is_object()) one.groups.push_back(std::move(g));
    answers.push_back(std::move(one));
  }
  if (answers.empty() && refusal) co_return co_await send_upstream_response(r, *refusal, refusal->body);
  if (answers.empty()) co_return co_await send_error(r, 503, "No cloudlet answered the server group list.");
  // Members of copies join their origin's, wherever the origin is listed.
  std::map<std::string, std::vector<member_source>> copies;
  for (const auto& a : answers)
    for (const auto& g : a.groups)
      if (auto origin = server_group_origin_of(g)) copies[*origin].push_back(member_source{a.where, members_of(g)});
  json out = json::array();
  for (const auto& a : answers)
    for (const auto& g : a.groups) {
      if (!shown_in_lists(g)) continue;
      auto sources = sources_of(a.where, g);
      if (auto more = copies.find(text(g, "id")); more != copies.end())
        sources.insert(sources.end(), more->second.begin(), more->second.end());
      out.push_back(co_await client_view(r, g, sources));
    }
  // Nova pages server groups by offset and limit (common.limited).
  std::size_t from = offset ? std::min<std::size_t>(std::stoull(*offset), out.size()) : 0;
  std::size_t count = limit.present ? static_cast<std::size_t>(limit.value) : out.size();
  json page = json::array();
  for (std::size_t i = from; i < out.size() && page.size() < count; ++i) page.push_back(std::move(out[i]));
  bhttp::fields extra;
  if (!unreachable.empty()) extra.set("X-Fedstack-Unreachable", unreachable_header(unreachable));
  co_await send_json(r, 200, wrapped("server_groups", std::move(page)), &extra);
}

http::awaitable<void> delete_group(request& r) {
  const auto& id = r.route.resource_id;
  auto found = co_await find_origin(r, id);
  if (!found) co_return co_await send_error(r, 404, "Instance group " + id + " could not be found.");
  auto project = text(found->group, "project_id");
  auto headers = copy_headers(r);
  if (!server_group_origin_of(found->group)) {
    for (const auto& c : own_first(r)) {
      if (c.region == found->where.region) continue;
      std::vector<json> listed;
      std::optional<std::string> unreadable;
      try {
        listed = co_await groups_on(r, c);
      } catch (const std::exception& e) {
        unreadable = e.what();
      }
      if (unreadable)   // nothing is deleted before every copy can be
        co_return co_await send_error(r, 503, "The copies of server group " + id + " on " + c.region +
                                                " cannot be read: " + *unreadable);
      for (const auto& g : listed) {
        if (!delete_server_group_there(g, id, project)) continue;
        auto gone = co_await nova(r, c, bhttp::verb::delete_, group_path(text(g, "id")), headers);
        if (gone.status >= 300 && gone.status != 404) {
          spdlog::warn("{} deleting the copy {} of server group {} on {} answered {}", r.request_id, text(g, "id"), id,
                       c.region, gone.status);
          co_return co_await send_upstream_response(r, gone, gone.body);
        }
        spdlog::info("{} deleted the copy {} of server group {} on {}", r.request_id, text(g, "id"), id, c.region);
      }
    }
  }
  r.target = found->where;
  r.upstream = endpoint_of(r.target, api::service_type::compute).to_string();
  auto client_headers = client_call_headers(r);
  auto answer = co_await nova(r, found->where, bhttp::verb::delete_, group_path(id), client_headers);
  co_await send_upstream_response(r, answer, answer.body);
}

} // namespace

http::awaitable<std::optional<boot_server_group>> read_boot_server_group(request& r, const json& doc) {
  auto hint = boot_group_hint(doc);
  if (!hint) co_return std::nullopt;
  auto found = co_await find_origin(r, *hint);
  if (!found) co_return std::nullopt;   // the target's Nova judges the hint as given
  boot_server_group out;
  out.origin = *hint;
  if (auto copied = server_group_origin_of(found->group)) {
    // The client named a copy by its own ID: the group is its origin.
    out.origin = *copied;
    auto origin = co_await find_origin(r, out.origin);
    if (!origin) co_return std::nullopt;
    found = std::move(origin);
  }
  out.origin_region = found->where.region;
  out.policy = server_group_policy(found->group);
  out.name = text(found->group, "name");
  out.ids[out.origin_region] = out.origin;
  if (!members_of(found->group).empty()) out.member_regions.insert(out.origin_region);
  auto project = text(found->group, "project_id");
  for (const auto& c : all_cloudlets(r.context)) {
    if (c.region == out.origin_region) continue;
    std::vector<json> listed;
    try {
      listed = co_await groups_on(r, c);
    } catch (const std::exception& e) {
      spdlog::warn("{} server group {}: the copies on {} are unknown: {}", r.request_id, out.origin, c.region,
                   e.what());
      continue;
    }
    for (const auto& g : listed) {
      if (!delete_server_group_there(g, out.origin, project)) continue;   // only the federation's copies count
      out.ids.emplace(c.region, text(g, "id"));
      if (!members_of(g).empty()) out.member_regions.insert(c.region);
    }
  }
  co_return out;
}

http::awaitable<void> ensure_server_group_on(request& r, boot_server_group& group, json& doc,
                                             const cloudlet_endpoints& to) {
  if (auto known = group.ids.find(to.region); known != group.ids.end()) {
    set_boot_group_hint(doc, known->second);
    co_return;
  }
  auto guard = co_await r.context.copy_locks.acquire("server-group\n" + group.origin + "\n" + to.region);
  // Another boot may have made the copy while this one waited.
  auto listed = co_await groups_on(r, to);
  for (const auto& g : listed)
    if (server_group_origin_of(g) == group.origin && text(g, "id") != "") {
      group.ids.emplace(to.region, text(g, "id"));
      set_boot_group_hint(doc, text(g, "id"));
      co_return;
    }
  auto headers = copy_headers(r);
  auto body = copy_body(group);
  auto made = co_await nova(r, to, bhttp::verb::post, "/v2.1/os-server-groups", headers, body);
  auto item = parse_object(made.body).value("server_group", json());
  if (made.status != 200 || !item.is_object() || text(item, "id").empty())
    throw copy_failed("creating the copy of server group " + group.origin + " on " + to.region + " answered " +
                        std::to_string(made.status),
                      made.status >= 400 && made.status < 500 ? made.status : 503);
  auto id = text(item, "id");
  spdlog::info("{} copied server group {} ({}) to {} as {}", r.request_id, group.origin, group.policy, to.region, id);
  group.ids.emplace(to.region, id);
  set_boot_group_hint(doc, id);
}

http::awaitable<void> handle_server_groups(request& r) {
  if (r.route.resource_id.empty()) co_return co_await list_groups(r);
  if (r.header().method() == bhttp::verb::delete_) co_return co_await delete_group(r);
  co_await show_group(r);
}

} // namespace fedstack::agent
