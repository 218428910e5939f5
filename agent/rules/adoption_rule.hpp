#pragma once
// One adoption for the federation (docs/federation.md, "One adoption for the
// federation"): the entry of the federation's copies of an image, network or
// subnet made on a cloud directly has a global ID derived from its owner, the
// holder's cloudlet and the cloud ID, and each copy of an image or network
// names the cloud ID it was made from (`fedstack_adopted`). So any agent finds
// the copies on a cloud by that marker and checks, from the IDs alone, that
// the entry they name is an adoption of that image, before it reuses or
// deletes anything. Pure functions.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/global_id.hpp"
#include "api/service.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// Glance property / Neutron tag key ("fedstack_adopted=<cloud ID>": 53
/// characters, within Neutron's 60) a copy of an adopted item carries.
inline constexpr std::string_view adopted_from_key = "fedstack_adopted";

/// The Neutron tag of a copy made from the item `cloud_id`.
std::string adopted_from_tag(std::string_view cloud_id);

/// The cloud ID a copy says it was made from (its Glance property or Neutron
/// tag); nullopt when it carries none.
std::optional<std::string> adopted_from(api::service_type service, const nlohmann::json& item);

/// The global ID of `owner`'s entry of the copies of the `kind` item
/// `cloud_id` held on `holder`: the same for every call, so an agent finds its
/// own adoption without a record and any agent checks another's
/// (is_adoption_of). nullopt when `owner` is not a dotted IPv4 address.
std::optional<std::string> adopted_global_id(const api::node_address& owner, storage::resource_kind kind,
                                             std::string_view holder, std::string_view cloud_id);

/// True when `global_id` is some agent's adoption of the `kind` item `cloud_id` on `holder`.
bool is_adoption_of(std::string_view global_id, storage::resource_kind kind, std::string_view holder,
                    std::string_view cloud_id);

/// Of `regions`, the holder `global_id` is an adoption of `cloud_id` on;
/// nullopt when it is none's (a forged or another resource's global ID).
std::optional<std::string> adoption_holder(std::string_view global_id, storage::resource_kind kind,
                                           std::string_view cloud_id, const std::vector<std::string>& regions);

/// A copy found on `cloudlet` by its adopted-from marker: what it says it is.
struct adopted_copy_sighting {
  std::string cloudlet;
  std::string local_id;
  std::string global_id;   // its copy-of marker
};

/// Of `items` (one cloudlet's list, filtered on the adopted-from marker), the
/// copies of `cloud_id` made for an adoption's entry: marked as a copy, from
/// `cloud_id`, of a global ID that is an adoption of it on `holder`. What
/// holds a gid marker (a primary), another ID or a forged global ID is left out.
std::vector<adopted_copy_sighting> adopted_copies_in(api::service_type service, storage::resource_kind kind,
                                                     const std::string& cloudlet, const nlohmann::json& items,
                                                     std::string_view holder, std::string_view cloud_id);

/// Of `subnets` (a cloudlet's subnets on a copy of an adopted network), the
/// copies made for the adoption on `holder` of one of `subnet_ids` (the
/// network's subnets as `holder` shows them) or of the subnet a copy's
/// adopted-from tag names (the network gone from `holder`, or its adoption
/// deleted by global ID), each with the subnet it was made from. Only a
/// global ID derived from that subnet and `holder` counts.
std::vector<std::pair<adopted_copy_sighting, std::string>>
adopted_subnets_in(const std::string& cloudlet, const nlohmann::json& subnets, std::string_view holder,
                   const std::vector<std::string>& subnet_ids);

/// Whether an entry (as its owner keeps it) is the federation's adoption that
/// `seen` names: the adoption of the item, of its kind and, when `project` is
/// given, under the project the holder names, and listing that very copy. A
/// copy marked on the cloud but not in the entry (a forgery, a copy of
/// another) is not the federation's.
bool entry_owns_copy(const storage::registry_entry& entry, const adopted_copy_sighting& seen,
                     storage::resource_kind kind, std::string_view holder, std::string_view cloud_id,
                     std::string_view project);

} // namespace fedstack::agent
