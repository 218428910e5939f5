// Nova's image proxy (nova/api/openstack/compute/images.py and views/images.py):
// the cloudlet's Glance images as the caller may see them (Nova asks Glance with
// the caller's token), in Nova's shape. Removed from microversion 2.36 on
// (MAX_PROXY_API_SUPPORT_VERSION): 404 there, as Nova answers.
#include <algorithm>

#include "sim/nova.hpp"

namespace fedstack::sim {
namespace {

constexpr int max_proxy_minor = 35;

std::string nova_status(const std::string& glance_status) {
  if (glance_status == "active") return "ACTIVE";
  if (glance_status == "queued" || glance_status == "saving" || glance_status == "importing") return "SAVING";
  if (glance_status == "deleted" || glance_status == "pending_delete") return "DELETED";
  if (glance_status == "killed") return "ERROR";
  return "UNKNOWN";
}

int progress_of(const std::string& glance_status) {
  if (glance_status == "queued") return 25;
  if (glance_status == "saving") return 50;
  if (glance_status == "active") return 100;
  return 0;
}

} // namespace

json nova_api::image_view(const image_record& image, bool detail) const {
  json out = {{"id", image.id}, {"name", image.name ? json(*image.name) : json(nullptr)},
              {"links", links("images", image.id)}};
  if (!detail) return out;
  out["minRam"] = image.min_ram;
  out["minDisk"] = image.min_disk;
  json metadata = json::object();
  for (const auto& [key, value] : image.properties.items()) metadata[key] = value;
  out["metadata"] = std::move(metadata);
  out["created"] = format_time(image.created_at, time_style::seconds_z);
  out["updated"] = format_time(image.updated_at, time_style::seconds_z);
  out["status"] = nova_status(image.status);
  out["progress"] = progress_of(image.status);
  out["OS-EXT-IMG-SIZE:size"] = image.size ? json(*image.size) : json(nullptr);
  if (image.properties.contains("instance_uuid") && image.properties["instance_uuid"].is_string()) {
    auto server = image.properties["instance_uuid"].get<std::string>();
    out["server"] = {{"id", server}, {"links", links("servers", server)}};
  }
  return out;
}

reply nova_api::images(const call& c) {
  if (c.mv > max_proxy_minor) return error(404, "The resource could not be found.");
  const auto& method = c.r.method;
  std::lock_guard lock{cloud_.mutex};
  auto& glance = cloud_.images;
  bool is_list = c.path.size() == 1 || (c.path.size() == 2 && c.path[1] == "detail");
  if (is_list) {
    if (method != "GET") return error(405, "Method not allowed.");
    bool detail = c.path.size() == 2;
    auto visible = glance.all_visible(c.ctx);
    // Nova hands limit and marker to Glance.
    auto marker = c.r.query_value("marker");
    if (marker) {
      auto at = std::find_if(visible.begin(), visible.end(), [&](const image_record* i) { return i->id == *marker; });
      if (at == visible.end()) return error(400, "marker [" + *marker + "] not found");
      visible.erase(visible.begin(), at + 1);
    }
    if (auto limit = c.r.query_value("limit")) {
      std::size_t n = 0;
      try {
        n = static_cast<std::size_t>(std::stoul(*limit));
      } catch (const std::exception&) {
        return error(400, "limit param must be an integer");
      }
      if (visible.size() > n) visible.resize(n);
    }
    json items = json::array();
    for (const auto* image : visible) items.push_back(image_view(*image, detail));
    return json_reply(200, {{"images", items}});
  }
  if (c.path.size() != 2) return error(404, "The resource could not be found.");
  const auto& id = c.path[1];
  if (method == "GET") {
    const auto* image = glance.find(c.ctx, id);
    if (!image) return error(404, "Image not found.");
    return json_reply(200, {{"image", image_view(*image, true)}});
  }
  if (method == "DELETE") {
    if (auto e = glance.remove(c.ctx, id)) {
      if (e->status == 404) return error(404, "Image not found.");
      if (e->status == 403) return error(403, "You are not allowed to delete the image.");
      return error(e->status, e->message);
    }
    reply done;
    done.status = 204;
    return done;
  }
  return error(405, "Method not allowed.");
}

} // namespace fedstack::sim
