#pragma once
// The UUID scan and substitution of api/uuid.hpp over a parsed JSON document:
// every string, object keys included, so that a document need not be written
// out and parsed again to have its IDs translated.

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/uuid.hpp"

namespace fedstack::api {

/// collect_uuids over every string of `doc` (keys and values): each UUID once, in
/// the order in which `doc.dump()` would show them.
std::vector<std::string> collect_json_uuids(const nlohmann::json& doc);

/// rewrite_uuids over every string of `doc` (keys and values), in place.
/// Returns how many strings changed.
std::size_t rewrite_json_uuids(nlohmann::json& doc, const uuid_map& map);

} // namespace fedstack::api
