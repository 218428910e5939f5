#include "agent/rules/volume_rule.hpp"

#include <algorithm>

#include "agent/rules/volume_zone.hpp"
#include "api/query.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

std::string text_of(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

} // namespace

volume_create_needs read_volume_create(storage::resource_kind kind, const json& body) {
  volume_create_needs out;
  using storage::resource_kind;
  const char* wrapper = kind == resource_kind::volume_snapshot ? "snapshot"
                        : kind == resource_kind::volume_backup ? "backup"
                                                               : "volume";
  if (!body.is_object() || !body.contains(wrapper) || !body[wrapper].is_object()) return out;
  const auto& item = body[wrapper];
  // A snapshot or a backup is made on its volume's backend.
  if (kind == resource_kind::volume_snapshot || kind == resource_kind::volume_backup) {
    out.source_id = text_of(item, "volume_id");
    return out;
  }
  out.pinned_zone = text_of(item, "availability_zone");
  if (auto size = item.find("size"); size != item.end() && size->is_number_integer()) out.size_gb = *size;
  out.image_id = text_of(item, "imageRef");
  if (auto snapshot = text_of(item, "snapshot_id"); !snapshot.empty()) {
    out.source_id = snapshot;
    out.source_kind = storage::resource_kind::volume_snapshot;
  } else if (auto volume = text_of(item, "source_volid"); !volume.empty()) {
    out.source_id = volume;
  }
  return out;
}

source_placement place_at_source(const volume_create_needs& needs, const std::string& source_cloudlet) {
  source_placement out;
  out.cloudlet = source_cloudlet;
  if (!needs.pinned_zone.empty() && needs.pinned_zone != source_cloudlet)
    out.refusal = "The source " + needs.source_id + " is in availability zone " + source_cloudlet +
                  "; a volume made from it cannot be in availability zone " + needs.pinned_zone + ".";
  return out;
}

std::vector<std::string> boot_volume_ids(const json& server) {
  std::vector<std::string> ids;
  auto bdm = server.find("block_device_mapping_v2");
  if (bdm != server.end() && bdm->is_array())
    for (const auto& device : *bdm) {
      if (!device.is_object()) continue;
      auto source = text_of(device, "source_type");
      auto id = text_of(device, "uuid");
      if ((source == "volume" || source == "snapshot") && !id.empty()) ids.push_back(id);
    }
  // The legacy mapping names the volume or snapshot by key (novaclient's
  // `block_device_mapping={"vda": "<id>:::0"}`, which Rally's boot from volume sends).
  auto legacy = server.find("block_device_mapping");
  if (legacy != server.end() && legacy->is_array())
    for (const auto& device : *legacy) {
      if (!device.is_object()) continue;
      for (const char* key : {"volume_id", "snapshot_id"})
        if (auto id = text_of(device, key); !id.empty()) ids.push_back(id);
    }
  return ids;
}

std::string boot_volume_image(const json& server) {
  auto bdm = server.find("block_device_mapping_v2");
  if (bdm == server.end() || !bdm->is_array()) return {};
  for (const auto& device : *bdm)
    if (device.is_object() && text_of(device, "source_type") == "image") return text_of(device, "uuid");
  return {};
}

source_placement place_boot_with_volumes(const std::string& pinned_zone, const std::vector<std::string>& volume_cloudlets) {
  source_placement out;
  if (volume_cloudlets.empty()) {
    out.cloudlet = pinned_zone;
    return out;
  }
  out.cloudlet = volume_cloudlets.front();
  bool together = std::all_of(volume_cloudlets.begin(), volume_cloudlets.end(),
                              [&](const std::string& c) { return c == out.cloudlet; });
  if (!together)
    out.refusal = "The boot's volumes are in different availability zones; a server can use only the volumes of its "
                  "own zone.";
  else if (!pinned_zone.empty() && pinned_zone != out.cloudlet)
    out.refusal = "The boot's volume is in availability zone " + out.cloudlet +
                  "; the server cannot be in availability zone " + pinned_zone + ".";
  return out;
}

bool is_volume_attachment_change(const api::route& route, boost::beast::http::verb method) {
  using boost::beast::http::verb;
  if (route.service != api::service_type::compute || route.resource != "servers" || route.resource_id.empty() ||
      route.action != "os-volume_attachments")
    return false;
  return (method == verb::post && route.sub_id.empty()) || (method == verb::put && !route.sub_id.empty());
}

std::optional<std::string> cross_cloudlet_attachment(const std::string& volume_id, const std::string& volume_cloudlet,
                                                     const std::string& server_id, const std::string& server_cloudlet) {
  if (volume_cloudlet == server_cloudlet) return std::nullopt;
  return "Volume " + volume_id + " is on cloudlet " + volume_cloudlet + " and server " + server_id +
         " is on cloudlet " + server_cloudlet +
         ": a volume can only be attached to a server of its own cloudlet. Moving a volume between cloudlets is not "
         "supported; make a volume on " + server_cloudlet + " (volume create --availability-zone " + server_cloudlet +
         ") and copy the data.";
}

std::optional<std::string> volume_zone_filter(const std::string& query, const std::string& cloudlet) {
  auto q = api::query_string::parse(query);
  auto zone = q.get("availability_zone");
  if (!zone) return query;
  if (*zone != cloudlet) return std::nullopt;
  q.remove("availability_zone");
  return q.encode();
}

} // namespace fedstack::agent
