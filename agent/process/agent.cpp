#include "agent/process/agent.hpp"

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/capacity.hpp"
#include "actors/connector.hpp"
#include "actors/membership.hpp"
#include "actors/node.hpp"
#include "actors/register_types.hpp"
#include "actors/registry.hpp"
#include "actors/scheduler.hpp"
#include "actors/tls.hpp"
#include "agent/bridges/actor_handles.hpp"
#include "agent/bridges/actor_registry_client.hpp"
#include "agent/tasks/capacity_poller.hpp"
#include "agent/bridges/copy_check.hpp"
#include "agent/services/discovery.hpp"
#include "agent/process/fd_limit.hpp"
#include "agent/process/log_format.hpp"
#include "agent/bridges/actor_placement_client.hpp"
#include "agent/tasks/orphan_sweep.hpp"
#include "agent/tasks/reservation_sweep.hpp"
#include "api/global_id.hpp"
#include "agent/flows/proxy.hpp"
#include "agent/pages/operator_pages.hpp"
#include "agent/services/service_session.hpp"
#include "agent/services/upstream_names.hpp"
#include "http/io_threads.hpp"
#include "http/tls_client.hpp"
#include "metrics/catalog.hpp"

namespace fedstack::agent {
namespace {

constexpr const char* summary =
  "Serves Identity v3, Image v2, Networking v2.0 and Compute v2.1 on one port for one\n"
  "cloudlet, forwarding to the shared Keystone and the cloudlet's services.\n"
  "`fedstack agent --config-example [options]` prints a config file listing every option\n"
  "(the options given are set in it); `--config-reference` prints them as a Markdown table.";

constexpr const char* config_example_header =
  "Configuration of `fedstack agent --config FILE`: 'name = value' lines, '#' starts a "
  "comment. Options given on the command line win over this file. Each option is listed "
  "with its help and its default, commented out. Written by `fedstack agent "
  "--config-example`; see `fedstack agent --help`.";

/// "http(s)://host:port/v3" -> the Keystone root the agent prefixes "/v3/..." with.
std::optional<http::endpoint> keystone_root(const std::string& url) {
  auto parsed = http::parse_endpoint(url);
  if (!parsed) return std::nullopt;
  auto& path = parsed->base_path;
  if (path.size() >= 3 && path.compare(path.size() - 3, 3, "/v3") == 0) path.erase(path.size() - 3);
  return parsed;
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

/// Stops the agent's long-lived actors and waits for them (the registry commits and
/// closes LMDB), at most `grace`. The short-lived actors of `ask` that still wait for a
/// peer's answer are not waited for: the actor system would otherwise hold the exit up to
/// each request's timeout (10 s for the registry and the scheduler), past a service
/// manager's stop timeout. True when every actor stopped within `grace`.
bool stop_actors(caf::actor_system& system, const std::vector<caf::actor>& actors,
                 std::chrono::milliseconds grace = std::chrono::seconds{5}) {
  auto started = std::chrono::steady_clock::now();
  std::size_t down = 0;
  bool late = false;
  {
    caf::scoped_actor self{system};
    for (const auto& actor : actors) {
      self->monitor(actor);
      self->send_exit(actor, caf::exit_reason::user_shutdown);
    }
    self->receive_while([&] { return down < actors.size() && !late; })(
      [&](const caf::down_msg&) { ++down; }, caf::after(grace) >> [&] { late = true; });
  }
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (late)
    spdlog::warn("{} of {} actors still running {} ms after the stop; exiting anyway", actors.size() - down,
                 actors.size(), grace.count());
  else
    spdlog::info("actors stopped in {} ms", took.count());
  return !late;
}

int serve(agent_options options) {
  // CAF reads these files at every connection and throws if it cannot, so
  // every problem with them must show here, before anything starts.
  tls_files node_tls{options.node_ca, options.node_cert, options.node_key};
  if (auto error = check_tls_files(node_tls, tls_role::node, "--node-ca, --node-cert and --node-key")) {
    spdlog::error("node TLS: {}", *error);
    return 2;
  }
  if (options.service_password.empty()) {
    spdlog::error("--service-password is required: the agent has no built-in service password");
    return 2;
  }
  if (!tls_enabled(node_tls) && !options.insecure_plain_node_port) {
    spdlog::error("the node port needs --node-ca, --node-cert and --node-key (scripts/fedstack-certs.sh, "
                  "docs/deploying.md); --insecure-plain-node-port runs it without authentication");
    return 2;
  }
  if (tls_enabled(node_tls)) {
    if (options.insecure_plain_node_port) {
      spdlog::error("--insecure-plain-node-port and --node-ca/--node-cert/--node-key exclude each other");
      return 2;
    }
    auto identity = certificate_identity(node_tls.cert);
    if (!identity || identity->who != peer_identity::kind::cloudlet || identity->cloudlet != options.region) {
      spdlog::error("node TLS: the certificate '{}' names {}, not this agent's region '{}' (its subjectAltName "
                    "must hold URI:urn:fedstack:cloudlet:{}; scripts/fedstack-certs.sh node)",
                    node_tls.cert, identity ? to_string(*identity) : std::string{"no fedstack identity"},
                    options.region, options.region);
      return 2;
    }
  }
  auto keystone = keystone_root(options.keystone_url);
  if (!keystone) {
    spdlog::error("--keystone-url '{}' is not an http:// or https:// URL", options.keystone_url);
    return 2;
  }
  try {
    http::configure_upstream_tls(options.cloud_ca_file);
  } catch (const std::exception& e) {
    spdlog::error("--cloud-ca-file: {}", e.what());
    return 2;
  }
  std::error_code fs_error;
  std::filesystem::create_directories(options.data_dir, fs_error);
  if (fs_error) {
    spdlog::error("cannot create --data-dir '{}': {}", options.data_dir, fs_error.message());
    return 1;
  }

  // A client gone mid-download must fail the relay's write, not kill the
  // agent: splice(2) to a closed socket raises SIGPIPE (http/splice.hpp).
  std::signal(SIGPIPE, SIG_IGN);

  // Declared first, destroyed last: the connection pool's sockets, the
  // strands of list fan-outs and CAF's pending answers (ask.hpp) all refer
  // to the io contexts until they and the actor system are gone. Each io
  // thread has a context of its own (io_threads.hpp); `io` is the first one.
  http::io_threads io_threads{static_cast<std::size_t>(options.io_threads)};
  auto& io = io_threads.main();
  caf::actor_system_config cfg;
  register_types(cfg);
  // Sharing: no idle polling, lower latency on small controller hosts (stack notes §4).
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("scheduler.max-threads", 2);
  cfg.load<caf::io::middleman>();
  if (tls_enabled(node_tls)) use_tls(cfg, node_tls);
  // Without heartbeats a hung (not crashed) peer is never noticed (stack notes §4).
  cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds{options.heartbeat_ms}});
  cfg.set("middleman.connection-timeout",
          caf::timespan{std::chrono::milliseconds{options.connection_timeout_ms}});
  caf::actor_system system{cfg};
  std::vector<peer_address> seeds;
  for (std::size_t begin = 0; begin < options.join.size();) {
    auto end = options.join.find(',', begin);
    if (end == std::string::npos) end = options.join.size();
    auto text = options.join.substr(begin, end - begin);
    begin = end + 1;
    if (text.empty()) continue;
    auto seed = parse_peer_address(text);
    if (!seed) {
      spdlog::error("--join: '{}' is not HOST:PORT", text);
      return 2;
    }
    seeds.push_back(*seed);
  }
  peer_networks allowed_peers;
  if (!options.peer_networks.empty()) {
    auto parsed = peer_networks::parse(options.peer_networks);
    if (!parsed) {
      spdlog::error("--peer-networks: '{}' is not a comma-separated list of IPv4 CIDRs",
                    options.peer_networks);
      return 2;
    }
    allowed_peers = *parsed;
  }
  for (const auto& seed : seeds)
    if (!allowed_peers.allows(seed)) {
      spdlog::error("--join: {} is outside --peer-networks ({})", to_string(seed), allowed_peers.describe());
      return 2;
    }

  auto registry = spawn_registry(system, options.data_dir);
  if (!registry) {
    spdlog::error("cannot open the registry in '{}': {}", options.data_dir,
                  system.render(registry.error()));
    return 1;
  }

  agent_context context;
  context.options = options;
  context.keystone = *keystone;
  context.compute_range.max = api::microversion{2, static_cast<int>(options.compute_max_microversion_minor)};
  context.tokens = std::make_unique<token_cache>(
    static_cast<std::size_t>(options.token_cache_entries),
    std::chrono::seconds{options.token_expiry_slack_s});
  context.refused = std::make_unique<refused_tokens>(static_cast<std::size_t>(options.token_cache_entries),
                                                     std::chrono::milliseconds{options.token_refusal_ttl_ms});

  if (!api::make_global_id({options.node_address, 1})) {
    spdlog::error("--node-address '{}' must be a dotted IPv4 address: global IDs carry it "
                  "(docs/federation.md)", options.node_address);
    caf::anon_send_exit(*registry, caf::exit_reason::user_shutdown);
    return 2;
  }
  scheduler_config scheduler_options;
  {
    auto server_chain = parse_chain(options.server_filters, options.server_weighers);
    auto image_chain = parse_chain(options.image_filters, options.image_weighers);
    if (!server_chain || !image_chain) {
      spdlog::error("scheduler: {}", server_chain ? image_chain.error : server_chain.error);
      caf::anon_send_exit(*registry, caf::exit_reason::user_shutdown);
      return 2;
    }
    scheduler_options.policy = {*server_chain.value, *image_chain.value};
  }

  // Named before the first call (discovery's service token) so every call has its labels.
  upstream_names::global().set(*keystone, {"keystone", "identity"});
  service_session session{options, *keystone};
  context.session = &session;
  std::optional<std::string> discovery_error;
  http::asio::co_spawn(io, discover_cloudlet(session, options.region, std::chrono::seconds{60}),
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
  if (discovery_error) {
    spdlog::error("cannot find cloudlet '{}': {}", options.region, *discovery_error);
    caf::anon_send_exit(*registry, caf::exit_reason::user_shutdown);
    return 1;
  }
  context.cloudlets = cloudlets_in_catalog(session.catalog());
  name_upstreams(context.cloudlets);
  spdlog::info("{} cloudlets in the catalog", context.cloudlets.size());
  spdlog::info("cloudlet {}: image {}, network {}, compute {}", context.cloudlet.region,
               context.cloudlet.image.to_string(), context.cloudlet.network.to_string(),
               context.cloudlet.compute.to_string());

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
  auto wanted = descriptors_needed(static_cast<std::uint64_t>(options.max_connections));
  if (auto have = raise_descriptor_limit(wanted); have < wanted)
    spdlog::warn("open-file limit is {}; --max-connections {} needs about {} (raise LimitNOFILE)", have,
                 options.max_connections, wanted);
  // A session stays on one io thread, which alone runs its context: no strand needed.
  http::server server{io, make_proxy_handler(context, serve_operator_page), limits, [&io_threads] {
                         return http::asio::any_io_executor{io_threads.next().get_executor()};
                       }};
  std::uint16_t port = 0;
  try {
    port = server.listen(options.listen_address, options.port);
  } catch (const std::exception& e) {
    spdlog::error("cannot listen on {}:{}: {}", options.listen_address, options.port, e.what());
    caf::anon_send_exit(*registry, caf::exit_reason::user_shutdown);
    return 1;
  }
  context.options.port = port;
  context.base_url = public_base_url(context.options);

  // The node actor first: membership's own entry needs the port it got.
  node_config node_options;
  if (tls_enabled(node_tls)) node_options.identify = identify_by_certificate(system.node());
  // Copies peers report on cloudlets they do not serve, and peers' erases,
  // are checked on the clouds first, with the service user's token
  // (agent/bridges/copy_check.hpp).
  node_options.check_copy = [&context, &io](storage::resource_kind kind, std::string global_id,
                                            storage::cloud_copy copy, std::function<void(bool)> done) {
    http::asio::co_spawn(io, report_marked_copy(context, kind, std::move(global_id), std::move(copy), std::move(done)),
                         http::asio::detached);
  };
  node_options.check_gone = [&context, &io](storage::resource_kind kind, storage::cloud_copy primary,
                                            std::function<void(bool)> done) {
    http::asio::co_spawn(io, report_gone(context, kind, std::move(primary), std::move(done)), http::asio::detached);
  };
  auto node_handle = system.spawn(node, node_options);
  // The one actor peers may send requests to (tls.hpp).
  set_reachable_actor(node_handle.id());
  // Global IDs name the node's address (docs/federation.md): with --node-port 0
  // a restarted agent takes the port of its last run again when it is free.
  auto last_port = saved_node_port(system, *registry);
  caf::expected<std::uint16_t> node_port{caf::error{}};
  if (options.node_port == 0 && last_port)
    node_port = publish_node(system, node_actor{node_handle}, *last_port,
                             options.node_address.c_str(), true);
  if (!node_port)
    node_port = publish_node(system, node_actor{node_handle}, options.node_port,
                             options.node_address.c_str(), true);
  if (node_port && (!last_port || *node_port != *last_port)) save_node_port(system, *registry, *node_port);
  if (!node_port) {
    spdlog::error("cannot publish the node on {}:{}: {}", options.node_address, options.node_port,
                  system.render(node_port.error()));
    server.stop();
    caf::anon_send_exit(node_handle, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(*registry, caf::exit_reason::user_shutdown);
    return 1;
  }
  peer_entry self_entry{peer_address{options.node_address, *node_port}, 0, options.region,
                        context.base_url};
  if (tls_enabled(node_tls))
    spdlog::info("node {}: TLS; peers must present a certificate issued by the CA in '{}'",
                 to_string(self_entry.address), node_tls.ca);
  else
    spdlog::warn("INSECURE: node {} is a plain, unauthenticated port (--insecure-plain-node-port): any "
                 "process that reaches it can join the overlay, report capacity, read and change "
                 "registry copies, and exhaust the agent's memory; set --node-ca, --node-cert and "
                 "--node-key for production (docs/deploying.md)",
                 to_string(self_entry.address));
  membership_config membership_options;
  membership_options.cache_size = static_cast<std::size_t>(options.cache_size);
  membership_options.shuffle_length = static_cast<std::size_t>(options.shuffle_length);
  membership_options.period = std::chrono::milliseconds{options.shuffle_period_ms};
  membership_options.shuffle_timeout = std::chrono::milliseconds{options.shuffle_timeout_ms};
  membership_options.self = self_entry;
  middleman_connector_config connector_options;
  connector_options.allowed = allowed_peers;
  auto connector = spawn_middleman_connector(system, connector_options);
  auto membership = spawn_membership(system, membership_options, connector, *registry);
  if (!membership) {
    spdlog::error("cannot start membership: {}", system.render(membership.error()));
    return 2;
  }
  if (!seeds.empty()) caf::anon_send(*membership, atom::join_v, seeds);
  capacity_config capacity_options;
  capacity_options.poll_period = std::chrono::milliseconds{
    options.neighbour_capacity_period_ms > 0 ? options.neighbour_capacity_period_ms
                                             : options.capacity_period_ms};
  capacity_options.request_timeout = std::chrono::milliseconds{options.shuffle_timeout_ms};
  capacity_options.identify = node_options.identify;
  auto capacity_handle = spawn_capacity(system, capacity_options, *membership, connector);
  scheduler_options.self = self_entry.address;
  scheduler_options.live_probe = options.live_probe;
  auto scheduler_handle = spawn_scheduler(system, scheduler_options, capacity_handle, connector);
  context.registry = make_actor_registry_client(system, *registry, connector, self_entry.address,
                                                caf::timespan{std::chrono::seconds{10}});
  context.placement = make_actor_placement_client(system, scheduler_handle,
                                                  caf::timespan{std::chrono::seconds{10}});
  context.actors = std::make_shared<const actor_handles>(
    actor_handles{system, self_entry, node_actor{node_handle}, *membership,
                  capacity_handle, scheduler_handle, connector, *registry});
  {
    caf::scoped_actor wiring{system};
    wiring->request(node_handle, std::chrono::seconds{5}, atom::put_v, self_entry, *membership,
                    capacity_handle, scheduler_handle, *registry)
      .receive([](atom::ok) {},
               [&](caf::error& error) { spdlog::error("cannot wire the node: {}", system.render(error)); });
  }
  http::asio::co_spawn(io,
                       sweep_reservations(context, session,
                                          std::chrono::milliseconds{options.reservation_sweep_ms},
                                          std::chrono::milliseconds{options.reservation_timeout_ms}),
                       http::asio::detached);
  if (options.orphan_sweep_ms > 0)
    http::asio::co_spawn(io,
                         sweep_orphans(context, session, std::chrono::milliseconds{options.orphan_sweep_ms},
                                       std::chrono::milliseconds{options.reservation_timeout_ms}),
                         http::asio::detached);
  http::asio::co_spawn(io,
                       poll_capacity(context, session, capacity_handle, self_entry.address,
                                     std::chrono::milliseconds{options.capacity_period_ms}),
                       http::asio::detached);

  http::asio::signal_set signals{io, SIGINT, SIGTERM};
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    spdlog::info("signal {}: stopping", signal);
    server.stop();
    io_threads.stop();
  });

  nlohmann::json ready{{"event", "ready"}, {"url", context.base_url}, {"region", options.region},
                       {"port", port}, {"node", to_string(self_entry.address)}};
  std::cout << ready.dump() << std::endl;
  spdlog::info("fedstack agent for {} serving {}, node {}", options.region, context.base_url,
               to_string(self_entry.address));

  io_threads.run();
  bool stopped = stop_actors(
    system, {caf::actor_cast<caf::actor>(node_handle), caf::actor_cast<caf::actor>(capacity_handle),
             caf::actor_cast<caf::actor>(scheduler_handle), caf::actor_cast<caf::actor>(*membership),
             caf::actor_cast<caf::actor>(connector), caf::actor_cast<caf::actor>(*registry)});
  spdlog::info("fedstack agent stopped");
  // The process ends here, without tearing down the actor system and the io
  // contexts: coroutine frames still parked in the stopped contexts, and the
  // actors of `ask` still waiting for a peer, hold handles of the registry, and
  // the system's destructor waits for the registry's detached thread until they
  // are gone, which (contexts outliving the system) is never: a hang seen after
  // SIGTERM. What must outlive the process is done: the actors stopped, LMDB
  // committed every transaction (it needs no close to be consistent), logs flushed.
  spdlog::shutdown();
  std::cout.flush();
  std::_Exit(stopped ? 0 : 1);
}

} // namespace

int run_agent_command(const std::vector<std::string>& args) {
  agent_options options;
  config::option_set set{"agent"};
  describe(set, options);
  // docs/configuration.md is this table, so the docs cannot drift from --help.
  if (args.size() == 1 && args[0] == "--config-reference") {
    std::cout << set.markdown();
    return 0;
  }
  // An example config file (the package's /etc/fedstack/agent.conf): every option
  // commented out with its default; options given after the switch are set.
  if (!args.empty() && args[0] == "--config-example") {
    if (auto error = set.parse({args.begin() + 1, args.end()})) {
      std::cerr << "fedstack agent: " << *error << "\n";
      return 2;
    }
    std::cout << set.config_file(config_example_header);
    return 0;
  }
  if (auto error = set.parse(args)) {
    std::cerr << "fedstack agent: " << *error << "\n";
    return 2;
  }
  if (set.help_requested()) {
    std::cout << set.usage(summary);
    return 0;
  }
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  if (auto error = set_log_format(options.log_format)) {
    std::cerr << "fedstack agent: " << *error << "\n";
    return 2;
  }
  return serve(std::move(options));
}

} // namespace fedstack::agent
