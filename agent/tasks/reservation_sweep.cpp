#include "agent/tasks/reservation_sweep.hpp"

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include "agent/flows/federation.hpp"
#include "agent/flows/marker_search.hpp"
#include "agent/flows/multi_create.hpp"
#include "agent/flows/neutron_pending.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "agent/services/upstream_call.hpp"
#include "metrics/catalog.hpp"

namespace fedstack::agent {
namespace {

bool is_neutron(storage::resource_kind kind) {
  return kind == storage::resource_kind::network || kind == storage::resource_kind::subnet ||
         kind == storage::resource_kind::port || kind == storage::resource_kind::floating_ip ||
         kind == storage::resource_kind::router;
}

void bind_entry(storage::registry_entry& entry, const std::string& cloudlet, const std::string& local_id) {
  entry.state = storage::entry_state::bound;
  entry.attempt.reset();
  entry.copies.clear();
  entry.copies.push_back(storage::cloud_copy{cloudlet, local_id});
}

http::awaitable<void> sweep_reserved(agent_context& context, const bhttp::fields& headers,
                                     std::chrono::milliseconds timeout) {
  auto older_than = now_unix_ms() - timeout.count();
  auto stale = co_await context.registry->reserved(older_than);
  if (stale.empty()) co_return;
  // What an abandoned attempt made is never adopted: its create moved on.
  std::set<std::string> abandoned_tokens;
  for (auto& record : co_await context.registry->abandoned(now_unix_ms() + 1))
    abandoned_tokens.insert(record.token);
  for (auto& entry : stale) {
    if (context.creates_in_flight.contains(entry.global_id)) continue;
    std::optional<marked_resource> found;
    std::optional<std::string> unknown;
    try {
      found = co_await find_marked_primary(context, headers, entry.kind, entry.global_id, true, abandoned_tokens);
    } catch (const upstream_failure& e) {
      unknown = e.what();
    }
    if (unknown) {
      spdlog::warn("reservation sweep: {} {} left reserved: {}", to_string(entry.kind), entry.global_id, *unknown);
      continue;
    }
    // The servers of a boot of several: each bound under its own global ID, then the reservation goes.
    auto shared = found && entry.kind == storage::resource_kind::server
                    ? api::read_marker(api::service_type::compute, found->item)
                    : std::nullopt;
    if (shared && shared->shared_id == entry.global_id) {
      auto bound = co_await bind_boot_servers(context, headers, found->cloudlet, entry, shared->attempt,
                                              found->local_id, true);
      spdlog::warn("reservation sweep: adopting {} server(s) of boot {} found on {}{}", bound.bound.size(),
                   entry.global_id, found->cloudlet.region, bound.complete ? "" : " (the others at a later sweep)");
      continue;
    }
    if (found) {
      spdlog::warn("reservation sweep: adopting {} {} found on {} as {}", to_string(entry.kind),
                   entry.global_id, found->cloudlet.region, found->local_id);
      bind_entry(entry, found->cloudlet.region, found->local_id);
      co_await context.registry->put(entry);
      continue;
    }
    const auto& attempt = entry.attempt;
    bool moved_on = attempt && abandoned_tokens.count(attempt->token);
    if (attempt && !moved_on && is_neutron(entry.kind)) {
      // Made but never tagged (the agent died between the create and the tag):
      // found by the pending description its create carried.
      auto c = find_cloudlet(context, attempt->cloudlet);
      std::optional<pending_match> pending;
      if (c) {
        try {
          pending = co_await find_pending(context, headers, *c, entry.kind, entry.global_id, attempt->token,
                                          entry.project_id);
        } catch (const upstream_failure& e) {
          spdlog::warn("reservation sweep: {} {} left reserved: {}", to_string(entry.kind), entry.global_id,
                       e.what());
          continue;
        }
      }
      if (pending && pending->found == pending_match::result::one) {
        auto local_id = pending->item.value("id", std::string{});
        if (!co_await mark_pending(context, headers, *c, entry.kind, pending->item, entry.global_id, attempt->token,
                                   attempt->description)) {
          spdlog::warn("reservation sweep: {} {} left reserved: {} {} on {} could not be tagged",
                       to_string(entry.kind), entry.global_id, to_string(entry.kind), local_id, c->region);
          continue;
        }
        spdlog::warn("reservation sweep: adopting {} {}: its untagged create is {} on {}", to_string(entry.kind),
                     entry.global_id, local_id, c->region);
        bind_entry(entry, c->region, local_id);
        co_await context.registry->put(entry);
        continue;
      }
    }
    // Recorded before the reservation goes: a cloud that held the create may
    // still make it, and then only this record lets the owner delete it.
    if (attempt && !moved_on) {
      // Built before the co_await: GCC 12 mishandles temporaries in its operand.
      storage::abandoned_attempt record{attempt->token, entry.kind, entry.global_id, entry.project_id,
                                        attempt->cloudlet, now_unix_ms()};
      co_await context.registry->abandon(record);
    }
    spdlog::warn("reservation sweep: dropping {} {}: no cloudlet holds it{}", to_string(entry.kind),
                 entry.global_id, attempt && !moved_on ? " (its attempt is recorded as abandoned)" : "");
    co_await context.registry->erase(entry.project_id, entry.global_id);
  }
}

/// How long an abandoned attempt that made nothing (yet) is looked for.
std::int64_t forget_after(std::chrono::milliseconds timeout) {
  return std::max<std::int64_t>(10 * timeout.count(), 60'000);
}

/// One abandoned attempt: look on its cloudlet, then follow decide_reclaim.
http::awaitable<void> reclaim_one(agent_context& context, const bhttp::fields& headers,
                                  const storage::abandoned_attempt& record, std::chrono::milliseconds timeout) {
  auto kind = storage::to_string(record.kind);
  std::optional<std::vector<marked_item>> found;
  std::optional<cloudlet_endpoints> cloudlet = find_cloudlet(context, record.cloudlet);
  auto service = api::service_type::image;
  if (auto search = search_for_marker(record.kind, record.global_id, true)) service = search->service;
  if (cloudlet) {
    try {
      auto items = co_await list_marked_on(context, headers, *cloudlet, record.kind, record.global_id, true);
      found.emplace();
      for (const auto& item : items)
        if (auto marked = to_marked_item(service, item)) found->push_back(std::move(*marked));
      // A Neutron create that was never tagged carries the attempt's token in its description.
      if (is_neutron(record.kind))
        for (const auto& item : co_await list_pending(context, headers, *cloudlet, record.kind, record.token,
                                                      record.project_id))
          if (auto marked = pending_marked_item(item, record.global_id)) found->push_back(std::move(*marked));
    } catch (const upstream_failure& e) {
      spdlog::info("reclaim: attempt {} on {}: postponed ({})", record.token, record.cloudlet, e.what());
    }
  }
  // Asked after the look, so that a binding that happened meanwhile is seen.
  auto entry = co_await context.registry->get(record.project_id, record.global_id);
  auto decision = decide_reclaim(record, found, entry, now_unix_ms(), timeout.count(), forget_after(timeout));
  switch (decision.action) {
    case reclaim_action::keep:
      co_return;
    case reclaim_action::forget:
      spdlog::info("reclaim: forgetting abandoned {} attempt {} for {} on {}: {}", kind, record.token,
                   record.global_id, record.cloudlet, decision.reason);
      co_await context.registry->forget_abandoned(record.token);
      co_return;
    case reclaim_action::delete_one: {
      auto search = search_for_marker(record.kind, record.global_id, true);
      auto item_path = search->path.substr(0, search->path.find_first_of('?'));
      // Servers, volumes and snapshots are searched in their detail lists.
      if (item_path.ends_with("/detail")) item_path.resize(item_path.size() - std::string_view("/detail").size());
      spdlog::warn("reclaim: deleting {} {} on {} (global ID {}, attempt {}): {}", kind, decision.local_id,
                   record.cloudlet, record.global_id, record.token, decision.reason);
      auto deleted = co_await call_cloudlet(context, *cloudlet, search->service, bhttp::verb::delete_,
                                            item_path + "/" + decision.local_id, headers);
      if (deleted.status < 300 || deleted.status == 404) {
        metrics::fedstack().abandoned_deleted.add({kind});
        co_await context.registry->forget_abandoned(record.token);
      } else {
        spdlog::warn("reclaim: deleting {} {} on {} answered {}; tried again next sweep", kind, decision.local_id,
                     record.cloudlet, deleted.status);
      }
      co_return;
    }
  }
}

http::awaitable<void> reclaim_abandoned(agent_context& context, const bhttp::fields& headers,
                                        std::chrono::milliseconds timeout) {
  for (const auto& record : co_await context.registry->abandoned(now_unix_ms() - timeout.count())) {
    std::optional<std::string> failure;
    try {
      co_await reclaim_one(context, headers, record, timeout);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (failure) spdlog::warn("reclaim: attempt {} on {}: {}", record.token, record.cloudlet, *failure);
  }
}

} // namespace

http::awaitable<void> sweep_reservations_once(agent_context& context, service_session& session,
                                              std::chrono::milliseconds timeout) {
  bhttp::fields headers;
  headers.set("X-Auth-Token", co_await session.token());
  headers.set(bhttp::field::accept, "application/json");
  headers.set("X-Openstack-Request-Id", "req-fedstack-reservation-sweep");
  // Reservations first: an entry the sweep adopts is bound before its attempts are judged.
  co_await sweep_reserved(context, headers, timeout);
  co_await reclaim_abandoned(context, headers, timeout);
}

http::awaitable<void> sweep_reservations(agent_context& context, service_session& session,
                                         std::chrono::milliseconds period,
                                         std::chrono::milliseconds timeout) {
  auto executor = co_await http::asio::this_coro::executor;
  http::asio::steady_timer timer{executor};
  for (;;) {
    try {
      co_await sweep_reservations_once(context, session, timeout);
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
