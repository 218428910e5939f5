#include "agent/process/start_actors.hpp"

#include <algorithm>
#include <cstdlib>

#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/capacity.hpp"
#include "actors/connector.hpp"
#include "actors/membership.hpp"
#include "actors/node.hpp"
#include "actors/register_types.hpp"
#include "actors/registry.hpp"
#include "actors/scheduler.hpp"
#include "agent/bridges/copy_check.hpp"
#include "agent/process/start_failure.hpp"

namespace fedstack::agent {
namespace {

caf::actor_system_config& configure(caf::actor_system_config& config, const agent_options& options,
                                    const tls_files& node_tls) {
  register_types(config);
  // Sharing: no idle polling, lower latency on small controller hosts (stack notes §4).
  config.set("scheduler.policy", caf::atom("sharing"));
  config.set("scheduler.max-threads", 2);
  config.load<caf::io::middleman>();
  if (tls_enabled(node_tls)) use_tls(config, node_tls);
  // Without heartbeats a hung (not crashed) peer is never noticed (stack notes §4).
  config.set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds{options.heartbeat_ms}});
  config.set("middleman.connection-timeout",
             caf::timespan{std::chrono::milliseconds{options.connection_timeout_ms}});
  return config;
}

constexpr const char* node_port_key = "node.port";

std::optional<std::uint16_t> saved_node_port(caf::actor_system& system, const registry_actor& registry) {
  std::optional<std::uint16_t> port;
  caf::scoped_actor self{system};
  self->request(registry, std::chrono::seconds{5}, atom::get_meta_v, std::string{node_port_key})
    .receive(
      [&](const std::string& text) {
        auto value = std::strtoul(text.c_str(), nullptr, 10);
        if (value > 0 && value < 65536) port = static_cast<std::uint16_t>(value);
      },
      [](caf::error&) {});
  return port;
}

void save_node_port(caf::actor_system& system, const registry_actor& registry, std::uint16_t port) {
  caf::scoped_actor self{system};
  self->request(registry, std::chrono::seconds{5}, atom::put_meta_v, std::string{node_port_key},
                std::to_string(port))
    .receive([](atom::ok) {},
             [&](caf::error& error) { spdlog::warn("cannot save the node port: {}", system.render(error)); });
}

/// Copies peers report on cloudlets this agent does not serve, and peers'
/// erases, are checked on the clouds first, with the service user's token
/// (agent/bridges/copy_check.hpp).
node_config node_settings(caf::actor_system& system, const tls_files& node_tls, agent_context& context,
                          http::asio::io_context& io) {
  node_config settings;
  if (tls_enabled(node_tls)) settings.identify = identify_by_certificate(system.node());
  settings.check_copy = [&context, &io](storage::resource_kind kind, std::string global_id,
                                        storage::cloud_copy copy, std::function<void(bool)> done) {
    http::asio::co_spawn(io, report_marked_copy(context, kind, std::move(global_id), std::move(copy), std::move(done)),
                         http::asio::detached);
  };
  settings.check_gone = [&context, &io](storage::resource_kind kind, storage::cloud_copy primary,
                                        std::function<void(bool)> done) {
    http::asio::co_spawn(io, report_gone(context, kind, std::move(primary), std::move(done)), http::asio::detached);
  };
  settings.check_owner = [&context, &io](storage::resource_kind kind, storage::cloud_copy primary, std::string project,
                                         std::function<void(bool)> done) {
    http::asio::co_spawn(io, report_owned_by(context, kind, std::move(primary), std::move(project), std::move(done)),
                         http::asio::detached);
  };
  settings.check_moved = [&context, &io](storage::resource_kind, std::string global_id, std::string project,
                                         storage::cloud_copy copy, std::function<void(bool)> done) {
    http::asio::co_spawn(io, report_moved_floating_ip(context, std::move(global_id), std::move(project), std::move(copy),
                                                      std::move(done)),
                         http::asio::detached);
  };
  return settings;
}

/// Publishes the node; the port of the last run first when --node-port is 0.
std::uint16_t publish_on_node_port(caf::actor_system& system, const agent_options& options,
                                   const registry_actor& registry, const node_actor& node) {
  auto last_port = saved_node_port(system, registry);
  caf::expected<std::uint16_t> port{caf::error{}};
  if (options.node_port == 0 && last_port)
    port = publish_node(system, node, *last_port, options.node_address.c_str(), true);
  if (!port) port = publish_node(system, node, options.node_port, options.node_address.c_str(), true);
  if (!port)
    fail_start(exit_start_failed, "cannot publish the node on {}:{}: {}", options.node_address, options.node_port,
               system.render(port.error()));
  if (!last_port || *port != *last_port) save_node_port(system, registry, *port);
  return *port;
}

void log_node_security(const peer_entry& self, const tls_files& node_tls) {
  if (tls_enabled(node_tls))
    spdlog::info("node {}: TLS; peers must present a certificate issued by the CA in '{}'",
                 to_string(self.address), node_tls.ca);
  else
    spdlog::warn("INSECURE: node {} is a plain, unauthenticated port (--insecure-plain-node-port): any "
                 "process that reaches it can join the overlay, report capacity, read and change "
                 "registry copies, and exhaust the agent's memory; set --node-ca, --node-cert and "
                 "--node-key for production (docs/deploying.md)",
                 to_string(self.address));
}

membership_config membership_settings(const agent_options& options, const peer_entry& self) {
  membership_config settings;
  settings.cache_size = static_cast<std::size_t>(options.cache_size);
  settings.shuffle_length = static_cast<std::size_t>(options.shuffle_length);
  settings.period = std::chrono::milliseconds{options.shuffle_period_ms};
  settings.shuffle_timeout = std::chrono::milliseconds{options.shuffle_timeout_ms};
  settings.self = self;
  return settings;
}

capacity_config capacity_settings(caf::actor_system& system, const agent_options& options,
                                  const tls_files& node_tls) {
  capacity_config settings;
  settings.poll_period = std::chrono::milliseconds{
    options.neighbour_capacity_period_ms > 0 ? options.neighbour_capacity_period_ms : options.capacity_period_ms};
  settings.request_timeout = std::chrono::milliseconds{options.shuffle_timeout_ms};
  if (tls_enabled(node_tls)) settings.identify = identify_by_certificate(system.node());
  return settings;
}

/// The node is published before membership exists (membership's entry needs
/// the node's port), so it learns the actors it asks afterwards.
void wire_node(caf::actor_system& system, const running_node& node, const running_overlay& overlay,
               const registry_actor& registry) {
  caf::scoped_actor wiring{system};
  wiring->request(node.handle, std::chrono::seconds{5}, atom::put_v, node.self, overlay.membership,
                  overlay.capacity, overlay.scheduler, registry)
    .receive([](atom::ok) {},
             [&](caf::error& error) { spdlog::error("cannot wire the node: {}", system.render(error)); });
}

} // namespace

actor_runtime::actor_runtime(const agent_options& options, const tls_files& node_tls)
  : system(configure(config, options, node_tls)) {}

running_registry start_registry(caf::actor_system& system, const agent_options& options) {
  registry_config config;
  config.data_dir = options.data_dir;
  config.lmdb.writes = std::make_shared<std::atomic<std::uint64_t>>(0);
  config.tombstones.retention = std::chrono::seconds{options.tombstone_retention_s};
  config.tombstones.period = std::clamp<std::chrono::milliseconds>(config.tombstones.retention / 10,
                                                                   std::chrono::seconds{1}, std::chrono::hours{1});
  auto registry = spawn_registry(system, config);
  if (!registry)
    fail_start(exit_start_failed, "cannot open the registry in '{}': {}", options.data_dir,
               system.render(registry.error()));
  running_registry running{*registry, owned_actors{system}, config.lmdb.writes};
  running.actors.own(running.handle);
  return running;
}

running_node start_node(caf::actor_system& system, const agent_options& options, const checked_options& checked,
                        const registry_actor& registry, agent_context& context, http::asio::io_context& io) {
  running_node running{{}, {}, owned_actors{system}};
  running.handle = running.actors.own(system.spawn(node, node_settings(system, checked.node_tls, context, io)));
  // The one actor peers may send requests to (tls.hpp).
  set_reachable_actor(running.handle.id());
  auto port = publish_on_node_port(system, options, registry, node_actor{running.handle});
  running.self = peer_entry{peer_address{options.node_address, port}, 0, options.region, context.base_url};
  log_node_security(running.self, checked.node_tls);
  return running;
}

running_overlay start_overlay(caf::actor_system& system, const agent_options& options,
                              const checked_options& checked, const running_node& node,
                              const registry_actor& registry) {
  running_overlay running{{}, {}, {}, {}, owned_actors{system}};
  middleman_connector_config connector_settings;
  connector_settings.allowed = checked.allowed_peers;
  running.connector = running.actors.own(spawn_middleman_connector(system, connector_settings));
  auto membership = spawn_membership(system, membership_settings(options, node.self), running.connector, registry);
  if (!membership)
    fail_start(exit_bad_option, "cannot start membership: {}", system.render(membership.error()));
  running.membership = running.actors.own(*membership);
  if (!checked.seeds.empty()) caf::anon_send(running.membership, atom::join_v, checked.seeds);
  running.capacity = running.actors.own(
    spawn_capacity(system, capacity_settings(system, options, checked.node_tls), running.membership,
                   running.connector));
  scheduler_config scheduler_settings;
  scheduler_settings.policy = checked.policy;
  scheduler_settings.self = node.self.address;
  scheduler_settings.live_probe = options.live_probe;
  running.scheduler = running.actors.own(
    spawn_scheduler(system, scheduler_settings, running.capacity, running.connector));
  wire_node(system, node, running, registry);
  return running;
}

} // namespace fedstack::agent
