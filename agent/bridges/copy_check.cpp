#include "agent/bridges/copy_check.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/services/cloudlets.hpp"
#include "agent/services/service_session.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/percent.hpp"

namespace fedstack::agent {

namespace {

struct item_call {
  api::service_type service;
  std::string path;
  std::string singular;   // the key Neutron wraps the item in; empty for Glance
};

std::optional<item_call> item_call_for(storage::resource_kind kind, const std::string& id) {
  using storage::resource_kind;
  auto encoded = api::percent_encode(id);
  switch (kind) {
    case resource_kind::image: return item_call{api::service_type::image, "/v2/images/" + encoded, ""};
    case resource_kind::network:
      return item_call{api::service_type::network, "/v2.0/networks/" + encoded, "network"};
    case resource_kind::subnet: return item_call{api::service_type::network, "/v2.0/subnets/" + encoded, "subnet"};
    case resource_kind::port: return item_call{api::service_type::network, "/v2.0/ports/" + encoded, "port"};
    case resource_kind::server: return item_call{api::service_type::compute, "/v2.1/servers/" + encoded, "server"};
    case resource_kind::floating_ip:
      return item_call{api::service_type::network, "/v2.0/floatingips/" + encoded, "floatingip"};
    case resource_kind::router: return item_call{api::service_type::network, "/v2.0/routers/" + encoded, "router"};
    case resource_kind::volume: return item_call{api::service_type::volume, "/v3/volumes/" + encoded, "volume"};
    case resource_kind::volume_backup: return item_call{api::service_type::volume, "/v3/backups/" + encoded, "backup"};
    case resource_kind::volume_snapshot:
      return item_call{api::service_type::volume, "/v3/snapshots/" + encoded, "snapshot"};
    default: return std::nullopt;
  }
}

/// The item `call` names on `cloudlet`, as the service user sees it: its
/// status and (parsed) body. Throws upstream_failure.
http::awaitable<std::pair<unsigned, nlohmann::json>> read_item(agent_context& context, const cloudlet_endpoints& cloudlet,
                                                               const item_call& call) {
  bhttp::fields headers;
  headers.set("X-Auth-Token", co_await context.session->token());
  headers.set(bhttp::field::accept, "application/json");
  auto answer = co_await call_cloudlet(context, cloudlet, call.service, bhttp::verb::get, call.path, headers);
  auto doc = nlohmann::json::parse(answer.body, nullptr, false);
  if (!call.singular.empty() && doc.is_object() && doc.contains(call.singular)) doc = doc[call.singular];
  co_return std::pair<unsigned, nlohmann::json>{answer.status, std::move(doc)};
}

} // namespace

http::awaitable<bool> is_marked_copy(agent_context& context, storage::resource_kind kind,
                                     std::string global_id, storage::cloud_copy copy) {
  auto call = item_call_for(kind, copy.local_id);
  auto cloudlet = find_cloudlet(context, copy.cloudlet);
  if (!call || !cloudlet || context.session == nullptr || kind == storage::resource_kind::server) co_return false;
  try {
    auto [status, item] = co_await read_item(context, *cloudlet, *call);
    if (status != 200) co_return false;
    auto marker = api::read_marker(call->service, item);
    co_return marker && marker->is_copy && marker->global_id == global_id;
  } catch (const std::exception& e) {
    spdlog::warn("cannot check the copy {} of {} on {}: {}", copy.local_id, global_id, copy.cloudlet, e.what());
    co_return false;
  }
}

http::awaitable<bool> is_moved_floating_ip(agent_context& context, std::string global_id, std::string project,
                                           storage::cloud_copy copy) {
  auto call = item_call_for(storage::resource_kind::floating_ip, copy.local_id);
  auto cloudlet = find_cloudlet(context, copy.cloudlet);
  if (!call || !cloudlet || context.session == nullptr) co_return false;
  try {
    auto [status, item] = co_await read_item(context, *cloudlet, *call);
    if (status != 200 || !item.is_object()) co_return false;
    auto marker = api::read_marker(call->service, item);
    // The project too: a tenant's own floating IP tagged with another's ID never takes its entry.
    auto owner = item.value("project_id", item.value("tenant_id", std::string{}));
    co_return marker && !marker->is_copy && marker->global_id == global_id && owner == project;
  } catch (const std::exception& e) {
    spdlog::warn("cannot check the floating IP {} of {} on {}: {}", copy.local_id, global_id, copy.cloudlet, e.what());
    co_return false;
  }
}

http::awaitable<void> report_moved_floating_ip(agent_context& context, std::string global_id, std::string project,
                                               storage::cloud_copy copy, std::function<void(bool)> done) {
  auto moved = co_await is_moved_floating_ip(context, std::move(global_id), std::move(project), std::move(copy));
  done(moved);
}

http::awaitable<bool> is_gone(agent_context& context, storage::resource_kind kind, storage::cloud_copy primary) {
  auto call = item_call_for(kind, primary.local_id);
  auto cloudlet = find_cloudlet(context, primary.cloudlet);
  if (!call || !cloudlet || context.session == nullptr) co_return false;
  try {
    auto [status, item] = co_await read_item(context, *cloudlet, *call);
    if (status == 404) co_return true;
    // Nova deletes in the background: a server on its way out counts as gone.
    if (status == 200 && kind == storage::resource_kind::server && item.is_object()) {
      auto text = [&](const char* key) {
        return item.contains(key) && item[key].is_string() ? item[key].get<std::string>() : std::string{};
      };
      co_return text("status") == "DELETED" || text("OS-EXT-STS:task_state") == "deleting";
    }
    co_return false;
  } catch (const std::exception& e) {
    spdlog::warn("cannot check whether {} on {} is gone: {}", primary.local_id, primary.cloudlet, e.what());
    co_return false;
  }
}

http::awaitable<bool> is_owned_by(agent_context& context, storage::resource_kind kind, storage::cloud_copy primary,
                                  std::string project) {
  auto call = item_call_for(kind, primary.local_id);
  auto cloudlet = find_cloudlet(context, primary.cloudlet);
  // A volume and its snapshots (which Cinder moves with it) as an admin sees them.
  const char* key = kind == storage::resource_kind::volume            ? "os-vol-tenant-attr:tenant_id"
                    : kind == storage::resource_kind::volume_snapshot ? "os-extended-snapshot-attributes:project_id"
                                                                      : nullptr;
  if (!key || !call || !cloudlet || context.session == nullptr) co_return false;
  try {
    auto [status, item] = co_await read_item(context, *cloudlet, *call);
    co_return status == 200 && item.is_object() && item.value(key, std::string{}) == project;
  } catch (const std::exception& e) {
    spdlog::warn("cannot check who owns {} on {}: {}", primary.local_id, primary.cloudlet, e.what());
    co_return false;
  }
}

http::awaitable<void> report_owned_by(agent_context& context, storage::resource_kind kind,
                                      storage::cloud_copy primary, std::string project,
                                      std::function<void(bool)> done) {
  auto owned = co_await is_owned_by(context, kind, std::move(primary), std::move(project));
  done(owned);
}

http::awaitable<void> report_gone(agent_context& context, storage::resource_kind kind, storage::cloud_copy primary,
                                  std::function<void(bool)> done) {
  auto gone = co_await is_gone(context, kind, std::move(primary));
  done(gone);
}

http::awaitable<void> report_marked_copy(agent_context& context, storage::resource_kind kind,
                                         std::string global_id, storage::cloud_copy copy,
                                         std::function<void(bool)> done) {
  auto verified = co_await is_marked_copy(context, kind, std::move(global_id), std::move(copy));
  done(verified);
}

} // namespace fedstack::agent
