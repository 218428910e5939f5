#pragma once
// The reservation sweep: a create reserves its global ID before it asks the
// cloud and binds it after (create_flow.cpp). A reservation that is neither in
// flight in this process nor bound after --reservation-timeout-ms was left by
// a crash or a failure midway. The sweep looks its marker up on every
// cloudlet, with the agent's service (admin) token: what it finds is adopted
// (the entry is bound to it, unless its attempt token is recorded as
// abandoned); so is, for a network, subnet or port, the untagged resource that
// carries its attempt's pending description (neutron_pending.hpp), which is
// tagged first. A reservation that made nothing is dropped, and its attempt
// (kept in the reservation) recorded as abandoned before, since a cloud that
// held the create may still make it.
//
// Then the owner's reclaim: each create attempt this agent recorded as
// abandoned, older than the timeout, is looked for on its cloudlet by its
// attempt token, and decide_reclaim (reclaim_rule.hpp) says whether its one
// resource is deleted, the record forgotten, or the decision postponed. This
// is the only place the federation deletes what no client asked it to.

#include <chrono>

#include "agent/services/context.hpp"
#include "agent/services/service_session.hpp"

namespace fedstack::agent {

/// One sweep, as each period runs it: reservations older than `timeout`, then
/// abandoned attempts.
http::awaitable<void> sweep_reservations_once(agent_context& context, service_session& session,
                                              std::chrono::milliseconds timeout);

/// Sweeps once now, then every `period`, until the io_context stops.
http::awaitable<void> sweep_reservations(agent_context& context, service_session& session,
                                         std::chrono::milliseconds period,
                                         std::chrono::milliseconds timeout);

} // namespace fedstack::agent
