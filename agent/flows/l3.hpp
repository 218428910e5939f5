#pragma once
// Floating IPs and routers anywhere, and the operators' same-named external
// networks as one network of the federation (decisions in rules/l3_rule.hpp;
// docs/federation.md, "Floating IPs and routers anywhere"):
// - an external network's federation ID is answered by its cloudlets
//   (handle_external_network) and becomes each cloudlet's own network in a
//   floating IP or router call;
// - a floating IP is allocated on its port's cloudlet, and moves there when a
//   fresh one is associated with a port on another cloudlet;
// - a router gets a marked copy on each cloudlet that holds one of its subnets.
// Coroutines take class-type arguments by reference (GCC 12, docs/decisions.md).

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// The operators' external networks `c` shows the caller: federation ID ->
/// `c`'s ID. Their IDs are learned as aliases, so `c`'s answers show the
/// federation's. Empty when `c` does not answer.
http::awaitable<std::map<std::string, std::string>> external_networks_on(request& r, const cloudlet_endpoints& c);

/// Learns, from a network list page of `c`, the federation IDs of the
/// operators' external networks in it (before its IDs are translated).
void learn_external_items(request& r, const cloudlet_endpoints& c, const nlohmann::json& items);

/// An operator's external network on one cloudlet: `item` as that cloud shows
/// it, but for its `id`, the federation ID (`local_id` is the cloud's).
struct external_network_item {
  cloudlet_endpoints cloudlet;
  std::string local_id;
  nlohmann::json item;
};

/// The external network whose federation ID is `id` on the first cloudlet
/// holding it for the caller, the agent's own first (a show, a list marker).
http::awaitable<std::optional<external_network_item>> find_external_network(request& r, const std::string& id);

/// A call naming an external network by its federation ID (flow::external_network):
/// a show is answered by the first cloudlet holding it, the agent's own first;
/// the federation never changes or deletes an operator's network (403).
http::awaitable<void> handle_external_network(request& r);

/// Before a floating IP or router create: the cloudlet it goes to (a floating
/// IP's port's, else the agent's own), with the federation ID of an external
/// network in `doc` made that cloudlet's. nullopt when an error was sent.
http::awaitable<std::optional<cloudlet_endpoints>> prepare_l3_create(request& r, storage::resource_kind kind,
                                                                     nlohmann::json& doc);

/// After subnet `subnet` was first copied to `to` (a boot there): each router of
/// the federation with an interface on the subnet's primary gets a copy on `to`
/// (if it has none) with an interface on the subnet's copy, as `router add subnet`
/// would have made had the copy existed then. A tenant's own router (no marker) is
/// never copied. Failures are logged: the boot does not need the router.
http::awaitable<void> routers_follow_subnet(request& r, const storage::registry_entry& subnet,
                                            const cloudlet_endpoints& to);

/// A call about a recorded floating IP or router at `primary` that needs more
/// than a forward (an association with a port elsewhere, a router's interfaces
/// and gateway on its copies). True when it answered the client; false when
/// the call is forwarded as any other (external networks learned first).
http::awaitable<bool> handle_l3_call(request& r, const storage::registry_entry& entry,
                                     const cloudlet_endpoints& primary, std::string& body);

} // namespace fedstack::agent
