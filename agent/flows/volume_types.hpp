#pragma once
// Volume types are the federation's (docs/federation.md, "Volumes"; decisions in
// rules/volume_type_rule.hpp): every call under Cinder's `/types` through any
// agent. Lists are the union of every Cinder's types, one per name and
// visibility; a type is read and changed wherever it lives and a change or a
// delete reaches every cloudlet's equal type; an admin's create is made on every
// cloudlet with Block Storage. A volume create naming a type goes only to the
// cloudlets that hold it, and names it there by its name.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"
#include "agent/flows/volumes.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// Every call under `/v3/{project}/types` (flow::volume_type). `body`: the client's JSON.
http::awaitable<void> handle_volume_type(request& r, std::string body);

/// place_volume_create (volumes.hpp), then for a volume that names a
/// `volume_type` only the candidates holding that type, with the type's name in
/// `doc` (each Cinder finds it by name). nullopt when the client was already
/// answered (a type nobody holds: 404; a name of two types: 409).
http::awaitable<std::optional<volume_placement>> place_typed_volume_create(request& r, storage::resource_kind kind,
                                                                           nlohmann::json& doc);

} // namespace fedstack::agent
