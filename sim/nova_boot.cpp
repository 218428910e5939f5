// Nova's boot path: validate the request, schedule, plug ports on the chosen host.
#include <algorithm>

#include "sim/nova.hpp"

namespace fedstack::sim {
namespace {

/// "http://host/v2.1/flavors/3" and "3" both name flavor 3.
std::string last_segment(const json& ref) {
  std::string text = ref.is_string() ? ref.get<std::string>()
                                     : (ref.is_number_integer() ? std::to_string(ref.get<std::int64_t>()) : "");
  auto slash = text.find_last_of('/');
  return slash == std::string::npos ? text : text.substr(slash + 1);
}

std::string invalid(std::string_view field, const json& value, std::string_view why) {
  return "Invalid input for field/attribute " + std::string{field} + ". Value: " + value.dump() + ". " + std::string{why};
}

std::string admin_password() { return new_random_token(9).substr(0, 12); }

struct requested_network {
  std::string network_id, port_id;
  std::optional<std::string> fixed_ip;
};

} // namespace

reply nova_api::create_server(const call& c) {
  auto body = parse_json(c.r);
  if (!body) return error(400, "Malformed request body");
  if (!body->contains("server") || !(*body)["server"].is_object()) {
    return error(400, invalid("server", *body, "'server' is a required property"));
  }
  const auto& in = (*body)["server"];
  auto name = in.find("name");
  if (name == in.end() || !name->is_string() || name->get<std::string>().empty() || name->get<std::string>().size() > 255) {
    return error(400, invalid("server", in, "'name' is a required property"));
  }
  auto count = [&](const char* key) -> std::optional<std::int64_t> {
    if (!in.contains(key)) return 1;
    const auto& v = in[key];
    if (v.is_number_integer() && v.get<std::int64_t>() >= 1) return v.get<std::int64_t>();
    if (v.is_string()) if (auto n = parse_int(v.get<std::string>()); n && *n >= 1) return n;
    return std::nullopt;
  };
  auto min_count = count("min_count");
  auto max_count = count("max_count");
  if (!min_count || !max_count) return error(400, invalid("min_count", in.value("min_count", json{}), "must be an integer of at least 1"));
  if (*max_count < *min_count) *max_count = *min_count;

  std::lock_guard lock{cloud_.mutex};
  auto& compute = cloud_.compute;
  auto& net = cloud_.networks;

  // Flavor and image.
  auto flavor_id = last_segment(in.value("flavorRef", json{}));
  const auto* flavor = compute.find_flavor(c.ctx, flavor_id);
  if (!flavor) return error(400, "Flavor " + flavor_id + " could not be found.");
  bool has_image = in.contains("imageRef") && !last_segment(in["imageRef"]).empty();
  if (!has_image && !in.contains("block_device_mapping_v2")) {
    return error(400, invalid("imageRef", in.value("imageRef", json{}), "'imageRef' is a required property"));
  }
  // Volumes to attach (nova_volumes.cpp); a root volume makes the server volume-backed.
  auto planned = plan_block_devices(c, in, has_image, *max_count);
  if (failed(planned)) return error(error_of(planned).status, error_of(planned).message);
  const auto& block_devices = std::get<std::vector<block_device>>(planned);
  bool volume_backed = std::any_of(block_devices.begin(), block_devices.end(), [](auto& d) { return d.boot_index == 0; });
  const image_record* image = nullptr;
  if (has_image && !volume_backed) {
    auto image_id = last_segment(in["imageRef"]);
    image = cloud_.images.find(c.ctx, image_id);
    if (!image) return error(400, "Image " + image_id + " could not be found.");
    if (image->status != "active") return error(400, "Image " + image_id + " is not active.");
    if (flavor->ram < image->min_ram) return error(400, "Flavor's memory is too small for requested image.");
    if (flavor->disk < image->min_disk) return error(400, "Flavor's disk is too small for requested image.");
  }

  // Availability zone: the cloudlet's region is its only zone.
  if (in.contains("availability_zone") && !in["availability_zone"].is_null()) {
    auto az = in["availability_zone"].is_string() ? in["availability_zone"].get<std::string>() : std::string{};
    auto zone = az.substr(0, az.find(':'));
    if (zone != compute.region() && zone != "nova") {
      return error(400, "The requested availability zone is not available");
    }
  }

  // Networks: a list, "auto"/"none" (2.37+), or absent (required from 2.37).
  std::vector<requested_network> nics;
  const json* networks = in.contains("networks") ? &in["networks"] : nullptr;
  bool auto_pick = networks == nullptr;
  if (networks && networks->is_string()) {
    if (!c.at_least(37)) return error(400, invalid("networks", *networks, "is not of type 'array'"));
    if (*networks != "auto" && *networks != "none") return error(400, invalid("networks", *networks, "is not one of ['none', 'auto']"));
    auto_pick = *networks == "auto";
  } else if (networks && networks->is_array()) {
    for (const auto& item : *networks) {
      if (!item.is_object()) return error(400, invalid("networks", item, "is not of type 'object'"));
      requested_network nic;
      if (item.contains("uuid") && item["uuid"].is_string()) nic.network_id = item["uuid"];
      if (item.contains("port") && item["port"].is_string()) nic.port_id = item["port"];
      if (item.contains("fixed_ip") && item["fixed_ip"].is_string()) nic.fixed_ip = item["fixed_ip"].get<std::string>();
      if (!nic.port_id.empty()) {
        const auto* port = net.find_port(c.ctx, nic.port_id);
        if (!port) return error(404, "Port id " + nic.port_id + " could not be found.");
        if (!port->device_id.empty()) return error(409, "Port " + nic.port_id + " is still in use.");
        nic.network_id = port->network_id;
      } else if (!net.find_network(c.ctx, nic.network_id)) {
        return error(400, "Network " + nic.network_id + " could not be found.");
      }
      nics.push_back(nic);
    }
  } else if (networks) {
    return error(400, invalid("networks", *networks, "is not of type 'array'"));
  } else if (c.at_least(37)) {
    return error(400, invalid("server", in, "'networks' is a required property"));
  }
  if (auto_pick) {
    auto visible = net.networks(c.ctx);
    std::erase_if(visible, [](const network_record* n) { return n->external; });
    if (visible.size() > 1) {
      return error(409, "Multiple possible networks found, use a Network ID to be more specific.");
    }
    if (visible.size() == 1) nics.push_back({visible[0]->id, "", std::nullopt});
  }
  if ((*max_count > 1) && std::any_of(nics.begin(), nics.end(), [](auto& n) { return !n.port_id.empty(); })) {
    return error(400, "Unable to launch multiple instances with a single configured port ID. Please launch your instance one by one with different ports.");
  }

  // Key pair and security groups.
  std::string key_name;
  if (in.contains("key_name") && !in["key_name"].is_null()) {
    key_name = in["key_name"].is_string() ? in["key_name"].get<std::string>() : std::string{};
    auto user = keypairs_.find(c.ctx.user_id);
    if (user == keypairs_.end() || !user->second.count(key_name)) return error(400, "Invalid key_name provided.");
  }
  std::vector<std::string> groups;
  if (in.contains("security_groups") && in["security_groups"].is_array()) {
    for (const auto& g : in["security_groups"]) {
      auto group = g.is_object() && g.contains("name") && g["name"].is_string() ? g["name"].get<std::string>() : std::string{};
      net.ensure_default_group(c.ctx.project_id);
      auto known = net.security_groups(c.ctx);
      bool found = std::any_of(known.begin(), known.end(), [&](auto* x) {
        return (x->name == group || x->id == group) && x->project_id == c.ctx.project_id;
      });
      if (!found) return error(400, "Security group " + group + " not found for project " + c.ctx.project_id + ".");
      groups.push_back(group);
    }
  }
  if (groups.empty()) groups.push_back("default");

  // A server group named by the scheduler hints (Nova: os:scheduler_hints, or the
  // older OS-SCH-HNT:scheduler_hints key, beside "server").
  server_group* group = nullptr;
  for (const char* key : {"os:scheduler_hints", "OS-SCH-HNT:scheduler_hints"}) {
    auto hints = body->find(key);
    if (hints == body->end() || !hints->is_object() || !hints->contains("group")) continue;
    auto named = (*hints)["group"];
    if (named.is_array() && named.size() == 1) named = named.front();
    auto id = named.is_string() ? named.get<std::string>() : std::string{};
    auto it = server_groups_.find(id);
    if (it == server_groups_.end() || it->second.project_id != c.ctx.project_id)
      return error(400, "Invalid server group " + id + ": instance group " + id + " could not be found.");
    group = &it->second;
  }

  json metadata = json::object();
  if (in.contains("metadata")) {
    if (!in["metadata"].is_object()) return error(400, invalid("metadata", in["metadata"], "is not of type 'object'"));
    for (const auto& [k, v] : in["metadata"].items()) {
      if (!v.is_string()) return error(400, invalid("metadata", in["metadata"], "values must be strings"));
      metadata[k] = v;
    }
  }

  // Nova checks the project's quota before it makes anything (403, servers.py create).
  if (auto over = check_boot_quota(c.ctx.project_id, *flavor, *min_count, *max_count)) return error(403, *over);

  // Create each instance: schedule, then plug its ports on the chosen host.
  auto reservation = "r-" + new_random_token(6).substr(0, 8);
  std::vector<std::string> created;
  std::string admin_pass = in.contains("adminPass") && in["adminPass"].is_string() ? in["adminPass"].get<std::string>() : admin_password();
  for (std::int64_t i = 0; i < *max_count; ++i) {
    server_record s;
    s.id = new_uuid();
    s.name = *max_count > 1 ? name->get<std::string>() + "-" + std::to_string(i + 1) : name->get<std::string>();
    s.project_id = c.ctx.project_id;
    s.user_id = c.ctx.user_id;
    s.image_id = image ? image->id : std::string{};   // "" for a volume-backed server, as Nova shows it
    s.flavor = *flavor;
    s.key_name = key_name;
    s.admin_pass = admin_pass;
    s.metadata = metadata;
    s.security_groups = groups;
    s.reservation_id = reservation;
    s.launch_index = static_cast<int>(i);
    s.instance_name = compute.next_instance_name();
    s.hostname = to_lower(s.name);
    if (in.contains("user_data") && in["user_data"].is_string()) s.user_data = in["user_data"];
    if (in.contains("config_drive") && in["config_drive"] == true) s.config_drive = "True";
    if (c.at_least(19) && in.contains("description") && in["description"].is_string()) s.description = in["description"].get<std::string>();
    if (c.at_least(52) && in.contains("tags") && in["tags"].is_array()) {
      for (const auto& t : in["tags"]) if (t.is_string()) s.tags.push_back(t);
    }
    s.created_at = s.updated_at = compute.now();
    s.sequence = compute.next_sequence();
    auto& placed = compute.add_server(std::move(s), group ? group_hosts(*group) : std::function<bool(std::size_t)>{});
    created.push_back(placed.id);
    record_action_locked(c.ctx, placed, "create");
    if (group) group->members.push_back(placed.id);   // Nova adds it at the API, before scheduling
    if (!placed.hypervisor) continue;   // ERROR: no valid host, no ports or volumes
    attach_block_devices(c, block_devices, placed);

    port_request plug;
    plug.device_id = placed.id;
    plug.device_owner = "compute:" + compute.region();
    plug.binding_host = compute.host_of(placed);
    for (const auto& nic : nics) {
      std::optional<api_error> failure;
      if (!nic.port_id.empty()) {
        failure = net.bind_port(c.ctx, nic.port_id, plug);
        if (!failure) placed.ports.push_back({nic.port_id, false});
      } else {
        plug.network_id = nic.network_id;
        plug.fixed_ip = nic.fixed_ip;
        auto port = net.plug(c.ctx, plug);
        if (failed(port)) failure = error_of(port);
        else placed.ports.push_back({std::get<port_record>(port).id, true});
      }
      if (failure) {
        // Roll the whole request back, as Nova's API does for network errors it detects up front.
        for (const auto& id : created) {
          if (const auto* done = compute.find_server(c.ctx, id)) delete_server_locked(c.ctx, *done);
        }
        auto status = failure->status == 404 ? 400u : failure->status;
        return error(status, failure->message);
      }
    }
  }

  if (in.contains("return_reservation_id") && in["return_reservation_id"] == true) return json_reply(202, {{"reservation_id", reservation}});
  const auto* first = compute.find_server(c.ctx, created.front());
  json groups_json = json::array();
  for (const auto& g : groups) groups_json.push_back({{"name", g}});
  auto out = json_reply(202, {{"server", {{"id", first->id},
                                          {"links", links("servers", first->id)},
                                          {"OS-DCF:diskConfig", "MANUAL"},
                                          {"security_groups", groups_json},
                                          {"adminPass", admin_pass}}}});
  out.headers["Location"] = base_url_ + "/v2.1/servers/" + first->id;
  return out;
}

} // namespace fedstack::sim
