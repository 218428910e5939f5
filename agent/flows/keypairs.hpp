#pragma once
// Keypairs follow the boot (docs/federation.md, "Keypairs follow the boot"):
// a boot placed on another cloudlet gets the user's keypair there first, made
// from the public key this agent's cloudlet holds, marked in its comment and
// recorded (before it is made) in this agent's registry as the federation's
// copy; a keypair delete removes the copies this agent recorded and those whose
// marker the agent that made them recorded, and nothing else. The decisions
// are rules/keypair_rule.hpp.

#include <optional>
#include <string>

#include "agent/flows/request.hpp"
#include "agent/rules/keypair_rule.hpp"

namespace fedstack::agent {

/// The keypair `name` of the client's user on this agent's cloudlet; nullopt
/// when it has none (the target's Nova then judges the boot's key_name).
http::awaitable<std::optional<keypair_view>> read_own_keypair(request& r, const std::string& name);

/// Makes `source` usable under its name on `to`: kept if `to` holds the same
/// public key, copied and recorded if it holds none. Throws copy_failed (409)
/// when `to` holds another public key under that name: it is never replaced.
http::awaitable<void> ensure_keypair_on(request& r, const keypair_view& source, const cloudlet_endpoints& to);

/// DELETE of a keypair: the copies on other cloudlets that this agent's
/// registry records (with the fingerprint and marker they still hold), or that
/// the agent their marker names recorded, then the one on this agent's
/// cloudlet, whose answer the client gets.
http::awaitable<void> handle_keypair_delete(request& r);

} // namespace fedstack::agent
