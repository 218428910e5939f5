#pragma once
// Attempt tokens: 128 bits from the kernel's cryptographic source, as 32
// lowercase hex digits. Every create attempt carries one in its marker
// (api/global_id.hpp); a resource whose token this agent recorded as abandoned
// is the only kind the reconciler may delete (docs/faults.md), so the token
// must not be guessable by anyone who could then mark a resource with it.

#include <string>

namespace fedstack::agent {

/// A fresh token; throws std::system_error when the kernel has no randomness to give.
std::string new_attempt_token();

} // namespace fedstack::agent
