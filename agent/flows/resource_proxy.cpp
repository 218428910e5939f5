// Image, network and compute calls. A call about one resource goes to the
// cloudlet holding its primary copy, with the federation's global IDs
// translated to that cloudlet's IDs on the way in and back on the way out.
// Lists and creates have their own flows (list_flow.cpp, create_flow.cpp);
// deletes remove every copy before the registry forgets the resource.

#include <map>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/flows/client_answer.hpp"
#include "agent/flows/federation.hpp"
#include "agent/flows/marker_search.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "agent/services/registry_client.hpp"
#include "agent/flows/request.hpp"
#include "agent/rules/resource_kinds.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// Forwards the call to r.target with IDs translated both ways; `known`
/// (global -> local on r.target) need not be asked of the registries.
http::awaitable<void> forward(request& r, std::string body,
                              const std::map<std::string, std::string>& known_local = {}) {
  const auto& route = r.route;
  auto method = r.header().method();
  std::vector<std::string_view> texts;   // named: GCC 12 and initializer lists across co_await
  texts.push_back(route.upstream_path);
  texts.push_back(route.query);
  texts.push_back(body);
  auto to_local = co_await ids_to_local(r, r.target.region, texts, known_local);
  auto lookup = lookup_in(to_local);
  auto target = api::rewrite_uuids(route.upstream_path, lookup);
  if (!route.query.empty()) target += "?" + api::rewrite_uuids(route.query, lookup);
  body = api::rewrite_uuids(body, lookup);
  const auto& upstream = endpoint_of(r.target, route.service);
  r.upstream = upstream.to_string();

  bool is_image_file = route.service == api::service_type::image && route.resource == "images" &&
                       route.action == "file" && !route.resource_id.empty();
  if (is_image_file && method == bhttp::verb::put) co_return co_await handle_image_upload(r, target);
  if (is_image_file && method == bhttp::verb::get) co_return co_await handle_image_download(r, target);

  auto answer = co_await r.context.upstream->call(upstream, method, target, r.header(), std::move(body),
                                       r.context.upstream_timeout(), &r.context.pool, r.request_id);
  auto known = reversed(to_local);
  auto text = co_await translate_answer(r, r.target, answer, known);
  co_await send_upstream_response(r, answer, std::move(text));
}

/// DELETE of a recorded resource: every copy first, then the primary; the
/// registry forgets it only when the primary is gone. A copy already gone
/// (404) counts as deleted; any other failure keeps the entry for a retry.
http::awaitable<void> delete_everywhere(request& r, const storage::registry_entry& entry) {
  auto headers = client_call_headers(r);
  for (std::size_t i = 1; i < entry.copies.size(); ++i) {
    const auto& copy = entry.copies[i];
    auto cloudlet = find_cloudlet(r.context, copy.cloudlet);
    if (!cloudlet) continue;   // a region that left the catalog holds nothing we can reach
    auto path = api::rewrite_uuids(r.route.upstream_path, [&](std::string_view id) -> std::optional<std::string> {
      if (id == entry.global_id) return copy.local_id;
      return std::nullopt;
    });
    auto answer = co_await call_cloudlet(r.context, *cloudlet, r.route.service, bhttp::verb::delete_,
                                         path, headers);
    if (answer.status >= 300 && answer.status != 404) {
      spdlog::warn("{} deleting the copy of {} on {} failed with {}", r.request_id, entry.global_id,
                   copy.cloudlet, answer.status);
      std::map<std::string, std::string> none;
      auto text = co_await translate_answer(r, *cloudlet, answer, none);
      co_return co_await send_upstream_response(r, answer, std::move(text));
    }
  }
  const auto& primary = entry.copies.front();
  auto cloudlet = find_cloudlet(r.context, primary.cloudlet);
  if (!cloudlet) co_return co_await send_error(r, 503, "The cloudlet " + primary.cloudlet + " is not in the catalog.");
  r.target = *cloudlet;
  auto path = api::rewrite_uuids(r.route.upstream_path, [&](std::string_view id) -> std::optional<std::string> {
    if (id == entry.global_id) return primary.local_id;
    return std::nullopt;
  });
  r.upstream = endpoint_of(*cloudlet, r.route.service).to_string();
  auto answer = co_await call_cloudlet(r.context, *cloudlet, r.route.service, bhttp::verb::delete_,
                                       path, headers);
  if ((answer.status >= 200 && answer.status < 300) || answer.status == 404) {
    co_await r.context.registry->erase(entry.project_id, entry.global_id);
    if (answer.status == 404) {
      // Gone from the cloud already (deleted behind the federation's back): done.
      bhttp::response<bhttp::string_body> done{bhttp::status::no_content, 11};
      done.set("X-Openstack-Request-Id", r.request_id);
      r.status = 204;
      co_return co_await r.exchange.send(std::move(done));
    }
  }
  std::map<std::string, std::string> known;
  known.emplace(primary.local_id, entry.global_id);
  auto text = co_await translate_answer(r, *cloudlet, answer, known);
  co_await send_upstream_response(r, answer, std::move(text));
}

std::string not_found_message(const api::route& route) {
  auto singular = route.resource.substr(0, route.resource.size() - 1);
  return "No " + singular + " with ID " + route.resource_id + " was found.";
}

/// A read of a resource the owner's registry cannot place for this client:
/// the owner is gone, or the entry belongs to another project (an admin's
/// Glance list shows every project's images). Its primary is found by the
/// marker it carries, as lists show it, with the client's token, so the
/// cloud's own visibility rules decide. Writes still need the owner's entry.
http::awaitable<void> read_by_marker(request& r, storage::resource_kind kind, const std::string& why) {
  const auto& global_id = r.route.resource_id;
  spdlog::info("{} {}: not placed by its owner ({}); looking for it on the clouds", r.request_id,
               global_id, why);
  auto headers = client_call_headers(r);
  auto found = co_await find_marked_primary(r.context, headers, kind, global_id, false);
  if (!found) co_return co_await send_error(r, 404, not_found_message(r.route));
  r.target = found->cloudlet;
  std::map<std::string, std::string> known;
  known.emplace(global_id, found->local_id);
  std::string no_body;
  co_await forward(r, std::move(no_body), known);
}

/// For an admin, a resource of another project (an admin create with
/// `--project X` is recorded under X): the project its cloud names, read from
/// the resource found by its marker with the admin's token, and that project's entry.
http::awaitable<std::optional<storage::registry_entry>> entry_of_other_project(request& r,
                                                                               storage::resource_kind kind) {
  std::optional<marked_resource> found;
  try {
    found = co_await find_marked_primary(r.context, client_call_headers(r), kind, r.route.resource_id, false);
  } catch (const upstream_failure&) {
    co_return std::nullopt;   // nobody can tell: as before, this project's view
  }
  if (!found) co_return std::nullopt;
  auto project = owner_project(found->item);
  if (project.empty() || project == r.identity->project_id) co_return std::nullopt;
  co_return co_await r.context.registry->get(project, r.route.resource_id);
}

} // namespace

http::awaitable<void> handle_resource(request& r) {
  const auto& route = r.route;
  auto method = r.header().method();
  auto kind = kind_of(route);

  bool is_image_file = route.service == api::service_type::image && route.resource == "images" &&
                       route.action == "file" && !route.resource_id.empty();
  std::string body;
  if (!is_image_file && method != bhttp::verb::get && method != bhttp::verb::head &&
      method != bhttp::verb::delete_) {
    auto read = co_await read_json_body(r);
    if (!read) co_return;
    body = std::move(*read);
    if (!body.empty() && !json::accept(body) &&
        !(route.service == api::service_type::image && method == bhttp::verb::patch))
      co_return co_await send_error(r, 400, "Malformed JSON in request body.");
  }

  if (method == bhttp::verb::get && is_federated_list(route)) co_return co_await handle_list(r);
  if (method == bhttp::verb::get && route.service == api::service_type::compute &&
      route.resource == "os-availability-zone" && route.action.empty() &&
      (route.resource_id.empty() || route.resource_id == "detail"))
    co_return co_await handle_zone_list(r);
  if (method == bhttp::verb::post && kind && route.is_collection && route.resource_id.empty() &&
      route.action.empty())
    co_return co_await handle_create(r, std::move(body));

  // A call about one recorded resource goes where its primary copy lives.
  std::map<std::string, std::string> known_local;   // an admin's call about another project's resource
  if (kind && !route.resource_id.empty() && api::global_id_owner(route.resource_id)) {
    bool is_read = method == bhttp::verb::get || method == bhttp::verb::head;
    std::optional<storage::registry_entry> entry;
    std::optional<std::string> unplaced;
    try {
      entry = co_await r.context.registry->get(r.identity->project_id, route.resource_id);
      if (!entry && r.identity->is_admin) {
        entry = co_await entry_of_other_project(r, *kind);
        // The caller's project translates nothing of it: name its primary here.
        if (entry && !entry->copies.empty()) known_local.emplace(entry->global_id, entry->copies.front().local_id);
      }
    } catch (const registry_unavailable& e) {
      if (!is_read) throw;
      unplaced = e.what();
    }
    bool placed = entry && entry->state == storage::entry_state::bound && !entry->copies.empty();
    if (!placed && !unplaced) unplaced = "no entry of this project";
    if (!placed && is_read) co_return co_await read_by_marker(r, *kind, *unplaced);
    if (!placed) co_return co_await send_error(r, 404, not_found_message(route));
    auto cloudlet = find_cloudlet(r.context, entry->copies.front().cloudlet);
    if (!cloudlet)
      co_return co_await send_error(r, 503, "The cloudlet " + entry->copies.front().cloudlet +
                                              " that holds this resource is not in the catalog.");
    r.target = *cloudlet;
    if (method == bhttp::verb::delete_ && route.action.empty())
      co_return co_await delete_everywhere(r, *entry);
  }
  co_await forward(r, std::move(body), known_local);
}

} // namespace fedstack::agent
