#pragma once
// Floating IPs, routers and the federation's external networks as pure
// decisions (flows/l3.cpp gathers and acts; docs/federation.md, "Floating IPs
// and routers anywhere").
//
// External networks: an operator's external network (router:external, made on
// a cloud directly, so it carries no marker of the federation) is one network
// of the federation with every same-named one on the other cloudlets. Its ID
// is a name-based UUID (RFC 4122 version 5, SHA-1 of the name in the
// federation's namespace), the same through every agent and whichever
// cloudlets answer; clouds make version 4 IDs and the federation's own global
// IDs are version 8, so a version 5 ID in a call names such a network.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace fedstack::agent {

/// The federation's ID of the external networks named `name`.
std::string external_network_id(std::string_view name);

/// True for an ID external_network_id can give (a version 5 UUID).
bool is_external_network_id(std::string_view id);

/// True for a network item of a cloud's answer that is an operator's external
/// network: router:external true, no marker of the federation and no global ID
/// (a translated answer's markers are gone, its IDs global).
bool is_operator_external(const nlohmann::json& network);

/// The network items of one merged list, cloudlet by cloudlet in the order the
/// pages are given: each operator external network gets its federation ID, and
/// only the first of each name is kept (the others are the same network of the
/// federation). Items already shown under a federation ID (external_network_id)
/// count too.
void merge_external_networks(std::vector<std::vector<nlohmann::json>*>& pages);

/// Where a floating IP is allocated: on the cloudlet of the port it is created
/// for, else on the agent's own (the caller may associate it later).
std::string floating_ip_home(const std::optional<std::string>& port_cloudlet, const std::string& own);

/// What a floating IP on one cloudlet is, as its cloud shows it, when it is to
/// be associated with a port on another.
struct floating_ip_facts {
  bool federation_made = false;  // carries the federation's primary marker of its entry
  bool associated = false;       // port_id set now
  bool ever_associated = false;  // tagged fedstack_fip_used (associated through the federation once)
  bool external_there = false;   // the port's cloudlet has an external network of the same name
};

/// What an association with a port on another cloudlet does.
enum class association_step {
  relocate,  // allocate on the port's cloudlet (associated), rebind the entry, release this one
  refuse,    // 409: the address is kept (the message says why)
};

struct association_decision {
  association_step step = association_step::refuse;
  std::string reason;   // for refuse
};

/// Relocating changes the address, so only an address nobody could have been
/// given yet moves: one the federation made, not associated now and never
/// associated, with a same-named external network on the port's cloudlet.
association_decision decide_association(const floating_ip_facts& facts, const std::string& port_cloudlet);

/// The tag an association through the federation leaves on the floating IP.
inline constexpr std::string_view fip_used_tag = "fedstack_fip_used";

/// The cloudlets where a router needs a copy so that its interface on a subnet
/// exists wherever the subnet does: `subnet_cloudlets` (its primary and
/// copies) that are not in `router_cloudlets`, in the subnet's order.
std::vector<std::string> router_copy_targets(const std::vector<std::string>& subnet_cloudlets,
                                             const std::vector<std::string>& router_cloudlets);

} // namespace fedstack::agent
