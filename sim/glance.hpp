#pragma once
// Glance v2 for one cloudlet. Image data is streamed: the HTTP bridge asks for an
// upload or download ticket and moves the bytes itself; everything else is a
// plain request -> reply call.

#include <filesystem>
#include <memory>
#include <variant>

#include "sim/cloudlet.hpp"
#include "sim/image_upload.hpp"
#include "sim/service.hpp"

namespace fedstack::sim {

class glance_api final : public service {
public:
  glance_api(identity& ids, cloudlet& cloud) : ids_(ids), cloud_(cloud) {}

  std::string_view kind() const override { return "glance"; }
  void set_base_url(std::string url) override { base_url_ = std::move(url); }
  /// Also serves PUT/GET .../file with the whole body in memory (handy for tests).
  reply handle(const request& r) override;
  reply error_reply(unsigned status, std::string_view message) const override {
    return error(status, message);
  }

  /// True for PUT and GET /v2/images/{id}/file, which the bridge streams.
  static bool is_upload(const request& r);
  static bool is_download(const request& r);

  struct upload_ticket {
    auth_context ctx;
    std::string image_id;
    std::unique_ptr<image_upload> upload;
  };
  /// An error reply, or a ticket to write the body into.
  std::variant<reply, upload_ticket> begin_upload(const request& r);
  /// Commits the data (204), or 410 when the image was deleted meanwhile.
  reply finish_upload(upload_ticket& ticket);
  /// Gives the image back its "queued" status after a broken upload.
  void abort_upload(upload_ticket& ticket);

  struct download_ticket {
    reply header;   // 200 with Content-Type, Content-MD5, Content-Length
    std::filesystem::path file;
    std::int64_t size = 0;
  };
  /// An error or 204 reply, or the file to stream.
  std::variant<reply, download_ticket> begin_download(const request& r);

  /// Glance's errors are webob HTML pages (JSON when the client accepts only that).
  static reply error(unsigned status, std::string_view message);

private:
  reply handle_as_page(const request& r);
  reply route(const request& r, const auth_context& ctx);
  reply versions(unsigned status) const;
  reply list_images(const request& r, const auth_context& ctx);
  reply image_reply(unsigned status, const image_record& image) const;

  identity& ids_;
  cloudlet& cloud_;
  std::string base_url_;
};

/// The JSON schemas Glance publishes at /v2/schemas/image and /v2/schemas/images.
json glance_image_schema();
json glance_images_schema();

} // namespace fedstack::sim
