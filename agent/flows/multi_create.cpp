#include "agent/flows/multi_create.hpp"

#include <map>

#include <spdlog/spdlog.h>

#include "agent/flows/marker_search.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {

using json = nlohmann::json;
using storage::registry_entry;

namespace {

registry_entry server_entry(const registry_entry& reservation, const std::string& region, const std::string& local_id,
                            const std::string& global_id) {
  registry_entry e;
  e.kind = storage::resource_kind::server;
  e.global_id = global_id;
  e.project_id = reservation.project_id;
  e.state = storage::entry_state::bound;
  e.created_unix_ms = reservation.created_unix_ms;
  e.name = reservation.name;
  e.copies = {storage::cloud_copy{region, local_id}};
  return e;
}

} // namespace

http::awaitable<boot_servers> bind_boot_servers(agent_context& context, const bhttp::fields& headers,
                                                const cloudlet_endpoints& c, const registry_entry& reservation,
                                                const std::string& token, const std::string& first,
                                                bool all_projects) {
  std::map<std::string, registry_entry> servers;   // by cloud ID
  if (auto own = api::server_global_id(reservation.global_id, first); own && !first.empty())
    servers.emplace(first, server_entry(reservation, c.region, first, *own));
  std::vector<json> items;
  bool listed = false;
  try {
    items = co_await list_marked_on(context, headers, c, storage::resource_kind::server, reservation.global_id,
                                    all_projects);
    listed = true;
  } catch (const upstream_failure& e) {
    spdlog::warn("the servers of boot {} on {} cannot be listed: {}; its reservation stays for the sweep",
                 reservation.global_id, c.region, e.what());
  }
  for (const auto& item : items) {
    auto marked = to_marked_item(api::service_type::compute, item);
    if (!marked || marked->marker.is_copy || marked->marker.shared_id != reservation.global_id ||
        marked->marker.attempt != token)
      continue;
    auto e = server_entry(reservation, c.region, marked->local_id, marked->marker.global_id);
    if (!marked->project_id.empty()) e.project_id = marked->project_id;
    if (item.contains("name") && item["name"].is_string()) e.name = item["name"].get<std::string>();
    servers.insert_or_assign(marked->local_id, std::move(e));
  }
  boot_servers out;
  for (auto& [local_id, e] : servers) {
    co_await context.registry->put(e);
    context.aliases.learn(c.region, local_id, e.global_id);
    spdlog::info("server {} of boot {} on {} recorded as {}", local_id, reservation.global_id, c.region,
                 e.global_id);
    out.bound.push_back(std::move(e));
  }
  if (listed) {
    co_await context.registry->erase(reservation.project_id, reservation.global_id);
    out.complete = true;
  }
  co_return out;
}

} // namespace fedstack::agent
