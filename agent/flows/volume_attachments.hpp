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

/// The first cloudlet with Block Storage (own first) whose Cinder answers `GET show`
/// (a `/v3/...` path) with 200 to the caller's token; none: this agent's own, whose
/// answer (its 404) the client then gets. For items that are not recorded and live
/// on one cloudlet under its Cinder's ID (attachments, transfers).
http::awaitable<cloudlet_endpoints> first_cloudlet_showing(request& r, const std::string& show);

/// GET of a Cinder collection whose items are not recorded (attachments, transfers):
/// every cloudlet's list (filters translated to its IDs, read without the client's
/// marker and limit), in cloudlet order, each in its Cinder's order, paged here by
/// `id` with a `<collection>_links` next link.
http::awaitable<void> list_on_every_cloudlet(request& r, const std::string& collection);

/// Answers an attachment API call.
http::awaitable<void> handle_attachment_call(request& r, std::string body);

} // namespace fedstack::agent
