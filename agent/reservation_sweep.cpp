#include "agent/reservation_sweep.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/federation.hpp"
#include "agent/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/percent.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::resource_kind;

/// Where to look for a marked resource of `kind`, and the list it comes in.
struct marker_query {
  api::service_type service;
  std::string path;
  std::string collection;
};

std::optional<marker_query> query_for(resource_kind kind, const std::string& global_id) {
  auto tag = api::percent_encode(api::marker_tag({global_id, false}));
  switch (kind) {
    case resource_kind::image:
      return marker_query{api::service_type::image,
                          "/v2/images?" + std::string(api::gid_key) + "=" + global_id, "images"};
    case resource_kind::server:
      return marker_query{api::service_type::compute, "/v2.1/servers/detail?all_tenants=1", "servers"};
    case resource_kind::network:
      return marker_query{api::service_type::network, "/v2.0/networks?tags=" + tag, "networks"};
    case resource_kind::subnet:
      return marker_query{api::service_type::network, "/v2.0/subnets?tags=" + tag, "subnets"};
    case resource_kind::port:
      return marker_query{api::service_type::network, "/v2.0/ports?tags=" + tag, "ports"};
    default:
      return std::nullopt;
  }
}

/// The cloud resource carrying `entry`'s marker, on any cloudlet: (region, local ID).
http::awaitable<std::optional<storage::cloud_copy>> find_marked(agent_context& context,
                                                                const bhttp::fields& headers,
                                                                const storage::registry_entry& entry) {
  auto q = query_for(entry.kind, entry.global_id);
  if (!q) co_return std::nullopt;
  for (const auto& c : all_cloudlets(context)) {
    auto answer = co_await call_cloudlet(context, c, q->service, bhttp::verb::get, q->path, headers);
    if (answer.status != 200)
      throw upstream_failure(503, c.region + " answered " + std::to_string(answer.status));
    auto doc = json::parse(answer.body, nullptr, false);
    if (!doc.is_object()) continue;
    for (const auto& item : doc.value(q->collection, json::array())) {
      auto m = api::read_marker(q->service, item);
      if (m && !m->is_copy && m->global_id == entry.global_id && item.contains("id"))
        co_return storage::cloud_copy{c.region, item["id"].get<std::string>()};
    }
  }
  co_return std::nullopt;
}

http::awaitable<void> sweep_once(agent_context& context, service_session& session,
                                 std::chrono::milliseconds timeout) {
  auto older_than = now_unix_ms() - timeout.count();
  auto stale = co_await context.registry->reserved(older_than);
  if (stale.empty()) co_return;
  bhttp::fields headers;
  headers.set("X-Auth-Token", co_await session.token());
  headers.set(bhttp::field::accept, "application/json");
  headers.set("X-Openstack-Request-Id", "req-fedstack-reservation-sweep");
  for (auto& entry : stale) {
    if (context.creates_in_flight.contains(entry.global_id)) continue;
    auto found = co_await find_marked(context, headers, entry);
    if (found) {
      spdlog::warn("reservation sweep: adopting {} {} found on {} as {}", to_string(entry.kind),
                   entry.global_id, found->cloudlet, found->local_id);
      entry.state = storage::entry_state::bound;
      entry.copies.clear();
      entry.copies.push_back(*found);
      co_await context.registry->put(entry);
    } else {
      spdlog::warn("reservation sweep: dropping {} {}: no cloudlet holds it", to_string(entry.kind),
                   entry.global_id);
      co_await context.registry->erase(entry.project_id, entry.global_id);
    }
  }
}

} // namespace

http::awaitable<void> sweep_reservations(agent_context& context, service_session& session,
                                         std::chrono::milliseconds period,
                                         std::chrono::milliseconds timeout) {
  auto executor = co_await http::asio::this_coro::executor;
  http::asio::steady_timer timer{executor};
  for (;;) {
    try {
      co_await sweep_once(context, session, timeout);
    } catch (const std::exception& e) {
      // A cloudlet or Keystone away: nothing is decided; the next sweep retries.
      spdlog::warn("reservation sweep: {}", e.what());
    }
    timer.expires_after(period);
    boost::system::error_code ec;
    co_await timer.async_wait(http::asio::redirect_error(http::use_awaitable, ec));
    if (ec) co_return;
  }
}

} // namespace fedstack::agent
