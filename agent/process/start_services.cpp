#include "agent/process/start_services.hpp"

#include <optional>

#include <spdlog/spdlog.h>

#include "agent/bridges/actor_handles.hpp"
#include "agent/bridges/actor_placement_client.hpp"
#include "agent/bridges/actor_registry_client.hpp"
#include "agent/flows/proxy.hpp"
#include "agent/pages/operator_pages.hpp"
#include "agent/process/fd_limit.hpp"
#include "agent/process/start_failure.hpp"
#include "agent/services/discovery.hpp"
#include "agent/services/upstream_names.hpp"
#include "agent/tasks/capacity_poller.hpp"
#include "agent/tasks/orphan_sweep.hpp"
#include "agent/tasks/reservation_sweep.hpp"
#include "metrics/catalog.hpp"

namespace fedstack::agent {
namespace {

/// How long an actor-backed service waits for the registry or the scheduler.
constexpr caf::timespan actor_call_timeout = std::chrono::seconds{10};

http::server_limits server_limits(const agent_options& options) {
  http::server_limits limits;
  limits.header_bytes = static_cast<std::uint32_t>(options.max_header_bytes);
  limits.header_timeout = std::chrono::milliseconds{options.header_timeout_ms};
  limits.idle_timeout = std::chrono::milliseconds{options.idle_timeout_ms};
  limits.io_timeout = std::chrono::milliseconds{options.upstream_timeout_ms};
  limits.body_timeout = std::chrono::milliseconds{options.body_timeout_ms};
  limits.min_body_rate = static_cast<std::uint64_t>(options.min_body_rate);
  limits.max_connections = static_cast<std::size_t>(options.max_connections);
  limits.max_connections_per_client = static_cast<std::size_t>(options.max_client_connections);
  limits.on_refused = [](http::connection_refusal why) {
    metrics::fedstack().connections_refused.add({std::string(http::to_string(why))});
  };
  return limits;
}

void raise_descriptor_limit_for(const agent_options& options) {
  auto wanted = descriptors_needed(static_cast<std::uint64_t>(options.max_connections));
  if (auto have = raise_descriptor_limit(wanted); have < wanted)
    spdlog::warn("open-file limit is {}; --max-connections {} needs about {} (raise LimitNOFILE)", have,
                 options.max_connections, wanted);
}

} // namespace

std::unique_ptr<agent_context> make_context(const agent_options& options, const checked_options& checked) {
  auto context = std::make_unique<agent_context>();
  context->options = options;
  context->keystone = checked.keystone;
  context->compute_range.max = api::microversion{2, static_cast<int>(options.compute_max_microversion_minor)};
  context->tokens = std::make_unique<token_cache>(static_cast<std::size_t>(options.token_cache_entries),
                                                  std::chrono::seconds{options.token_expiry_slack_s});
  context->refused = std::make_unique<refused_tokens>(static_cast<std::size_t>(options.token_cache_entries),
                                                      std::chrono::milliseconds{options.token_refusal_ttl_ms});
  return context;
}

std::unique_ptr<service_session> find_cloudlet(const agent_options& options, const checked_options& checked,
                                               agent_context& context, http::asio::io_context& io) {
  // Named before the first call (the session's token) so every call has its labels.
  upstream_names::global().set(checked.keystone, {"keystone", "identity"});
  auto session = std::make_unique<service_session>(options, checked.keystone);
  context.session = session.get();
  std::optional<std::string> discovery_error;
  http::asio::co_spawn(io, discover_cloudlet(*session, options.region, std::chrono::seconds{60}),
                       [&](std::exception_ptr error, cloudlet_endpoints found) {
                         if (!error) {
                           context.cloudlet = std::move(found);
                           return;
                         }
                         try {
                           std::rethrow_exception(error);
                         } catch (const std::exception& e) {
                           discovery_error = e.what();
                         }
                       });
  io.run();
  io.restart();
  if (discovery_error)
    fail_start(exit_start_failed, "cannot find cloudlet '{}': {}", options.region, *discovery_error);
  context.cloudlets = cloudlets_in_catalog(session->catalog());
  name_upstreams(context.cloudlets);
  spdlog::info("{} cloudlets in the catalog", context.cloudlets.size());
  spdlog::info("cloudlet {}: image {}, network {}, compute {}", context.cloudlet.region,
               context.cloudlet.image.to_string(), context.cloudlet.network.to_string(),
               context.cloudlet.compute.to_string());
  return session;
}

std::unique_ptr<http::server> start_http_server(const agent_options& options, agent_context& context,
                                                http::io_threads& io_threads) {
  raise_descriptor_limit_for(options);
  // A session stays on one io thread, which alone runs its context: no strand needed.
  auto server = std::make_unique<http::server>(
    io_threads.main(), make_proxy_handler(context, serve_operator_page), server_limits(options),
    [&io_threads] { return http::asio::any_io_executor{io_threads.next().get_executor()}; });
  try {
    context.options.port = server->listen(options.listen_address, options.port);
  } catch (const std::exception& e) {
    fail_start(exit_start_failed, "cannot listen on {}:{}: {}", options.listen_address, options.port, e.what());
  }
  context.base_url = public_base_url(context.options);
  return server;
}

void connect_services(agent_context& context, caf::actor_system& system, const running_registry& registry,
                      const running_node& node, const running_overlay& overlay) {
  context.registry = make_actor_registry_client(system, registry.handle, overlay.connector, node.self.address,
                                                actor_call_timeout, registry.writes, node.handle);
  context.placement = make_actor_placement_client(system, overlay.scheduler, actor_call_timeout);
  context.actors = std::make_shared<const actor_handles>(
    actor_handles{system, node.self, node.handle, overlay.membership, overlay.capacity, overlay.scheduler,
                  overlay.connector, registry.handle});
}

void start_background_tasks(agent_context& context, service_session& session, http::asio::io_context& io,
                            const running_node& node, const running_overlay& overlay) {
  const auto& options = context.options;
  auto reservation_timeout = std::chrono::milliseconds{options.reservation_timeout_ms};
  http::asio::co_spawn(
    io, sweep_reservations(context, session, std::chrono::milliseconds{options.reservation_sweep_ms}, reservation_timeout),
    http::asio::detached);
  if (options.orphan_sweep_ms > 0)
    http::asio::co_spawn(
      io, sweep_orphans(context, session, std::chrono::milliseconds{options.orphan_sweep_ms}, reservation_timeout),
      http::asio::detached);
  http::asio::co_spawn(io,
                       poll_capacity(context, session, overlay.capacity, node.self.address,
                                     std::chrono::milliseconds{options.capacity_period_ms}),
                       http::asio::detached);
}

} // namespace fedstack::agent
