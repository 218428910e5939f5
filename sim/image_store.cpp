#include "sim/image_store.hpp"
#include "sim/util.hpp"

#include <algorithm>
#include <set>

namespace fedstack::sim {
namespace {

const std::set<std::string, std::less<>> read_only_attributes = {
  "status", "size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value", "created_at",
  "updated_at", "self", "file", "schema", "direct_url", "locations", "stores"};
const std::set<std::string, std::less<>> disk_formats = {
  "ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"};
const std::set<std::string, std::less<>> container_formats = {
  "ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"};
const std::set<std::string, std::less<>> visibilities = {"public", "private", "shared", "community"};

api_error schema_error(std::string_view detail) {
  return bad_request("Provided object does not match schema 'image': " + std::string{detail});
}

api_error image_not_found(std::string_view id) {
  return not_found("No image found with ID " + std::string{id});
}

json optional_json(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}
json optional_json(const std::optional<std::int64_t>& value) {
  return value ? json(*value) : json(nullptr);
}

/// Applies one base attribute or extra property; shared by create and PATCH.
std::optional<api_error> set_attribute(image_record& image, const auth_context& ctx,
                                       const std::string& key, const json& value) {
  if (read_only_attributes.count(key)) return forbidden("Attribute '" + key + "' is read-only.");
  auto optional_enum = [&](std::optional<std::string>& field,
                           const std::set<std::string, std::less<>>& allowed,
                           std::string_view what) -> std::optional<api_error> {
    if (value.is_null()) {
      field.reset();
      return std::nullopt;
    }
    if (!value.is_string() || !allowed.count(value.get<std::string>())) {
      return bad_request("Invalid " + std::string{what} + " '" +
                         (value.is_string() ? value.get<std::string>() : value.dump()) +
                         "' for image.");
    }
    field = value.get<std::string>();
    return std::nullopt;
  };
  auto boolean = [&](bool& field) -> std::optional<api_error> {
    if (!value.is_boolean()) return schema_error(value.dump() + " is not of type 'boolean'");
    field = value.get<bool>();
    return std::nullopt;
  };
  auto non_negative = [&](std::int64_t& field) -> std::optional<api_error> {
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
      return schema_error(value.dump() + " is not of type 'integer' or is less than the minimum of 0");
    }
    field = value.get<std::int64_t>();
    return std::nullopt;
  };

  if (key == "id") {
    if (!value.is_string() || !is_uuid(value.get<std::string>())) {
      return schema_error(value.dump() + " does not match the UUID format");
    }
    image.id = value.get<std::string>();
  } else if (key == "name") {
    if (!value.is_null() && (!value.is_string() || value.get<std::string>().size() > 255)) {
      return schema_error(value.dump() + " is not of type 'null', 'string' or is too long");
    }
    image.name = value.is_null() ? std::nullopt : std::optional{value.get<std::string>()};
  } else if (key == "visibility") {
    if (!value.is_string() || !visibilities.count(value.get<std::string>())) {
      return bad_request("Invalid value " + value.dump() + " for parameter 'visibility'");
    }
    if (value == "public" && !ctx.is_admin) {
      return forbidden("You are not authorized to complete publicize_image action.");
    }
    image.visibility = value.get<std::string>();
  } else if (key == "disk_format") {
    return optional_enum(image.disk_format, disk_formats, "disk format");
  } else if (key == "container_format") {
    return optional_enum(image.container_format, container_formats, "container format");
  } else if (key == "protected") {
    return boolean(image.is_protected);
  } else if (key == "os_hidden") {
    return boolean(image.os_hidden);
  } else if (key == "min_ram") {
    return non_negative(image.min_ram);
  } else if (key == "min_disk") {
    return non_negative(image.min_disk);
  } else if (key == "tags") {
    if (!value.is_array()) return schema_error(value.dump() + " is not of type 'array'");
    std::vector<std::string> tags;
    for (const auto& tag : value) {
      if (!tag.is_string()) return schema_error(tag.dump() + " is not of type 'string'");
      if (std::find(tags.begin(), tags.end(), tag.get<std::string>()) == tags.end()) {
        tags.push_back(tag.get<std::string>());
      }
    }
    image.tags = std::move(tags);
  } else if (key == "owner") {
    if (!value.is_null() && !value.is_string()) return schema_error(value.dump() + " is not of type 'string'");
    auto owner = value.is_null() ? std::string{} : value.get<std::string>();
    if (owner != image.owner && !ctx.is_admin) {
      return forbidden("You are not permitted to modify 'owner' on this image.");
    }
    image.owner = owner;
  } else {
    // Glance's schema: any other property must be a string.
    if (!value.is_string()) return schema_error(value.dump() + " is not of type 'string'");
    if (key.size() > 255) return schema_error("property name is too long");
    image.properties[key] = value;
  }
  return std::nullopt;
}

} // namespace

json image_json(const image_record& image) {
  json out = image.properties;
  out["name"] = optional_json(image.name);
  out["disk_format"] = optional_json(image.disk_format);
  out["container_format"] = optional_json(image.container_format);
  out["visibility"] = image.visibility;
  out["size"] = optional_json(image.size);
  out["virtual_size"] = optional_json(image.virtual_size);
  out["status"] = image.status;
  out["checksum"] = optional_json(image.checksum);
  out["protected"] = image.is_protected;
  out["min_ram"] = image.min_ram;
  out["min_disk"] = image.min_disk;
  out["owner"] = image.owner.empty() ? json(nullptr) : json(image.owner);
  out["os_hidden"] = image.os_hidden;
  out["os_hash_algo"] = optional_json(image.os_hash_algo);
  out["os_hash_value"] = optional_json(image.os_hash_value);
  out["id"] = image.id;
  out["created_at"] = format_time(image.created_at, time_style::seconds_z);
  out["updated_at"] = format_time(image.updated_at, time_style::seconds_z);
  out["tags"] = image.tags;
  out["self"] = "/v2/images/" + image.id;
  out["file"] = "/v2/images/" + image.id + "/file";
  out["schema"] = "/v2/schemas/image";
  return out;
}

image_store::image_store(std::filesystem::path dir, clock_fn clock)
  : dir_(std::move(dir)), clock_(std::move(clock)) {}

std::filesystem::path image_store::file_of(std::string_view id) const { return dir_ / std::string{id}; }

bool image_store::visible(const auth_context& ctx, const image_record& image) const {
  if (ctx.is_admin || image.owner == ctx.project_id) return true;
  if (image.visibility == "shared") return image.members.count(ctx.project_id) > 0;   // whatever its status
  return image.visibility == "public" || image.visibility == "community";
}

const image_record* image_store::find(const auth_context& ctx, std::string_view id) const {
  auto it = images_.find(id);
  if (it == images_.end() || !visible(ctx, it->second)) return nullptr;
  return &it->second;
}

std::vector<const image_record*> image_store::all_visible(const auth_context& ctx) const {
  std::vector<const image_record*> out;
  for (const auto& [id, image] : images_)
    if (visible(ctx, image)) out.push_back(&image);
  std::sort(out.begin(), out.end(), [](const image_record* a, const image_record* b) { return a->sequence > b->sequence; });
  return out;
}

image_record* image_store::find_mutable(const auth_context& ctx, std::string_view id) {
  return const_cast<image_record*>(find(ctx, id));
}

outcome<image_record> image_store::create(const auth_context& ctx, const json& body) {
  if (!body.is_object()) return bad_request("Malformed JSON in request body.");
  image_record image;
  image.owner = ctx.project_id;
  image.created_at = image.updated_at = clock_();
  for (const auto& [key, value] : body.items()) {
    if (auto e = set_attribute(image, ctx, key, value)) return *e;
  }
  if (image.id.empty()) image.id = new_uuid();
  if (images_.count(image.id)) return conflict("Image with identifier " + image.id + " already exists!");
  image.sequence = next_sequence_++;
  images_.emplace(image.id, image);
  return image;
}

const image_record& image_store::add_made(image_record image, std::string_view bytes_of) {
  if (image.id.empty()) image.id = new_uuid();
  image.created_at = image.updated_at = clock_();
  image.sequence = next_sequence_++;
  image.status = "active";
  auto base = images_.find(bytes_of);
  std::error_code failed;
  if (base != images_.end() && base->second.size) {
    std::filesystem::create_directories(dir_, failed);
    std::filesystem::copy_file(file_of(base->first), file_of(image.id),
                               std::filesystem::copy_options::overwrite_existing, failed);
    if (!failed) {
      image.size = base->second.size;
      image.virtual_size = base->second.virtual_size;
      image.checksum = base->second.checksum;
      image.os_hash_algo = base->second.os_hash_algo;
      image.os_hash_value = base->second.os_hash_value;
    }
  }
  if (!image.size) image.size = 0;
  return images_.insert_or_assign(image.id, std::move(image)).first->second;
}

outcome<image_record> image_store::patch(const auth_context& ctx, std::string_view id, const json& ops) {
  auto* image = find_mutable(ctx, id);
  if (!image) return image_not_found(id);
  if (!ctx.is_admin && image->owner != ctx.project_id) {
    return forbidden("You are not permitted to modify this image.");
  }
  if (!ops.is_array()) return bad_request("Request body must be a JSON array of operation objects.");
  auto updated = *image;
  for (const auto& op : ops) {
    auto kind = op.is_object() && op.contains("op") ? op["op"].get<std::string>() : std::string{};
    auto path = op.is_object() && op.contains("path") && op["path"].is_string()
                  ? op["path"].get<std::string>() : std::string{};
    if (path.size() < 2 || path[0] != '/') return bad_request("Invalid JSON pointer for this resource: '" + path + "'");
    auto key = path.substr(1);
    if (key.rfind("tags/", 0) == 0 && (kind == "add")) {
      auto tag = op.value("value", json{});
      if (tag.is_string() && std::find(updated.tags.begin(), updated.tags.end(), tag) == updated.tags.end()) {
        updated.tags.push_back(tag.get<std::string>());
      }
      continue;
    }
    if (kind == "add" || kind == "replace") {
      if (!op.contains("value")) return bad_request("Operation objects must contain exactly one member named \"value\".");
      bool base = key == "name" || key == "visibility" || key == "protected" || key == "os_hidden" ||
                  key == "min_ram" || key == "min_disk" || key == "tags" || key == "owner" ||
                  key == "disk_format" || key == "container_format" || read_only_attributes.count(key);
      if (kind == "replace" && !base && !updated.properties.contains(key)) {
        return conflict("Property " + key + " does not exist.");
      }
      if ((key == "disk_format" || key == "container_format") && updated.status != "queued") {
        return forbidden("Attribute " + key + " can be only replaced for a queued image.");
      }
      if (auto e = set_attribute(updated, ctx, key, op["value"])) return *e;
    } else if (kind == "remove") {
      if (!updated.properties.contains(key)) {
        if (read_only_attributes.count(key) || key == "name" || key == "visibility") {
          return forbidden("Attribute '" + key + "' is read-only.");
        }
        return conflict("Property " + key + " does not exist.");
      }
      updated.properties.erase(key);
    } else {
      return bad_request("Unable to find '" + kind + "' operation.");
    }
  }
  updated.updated_at = clock_();
  *image = updated;
  return updated;
}

std::optional<api_error> image_store::remove(const auth_context& ctx, std::string_view id) {
  auto* image = find_mutable(ctx, id);
  if (!image) return image_not_found(id);
  if (!ctx.is_admin && image->owner != ctx.project_id) {
    return forbidden("You are not permitted to delete this image.");
  }
  if (image->is_protected) return forbidden("Image " + image->id + " is protected and cannot be deleted.");
  std::error_code ignored;
  std::filesystem::remove(file_of(image->id), ignored);
  images_.erase(images_.find(id));
  return std::nullopt;
}

std::optional<api_error> image_store::add_tag(const auth_context& ctx, std::string_view id, std::string tag) {
  auto* image = find_mutable(ctx, id);
  if (!image) return image_not_found(id);
  if (!ctx.is_admin && image->owner != ctx.project_id) return forbidden("You are not permitted to modify this image.");
  if (std::find(image->tags.begin(), image->tags.end(), tag) == image->tags.end()) {
    image->tags.push_back(std::move(tag));
    image->updated_at = clock_();
  }
  return std::nullopt;
}

std::optional<api_error> image_store::remove_tag(const auth_context& ctx, std::string_view id,
                                                 std::string_view tag) {
  auto* image = find_mutable(ctx, id);
  if (!image) return image_not_found(id);
  if (!ctx.is_admin && image->owner != ctx.project_id) return forbidden("You are not permitted to modify this image.");
  auto it = std::find(image->tags.begin(), image->tags.end(), tag);
  if (it == image->tags.end()) return not_found("Tag " + std::string{tag} + " not found.");
  image->tags.erase(it);
  image->updated_at = clock_();
  return std::nullopt;
}

std::optional<api_error> image_store::set_active(const auth_context& ctx, std::string_view id, bool active) {
  auto* image = find_mutable(ctx, id);
  if (!image) return image_not_found(id);
  if (!ctx.is_admin) return forbidden("You are not authorized to complete deactivate action.");
  if (image->status != "active" && image->status != "deactivated") {
    return forbidden("Not allowed to deactivate image in status '" + image->status + "'");
  }
  image->status = active ? "active" : "deactivated";
  image->updated_at = clock_();
  return std::nullopt;
}

outcome<std::filesystem::path> image_store::begin_upload(const auth_context& ctx, std::string_view id) {
  auto* image = find_mutable(ctx, id);
  if (!image) return image_not_found(id);
  if (!ctx.is_admin && image->owner != ctx.project_id) {
    return forbidden("You are not permitted to upload data for this image.");
  }
  if (image->status != "queued") {
    return conflict("Image status transition from " + image->status + " to saving is not allowed");
  }
  image->status = "saving";
  image->updated_at = clock_();
  return file_of(image->id);
}

std::optional<api_error> image_store::finish_upload(std::string_view id, const upload_digest& digest) {
  auto it = images_.find(id);
  if (it == images_.end() || it->second.status != "saving") {
    std::error_code ignored;
    std::filesystem::remove(file_of(id), ignored);
    return api_error{410, "Image " + std::string{id} +
                            " could not be found after upload. The image may have been deleted "
                            "during the upload.", ""};
  }
  auto& image = it->second;
  image.status = "active";
  image.size = digest.size;
  // Glance inspects the data for virtual_size; for raw images it equals the size.
  if (image.disk_format.value_or("raw") == "raw") image.virtual_size = digest.size;
  image.checksum = digest.md5;
  image.os_hash_algo = "sha512";
  image.os_hash_value = digest.sha512;
  image.updated_at = clock_();
  return std::nullopt;
}

void image_store::abort_upload(std::string_view id) {
  auto it = images_.find(id);
  if (it != images_.end() && it->second.status == "saving") {
    it->second.status = "queued";
    it->second.updated_at = clock_();
  }
}

outcome<std::optional<image_store::download>> image_store::begin_download(const auth_context& ctx,
                                                                          std::string_view id) const {
  const auto* image = find(ctx, id);
  if (!image) return image_not_found(id);
  if (image->status == "deactivated" && !ctx.is_admin) {
    return forbidden("The requested image has been deactivated. Image data download is forbidden.");
  }
  if (image->status != "active" && image->status != "deactivated") return std::optional<download>{};
  return std::optional<download>{download{file_of(image->id), image->size.value_or(0),
                                           image->checksum.value_or("")}};
}

} // namespace fedstack::sim
