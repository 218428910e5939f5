#pragma once
// Cinder's attachment API (microversion 3.27 on: `/attachments`) across cloudlets
// (docs/federation.md, "Volumes"). An attachment lives on its volume's cloudlet and
// is known by that Cinder's ID (attachments are not recorded: a volume and its
// attachments never move), so a call about one goes to the cloudlet that shows it
// to the caller, and the list is every cloudlet's.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include "api/route.hpp"

namespace fedstack::agent {

enum class attachment_call {
  none,     // not the attachment API
  create,   // POST /attachments: on the volume's cloudlet
  list,     // GET /attachments, /attachments/detail: every cloudlet's
  item,     // GET, PUT, DELETE /attachments/{id}, POST /attachments/{id}/action: the cloudlet that has it
};

attachment_call attachment_call_of(const api::route& route, boost::beast::http::verb method);

/// What an attachment create names (`{"attachment": {"volume_uuid", "instance_uuid"}}`).
struct attachment_create {
  std::string volume_id;
  std::string server_id;   // empty: a reservation without an instance
};
attachment_create read_attachment_create(const nlohmann::json& body);

/// One page of the attachments every cloudlet listed (in cloudlet order, each in its
/// Cinder's order): the items after the one whose `id` is `marker` (none: from the
/// start), at most `limit`. `marker_found` false when a marker is given and no item has it.
struct attachment_page {
  std::vector<nlohmann::json> items;
  bool more = false;   // items remain after the page
  bool marker_found = true;
};
attachment_page page_of_attachments(std::vector<nlohmann::json> all, const std::optional<std::string>& marker,
                                    std::size_t limit);

} // namespace fedstack::agent
