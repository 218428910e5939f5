#pragma once
// One attempt of a create on one cloudlet (create_flow.cpp tries its
// candidates with these): the POST marked with the entry's global ID and a
// fresh attempt token, the look for what an unanswered attempt made, the
// Neutron marking, and the check that a server found a host. What happens
// next is rules/create_policy.hpp's to say; recording an abandonment and
// deleting a server without a host are the steps it may ask for.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"
#include "agent/rules/create_policy.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// What one attempt on one cloudlet came to.
struct attempt {
  attempt_outcome outcome = attempt_outcome::not_found;
  std::optional<http::response> answer;   // the cloud's answer (or the found item's), if there was one
  unsigned status = 503;                  // without an answer
  std::string message;
  std::string token;                      // the attempt token its marker carries
  std::string local_id;
  /// Why a failed attempt failed, in a word (metric label).
  std::string cause;
};

/// POSTs `body` (global IDs) to `c` for the reservation `entry`, which first
/// records the attempt (a crash after it leaves the sweep a token to look
/// for). A 5xx or no answer is followed by a look for the token: what the
/// cloud made counts as created. Abandons nothing itself.
http::awaitable<attempt> create_on(request& r, const cloudlet_endpoints& c, storage::registry_entry& entry,
                                   const nlohmann::json& body);

/// Records the attempt as abandoned, so that its owner reclaims what it
/// makes later; false when the record could not be written.
http::awaitable<bool> record_abandoned(request& r, const cloudlet_endpoints& c, const storage::registry_entry& entry,
                                       const std::string& token);

/// Deletes the server an abandoned attempt made on `c` (no valid host there)
/// and, once it is gone, forgets the abandonment.
http::awaitable<void> delete_abandoned_server(request& r, const cloudlet_endpoints& c, const attempt& a,
                                              storage::resource_kind kind);

} // namespace fedstack::agent
