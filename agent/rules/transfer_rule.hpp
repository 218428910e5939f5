#pragma once
// Cinder's volume transfers (`/os-volume-transfer`, from 3.55 also `/volume-transfers`)
// across cloudlets (docs/federation.md, "Volume transfers"). A transfer lives on its
// volume's cloudlet under that Cinder's ID and is not recorded: a create goes to the
// volume's cloudlet, a call about one transfer to the cloudlet that shows it to the
// caller, a list is every cloudlet's, and an accept (by a project Cinder shows no
// transfer to) to the cloudlet that holds it, which the agent finds by asking each.

#include <optional>
#include <string>
#include <vector>

#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include "agent/rules/id_maps.hpp"
#include "api/route.hpp"

namespace fedstack::agent {

enum class transfer_call {
  none,     // not a transfer call
  create,   // POST the collection: on the volume's cloudlet
  list,     // GET the collection or its detail: every cloudlet's
  item,     // GET, DELETE one: the cloudlet that shows it to the caller
  accept,   // POST .../{id}/accept: the cloudlet that holds it
};

transfer_call transfer_call_of(const api::route& route, boost::beast::http::verb method);

/// The volume a create names (`{"transfer": {"volume_id": ...}}`); empty when none.
std::string transfer_volume(const nlohmann::json& body);

/// Whether a cloudlet's answer to an accept says it holds the transfer: anything but
/// Cinder's 404 (TransferNotFound: the transfer is read there with an elevated
/// context, so a 404 means that Cinder has no such transfer).
bool holds_transfer(unsigned status);

/// The volume an accepted transfer named, from Cinder's answer (a cloud ID); empty when none.
std::string accepted_volume(const nlohmann::json& answer);

/// The marked snapshots of the accepted volume `volume_id` (its cloud ID) in
/// `list`, the accepting project's `GET /snapshots/detail?volume_id=` answer: Cinder
/// moves a volume's snapshots with it unless the transfer was made `no_snapshots`
/// (cinder/db/sqlalchemy/api.py, transfer_accept), and their entries follow as the
/// volume's does. Each as (cloud ID, global ID); a snapshot of another volume, or one
/// the list names in another project than `project`
/// (`os-extended-snapshot-attributes:project_id`, shown to admins), is left out.
std::vector<marked_id> transferred_snapshots(const nlohmann::json& list, const std::string& volume_id,
                                             const std::string& project);

} // namespace fedstack::agent
