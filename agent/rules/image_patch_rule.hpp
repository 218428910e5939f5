#pragma once
// Which parts of a client's image PATCH reach the image's copies
// (docs/federation.md, "Who sees what": an image's changes reach its copies).
// A copy boots on its own cloud with its own properties (hw_disk_bus, min_ram,
// os_type...) and shows its own name there, so every change the client asks
// for is made on the copies too, before the primary, except what belongs to
// one image only: its locations, what Glance never lets a client change on an
// active image (read-only attributes, disk and container format) and the
// federation's markers (marker_guard.hpp refuses those before any cloud).

#include <nlohmann/json.hpp>

namespace fedstack::agent {

/// The client's JSON-patch operations (`ops`, a JSON array) as one copy must
/// get them, given the copy's image as its Glance shows it: the per-image
/// operations left out; a `replace` of a property the copy does not hold
/// becomes an `add`, and a `remove` of one it does not hold is left out (Glance
/// answers 409 for both, yet the copy ends as the primary). An empty array
/// when nothing reaches the copy (or `ops` is not an array).
nlohmann::json copy_patch(const nlohmann::json& ops, const nlohmann::json& copy_image);

/// True when some operation of `ops` may reach a copy (before its image is read).
bool patch_reaches_copies(const nlohmann::json& ops);

} // namespace fedstack::agent
