#pragma once
// The orphan sweep: each agent looks through its own cloudlet for resources
// that carry a fedstack marker (a primary's or a copy's) but that no registry
// records there. They are left by a create whose cloud answered after the
// agent gave up on it (timeout, then a retry elsewhere), by a delete the cloud
// missed, or by a copy whose registration failed. The rule (docs/federation.md):
// a marked resource older than --reservation-timeout-ms whose global ID's owner
// answers "no such entry", or whose entry is bound and lists another resource
// on this cloudlet, is deleted with the agent's service token. An owner that
// cannot be asked, or an entry still reserved, leaves the resource alone.

#include <chrono>

#include "agent/context.hpp"
#include "agent/service_session.hpp"

namespace fedstack::agent {

/// Sweeps every `period` (the first time after one period), until the io_context stops.
http::awaitable<void> sweep_orphans(agent_context& context, service_session& session,
                                    std::chrono::milliseconds period,
                                    std::chrono::milliseconds min_age);

} // namespace fedstack::agent
