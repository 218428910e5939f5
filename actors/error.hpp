#pragma once

// The one error enum of fedstack's actors. Codes travel between agents
// inside caf::error: append new values at the end, never renumber.
// Turning them into OpenStack JSON bodies happens only at the HTTP edge.

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

namespace fedstack {

/// Error codes of fedstack actors (category "fedstack").
enum class ec : std::uint8_t {
  /// Not an error; CAF treats code 0 as "no error".
  no_error = 0,
  /// The resource does not exist, or belongs to another project (the two
  /// are indistinguishable on purpose).
  not_found,
  /// An ID is already taken: a global ID with another kind, a cloud-local
  /// ID bound to another global ID, or a second copy on one cloudlet.
  duplicate_id,
  /// A write names a global ID that another project owns.
  wrong_project,
  /// Malformed input: empty, oversized or NUL-containing IDs, bad enums.
  invalid_argument,
  /// The LMDB environment failed (I/O error, map at its limit, corrupt record).
  storage_failure,
  /// A peer cannot be reached, is not published, or publishes an actor
  /// without the expected interface.
  peer_unreachable,
  /// A peer address outside --peer-networks (peer_networks.hpp): no
  /// connection was attempted.
  peer_not_allowed,
  /// The sender's certificate does not allow this message (actors/node.hpp):
  /// no identity, an operator writing, or another cloudlet's copy.
  not_authorized,
};

/// The enumerator's name, e.g. "not_found".
std::string to_string(ec x);

}  // namespace fedstack

CAF_ERROR_CODE_ENUM(fedstack::ec, "fedstack")
