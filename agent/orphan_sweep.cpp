#include "agent/orphan_sweep.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/federation.hpp"
#include "agent/upstream_call.hpp"
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
  std::string item_path;    // prefix of an item's URL
  std::string created_key;  // when the cloud made it
  std::string project_key;  // who owns it
};

const std::vector<sweep_target>& targets() {
  static const std::vector<sweep_target> all{
    {resource_kind::image, api::service_type::image, "/v2/images?limit=1000", "images", "/v2/images/",
     "created_at", "owner"},
    {resource_kind::server, api::service_type::compute, "/v2.1/servers/detail?all_tenants=1&limit=1000",
     "servers", "/v2.1/servers/", "created", "tenant_id"},
    {resource_kind::port, api::service_type::network, "/v2.0/ports", "ports", "/v2.0/ports/", "created_at",
     "project_id"},
    {resource_kind::subnet, api::service_type::network, "/v2.0/subnets", "subnets", "/v2.0/subnets/",
     "created_at", "project_id"},
    {resource_kind::network, api::service_type::network, "/v2.0/networks", "networks", "/v2.0/networks/",
     "created_at", "project_id"},
  };
  return all;
}

/// The next page of a list, from Glance's `next` or Nova's `servers_links`; empty at the end.
std::string next_page(const sweep_target& t, const json& doc) {
  if (t.service == api::service_type::image) {
    // Glance's next link is "/v2/images?marker=..." relative to its root.
    return api::next_page_path(doc.value("next", std::string{}));
  }
  if (t.service == api::service_type::compute) {
    for (const auto& link : doc.value(t.collection + "_links", json::array()))
      if (link.value("rel", std::string{}) == "next") {
        auto href = link.value("href", std::string{});
        auto at = href.find("/v2.1/");
        return at == std::string::npos ? std::string{} : api::next_page_path(href.substr(at));
      }
  }
  return {};
}

/// True when the registry says the resource `local_id` on `region` is not what `m` names.
http::awaitable<bool> is_orphan(agent_context& context, const std::string& project, const api::marker& m,
                                const std::string& region, const std::string& local_id) {
  auto entry = co_await context.registry->get(project, m.global_id);   // throws when the owner is away
  if (!entry) co_return true;
  if (entry->state == storage::entry_state::reserved) co_return false;   // the reservation sweep's case
  for (const auto& copy : entry->copies)
    if (copy.cloudlet == region && copy.local_id == local_id) co_return false;
  co_return true;
}

http::awaitable<std::size_t> sweep_kind(agent_context& context, const bhttp::fields& headers,
                                        const sweep_target& t, std::chrono::system_clock::time_point older_than) {
  const auto& c = context.cloudlet;
  std::size_t removed = 0;
  for (auto path = t.list_path; !path.empty();) {
    auto answer = co_await call_cloudlet(context, c, t.service, bhttp::verb::get, path, headers);
    if (answer.status != 200)
      throw upstream_failure(503, "listing " + t.collection + " answered " + std::to_string(answer.status));
    auto doc = json::parse(answer.body, nullptr, false);
    if (!doc.is_object()) co_return removed;
    for (const auto& item : doc.value(t.collection, json::array())) {
      auto m = api::read_marker(t.service, item);
      if (!m || !api::global_id_owner(m->global_id) || !item.contains("id")) continue;
      auto created = parse_keystone_time(item.value(t.created_key, std::string{}));
      if (!created || *created > older_than) continue;   // may still be registering
      auto project = item.value(t.project_key, std::string{});
      if (project.empty()) project = item.value("tenant_id", std::string{});
      auto local_id = item["id"].get<std::string>();
      bool orphan = false;
      std::optional<std::string> unknown;
      try {
        orphan = co_await is_orphan(context, project, *m, c.region, local_id);
      } catch (const registry_unavailable& e) {
        unknown = e.what();
      }
      if (unknown) {
        spdlog::info("orphan sweep: keeping {} {}: its owner cannot be asked ({})", t.collection, local_id, *unknown);
        continue;
      }
      if (!orphan) continue;
      spdlog::warn("orphan sweep: deleting {} {} on {} (marked {}{}): no registry records it", t.collection,
                   local_id, c.region, m->is_copy ? "copy of " : "", m->global_id);
      auto deleted = co_await call_cloudlet(context, c, t.service, bhttp::verb::delete_, t.item_path + local_id,
                                            headers);
      if (deleted.status < 300 || deleted.status == 404) {
        ++removed;
        metrics::fedstack().orphans_deleted.add({storage::to_string(t.kind)});
      } else {
        spdlog::warn("orphan sweep: deleting {} {} answered {}", t.collection, local_id, deleted.status);
      }
    }
    path = next_page(t, doc);
  }
  co_return removed;
}

http::awaitable<void> sweep_once(agent_context& context, service_session& session, std::chrono::milliseconds min_age) {
  bhttp::fields headers;
  headers.set("X-Auth-Token", co_await session.token());
  headers.set(bhttp::field::accept, "application/json");
  headers.set("X-Openstack-Request-Id", "req-fedstack-orphan-sweep");
  auto older_than = std::chrono::system_clock::now() - min_age;
  // Servers before ports, subnets before networks: a server's port and a port's subnet go with them.
  std::size_t removed = 0;
  for (const auto& t : targets()) removed += co_await sweep_kind(context, headers, t, older_than);
  if (removed > 0) spdlog::warn("orphan sweep: {} orphans deleted on {}", removed, context.cloudlet.region);
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
