#pragma once
// Volume types are the federation's (docs/federation.md, "Volumes"): each
// Cinder numbers its own types and keeps their names unique within itself
// (VolumeTypeExists, 409). Types of several cloudlets with the same name and
// the same visibility (`os-volume-type-access:is_public`) are one type of the
// federation, shown under one ID by the flavor rule (rules/flavor_rule.hpp:
// the agent's own cloudlet's, else the first by region name). Extra specs and
// the description are not part of what makes two types one: extra specs map a
// type to a cloud's own backend (`volume_backend_name`), which may differ from
// cloud to cloud. Pure functions; agent/flows/volume_types.cpp gathers and acts.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/rules/flavor_rule.hpp"
#include "api/query.hpp"

namespace fedstack::agent {

/// A type's visibility: `os-volume-type-access:is_public` (a create body's may
/// be a string, "true"/"False"), else `is_public`, else public.
bool type_is_public(const nlohmann::json& type);

/// Same name and visibility: one type of the federation.
bool same_volume_type(const nlohmann::json& a, const nlohmann::json& b);

/// One cloudlet's answer to `GET /types`: its "volume_types" array.
struct cloudlet_types {
  std::string region;
  nlohmann::json types = nlohmann::json::array();
};

/// A cloudlet's type that belongs to a federation type.
using type_member = flavor_member;

/// One type of the federation: the item shown (the member whose ID is shown)
/// and every cloudlet's equal type, the shown one first.
struct federation_type {
  nlohmann::json shown;
  std::vector<type_member> members;
  std::string id() const { return shown.value("id", std::string{}); }
  std::string name() const { return shown.value("name", std::string{}); }
};

/// The federation's types from every answering cloudlet's list: the own
/// cloudlet's in its Cinder's order, then each other cloudlet's (by region
/// name) that are new, in its order. `conflicts`: names held by more than one
/// type (public on one cloudlet, private on another), sorted.
struct type_union {
  std::vector<federation_type> types;
  std::vector<std::string> conflicts;
};
type_union merge_types(const std::vector<cloudlet_types>& answers, const std::string& own);

/// The filters each Cinder is asked with: the client's query without the
/// paging, which is the merge's (`limit`, `marker`, `offset`, sorting).
api::query_string type_filters(const api::query_string& query);

/// One page of the union: after `marker` (a shown ID or any member's), at most
/// `limit`. `marker_missing`: Cinder's 404; `error`: a malformed limit (400).
struct type_page {
  std::vector<nlohmann::json> items;
  bool marker_missing = false;
  std::string error;
};
type_page page_of_types(const type_union& all, const api::query_string& query);

/// Every cloudlet's type equal to `type` in `answers`, except `except_region`'s:
/// where a change or a delete of it goes too.
std::vector<type_member> equal_types(const std::vector<cloudlet_types>& answers, const nlohmann::json& type,
                                     const std::string& except_region);

/// An admin's `POST /types` of `body` (the "volume_type" object) given every
/// answering Cinder's full list: the regions it is made on, the own cloudlet
/// first, or why one Cinder would refuse it (409). A name some cloudlets hold
/// with the same visibility is made only on those that lack it, so the same
/// create again brings a cloudlet it missed in step.
struct type_create_plan {
  std::optional<std::string> clash;
  std::vector<std::string> regions;
};
type_create_plan plan_type_create(const std::vector<cloudlet_types>& answers, const nlohmann::json& body,
                                  const std::string& own);

/// The type a volume create names (`volume_type`: a federation ID, any
/// cloudlet's ID of it, or a name) and the cloudlets that hold it; else the
/// refusal: 404 as Cinder's for a type nobody holds, 409 for a name that is
/// two types of the federation.
struct volume_type_choice {
  std::string name;
  std::vector<std::string> regions;
  unsigned status = 0;
  std::string message;
};
volume_type_choice type_for_volume(const type_union& all, const std::string& ref);

/// The create's candidates that hold the type, in order. When the scheduler
/// chose none of them and the create is not pinned, the holders instead, by
/// region name (the scheduler's view may lack a cloudlet).
std::vector<std::string> candidates_with_type(const std::vector<std::string>& candidates,
                                              const std::vector<std::string>& holders, bool pinned);

} // namespace fedstack::agent
