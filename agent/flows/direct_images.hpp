#pragma once
// A boot's image named by a cloud's own ID, not a global ID: an image made on
// a cloud directly (the operator's cirros, a tenant's upload straight to
// Glance). The cloudlets that hold it are asked with the caller's token, so
// that each cloud's own visibility rules decide; on a target without it, the
// target's equal image is used (rules/direct_image_rule.hpp), else a copy,
// made as for recorded images once the image is adopted: an entry of the
// federation's copies, under the project its cloud names, that never lists
// the image itself, which the federation never deletes or changes
// (docs/federation.md, "Images made on a cloud directly").

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"
#include "agent/rules/direct_image_rule.hpp"
#include "api/route.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

struct direct_image {
  std::string id;                       // the cloud ID the client named
  std::vector<std::string> shown_on;    // cloudlets whose Glance shows that ID to the caller
  std::string holder;                   // the one copies are made from (none when `conflict`)
  std::string conflict;                 // two cloudlets show different images under that ID
  nlohmann::json image;                 // as the holder shows it
};

/// The image `cloud_id` as the cloudlets show it to the caller (every cloudlet
/// asked at once, under --list-deadline-ms). nullopt when none shows it: the
/// ID then reaches the target unchanged, and its Nova answers as for any
/// unknown image.
/// `unanswered`, when given, gets the cloudlets that could not tell.
http::awaitable<std::optional<direct_image>> find_direct_image(request& r, const std::string& cloud_id,
                                                               std::vector<std::string>* unanswered = nullptr);

/// The image ID a boot of `image` uses on `c`: the cloud ID where `c` shows it,
/// else `c`'s equal image, else a copy (the image adopted first). Throws
/// copy_failed when the copy cannot be made, and (409) on any other cloudlet
/// when the ID names different images on two.
http::awaitable<std::string> direct_image_on(request& r, const direct_image& image, const cloudlet_endpoints& c);

/// What this agent adopted of the image `cloud_id`: its record and the entry
/// of the federation's copies of it (nullopt: nothing, the entry is gone, or
/// the record names no adoption of that image: rules/adoption_rule.hpp).
struct adopted_image {
  adopted_record record;
  storage::registry_entry entry;
};
http::awaitable<std::optional<adopted_image>> find_adopted(request& r, const std::string& cloud_id);

/// A call about one image named by a cloud's ID (show, delete, download, tags,
/// members): passed, as the caller, to the cloudlet that shows it to the
/// caller (this agent's first), so that cloud alone decides. A delete that
/// removed it also deletes the copies the federation made of it, whichever
/// agent adopted it (adoptions.hpp), and their entries.
/// None shows it: this agent's cloudlet answers, as before.
http::awaitable<void> handle_direct_image_call(request& r, std::string body);

/// Deletes, as the caller, every copy the entry of an adopted image or network
/// lists (the federation's copies: never the resource its cloud holds), at
/// `path` + the copy's ID on its cloudlet's `service`; true when each is gone
/// (2xx, or 404), and the entry may be forgotten.
http::awaitable<bool> delete_adopted_copies(request& r, const storage::registry_entry& entry,
                                            api::service_type service, const std::string& path);

/// The route is such a call: an image path whose ID is a UUID but no global ID.
bool is_direct_image_call(const api::route& route);

} // namespace fedstack::agent
