#pragma once
// Flavors are the federation's (docs/federation.md, "Flavors are the
// federation's"). Each Nova numbers its own flavors and keeps their names
// unique within itself; the federation shows one flavor for every group of
// cloudlets' flavors with the same name and shape, under one ID: the agent's
// own cloudlet's, else that of the first cloudlet by region name holding it.
// A name held with several shapes is several flavors, each shown and named as
// a conflict, never silently one of them. Pure functions; the flows gather the
// clouds' lists (agent/flows/flavors.cpp).

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/query.hpp"

namespace fedstack::agent {

/// What a boot gets from a flavor, and who may use it: the fields that make
/// two cloudlets' flavors of one name the same flavor.
struct flavor_shape {
  std::int64_t vcpus = 0;
  std::int64_t ram = 0;
  std::int64_t disk = 0;
  std::int64_t ephemeral = 0;
  std::int64_t swap = 0;   // Nova shows none as "" below microversion 2.75
  bool is_public = true;
  auto operator<=>(const flavor_shape&) const = default;
};

flavor_shape shape_of(const nlohmann::json& flavor);

/// Same name and same shape: one flavor of the federation.
bool same_flavor(const nlohmann::json& a, const nlohmann::json& b);

/// One cloudlet's answer to `GET /flavors/detail`: its "flavors" array.
struct cloudlet_flavors {
  std::string region;
  nlohmann::json flavors = nlohmann::json::array();
};

/// A cloudlet's flavor that belongs to a federation flavor.
struct flavor_member {
  std::string region;
  std::string id;
  friend bool operator==(const flavor_member&, const flavor_member&) = default;
};

/// One flavor of the federation: the item shown (the member whose ID is
/// shown) and every cloudlet's equal flavor, the shown one first.
struct federation_flavor {
  nlohmann::json shown;
  std::vector<flavor_member> members;
  std::string id() const { return shown.value("id", std::string{}); }
  std::string name() const { return shown.value("name", std::string{}); }
};

/// The cloudlets' order of preference for the shown ID: `own` first, then by region name.
std::vector<std::string> preference_order(std::vector<std::string> regions, const std::string& own);

/// The federation's flavors from every answering cloudlet's list, in Nova's
/// default order (by ID). `conflicts`: the names held with more than one
/// shape, and IDs shown for more than one flavor, sorted.
struct flavor_union {
  std::vector<federation_flavor> flavors;
  std::vector<std::string> conflicts;
};
flavor_union merge_flavors(const std::vector<cloudlet_flavors>& answers, const std::string& own);

/// The header value naming `conflicts` (each percent-encoded, comma-separated).
std::string conflicts_header(const std::vector<std::string>& conflicts);

/// A list's paging and sorting, read from the client's query as Nova reads it.
struct flavor_page_query {
  std::string sort_key = "flavorid";
  bool descending = false;
  std::optional<std::string> marker;
  std::size_t limit = 1000;   // Nova's [api] max_limit
  std::string error;          // a 400's message when the query is malformed
};
flavor_page_query read_flavor_page_query(const api::query_string& query);

/// The filters each cloudlet is asked with: the client's `is_public`, `minRam`
/// and `minDisk` (each Nova filters its own flavors); paging and sorting are the merge's.
api::query_string cloud_filters(const api::query_string& query);

/// One page of the union: items after the marker (a shown ID or any member's)
/// in the query's order, at most `limit`; `full` when the page is full (Nova
/// then writes a next link); `marker_missing` when no flavor has the marker.
struct flavor_page {
  std::vector<nlohmann::json> items;
  bool full = false;
  bool marker_missing = false;
};
flavor_page page_of(const flavor_union& all, const flavor_page_query& query);

/// The item as the list without details shows it: ID, name, links, and the
/// description where the microversion shows one.
nlohmann::json brief_flavor(const nlohmann::json& item);

/// The federation flavor holding cloudlet `region`'s flavor `id`; nullptr when none.
const federation_flavor* flavor_holding(const flavor_union& all, const std::string& region, const std::string& id);

/// Why a create of `body` (the "flavor" object) must be refused in the
/// federation, as one Nova refuses a second flavor of a name or ID
/// (FlavorExists, 409); nullopt when no answering cloudlet holds either.
std::optional<std::string> create_clash(const flavor_union& all, const nlohmann::json& body);

/// Every cloudlet's flavor equal to `flavor` (same name and shape) in
/// `answers`, excluding `except_region`: where a change or a delete of it goes.
std::vector<flavor_member> equal_flavors(const std::vector<cloudlet_flavors>& answers, const nlohmann::json& flavor,
                                         const std::string& except_region);

/// The ID the federation shows for `flavor` given every cloudlet's equal flavor
/// (`members`, any order): the own cloudlet's, else the first by region name.
std::optional<std::string> shown_id(const std::vector<flavor_member>& members, const std::string& own);

} // namespace fedstack::agent
