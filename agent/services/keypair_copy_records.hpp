#pragma once
// Asking another agent which keypair copy it recorded (docs/federation.md,
// "Keypairs follow the boot"): a delete through one agent removes a copy that
// another made only when that agent recorded exactly the marker the copy
// carries. The registry client that reaches the other agents' nodes answers
// this too (bridges/actor_registry_client.cpp); it is kept off registry_client,
// whose calls are the registry's.

#include <optional>
#include <string>

#include "http/asio.hpp"

namespace fedstack::agent {

class keypair_copy_records {
public:
  virtual ~keypair_copy_records() = default;
  /// What the agent that owns `global_id` (api/global_id.hpp; this agent's own
  /// registry when it is the owner) stored under the keypair copy's meta key
  /// `key` (rules/keypair_rule.hpp); nullopt when it stored nothing, or when the
  /// ID names no agent this one may ask (outside the peer networks). Throws
  /// registry_unavailable when that agent cannot be asked.
  virtual http::awaitable<std::optional<std::string>> keypair_copy_record_at(std::string global_id,
                                                                            std::string key) = 0;
};

} // namespace fedstack::agent
