#include "agent/reservation_sweep.hpp"

#include <spdlog/spdlog.h>

#include "agent/federation.hpp"
#include "agent/marker_search.hpp"

namespace fedstack::agent {
namespace {

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
    auto found = co_await find_marked_primary(context, headers, entry.kind, entry.global_id, true);
    if (found) {
      spdlog::warn("reservation sweep: adopting {} {} found on {} as {}", to_string(entry.kind),
                   entry.global_id, found->cloudlet.region, found->local_id);
      entry.state = storage::entry_state::bound;
      entry.copies.clear();
      entry.copies.push_back(storage::cloud_copy{found->cloudlet.region, found->local_id});
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
