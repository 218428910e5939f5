#pragma once
// One adoption for the federation (docs/federation.md, "One adoption for the
// federation"): the entries of the federation's copies of images and networks
// made on a cloud directly, found by whichever agent needs them. An agent's
// own adoption has a global ID derived from it, the holder and the cloud ID
// (rules/adoption_rule.hpp); another agent's is found through its copies on
// the clouds, marked as made from that cloud ID, and checked against the
// entry its owner keeps before anything is reused or deleted.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"
#include "api/service.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// An adoption found: the cloudlet its item is held on, and its entry as its owner keeps it.
struct found_adoption {
  std::string holder;
  storage::registry_entry entry;
};

/// The adoptions of the `kind` item (image, network, subnet) `cloud_id` whose copies
/// `where` shows marked as made from it (listed with the agent's service
/// token, so every project's copies show), each the entry at its owner that
/// lists that copy (entry_owns_copy): made from `holder` (empty: any cloudlet,
/// the holder read from the entry's global ID), under `project` when not
/// empty. One per entry, by global ID. `unanswered` gets the cloudlets that
/// could not be searched.
http::awaitable<std::vector<found_adoption>> find_adoptions(request& r, storage::resource_kind kind,
                                                            std::string cloud_id, std::string holder,
                                                            std::string project, std::vector<cloudlet_endpoints> where,
                                                            std::vector<std::string>* unanswered = nullptr);

/// This agent's own adoption of the item `cloud_id` on `holder` (its derived
/// global ID) in `project` (empty: any); nullopt when it has made none.
http::awaitable<std::optional<storage::registry_entry>> own_adoption(request& r, storage::resource_kind kind,
                                                                     std::string holder, std::string cloud_id,
                                                                     std::string project = {});

/// The entry a boot on `target` uses for the item (`item` as `holder` shows
/// it): this agent's when it has a copy there; else the adoption whose copy
/// `target` holds, whoever made it (the federation's copy is reused, not made
/// again); else this agent's, recorded now (under the project the item's cloud
/// names, with its record beside the registry).
/// Throws copy_failed (409) when the cloud names no project.
http::awaitable<storage::registry_entry> adoption_for(request& r, storage::resource_kind kind,
                                                      const std::string& holder, const nlohmann::json& item,
                                                      const cloudlet_endpoints& target);

/// The item `cloud_id` is gone from `holder` (its DELETE answered 2xx or 404):
/// the copies each of `adoptions` lists are deleted with the caller's token
/// (the copies' clouds decide), at `path` + the copy's ID, and each entry
/// whose copies are all gone is forgotten at its owner. True when all are.
http::awaitable<bool> forget_adoptions(request& r, const std::vector<found_adoption>& adoptions,
                                       api::service_type service, const std::string& path);

/// While the item `cloud_id`'s holder cannot answer (`unanswered`: the
/// cloudlets that could not tell whether they show it), an adoption of it that
/// the caller's own project boots on: whichever agent made it, found through its
/// copies on the cloudlets that answer (find_adoptions), under the caller's
/// project and made from a holder in `unanswered` (the lowest global ID of
/// those). nullopt: none (or every cloudlet answered).
http::awaitable<std::optional<found_adoption>> adoption_while_holder_down(request& r, storage::resource_kind kind,
                                                                         const std::string& cloud_id,
                                                                         const std::vector<std::string>& unanswered);

/// Every adoption of the federation of the `kind` item `cloud_id` a change or
/// a DELETE of it reaches: those found on every cloudlet (find_adoptions), and this agent's
/// own on `holder` (empty: on any cloudlet) even where no marked copy shows.
http::awaitable<std::vector<found_adoption>> adoptions_of(request& r, storage::resource_kind kind,
                                                                 const std::string& cloud_id,
                                                                 const std::string& holder);

/// The adoptions of the subnets `subnet_ids` (a network's subnets as `holder`
/// shows them; empty once it is gone) that the copies of `networks` (that
/// network's adoptions) hold: each subnet copy there (listed with the service
/// token) made for an adoption of one of them or of the subnet its adopted-from
/// tag names (adopted_subnets_in), whose entry lists it; and this agent's own
/// adoptions of those subnets.
http::awaitable<std::vector<found_adoption>> subnet_adoptions(request& r, const std::vector<found_adoption>& networks,
                                                              const std::string& holder,
                                                              const std::vector<std::string>& subnet_ids);

/// The adoptions of subnets whose copies lie only on the copies `network` (an
/// entry of a network's copies, being deleted by its global ID) lists, held on
/// any cloudlet: their entries go with it. A subnet adoption that also lists a
/// copy elsewhere (on another adoption's network copy) is left alone.
http::awaitable<std::vector<found_adoption>> subnet_adoptions_on(request& r, const storage::registry_entry& network);

} // namespace fedstack::agent
