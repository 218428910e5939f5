#pragma once
// Images made on a cloud directly (the operator's cirros on every cloudlet, a
// tenant's upload straight to Glance) as the federation uses them
// (docs/federation.md, "Images made on a cloud directly"): which cloudlet's
// image a cloud ID names for a boot, which images of several cloudlets are one
// image, and the record of an adopted one. Pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// A cloudlet's Glance showed the caller an image (its GET answered 200).
struct image_sighting {
  std::string cloudlet;
  nlohmann::json image;
};

/// Equal images are one image of the federation: the same owner, name and
/// checksum (and the same os_hash_value where both carry one), both active.
/// The owner keeps a look-alike of another project (same name and bytes) from
/// standing in for an image the caller named.
bool equal_images(const nlohmann::json& a, const nlohmann::json& b);

/// Where a boot's image named by a cloud ID comes from.
struct image_holder {
  std::optional<std::string> cloudlet;   // none: no cloudlet shows it to the caller
  std::string conflict;                  // set: several show different images under that ID
};

/// The cloudlet whose image copies are made from: `own` when it shows the ID,
/// else, when every sighting is one image (equal_images), the first by region
/// name; sightings of different images under one ID are a conflict, never one
/// picked silently.
image_holder choose_image_holder(std::vector<image_sighting> shown, const std::string& own);

/// The ID of an image in `images` (a Glance list as the caller sees it on the
/// target) equal to `wanted`; nullopt when there is none.
std::optional<std::string> equal_image_in(const nlohmann::json& images, const nlohmann::json& wanted);

/// For each item of each cloudlet's image list (region, items as read), whether
/// it is shown: of equal images, the one on `own` when it holds one, else the
/// one of the first cloudlet by region name. Indexes parallel to `clouds`.
std::vector<std::vector<bool>> images_shown_once(
  const std::vector<std::pair<std::string, std::vector<nlohmann::json>>>& clouds, const std::string& own);

/// An image made on its cloud directly that this agent adopted to copy it:
/// the cloud's image (never part of the entry: no registry logic can reach
/// it) and the entry that records the federation's copies of it. Kept beside
/// the registry under adopted_image_key(local_id).
struct adopted_record {
  std::string global_id;   // the entry's
  std::string project;     // the project its cloud names (Glance's owner)
  std::string cloudlet;    // where the image is
  std::string local_id;    // its cloud ID
};

std::string encode_adopted(const adopted_record& record);
/// nullopt for anything encode_adopted did not write.
std::optional<adopted_record> decode_adopted(const std::string& text);

/// The entry of the federation's copies of `image` (as its cloud shows it on
/// `cloudlet`): under the project its cloud names, bound, with no copy yet and
/// never the image itself, which is the tenant's or the operator's own. nullopt
/// when the cloud names no owner.
std::optional<std::pair<adopted_record, storage::registry_entry>>
adopt_image(const std::string& global_id, const std::string& cloudlet, const nlohmann::json& image,
            std::int64_t now_unix_ms);

/// The meta key under which an agent keeps its adopted_record for the image
/// `cloud_id` (cloud IDs are UUIDs: one key per image).
std::string adopted_image_key(const std::string& cloud_id);

} // namespace fedstack::agent
