#pragma once
// The decisions of a create (flows/create_flow.cpp) as pure functions: where
// it may go and in which order, and what it does after each attempt. One
// create makes at most one resource: an attempt whose fate is unknown is
// looked for by its token, and another cloudlet is tried only once the
// attempt is recorded as abandoned (docs/faults.md, "The reconciler's rule").

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/scheduler_logic.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// Who chooses the cloudlet of a create.
enum class create_home {
  scheduler,      // images and servers: placed by the scheduler (thesis workflow 5)
  own_cloudlet,   // networks: this agent's cloudlet
  network_home,   // subnets and ports: their network's primary cloudlet
};
create_home home_of(storage::resource_kind kind);

/// The cloudlets a scheduled create tries, in order, or why it cannot go anywhere.
struct candidate_choice {
  std::vector<std::string> regions;
  /// Set when the request cannot be placed (the client gets 400 with it).
  std::optional<std::string> refusal;
};

/// A zone pinned by the boot (`pinned_zone` non-empty) is the only candidate,
/// whatever the scheduler said, if it is a cloudlet of the directory (a pin is
/// honoured as Nova honours one, and its cloud decides); else the create is
/// refused. Otherwise the decision's winner, then its fallbacks, each once and
/// only those in the directory (`in_directory`); `own` when none is left or the
/// scheduler placed nothing.
candidate_choice choose_candidates(const placement_decision& decision, const std::string& pinned_zone,
                                   const std::function<bool(const std::string&)>& in_directory,
                                   const std::string& own);

/// How a create's cloud call ended, before anything is looked for.
enum class call_result {
  made,      // 2xx
  refused,   // 3xx or 4xx: the cloud said no, and made nothing
  unknown,   // 5xx or no answer: it may have made it all the same
};
/// `status` nullopt: no answer (timeout, unreachable).
call_result read_call(std::optional<unsigned> status);

/// True when what an unknown attempt made can be looked for by its token:
/// images and servers by their marker, a Neutron create by its pending
/// description (`pending`); not a Neutron create sent without one.
bool searchable(storage::resource_kind kind, bool pending);

/// True when a refused boot (`status`, Nova's fault `body`) is that cloudlet's
/// quota saying no: Nova answers its QuotaError and PortLimitExceeded with 403
/// and their message ("Quota exceeded for instances: ...", "Maximum number of
/// ports exceeded"; `servers.py` create). Another cloudlet counts its own
/// quota, so the boot may go there. Any other 403 (a policy) is final.
bool refused_by_quota(storage::resource_kind kind, unsigned status, std::string_view body);

/// What one attempt on one cloudlet came to.
enum class attempt_outcome {
  created,       // answered 2xx with an ID, or unknown and found by its token
  refused,       // answered 3xx or 4xx, or 2xx without an ID
  not_found,     // unknown, and its token found nothing (or the cloud could not tell)
  unsearchable,  // unknown, and cannot be looked for
  unmarked,      // made, but Neutron would not take its marker
  no_valid_host, // a server that went to ERROR for want of a host
  not_prepared,  // the boot's flavor, image or networks could not be readied there
  over_quota,    // refused by that cloudlet's own quota: it made nothing
};

/// What the create does after an attempt.
struct next_step {
  bool bind = false;              // bind what it made and answer the client
  bool record_abandoned = false;  // record the attempt as abandoned first
  bool delete_made = false;       // once recorded, delete what it made there
  bool try_next = false;          // then the next candidate, if one is left
};

/// created: bind. refused: answer the client (final). not_found, unmarked:
/// record as abandoned (the owner reclaims what it made later), then the next.
/// no_valid_host: record, delete the server, then the next. unsearchable,
/// not_prepared, over_quota: the next (nothing of it to reclaim).
next_step after(attempt_outcome outcome);

/// The step once the abandonment could not be recorded: no other cloudlet
/// may be tried (nor is anything deleted), the client gets this failure.
next_step after_unrecorded_abandonment(next_step step);

} // namespace fedstack::agent
