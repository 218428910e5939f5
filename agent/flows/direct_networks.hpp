#pragma once
// A boot's network named by a cloud's own ID, not a global ID: a network made
// on a cloud directly (a tenant's network made straight on Neutron, an admin's
// shared network). Every cloudlet's Neutron is asked with the caller's token,
// so that the holder's own visibility rules decide; on the holder the ID goes
// unchanged, elsewhere the network is adopted (an entry of the federation's
// copies under its project, never listing the network itself, which the
// federation never deletes or changes) and copied with its subnets as a
// recorded network is (docs/federation.md, "Networks made on a cloud directly").

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"
#include "storage/registry_types.hpp"
#include "api/route.hpp"

namespace fedstack::agent {

struct direct_network {
  std::string id;                      // the cloud ID the client named
  std::vector<std::string> shown_on;   // cloudlets whose Neutron shows that ID to the caller
  std::string holder;                  // the one copies are made from (none when `conflict`)
  std::string conflict;                // two other cloudlets show that ID
  nlohmann::json network;              // as the holder shows it
  /// The holder cannot answer now: the entry of the copies this agent made of
  /// it, which the network's own project boots on (no new copy is made).
  std::optional<storage::registry_entry> copies_only;
};

/// The network `cloud_id` as the cloudlets show it to the caller (every
/// cloudlet asked at once, under --list-deadline-ms). nullopt when none shows
/// it, or it is not one the federation adopts (an external network, one with
/// a marker of the federation): the ID then reaches the target unchanged.
/// While its cloudlet cannot answer, the network's own project gets the copies
/// this agent made of it (`copies_only`).
http::awaitable<std::optional<direct_network>> find_direct_network(request& r, const std::string& cloud_id);

/// The network ID a boot with `network` uses on `c`: the cloud ID where `c`
/// shows it, else the federation's copy there (adopted and copied with its
/// subnets first). Throws copy_failed when the copy cannot be made (409 when
/// the ID names networks on two other cloudlets).
http::awaitable<std::string> direct_network_on(request& r, const direct_network& network,
                                               const cloudlet_endpoints& c);

/// The route is a call about one network or subnet named by a UUID that is no global ID.
bool is_direct_network_call(const api::route& route);

/// Such a call, as the caller: to this agent's cloudlet when it shows the
/// network (a show answered by that one call), else to the other cloudlet that
/// shows it; none (or two): this agent's cloudlet, as before. The cloud alone
/// decides what the call may do. A PUT of a network or subnet the federation
/// adopted reaches its copies first, and a DELETE of it also deletes them
/// (delete_adopted_network, delete_adopted_subnet), whichever agent adopted it
/// (adoptions.hpp).
http::awaitable<void> handle_direct_network_call(request& r, std::string body);

/// A DELETE of a network the federation adopted (through any agent), at
/// r.target when it holds it (`held`), else at the holder its adoptions name:
/// the caller's DELETE there, then (gone: 2xx or 404) the copies every
/// adoption of it made, with the caller's token, then their entries and its
/// subnets' (a copy that cannot be deleted keeps them for the next DELETE).
/// The holder's answer is the client's. False: not such a call, nothing done.
http::awaitable<bool> delete_adopted_network(request& r, bool held);

/// The same for a subnet the federation adopted (with a network, a boot's): the
/// caller's DELETE at its holder, then the copies every adoption of it made and
/// their entries.
http::awaitable<bool> delete_adopted_subnet(request& r, bool held);

} // namespace fedstack::agent
