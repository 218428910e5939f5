#include "agent/flows/visible_entry.hpp"

#include <spdlog/spdlog.h>

#include "agent/flows/federation.hpp"
#include "agent/rules/visibility.hpp"
#include "agent/services/registry_client.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {

http::awaitable<std::optional<storage::registry_entry>> visible_entry(request& r, const std::string& global_id) {
  const auto& project = r.identity->project_id;
  if (auto own = co_await r.context.registry->get(project, global_id)) co_return own;
  auto any = co_await r.context.registry->get_any_project(global_id);
  auto visibility = visibility_of(project, any);
  if (visibility.use == entry_use::own) co_return any;   // recorded under the caller's project meanwhile
  if (visibility.use != entry_use::ask_cloud) co_return std::nullopt;
  auto cloudlet = find_cloudlet(r.context, visibility.cloudlet);
  if (!cloudlet) co_return std::nullopt;
  unsigned status = 0;
  try {
    auto shown = co_await call_cloudlet(r.context, *cloudlet, visibility.service, bhttp::verb::get, visibility.path,
                                        client_call_headers(r));
    status = shown.status;
  } catch (const upstream_failure& e) {
    spdlog::warn("{} {}: the cloud of its primary did not answer ({}): unknown to this caller", r.request_id,
                 global_id, e.what());
  }
  if (!shown_to_caller(status)) co_return std::nullopt;
  co_return any;
}

bool is_own_entry(request& r, const std::string& global_id) {
  auto mine = api::global_id_owner(r.context.registry->new_global_id());
  auto theirs = api::global_id_owner(global_id);
  return mine && theirs && mine->host == theirs->host && mine->port == theirs->port;
}

} // namespace fedstack::agent
