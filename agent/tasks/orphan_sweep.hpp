#pragma once
// The orphan sweep: each agent looks through its own cloudlet for resources
// that carry a fedstack marker (a primary's or a copy's) but that no registry
// explains there. It NEVER deletes (docs/faults.md, "The reconciler's rule"):
// only the owner of an abandoned create attempt deletes what that attempt
// made (reservation_sweep.cpp). What no registry explains is listed for the
// operator: a log line per resource, the gauge fedstack_orphans{kind}, and
// the list that `fedstack orphans --node HOST:PORT` shows.
// Snapshot and shelve images (Nova copies the base image's marker into them),
// resources whose owner cannot be asked, entries still reserved and this
// agent's own abandoned attempts are not listed.

#include <chrono>

#include "agent/services/context.hpp"
#include "agent/services/service_session.hpp"

namespace fedstack::agent {

/// Where the latest list is kept beside the registry (put_meta), as JSON.
inline constexpr const char* orphans_meta_key = "orphans";

/// Sweeps every `period` (the first time after one period), until the io_context stops.
http::awaitable<void> sweep_orphans(agent_context& context, service_session& session,
                                    std::chrono::milliseconds period,
                                    std::chrono::milliseconds min_age);

} // namespace fedstack::agent
