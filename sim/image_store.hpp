#pragma once
// Glance's state for one cloudlet: image records and where their bytes live.
// Not thread-safe: the cloudlet's mutex guards it (Nova reads it while booting).

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/api_error.hpp"
#include "sim/identity.hpp"
#include "sim/types.hpp"
#include "sim/util.hpp"

namespace fedstack::sim {

/// A project an image is shared with (Glance's image members).
struct image_member {
  std::string status = "pending";   // pending, accepted, rejected
  time_point created_at, updated_at;
};

struct image_record {
  std::string id;
  std::optional<std::string> name, disk_format, container_format;
  std::string visibility = "shared";
  std::string status = "queued";
  std::string owner;
  std::optional<std::int64_t> size, virtual_size;
  std::optional<std::string> checksum, os_hash_algo, os_hash_value;
  bool is_protected = false;
  bool os_hidden = false;
  std::int64_t min_ram = 0, min_disk = 0;
  time_point created_at, updated_at;
  std::vector<std::string> tags;
  json properties = json::object();   // extra string properties, shown at top level
  std::uint64_t sequence = 0;         // creation order, for stable sorting
  std::map<std::string, image_member, std::less<>> members;   // by project ID
};

/// One page of a listing plus whether a `next` link belongs to it.
struct image_page {
  std::vector<const image_record*> images;
  bool full = false;
};

/// The result of a finished upload, computed while streaming.
struct upload_digest {
  std::int64_t size = 0;
  std::string md5, sha512;
};

class image_store {
public:
  image_store(std::filesystem::path dir, clock_fn clock);

  outcome<image_record> create(const auth_context& ctx, const json& body);
  /// An image Nova made (a snapshot): `image` as given, active, its bytes
  /// those of `bytes_of` when that image has any (the simulator's driver
  /// snapshots the disk it booted from). Returns the stored record.
  const image_record& add_made(image_record image, std::string_view bytes_of);
  /// The image when it exists and the caller may see it.
  const image_record* find(const auth_context& ctx, std::string_view id) const;
  outcome<image_page> list(const auth_context& ctx, const request& r) const;
  /// Every image the caller may see, newest first (Glance's default order), for
  /// Nova's image proxy.
  std::vector<const image_record*> all_visible(const auth_context& ctx) const;
  outcome<image_record> patch(const auth_context& ctx, std::string_view id, const json& ops);
  std::optional<api_error> remove(const auth_context& ctx, std::string_view id);
  std::optional<api_error> add_tag(const auth_context& ctx, std::string_view id, std::string tag);
  std::optional<api_error> remove_tag(const auth_context& ctx, std::string_view id,
                                      std::string_view tag);
  std::optional<api_error> set_active(const auth_context& ctx, std::string_view id, bool active);

  /// queued -> saving; returns the file to write.
  outcome<std::filesystem::path> begin_upload(const auth_context& ctx, std::string_view id);
  /// saving -> active with the digest; 410 when the image was deleted meanwhile.
  std::optional<api_error> finish_upload(std::string_view id, const upload_digest& digest);
  /// saving -> queued after a failed or aborted upload.
  void abort_upload(std::string_view id);

  /// The file to stream, or nullopt with no error when the image has no data (204).
  struct download {
    std::filesystem::path file;
    std::int64_t size = 0;
    std::string checksum;
  };
  outcome<std::optional<download>> begin_download(const auth_context& ctx, std::string_view id) const;

  /// Image members (image_members.cpp): the owner (or an admin) adds and
  /// removes members of a shared image; only the member changes its status.
  outcome<json> add_member(const auth_context& ctx, std::string_view id, const json& body);
  outcome<json> list_members(const auth_context& ctx, std::string_view id) const;
  outcome<json> show_member(const auth_context& ctx, std::string_view id, std::string_view member) const;
  outcome<json> update_member(const auth_context& ctx, std::string_view id, std::string_view member,
                              const json& body);
  std::optional<api_error> remove_member(const auth_context& ctx, std::string_view id, std::string_view member);

  std::filesystem::path file_of(std::string_view id) const;
  bool visible(const auth_context& ctx, const image_record& image) const;
  std::size_t size() const { return images_.size(); }

private:
  image_record* find_mutable(const auth_context& ctx, std::string_view id);

  std::filesystem::path dir_;
  clock_fn clock_;
  std::map<std::string, image_record, std::less<>> images_;
  std::uint64_t next_sequence_ = 0;
};

/// The Glance JSON of one image (the "image" schema).
json image_json(const image_record& image);

} // namespace fedstack::sim
