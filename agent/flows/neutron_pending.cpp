#include "agent/flows/neutron_pending.hpp"

#include <spdlog/spdlog.h>

#include "agent/flows/federation.hpp"
#include "agent/flows/marker_search.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/percent.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// "/v2.0/networks" and "networks" for a network, and so on.
std::pair<std::string, std::string> collection_of(storage::resource_kind kind) {
  auto search = search_for_marker(kind, {}, false);
  if (!search || search->service != api::service_type::network) return {};
  return {"/v2.0/" + search->collection, search->collection};
}

std::string singular(const std::string& collection) { return collection.substr(0, collection.size() - 1); }

/// The item's whole tag list for one PUT: the tenant's tags, the marker and the attempt.
std::string tags_body(const json& item, const std::string& global_id, const std::string& token, bool is_copy) {
  json holder = json::object();
  holder["tags"] = item.contains("tags") && item["tags"].is_array() ? item["tags"] : json::array();
  api::strip_marker(api::service_type::network, holder);
  holder["tags"].push_back(api::marker_tag({global_id, is_copy, {}}));
  holder["tags"].push_back(api::attempt_tag(token));
  return holder.dump();
}

/// The resource in a Neutron answer (`{"port": {...}}`), if it holds one.
std::optional<json> shown_item(const std::string& body, const std::string& singular_name) {
  auto doc = json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains(singular_name) || !doc[singular_name].is_object()) return std::nullopt;
  return std::move(doc[singular_name]);
}

std::string description_body(const std::string& singular_name, const std::string& description) {
  json body = json::object();
  body[singular_name]["description"] = description;
  return body.dump();
}

} // namespace

pending_match match_pending(const json& items, const std::string& token, const std::string& global_id,
                            const std::string& project) {
  pending_match out;
  if (!items.is_array() || !api::is_attempt_token(token)) return out;
  for (const auto& item : items) {
    if (!item.is_object() || !item.contains("id") || !item["id"].is_string()) continue;
    if (owner_project(item) != project) continue;
    auto marker = api::read_marker(api::service_type::network, item);
    bool ours = false;
    if (marker) {
      ours = !marker->is_copy && marker->global_id == global_id && marker->attempt == token;
    } else {
      auto description = item.value("description", json());
      ours = description.is_string() && api::pending_token(description.get<std::string>()) == token;
    }
    if (!ours) continue;
    if (out.found == pending_match::result::one) {
      out.found = pending_match::result::ambiguous;
      out.item = json();
      return out;
    }
    out.found = pending_match::result::one;
    out.item = item;
  }
  return out;
}

std::optional<marked_item> pending_marked_item(const json& item, const std::string& global_id) {
  if (!item.is_object() || !item.contains("id") || !item["id"].is_string()) return std::nullopt;
  if (api::read_marker(api::service_type::network, item)) return std::nullopt;
  auto description = item.value("description", json());
  if (!description.is_string()) return std::nullopt;
  auto token = api::pending_token(description.get<std::string>());
  if (!token) return std::nullopt;
  return marked_item{item["id"].get<std::string>(), api::marker{global_id, false, *token}, owner_project(item), false};
}

http::awaitable<json> list_pending(agent_context& context, const bhttp::fields& headers, const cloudlet_endpoints& c,
                                   storage::resource_kind kind, const std::string& token, const std::string& project) {
  // No structured binding: GCC 12 miscompiles them in coroutines.
  auto names = collection_of(kind);
  const auto& path = names.first;
  const auto& collection = names.second;
  if (path.empty()) co_return json::array();
  auto target = path + "?description=" + api::percent_encode(api::pending_description(token)) +
                "&project_id=" + api::percent_encode(project);
  auto answer = co_await call_cloudlet(context, c, api::service_type::network, bhttp::verb::get, target, headers);
  if (answer.status != 200)
    throw upstream_failure(503, c.region + " answered " + std::to_string(answer.status) + " to a list of " + collection);
  auto doc = json::parse(answer.body, nullptr, false);
  if (!doc.is_object() || !doc.contains(collection) || !doc[collection].is_array())
    throw upstream_failure(503, c.region + " answered a list of " + collection + " without one");
  co_return std::move(doc[collection]);
}

http::awaitable<pending_match> find_pending(agent_context& context, const bhttp::fields& headers,
                                            const cloudlet_endpoints& c, storage::resource_kind kind,
                                            const std::string& global_id, const std::string& token,
                                            const std::string& project) {
  auto items = co_await list_pending(context, headers, c, kind, token, project);
  auto found = match_pending(items, token, global_id, project);
  if (found.found == pending_match::result::none) {
    // Tagged already, description not yet restored (or restored): the marker finds it.
    auto tagged = co_await list_marked_on(context, headers, c, kind, global_id, true);
    found = match_pending(json(std::move(tagged)), token, global_id, project);
  }
  co_return found;
}

http::awaitable<bool> mark_pending(agent_context& context, const bhttp::fields& headers,
                                   const cloudlet_endpoints& c, storage::resource_kind kind,
                                   const json& item, const std::string& global_id, const std::string& token,
                                   const std::string& description, bool is_copy, json* shown) {
  // No structured binding: GCC 12 miscompiles them in coroutines.
  auto names = collection_of(kind);
  const auto& path = names.first;
  const auto& collection = names.second;
  auto local_id = item.value("id", std::string{});
  if (path.empty() || local_id.empty()) co_return false;
  auto tagged = co_await call_cloudlet(context, c, api::service_type::network, bhttp::verb::put,
                                       path + "/" + local_id + "/tags", headers,
                                       tags_body(item, global_id, token, is_copy));
  if (tagged.status >= 300) {
    spdlog::warn("marking {} {} on {} answered {}", singular(collection), local_id, c.region, tagged.status);
    co_return false;
  }
  std::optional<json> after;
  if (api::pending_token(item.value("description", std::string{}))) {
    auto restored = co_await call_cloudlet(context, c, api::service_type::network, bhttp::verb::put,
                                           path + "/" + local_id, headers,
                                           description_body(singular(collection), description));
    // Marked already: a description left pending is hidden from clients (strip_marker).
    if (restored.status >= 300)
      spdlog::warn("restoring the description of {} {} on {} answered {}", singular(collection), local_id,
                   c.region, restored.status);
  }
  if (shown) {
    // Read again, never the PUTs' answers: the tag PUT answers the tags alone, and ML2
    // answers a port update with a revision_number one below a show right after.
    auto read = co_await call_cloudlet(context, c, api::service_type::network, bhttp::verb::get,
                                       path + "/" + local_id, headers);
    if (read.status == 200) after = shown_item(read.body, singular(collection));
  }
  if (shown && after) *shown = std::move(*after);
  co_return true;
}

} // namespace fedstack::agent
