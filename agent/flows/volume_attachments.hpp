#pragma once
// Cinder's attachment API (3.27 on) across cloudlets (decisions in
// rules/attachment_rule.hpp): a create goes to its volume's cloudlet (409 when its
// server is on another), a call about one attachment to the cloudlet that shows it
// to the caller, a list is every cloudlet's; IDs are translated both ways.

#include <string>

#include "agent/flows/request.hpp"

namespace fedstack::agent {

/// True for a call of the attachment API (rules/attachment_rule.hpp).
bool is_attachment_call(const request& r);

/// Answers an attachment API call.
http::awaitable<void> handle_attachment_call(request& r, std::string body);

} // namespace fedstack::agent
