#pragma once
// The steps of `serve` that build what requests use: the context, the
// service user's session with the cloudlet found in Keystone's catalog, the
// HTTP server, the services over the actors, and the background tasks.

#include <memory>

#include "agent/process/start_actors.hpp"
#include "agent/process/start_options.hpp"
#include "agent/services/context.hpp"
#include "agent/services/service_session.hpp"
#include "http/io_threads.hpp"
#include "http/server.hpp"

namespace fedstack::agent {

/// The context from the options: Keystone, token caches, compute microversions.
/// The later steps fill in the rest.
std::unique_ptr<agent_context> make_context(const agent_options& options, const checked_options& checked);

/// Signs the service user in and reads the catalog: this agent's cloudlet (the
/// --region) and every other one, into `context`. Runs `io` until done;
/// retries while Keystone is unreachable, up to a minute (exit_start_failed
/// then, or at once when Keystone refuses the password or the catalog lacks
/// the region). The session is the context's from now on.
std::unique_ptr<service_session> find_cloudlet(const agent_options& options, const checked_options& checked,
                                               agent_context& context, http::asio::io_context& io);

/// Listens on --listen-address:--port (exit_start_failed if it cannot),
/// sessions spread over `io_threads`. Sets the context's port and base URL.
/// The server stops when it goes.
std::unique_ptr<http::server> start_http_server(const agent_options& options, agent_context& context,
                                                http::io_threads& io_threads);

/// Hands the actors to the flows: the registry and placement clients and the
/// operator pages' handles.
void connect_services(agent_context& context, caf::actor_system& system, const running_registry& registry,
                      const running_node& node, const running_overlay& overlay);

/// The reservation and orphan sweeps and the capacity poller, on `io` until it stops.
void start_background_tasks(agent_context& context, service_session& session, http::asio::io_context& io,
                            const running_node& node, const running_overlay& overlay);

} // namespace fedstack::agent
