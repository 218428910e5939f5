#include "agent/flows/volume_attachments.hpp"

#include <map>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/flows/client_answer.hpp"
#include "agent/flows/federation.hpp"
#include "agent/flows/lifecycle.hpp"
#include "agent/flows/volumes.hpp"
#include "agent/rules/attachment_rule.hpp"
#include "agent/rules/list_paging.hpp"
#include "agent/rules/volume_rule.hpp"
#include "agent/services/cloudlets.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/list_merge.hpp"
#include "api/query.hpp"
#include "api/urls.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

bool has_block_storage(const cloudlet_endpoints& c) { return !c.volume.host.empty(); }

/// No ID is known before forward_to_target asks (the registries, for the target's cloudlet).
const std::map<std::string, std::string> nothing_known;

/// POST /attachments: to the volume's cloudlet, unless its server is on another.
http::awaitable<void> create_attachment(request& r, std::string body) {
  auto names = read_attachment_create(json::parse(body, nullptr, false));
  // An ID the caller may not use goes to this agent's cloudlet as given: its Cinder's answer.
  auto volume_home = co_await home_of_source(r, names.volume_id);
  r.target = volume_home.value_or(r.context.cloudlet);
  if (volume_home && !names.server_id.empty()) {
    auto server_home = co_await home_of_source(r, names.server_id);
    auto refusal = server_home ? cross_cloudlet_attachment(names.volume_id, volume_home->region, names.server_id,
                                                           server_home->region)
                               : std::nullopt;
    if (refusal) {
      spdlog::info("{} attachment refused: {}", r.request_id, *refusal);
      co_return co_await send_error(r, 409, *refusal);
    }
  }
  co_await forward_to_target(r, std::move(body), nothing_known);
}

/// GET, PUT, DELETE /attachments/{id} and its actions: the first cloudlet (own
/// first) whose Cinder shows the attachment to the caller; none: this agent's
/// cloudlet, whose answer (404) the client gets.
http::awaitable<void> attachment_item(request& r, std::string body) {
  r.target = co_await first_cloudlet_showing(r, "/v3/attachments/" + r.route.resource_id);
  co_await forward_to_target(r, std::move(body), nothing_known);
}

} // namespace

http::awaitable<cloudlet_endpoints> first_cloudlet_showing(request& r, const std::string& show) {
  for (const auto& c : all_cloudlets(r.context)) {
    if (!has_block_storage(c)) continue;
    std::optional<unsigned> status;
    try {
      status = (co_await call_cloudlet(r.context, c, api::service_type::volume, bhttp::verb::get, show,
                                       client_call_headers(r))).status;
    } catch (const upstream_failure& e) {
      spdlog::info("{} {}: {} cannot tell ({})", r.request_id, show, c.region, e.what());
    }
    if (status == 200u) co_return c;
  }
  co_return r.context.cloudlet;
}

http::awaitable<void> list_on_every_cloudlet(request& r, const std::string& collection) {
  auto query = api::query_string::parse(r.route.query);
  auto marker = query.marker();
  auto limit = query.limit();
  if (!limit.valid) co_return co_await send_error(r, 400, "Invalid input received: limit must be an integer");
  query.remove("marker");
  query.remove("limit");
  auto filters = query.encode();
  std::vector<json> all;
  std::vector<std::string> unreachable;
  std::optional<std::pair<unsigned, std::string>> refusal;
  bool answered = false;
  for (const auto& c : all_cloudlets(r.context)) {
    if (!has_block_storage(c)) continue;
    std::vector<std::string_view> texts;
    texts.push_back(filters);
    auto to_local = co_await ids_to_local(r, c.region, texts);
    auto path = r.route.upstream_path;
    if (!filters.empty()) path += "?" + api::rewrite_uuids(filters, lookup_in(to_local));
    std::optional<http::response> answer;
    try {
      answer = co_await call_cloudlet(r.context, c, api::service_type::volume, bhttp::verb::get, path,
                                      client_call_headers(r));
    } catch (const upstream_failure&) {
    }
    if (!answer || answer->status >= 500) {
      unreachable.push_back(c.region);
      continue;
    }
    if (answer->status != 200) {
      if (!refusal) refusal.emplace(answer->status, answer->body);
      continue;
    }
    answered = true;
    auto text = co_await translate_answer(r, c, *answer, reversed(to_local));
    auto doc = json::parse(text, nullptr, false);
    if (doc.is_object() && doc.contains(collection) && doc[collection].is_array())
      for (auto& item : doc[collection]) all.push_back(std::move(item));
  }
  // Every Cinder refused (a microversion before 3.27: its 404): the client's error, as Cinder gave it.
  if (!answered && refusal) co_return co_await send_json(r, refusal->first, refusal->second);
  if (!answered) co_return co_await send_error(r, 503, "No cloudlet answered the list of " + collection + ".");
  auto page = page_of_attachments(std::move(all), marker, limit.present ? limit.value : cloud_page_max);
  if (!page.marker_found) co_return co_await send_error(r, 400, "marker [" + *marker + "] not found");
  json out = {{collection, std::move(page.items)}};
  if (page.more) {
    auto last = out[collection].back().value("id", std::string{});
    api::set_next_link(out, collection, api::agent_service_root(api::service_type::volume, r.context.base_url),
                       r.route.upstream_path, r.route.query, last);
  }
  bhttp::fields extra;
  if (!unreachable.empty()) extra.set("X-Fedstack-Unreachable", unreachable_header(unreachable));
  co_await send_json(r, 200, out.dump(), &extra);
}

bool is_attachment_call(const request& r) {
  return attachment_call_of(r.route, r.header().method()) != attachment_call::none;
}

http::awaitable<void> handle_attachment_call(request& r, std::string body) {
  switch (attachment_call_of(r.route, r.header().method())) {
    case attachment_call::create: co_return co_await create_attachment(r, std::move(body));
    case attachment_call::list: co_return co_await list_on_every_cloudlet(r, "attachments");
    case attachment_call::item: co_return co_await attachment_item(r, std::move(body));
    case attachment_call::none: break;
  }
  co_await forward_to_target(r, std::move(body), nothing_known);
}

} // namespace fedstack::agent
