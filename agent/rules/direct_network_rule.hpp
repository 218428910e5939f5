#pragma once
// Networks made on a cloud directly (a tenant's network made straight on
// Neutron, an admin's shared network) as a boot through the federation uses
// them (docs/federation.md, "Networks made on a cloud directly"): which
// cloudlet holds a cloud ID, whether the federation may adopt it, and the
// entries of the federation's copies of it and of its subnets. Pure functions;
// the adopted record is the images' (direct_image_rule.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/rules/direct_image_rule.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// A cloudlet's Neutron showed the caller a network (its GET answered 200;
/// `network` is the object inside {"network": ...}).
struct network_sighting {
  std::string cloudlet;
  nlohmann::json network;
};

/// Where a boot's network named by a cloud ID is: `own` when it shows the ID,
/// else the one cloudlet that does. Two other cloudlets showing one ID hold
/// two networks (Neutron IDs are each cloud's own): a conflict, never one
/// picked silently. No sighting: none (the ID goes to the target unchanged).
struct network_holder {
  std::optional<std::string> cloudlet;
  std::string conflict;
};
network_holder choose_network_holder(const std::vector<network_sighting>& shown, const std::string& own);

/// Whether the federation adopts `network` (as its holder shows it) to copy it:
/// not an external network (those are the operator's, matched by name on each
/// cloudlet: "Floating IPs and routers anywhere"), not one carrying a marker of
/// the federation (its own network or copy named by its cloud ID, or a forgery:
/// the ID then goes to the target unchanged, as before), and one whose cloud
/// names its project. Empty: adoptable; else why not.
std::string why_not_adoptable(const nlohmann::json& network);

/// The entry of the federation's copies of a network or subnet made on its
/// cloud directly (`item` as its cloud shows it on `cloudlet`): under the
/// project its cloud names, bound, with no copy yet and never the item itself.
/// nullopt when its cloud names no project.
std::optional<std::pair<adopted_record, storage::registry_entry>>
adopt_neutron_item(storage::resource_kind kind, const std::string& global_id, const std::string& cloudlet,
                   const nlohmann::json& item, std::int64_t now_unix_ms);

/// The meta key under which an agent keeps its adopted_record for the network
/// or subnet `cloud_id` ("adopted/network/<id>", "adopted/subnet/<id>").
std::string adopted_neutron_key(storage::resource_kind kind, const std::string& cloud_id);

/// The part of a client's PUT of an adopted network (`{"network": {...}}`)
/// that reaches the federation's copies of it, so that they show what the
/// network shows: its name, description, state, `shared`, port security, MTU
/// and DNS domain; never what names one cloud's own objects (segments,
/// provider attributes, a QoS policy) or the federation's markers. Null when
/// nothing does (or the body is no such object).
nlohmann::json network_copy_put(const nlohmann::json& body);

/// The part of a client's PUT of an adopted subnet (`{"subnet": {...}}`) that
/// reaches its copies: what a copy is made with but the CIDR and IP version
/// (name, description, DHCP, gateway, allocation pools, DNS servers, host
/// routes); never a subnet pool, segment or service types (one cloud's own).
/// Null when nothing does.
nlohmann::json subnet_copy_put(const nlohmann::json& body);

} // namespace fedstack::agent
