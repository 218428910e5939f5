#include "agent/tasks/orphan_sweep.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "agent/services/cloudlets.hpp"
#include "agent/flows/marker_search.hpp"
#include "agent/rules/backup_rule.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/urls.hpp"
#include "metrics/catalog.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::resource_kind;

/// Where one kind lives on a cloud, listed with an admin token across projects.
struct sweep_target {
  resource_kind kind;
  api::service_type service;
  std::string list_path;    // first page
  std::string collection;   // the list's key
  std::string created_key;  // when the cloud made it
  std::string project_key;  // who owns it
};

const std::vector<sweep_target>& targets() {
  static const std::vector<sweep_target> all{
    {resource_kind::image, api::service_type::image, "/v2/images?limit=1000", "images", "created_at",
     "owner"},
    {resource_kind::server, api::service_type::compute, "/v2.1/servers/detail?all_tenants=1&limit=1000",
     "servers", "created", "tenant_id"},
    {resource_kind::floating_ip, api::service_type::network, "/v2.0/floatingips", "floatingips", "created_at",
     "project_id"},
    {resource_kind::router, api::service_type::network, "/v2.0/routers", "routers", "created_at", "project_id"},
    {resource_kind::port, api::service_type::network, "/v2.0/ports", "ports", "created_at", "project_id"},
    {resource_kind::subnet, api::service_type::network, "/v2.0/subnets", "subnets", "created_at",
     "project_id"},
    {resource_kind::network, api::service_type::network, "/v2.0/networks", "networks", "created_at",
     "project_id"},
    // Cinder's project attributes (shown to admins, as the service user is).
    {resource_kind::volume_snapshot, api::service_type::volume, "/v3/snapshots/detail?all_tenants=1&limit=1000",
     "snapshots", "created_at", "os-extended-snapshot-attributes:project_id"},
    // A backup's metadata and project from 3.43 (rules/backup_rule.hpp).
    {resource_kind::volume_backup, api::service_type::volume, "/v3/backups/detail?all_tenants=1&limit=1000",
     "backups", "created_at", "os-backup-project-attr:project_id"},
    {resource_kind::volume, api::service_type::volume, "/v3/volumes/detail?all_tenants=1&limit=1000", "volumes",
     "created_at", "os-vol-tenant-attr:tenant_id"},
  };
  return all;
}

/// Most orphans kept in the published list (the meta value stays small).
constexpr std::size_t max_listed = 1000;

struct sweep_result {
  json orphans = json::array();
  std::map<std::string, std::size_t> per_kind;
  std::size_t total = 0;
  std::size_t unknown = 0;   // owner could not be asked
};

http::awaitable<void> sweep_kind(agent_context& context, const bhttp::fields& headers, const sweep_target& t,
                                 std::chrono::system_clock::time_point older_than,
                                 const std::set<std::string>& own_abandoned, sweep_result& result) {
  const auto& c = context.cloudlet;
  if (t.service == api::service_type::volume && c.volume.host.empty()) co_return;   // no Block Storage here
  auto list_headers = headers;
  if (t.kind == resource_kind::volume_backup)
    list_headers.set("OpenStack-API-Version", api::volume_api_version_header(backup_metadata_version));
  std::size_t pages = 0;
  for (auto path = t.list_path; !path.empty();) {
    if (++pages > max_marker_pages)
      throw upstream_failure(503, "more than " + std::to_string(max_marker_pages) + " pages of " + t.collection);
    auto answer = co_await call_cloudlet(context, c, t.service, bhttp::verb::get, path, list_headers);
    if (answer.status != 200)
      throw upstream_failure(503, "listing " + t.collection + " answered " + std::to_string(answer.status));
    auto doc = json::parse(answer.body, nullptr, false);
    if (!doc.is_object()) co_return;
    for (const auto& item : doc.value(t.collection, json::array())) {
      auto marked = to_marked_item(t.service, item);
      if (!marked || !api::global_id_owner(marked->marker.global_id)) continue;
      if (marked->derived_image) continue;   // a snapshot or shelve image: the tenant's own
      auto created = parse_keystone_time(item.value(t.created_key, std::string{}));
      if (!created || *created > older_than) continue;   // may still be registering
      if (!marked->marker.attempt.empty() && own_abandoned.contains(marked->marker.attempt))
        continue;   // this agent reclaims it (reservation_sweep.cpp)
      auto project = item.value(t.project_key, std::string{});
      if (project.empty()) project = item.value("tenant_id", std::string{});
      std::optional<storage::registry_entry> entry;
      std::optional<std::string> unknown;
      try {
        entry = co_await context.registry->get(project, marked->marker.global_id);
      } catch (const registry_unavailable& e) {
        unknown = e.what();
      }
      if (unknown) {
        ++result.unknown;
        spdlog::info("orphan sweep: {} {}: its owner cannot be asked ({})", t.collection, marked->local_id,
                     *unknown);
        continue;
      }
      if (entry_explains(entry, c.region, marked->local_id)) continue;
      // A volume (or its snapshot) whose transfer was accepted while its entry stayed with
      // the giver (the accept's give failed): the entry follows it now, the owner checking the cloud.
      if (!entry && !marked->marker.is_copy &&
          (t.kind == storage::resource_kind::volume || t.kind == storage::resource_kind::volume_snapshot)) {
        std::optional<storage::registry_entry> any, given;
        try {
          any = co_await context.registry->get_any_project(marked->marker.global_id);
          if (is_transferred_volume(t.kind, any, c.region, marked->local_id, project))
            given = co_await context.registry->give(marked->marker.global_id, project);
        } catch (const registry_unavailable& e) {
          spdlog::info("orphan sweep: {} {}: its owner cannot be asked ({})", t.collection, marked->local_id, e.what());
        }
        if (given) {
          spdlog::info("orphan sweep: {} {} ({}) was given to project {}: its entry follows", t.collection, marked->local_id,
                       marked->marker.global_id, project);
          continue;
        }
      }
      // A server of a boot of several whose binding is not finished: its boot's reservation explains it.
      std::optional<storage::registry_entry> boot;   // no co_await after && (GCC 12)
      if (!entry && !marked->marker.shared_id.empty())
        boot = co_await context.registry->get(project, marked->marker.shared_id);
      if (boot && boot->state == storage::entry_state::reserved) continue;
      auto kind = storage::to_string(t.kind);
      std::string reason = entry ? "its entry lists another resource here" : "no registry of its project records it";
      spdlog::warn("orphan sweep: {} {} on {} (marked {}{}, project {}): {}; kept, see `fedstack orphans`",
                   t.collection, marked->local_id, c.region, marked->marker.is_copy ? "copy of " : "",
                   marked->marker.global_id, project, reason);
      ++result.per_kind[kind];
      if (++result.total <= max_listed)
        result.orphans.push_back({{"kind", kind},
                                  {"cloudlet", c.region},
                                  {"id", marked->local_id},
                                  {"global_id", marked->marker.global_id},
                                  {"copy", marked->marker.is_copy},
                                  {"attempt", marked->marker.attempt},
                                  {"project_id", project},
                                  {"name", item.value("name", json()).is_string() ? item["name"] : json("")},
                                  {"created_at", item.value(t.created_key, std::string{})},
                                  {"reason", reason}});
    }
    path = next_page(t.service, t.collection, doc);
  }
}

http::awaitable<void> sweep_once(agent_context& context, service_session& session, std::chrono::milliseconds min_age) {
  bhttp::fields headers;
  headers.set("X-Auth-Token", co_await session.token());
  headers.set(bhttp::field::accept, "application/json");
  headers.set("X-Openstack-Request-Id", "req-fedstack-orphan-sweep");
  auto older_than = std::chrono::system_clock::now() - min_age;
  std::set<std::string> own_abandoned;
  for (auto& record : co_await context.registry->abandoned(now_unix_ms() + 1)) own_abandoned.insert(record.token);
  sweep_result result;
  for (const auto& t : targets()) co_await sweep_kind(context, headers, t, older_than, own_abandoned, result);
  for (const auto& t : targets()) {
    auto kind = storage::to_string(t.kind);
    metrics::fedstack().orphans.set({kind}, static_cast<double>(result.per_kind[kind]));
  }
  json published{{"cloudlet", context.cloudlet.region},
                 {"swept_unix_ms", now_unix_ms()},
                 {"total", result.total},
                 {"owner_unreachable", result.unknown},
                 {"orphans", std::move(result.orphans)}};
  co_await context.registry->put_meta(orphans_meta_key, published.dump());
  spdlog::log(result.total > 0 ? spdlog::level::warn : spdlog::level::info,
              "orphan sweep: {} marked resources on {} that no registry explains (kept); {} whose owner cannot be asked",
              result.total, context.cloudlet.region, result.unknown);
}

} // namespace

http::awaitable<void> sweep_orphans(agent_context& context, service_session& session, std::chrono::milliseconds period,
                                    std::chrono::milliseconds min_age) {
  auto executor = co_await http::asio::this_coro::executor;
  http::asio::steady_timer timer{executor};
  for (;;) {
    timer.expires_after(period);
    boost::system::error_code ec;
    co_await timer.async_wait(http::asio::redirect_error(http::use_awaitable, ec));
    if (ec) co_return;
    try {
      co_await sweep_once(context, session, min_age);
    } catch (const std::exception& e) {
      // The cloudlet or Keystone away: nothing was decided; the next sweep tries again.
      spdlog::warn("orphan sweep: {}", e.what());
    }
  }
}

} // namespace fedstack::agent
