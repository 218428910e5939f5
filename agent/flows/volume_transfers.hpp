#pragma once
// Cinder's volume transfers across cloudlets (decisions in rules/transfer_rule.hpp):
// a create goes to its volume's cloudlet, a call about one transfer to the cloudlet
// that shows it, a list is every cloudlet's, and an accept to the cloudlet that holds
// it; once accepted, the volume's registry entry goes to the accepting project.

#include <string>

#include "agent/flows/request.hpp"

namespace fedstack::agent {

/// True for a volume transfer call (rules/transfer_rule.hpp).
bool is_transfer_call(const request& r);

/// Answers a volume transfer call.
http::awaitable<void> handle_transfer_call(request& r, std::string body);

} // namespace fedstack::agent
