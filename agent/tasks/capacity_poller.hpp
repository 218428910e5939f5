#pragma once
// Reads the cloudlet's capacity over HTTP (hypervisor statistics, active
// images, Cinder's pools) with the agent's service token, and pushes each reading to the
// capacity actor. Runs on the io_context: actors never make HTTP calls.

#include <caf/actor_system.hpp>

#include "actors/actors.hpp"
#include "agent/services/context.hpp"
#include "agent/services/service_session.hpp"

namespace fedstack::agent {

/// One reading of the cloudlet. Throws upstream_failure or std::runtime_error.
http::awaitable<capacity_report> read_capacity(const agent_context& context, service_session& session);

/// Reads every `period` until the io_context stops, sending each reading to `capacity`.
http::awaitable<void> poll_capacity(const agent_context& context, service_session& session,
                                    capacity_actor capacity, peer_address node,
                                    std::chrono::milliseconds period);

} // namespace fedstack::agent
