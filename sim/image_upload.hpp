#pragma once
// Writes an image upload to disk chunk by chunk while computing Glance's MD5
// checksum and SHA-512 multihash, so no image is ever held in memory. The data
// goes to "<file>.part" and is renamed into place only when complete.

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string_view>

#include "sim/image_store.hpp"

namespace fedstack::sim {

class image_upload {
public:
  /// Opens "<file>.part"; throws std::runtime_error when it cannot be created.
  explicit image_upload(std::filesystem::path file);
  ~image_upload();
  image_upload(const image_upload&) = delete;
  image_upload& operator=(const image_upload&) = delete;

  /// Appends a chunk; throws std::runtime_error on a write error.
  void write(std::string_view data);
  /// Flushes, renames into place and returns the digest.
  upload_digest commit();
  /// Drops the partial file (also done by the destructor when not committed).
  void abort();

private:
  struct digests;
  std::filesystem::path file_, partial_;
  std::FILE* out_ = nullptr;
  std::unique_ptr<digests> digests_;
  std::int64_t size_ = 0;
  bool done_ = false;
};

} // namespace fedstack::sim
