// Nova's side of volumes, on the cloudlet's own Cinder state (cloudlet.hpp):
// block_device_mapping_v2 at boot (an existing volume, or one made from an
// image, a snapshot or nothing), os-volume_attachments, and what a server's
// delete does to its volumes. A volume of another cloudlet is not in this
// store, so this Nova does not find it, as with two real clouds.
#include <algorithm>
#include <set>

#include "sim/nova.hpp"

namespace fedstack::sim {
namespace {

constexpr std::int64_t gib = std::int64_t{1} << 30;

std::string text(const json& in, const char* key) {
  auto it = in.find(key);
  return it != in.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

/// The first free /dev/vdX after the root disk.
std::string next_device(const std::vector<const volume_attachment_record*>& taken) {
  for (char letter = 'b'; letter <= 'z'; ++letter) {
    auto device = std::string{"/dev/vd"} + letter;
    bool used = false;
    for (const auto* a : taken) used = used || a->device == device;
    if (!used) return device;
  }
  return "/dev/vdzz";
}

/// Cinder's refusal as Nova relays it (nova/volume/cinder.py translate_cinder_exception).
std::string relayed(const api_error& e) { return "Invalid input received: " + e.message + " (HTTP " + std::to_string(e.status) + ")"; }

} // namespace

outcome<std::vector<nova_api::block_device>> nova_api::plan_block_devices(const call& c, const json& in, bool has_image,
                                                                          std::int64_t count) {
  std::vector<block_device> out;
  if (!in.contains("block_device_mapping_v2")) return out;
  const auto& list = in["block_device_mapping_v2"];
  if (!list.is_array()) return bad_request("Invalid input for field/attribute block_device_mapping_v2. Value: " + list.dump() + ". " + list.dump() + " is not of type 'array'");
  auto& store = cloud_.volumes;
  store.settle();
  bool has_root = false;
  for (const auto& item : list) {
    if (!item.is_object()) return bad_request("Block Device Mapping is Invalid: " + item.dump() + " is not of type 'object'");
    block_device d;
    d.source = text(item, "source_type");
    d.destination = text(item, "destination_type");
    if (d.destination.empty()) d.destination = d.source == "volume" ? "volume" : "local";
    d.uuid = text(item, "uuid");
    if (item.contains("boot_index") && !item["boot_index"].is_null()) {
      const auto& index = item["boot_index"];
      auto n = index.is_number_integer() ? std::optional{index.get<std::int64_t>()}
               : index.is_string() ? (index.get<std::string>().starts_with("-") ? std::optional<std::int64_t>{-1} : parse_int(index.get<std::string>()))
                                   : std::nullopt;
      if (!n) return bad_request("Block Device Mapping is Invalid: Boot index " + index.dump() + " is invalid.");
      if (*n >= 0) d.boot_index = static_cast<int>(*n);
    }
    if (item.contains("volume_size") && !item["volume_size"].is_null()) {
      const auto& size = item["volume_size"];
      auto n = size.is_number_integer() ? std::optional{size.get<std::int64_t>()}
               : size.is_string() ? parse_int(size.get<std::string>()) : std::nullopt;
      if (!n) return bad_request("Invalid input for field/attribute volume_size. Value: " + size.dump() + ".");
      d.volume_size = *n;
    }
    d.delete_on_termination = item.contains("delete_on_termination") && item["delete_on_termination"] == true;
    if (item.contains("tag") && item["tag"].is_string()) d.tag = item["tag"].get<std::string>();
    d.device = text(item, "device_name");
    static const std::set<std::string> sources{"volume", "image", "snapshot", "blank"};
    if (!sources.count(d.source)) return bad_request("Block Device Mapping is Invalid: Invalid source_type field.");
    if (d.destination != "volume" && d.destination != "local") return bad_request("Block Device Mapping is Invalid: Invalid destination_type field.");
    if (d.destination == "local") {
      // Ephemeral disks the hypervisor makes: the image root of a plain boot, or blanks.
      if (d.boot_index == 0) has_root = true;
      continue;
    }
    if (d.source != "blank" && d.uuid.empty()) return bad_request("Block Device Mapping is Invalid: Missing device UUID.");
    if (d.source == "volume") {
      const auto* v = store.find_volume(c.ctx, d.uuid);
      if (!v) return bad_request("Volume " + d.uuid + " could not be found.");
      if (count > 1) return bad_request("Block Device Mapping is Invalid: Unable to launch multiple instances with a single configured volume.");
      if (auto refused = store.reservation_refusal(*v, "")) return bad_request("Invalid volume: " + relayed(*refused));
    } else if (d.source == "image") {
      const auto* image = cloud_.images.find(c.ctx, d.uuid);
      if (!image || image->status != "active") return bad_request("Block Device Mapping is Invalid: failed to get image " + d.uuid + ".");
      if (d.volume_size <= 0) {
        return bad_request("Block Device Mapping is Invalid: Images with destination_type 'volume' need to have a non-zero size specified");
      }
      auto image_gb = (image->size.value_or(0) + gib - 1) / gib;
      if (image_gb > d.volume_size || image->min_disk > d.volume_size) {
        return bad_request("Volume is smaller than the minimum size specified in image metadata. Volume size is " +
                           std::to_string(d.volume_size * gib) + " bytes, minimum size is " +
                           std::to_string(std::max(image_gb, image->min_disk) * gib) + " bytes.");
      }
    } else if (d.source == "snapshot") {
      const auto* snap = store.find_snapshot(c.ctx, d.uuid);
      if (!snap) return bad_request("Block Device Mapping is Invalid: failed to get snapshot " + d.uuid + ".");
      if (d.volume_size <= 0) d.volume_size = snap->size;
    } else if (d.volume_size <= 0) {
      return bad_request("Block Device Mapping is Invalid: You specified more local devices than the limit allows");
    }
    if (d.boot_index == 0) has_root = true;
    out.push_back(std::move(d));
  }
  if (!has_image && !has_root) {
    return bad_request("Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.");
  }
  // Nova checks the gigabytes quota for the volumes it will make before it builds.
  std::int64_t made_gb = 0, made = 0;
  for (const auto& d : out) {
    if (d.source != "volume") {
      made_gb += d.volume_size * count;
      made += count;
    }
  }
  if (made > 0) {
    if (auto refused = store.check_volume_quota(c.ctx.project_id, made, made_gb)) return bad_request(relayed(*refused));
  }
  return out;
}

void nova_api::attach_block_devices(const call& c, const std::vector<block_device>& plan, const server_record& s) {
  auto& store = cloud_.volumes;
  for (const auto& d : plan) {
    volume_record* v = nullptr;
    if (d.source == "volume") {
      v = store.volume_by_id(d.uuid);
    } else {
      // The volume Nova asks Cinder for: no name or description, in the server's zone.
      volume_record made;
      made.id = new_uuid();
      made.project_id = c.ctx.project_id;
      made.user_id = c.ctx.user_id;
      made.name = "";
      made.description = "";
      made.size = d.volume_size;
      made.type_id = store.default_type().id;
      if (d.source == "image") {
        const auto* image = cloud_.images.find(c.ctx, d.uuid);
        made.bootable = true;
        made.image_metadata = volume_image_metadata(*image);
      } else if (d.source == "snapshot") {
        made.snapshot_id = d.uuid;
      }
      v = &store.add_volume(std::move(made));
      // Nova waits for the volume before it attaches it; here the wait is over at once
      // (a full pool leaves the volume in error, unattached).
      if (!v->scheduled) continue;
      v->pending.reset();
      v->status = "available";
    }
    if (!v) continue;
    volume_attachment_record a;
    a.server_id = s.id;
    a.host_name = compute_host_name(s);
    a.boot_index = d.boot_index;
    a.tag = d.tag;
    a.delete_on_termination = d.delete_on_termination;
    a.bdm_uuid = new_uuid();
    a.device = d.boot_index == 0 ? std::string{"/dev/vda"} : next_device(store.attachments_of_server(s.id));
    if (!d.device.empty() && d.boot_index != 0) a.device = d.device;
    auto& attached = store.add_attachment(*v, std::move(a));
    attached.connector = {{"host", attached.host_name}, {"platform", "x86_64"}, {"os_type", "linux"}};
    store.complete_attachment(attached);
  }
}

std::string nova_api::compute_host_name(const server_record& s) const { return cloud_.compute.host_of(s); }

void nova_api::release_volumes_locked(const server_record& s) {
  auto& store = cloud_.volumes;
  for (const auto* a : store.attachments_of_server(s.id)) {
    auto attachment_id = a->id;
    auto volume_id = a->volume_id;
    bool doomed = a->delete_on_termination;
    store.remove_attachment(attachment_id);
    if (doomed && !store.has_snapshots(volume_id)) store.remove_volume(volume_id);
  }
}

json nova_api::volumes_attached(const server_record& s, const call& c) const {
  json out = json::array();
  for (const auto* a : cloud_.volumes.attachments_of_server(s.id)) {
    json item = {{"id", a->volume_id}};
    if (c.at_least(3)) item["delete_on_termination"] = a->delete_on_termination;
    out.push_back(item);
  }
  return out;
}

json nova_api::volume_attachment_json(const volume_attachment_record& a, const call& c) const {
  json out = json::object();
  if (!c.at_least(89)) out["id"] = a.volume_id;
  out["volumeId"] = a.volume_id;
  out["serverId"] = a.server_id;
  if (!a.device.empty()) out["device"] = a.device;
  if (c.at_least(70)) out["tag"] = a.tag ? json(*a.tag) : json(nullptr);
  if (c.at_least(79)) out["delete_on_termination"] = a.delete_on_termination;
  if (c.at_least(89)) {
    out["attachment_id"] = a.id;
    out["bdm_uuid"] = a.bdm_uuid;
  }
  return out;
}

reply nova_api::volume_attachments(const call& c, const std::string& id) {
  const auto& p = c.path;
  std::lock_guard lock{cloud_.mutex};
  auto& store = cloud_.volumes;
  store.settle();
  auto* s = cloud_.compute.server_mutable(c.ctx, id);
  if (!s) return error(404, "Instance " + id + " could not be found.");
  if (p.size() == 3) {
    if (c.r.method == "GET") {
      json list = json::array();
      for (const auto* a : store.attachments_of_server(s->id)) list.push_back(volume_attachment_json(*a, c));
      return json_reply(200, {{"volumeAttachments", list}});
    }
    if (c.r.method != "POST") return error(405, "The method is not allowed for this resource.");
    auto body = parse_json(c.r);
    if (!body || !body->contains("volumeAttachment") || !(*body)["volumeAttachment"].is_object()) {
      return error(400, "Invalid input for field/attribute volumeAttachment. Value: None. 'volumeAttachment' is a required property");
    }
    const auto& in = (*body)["volumeAttachment"];
    auto volume_id = text(in, "volumeId");
    if (volume_id.empty()) return error(400, "Invalid input for field/attribute volumeAttachment. 'volumeId' is a required property");
    if (s->locked && !c.ctx.is_admin) return error(409, "Instance " + s->id + " is locked");
    auto state = cloud_.compute.vm_state(*s);
    if (state != "active" && state != "stopped" && state != "resized" && state != "shelved_offloaded") {
      return error(409, "Cannot 'attach_volume' instance " + s->id + " while it is in vm_state " + state);
    }
    auto* v = store.volume_mutable(c.ctx, volume_id);
    if (!v) return error(404, "Volume " + volume_id + " could not be found.");
    if (store.attachment_between(v->id, s->id)) {
      return error(400, "Invalid volume: volume " + v->id + " already attached");
    }
    if (auto refused = store.reservation_refusal(*v, s->id)) return error(400, relayed(*refused));
    block_device d;
    d.source = d.destination = "volume";
    d.uuid = v->id;
    d.device = text(in, "device");
    if (c.at_least(49) && in.contains("tag") && in["tag"].is_string()) d.tag = in["tag"].get<std::string>();
    if (c.at_least(79) && in.contains("delete_on_termination")) d.delete_on_termination = in["delete_on_termination"] == true;
    attach_block_devices(c, {d}, *s);
    auto* a = store.attachment_between(v->id, s->id);
    json out = {{"id", v->id}, {"serverId", s->id}, {"volumeId", v->id}, {"device", a->device}};
    if (c.at_least(70)) out["tag"] = a->tag ? json(*a->tag) : json(nullptr);
    if (c.at_least(79)) out["delete_on_termination"] = a->delete_on_termination;
    return json_reply(200, {{"volumeAttachment", out}});
  }
  if (p.size() != 4) return error(404, "The resource could not be found.");
  const auto& volume_id = p[3];
  auto* a = store.attachment_between(volume_id, s->id);
  auto not_attached = "Instance " + s->id + " is not attached to volume " + volume_id;
  if (c.r.method == "GET") {
    if (!a) return error(404, not_attached);
    return json_reply(200, {{"volumeAttachment", volume_attachment_json(*a, c)}});
  }
  if (c.r.method == "DELETE") {
    if (!store.find_volume(c.ctx, volume_id)) return error(404, "Volume " + volume_id + " could not be found.");
    if (!a) return error(404, not_attached);
    if (a->boot_index == 0) return error(400, "Cannot detach a root device volume");
    if (s->locked && !c.ctx.is_admin) return error(409, "Instance " + s->id + " is locked");
    // Cinder's begin_detaching refuses a volume already detaching (nova/volume/cinder.py relays it).
    if (a->status == "detaching") {
      return error(400, "Invalid volume: " + relayed(bad_request("Invalid volume: Unable to detach volume. Volume status must "
                                                                 "be 'in-use' and attach_status must be 'attached' to detach.")));
    }
    // Nova answers 202 and detaches in the background: the volume is "detaching" for the delay.
    store.begin_detach(*a);
    return empty_reply(202);
  }
  return error(405, "The method is not allowed for this resource.");
}

} // namespace fedstack::sim
