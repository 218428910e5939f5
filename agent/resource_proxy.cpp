// Image, network and compute calls: translate the federation's global IDs to
// the cloudlet's IDs on the way in and back on the way out; record creates and
// deletes in the registry only after the cloud confirmed them.

#include <map>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/request.hpp"
#include "agent/upstream_call.hpp"
#include "api/rewrite.hpp"
#include "api/urls.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::resource_kind;

/// The registry kind of a collection, if its items are recorded.
std::optional<resource_kind> kind_of(const api::route& route) {
  const auto& c = route.resource;
  if (route.service == api::service_type::image && c == "images") return resource_kind::image;
  if (route.service == api::service_type::network) {
    if (c == "networks") return resource_kind::network;
    if (c == "subnets") return resource_kind::subnet;
    if (c == "ports") return resource_kind::port;
  }
  if (route.service == api::service_type::compute && c == "servers") return resource_kind::server;
  return std::nullopt;
}

/// Servers live in exactly one cloud and keep its UUID; the rest get global IDs.
bool has_global_id(resource_kind kind) { return kind != resource_kind::server; }

const http::endpoint& upstream_of(const request& r) {
  switch (r.route.service) {
    case api::service_type::image: return r.context.cloudlet.image;
    case api::service_type::network: return r.context.cloudlet.network;
    default: return r.context.cloudlet.compute;
  }
}

/// The upstream's service root, which the agent's replaces in answers.
std::string upstream_root(const request& r) {
  const auto& up = upstream_of(r);
  return "http://" + up.host + ":" + std::to_string(up.port) + up.base_path;
}

/// The ID of the resource a create returned, from `{"network": {"id": ...}}`
/// or Glance's bare `{"id": ...}`.
std::optional<std::string> created_id(const json& body, std::string_view collection) {
  if (!body.is_object()) return std::nullopt;
  if (body.contains("id") && body["id"].is_string()) return body["id"].get<std::string>();
  auto singular = std::string(collection.substr(0, collection.size() - 1));
  if (body.contains(singular) && body[singular].is_object()) {
    const auto& item = body[singular];
    if (item.contains("id") && item["id"].is_string()) return item["id"].get<std::string>();
  }
  return std::nullopt;
}

std::string created_name(const json& body, std::string_view collection) {
  auto singular = std::string(collection.substr(0, collection.size() - 1));
  const auto& item = body.contains(singular) ? body[singular] : body;
  if (item.is_object() && item.contains("name") && item["name"].is_string())
    return item["name"].get<std::string>();
  return {};
}

} // namespace

/// Global → local for every registered UUID in `texts` (this project, this cloudlet).
static http::awaitable<std::map<std::string, std::string>>
inbound_ids(request& r, const std::vector<std::string_view>& texts) {
  std::map<std::string, std::string> mapping;
  const auto& cloudlet = r.context.cloudlet.region;
  for (auto text : texts) {
    for (auto& id : api::collect_uuids(text)) {
      if (mapping.count(id)) continue;
      auto entry = co_await r.context.registry->get(r.identity->project_id, id);
      if (!entry) continue;
      if (const auto* copy = entry->copy_on(cloudlet)) mapping.emplace(id, copy->local_id);
    }
  }
  co_return mapping;
}

http::awaitable<void> handle_resource(request& r) {
  auto& context = r.context;
  const auto& route = r.route;
  auto method = r.header().method();
  auto kind = kind_of(route);
  const auto& project = r.identity->project_id;
  const auto& cloudlet = context.cloudlet.region;

  // Image bytes stream; they are never parsed or rewritten.
  bool is_image_file = route.service == api::service_type::image && route.resource == "images" &&
                       route.action == "file" && !route.resource_id.empty();

  std::string body;
  if (!is_image_file && method != bhttp::verb::get && method != bhttp::verb::head &&
      method != bhttp::verb::delete_) {
    auto read = co_await r.exchange.read_body(static_cast<std::size_t>(context.options.max_body_bytes));
    if (!read) co_return co_await send_error(r, 413, "The request body is too large.");
    body = std::move(*read);
    if (!body.empty() && !json::accept(body) &&
        !(route.service == api::service_type::image && method == bhttp::verb::patch))
      co_return co_await send_error(r, 400, "Malformed JSON in request body.");
  }

  // Inbound: global IDs in path, query and body become this cloudlet's IDs.
  // A named vector: GCC 12 miscompiles initializer lists that live across co_await.
  std::vector<std::string_view> inbound_texts;
  inbound_texts.push_back(route.upstream_path);
  inbound_texts.push_back(route.query);
  inbound_texts.push_back(body);
  auto mapping = co_await inbound_ids(r, inbound_texts);
  auto to_local = [&](std::string_view id) -> std::optional<std::string> {
    auto it = mapping.find(std::string(id));
    if (it == mapping.end()) return std::nullopt;
    return it->second;
  };
  auto target = api::rewrite_uuids(route.upstream_path, to_local);
  if (!route.query.empty()) target += "?" + api::rewrite_uuids(route.query, to_local);
  body = api::rewrite_uuids(body, to_local);

  const auto& upstream = upstream_of(r);
  r.upstream = upstream.to_string();
  if (is_image_file) {
    if (method == bhttp::verb::put) co_return co_await handle_image_upload(r, target);
    if (method == bhttp::verb::get) co_return co_await handle_image_download(r, target);
  }
  auto answer = co_await call_upstream(upstream, method, target, r.header(), std::move(body),
                                       context.upstream_timeout(), &context.pool);

  // Outbound: this cloudlet's IDs become global ones.
  std::map<std::string, std::string> outbound;
  bool created = kind && method == bhttp::verb::post && route.is_collection &&
                 route.resource_id.empty() && answer.status >= 200 && answer.status < 300;
  if (created) {
    auto document = json::parse(answer.body, nullptr, false);
    auto local_id = created_id(document, route.resource);
    if (!local_id) {
      spdlog::error("{} create answered {} without an id; not recorded", r.request_id, answer.status);
    } else {
      storage::registry_entry entry;
      entry.kind = *kind;
      entry.global_id = has_global_id(*kind) ? api::make_uuid() : *local_id;
      entry.project_id = project;
      entry.state = storage::entry_state::bound;
      entry.copies.push_back({cloudlet, *local_id});
      entry.created_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
      entry.name = created_name(document, route.resource);
      co_await context.registry->put(entry);
      outbound.emplace(*local_id, entry.global_id);
    }
  }
  bool deleted = kind && method == bhttp::verb::delete_ && !route.resource_id.empty() &&
                 route.action.empty() && answer.status >= 200 && answer.status < 300;
  if (deleted) co_await context.registry->erase(project, route.resource_id);

  std::vector<std::string> locals;
  for (auto& id : api::collect_uuids(answer.body))
    if (!outbound.count(id)) locals.push_back(std::move(id));
  auto location = std::string(answer.headers[bhttp::field::location]);
  for (auto& id : api::collect_uuids(location))
    if (!outbound.count(id)) locals.push_back(std::move(id));
  if (!locals.empty())
    for (auto& m : co_await context.registry->to_global(project, cloudlet, std::move(locals)))
      outbound.emplace(std::move(m.local_id), std::move(m.global_id));
  auto to_global = [&](std::string_view id) -> std::optional<std::string> {
    auto it = outbound.find(std::string(id));
    if (it == outbound.end()) return std::nullopt;
    return it->second;
  };
  auto text = api::rewrite_uuids(answer.body, to_global);
  auto agent_root = api::agent_service_root(route.service, context.base_url);
  text = api::rewrite_url_prefix(text, upstream_root(r), agent_root);
  if (!location.empty()) {
    location = api::rewrite_uuids(location, to_global);
    location = api::rewrite_url_prefix(location, upstream_root(r), agent_root);
    answer.headers.set(bhttp::field::location, location);
  }
  co_await send_upstream_response(r, answer, std::move(text));
}

} // namespace fedstack::agent
