// Nova's JSON views, with the fields each microversion adds or drops.
#include <algorithm>

#include "sim/ip_address.hpp"
#include "sim/nova.hpp"

namespace fedstack::sim {
namespace {

std::string stamp(time_point t) { return format_time(t, time_style::seconds_z); }

} // namespace

json nova_api::links(std::string_view collection, std::string_view id) const {
  auto tail = std::string{collection} + "/" + std::string{id};
  return json::array({{{"rel", "self"}, {"href", base_url_ + "/v2.1/" + tail}},
                      {{"rel", "bookmark"}, {"href", base_url_ + "/" + tail}}});
}

json nova_api::server_brief(const server_record& s) const {
  return {{"id", s.id}, {"links", links("servers", s.id)}, {"name", s.name}};
}

json nova_api::addresses_json(const server_record& s) const {
  json out = json::object();
  const auto& net = cloud_.networks;
  for (const auto& p : s.ports) {
    const auto* port = net.port(p.port_id);
    if (!port) continue;
    const auto* network = net.network(port->network_id);
    auto key = network ? network->name : port->network_id;
    if (!out.contains(key)) out[key] = json::array();
    for (const auto& ip : port->fixed_ips) {
      out[key].push_back({{"version", ip.address.version},
                          {"addr", ip.address.to_string()},
                          {"OS-EXT-IPS:type", "fixed"},
                          {"OS-EXT-IPS-MAC:mac_addr", port->mac_address}});
    }
    // Nova lists a port's floating IPs after its fixed ones, under the same network.
    for (const auto* f : net.floating_ips_of_port(port->id)) {
      auto address = parse_ip(f->address);
      out[key].push_back({{"version", address ? address->version : 4},
                          {"addr", f->address},
                          {"OS-EXT-IPS:type", "floating"},
                          {"OS-EXT-IPS-MAC:mac_addr", port->mac_address}});
    }
  }
  return out;
}

json nova_api::server_json(const server_record& s, const call& c) const {
  const auto& compute = cloud_.compute;
  auto status = compute.status(s);
  bool built = status != "BUILD" && status != "ERROR";
  auto host = built ? compute.host_of(s) : std::string{};
  bool admin = c.ctx.is_admin;

  json flavor;
  if (c.at_least(47)) {
    flavor = {{"vcpus", s.flavor.vcpus}, {"ram", s.flavor.ram}, {"disk", s.flavor.disk},
              {"ephemeral", s.flavor.ephemeral}, {"swap", s.flavor.swap},
              {"original_name", s.flavor.name}, {"extra_specs", s.flavor.extra_specs}};
  } else {
    flavor = {{"id", s.flavor.id},
              {"links", json::array({{{"rel", "bookmark"}, {"href", base_url_ + "/flavors/" + s.flavor.id}}})}};
  }
  json out = {
    {"id", s.id},
    {"name", s.name},
    {"status", status},
    {"tenant_id", s.project_id},
    {"user_id", s.user_id},
    {"metadata", s.metadata},
    {"hostId", host.empty() ? std::string{} : sha224_hex(s.project_id + host)},
    // A volume-backed server has no image: Nova shows "".
    {"image", s.image_id.empty() ? json("")
                                 : json{{"id", s.image_id},
                                        {"links", json::array({{{"rel", "bookmark"}, {"href", base_url_ + "/images/" + s.image_id}}})}}},
    {"flavor", flavor},
    {"created", stamp(s.created_at)},
    {"updated", stamp(compute.updated_at(s))},
    {"addresses", built ? addresses_json(s) : json::object()},
    {"accessIPv4", ""},
    {"accessIPv6", ""},
    {"links", links("servers", s.id)},
    {"OS-DCF:diskConfig", "MANUAL"},
  };
  if (status == "ACTIVE" || status == "BUILD") out["progress"] = 0;
  // Until the scheduler has picked a host, Nova shows no zone and no instance name.
  bool scheduled = s.hypervisor && compute.task_state(s) != "scheduling";
  out["OS-EXT-AZ:availability_zone"] = scheduled ? compute.region() : std::string{};
  out["config_drive"] = s.config_drive;
  out["key_name"] = s.key_name.empty() ? json(nullptr) : json(s.key_name);
  auto launched = compute.launched_at(s);
  out["OS-SRV-USG:launched_at"] = launched ? json(format_time(*launched, time_style::micros_naive)) : json(nullptr);
  out["OS-SRV-USG:terminated_at"] = nullptr;
  if (admin) {
    out["OS-EXT-SRV-ATTR:host"] = host.empty() ? json(nullptr) : json(host);
    out["OS-EXT-SRV-ATTR:instance_name"] = scheduled ? s.instance_name : std::string{};
    out["OS-EXT-SRV-ATTR:hypervisor_hostname"] = host.empty() ? json(nullptr) : json(host);
    if (c.at_least(3)) {
      out["OS-EXT-SRV-ATTR:reservation_id"] = s.reservation_id;
      out["OS-EXT-SRV-ATTR:launch_index"] = s.launch_index;
      out["OS-EXT-SRV-ATTR:hostname"] = s.hostname;
      out["OS-EXT-SRV-ATTR:kernel_id"] = "";
      out["OS-EXT-SRV-ATTR:ramdisk_id"] = "";
      out["OS-EXT-SRV-ATTR:root_device_name"] = built ? json("/dev/vda") : json(nullptr);
      out["OS-EXT-SRV-ATTR:user_data"] = s.user_data.empty() ? json(nullptr) : json(s.user_data);
    }
  } else if (c.at_least(90)) {
    out["OS-EXT-SRV-ATTR:hostname"] = s.hostname;
  }
  out["OS-EXT-STS:task_state"] = compute.task_state(s);
  out["OS-EXT-STS:vm_state"] = compute.vm_state(s);
  out["OS-EXT-STS:power_state"] = compute.power_state(s);
  out["os-extended-volumes:volumes_attached"] = volumes_attached(s, c);
  if (built && !s.ports.empty()) {
    json groups = json::array();
    for (const auto& name : s.security_groups) groups.push_back({{"name", name}});
    out["security_groups"] = groups;
  }
  if (!s.hypervisor) {
    json fault = s.fault;
    if (!admin) fault.erase("details");
    out["fault"] = fault;
  }
  if (c.at_least(9)) out["locked"] = s.locked;
  if (c.at_least(73)) out["locked_reason"] = nullptr;
  if (c.at_least(19)) out["description"] = s.description ? json(*s.description) : json(nullptr);
  if (c.at_least(16) && admin) out["host_status"] = host.empty() ? "" : "UP";
  if (c.at_least(26)) out["tags"] = s.tags;
  if (c.at_least(63)) out["trusted_image_certificates"] = nullptr;
  return out;
}

json nova_api::server_show_json(const server_record& s, const call& c) const {
  auto out = server_json(s, c);
  if (c.at_least(71)) {
    json groups = json::array();
    for (const auto& [id, g] : server_groups_) {
      if (std::find(g.members.begin(), g.members.end(), s.id) != g.members.end()) groups.push_back(id);
    }
    out["server_groups"] = groups;
  }
  return out;
}

json nova_api::flavor_json(const flavor_record& f, const call& c, bool detail) const {
  json out = {{"id", f.id}, {"name", f.name}};
  if (detail) {
    out["ram"] = f.ram;
    out["disk"] = f.disk;
    // Before 2.75 a zero swap is shown as an empty string.
    out["swap"] = (f.swap == 0 && !c.at_least(75)) ? json("") : json(f.swap);
    out["OS-FLV-EXT-DATA:ephemeral"] = f.ephemeral;
    out["OS-FLV-DISABLED:disabled"] = f.disabled;
    out["vcpus"] = f.vcpus;
    out["os-flavor-access:is_public"] = f.is_public;
    out["rxtx_factor"] = f.rxtx_factor;
  }
  out["links"] = links("flavors", f.id);
  if (c.at_least(55)) out["description"] = f.description.empty() ? json(nullptr) : json(f.description);
  if (detail && c.at_least(61)) out["extra_specs"] = f.extra_specs;
  return out;
}

json nova_api::hypervisor_json(const hypervisor_record& h, const call& c, bool detail) const {
  bool uuids = c.at_least(53);
  json out = {{"id", uuids ? json(h.uuid) : json(h.id)},
              {"hypervisor_hostname", h.hostname},
              {"state", "up"},
              {"status", "enabled"}};
  if (!detail) return out;
  out["hypervisor_type"] = "fake";
  out["hypervisor_version"] = 1000;
  out["host_ip"] = "127.0.0.1";
  out["service"] = {{"id", uuids ? json(h.service_uuid) : json(h.service_id)},
                    {"host", h.hostname},
                    {"disabled_reason", nullptr}};
  if (c.at_least(88)) {
    out["uptime"] = nullptr;
    return out;
  }
  json cpu_info = {{"arch", "x86_64"}, {"model", "Nehalem"}, {"vendor", "Intel"},
                   {"features", json::array({"pge", "clflush"})},
                   {"topology", {{"cores", 1}, {"threads", 1}, {"sockets", h.vcpus}}}};
  out["vcpus"] = h.vcpus;
  out["memory_mb"] = h.memory_mb;
  out["local_gb"] = h.local_gb;
  out["vcpus_used"] = h.vcpus_used;
  out["memory_mb_used"] = h.memory_mb_used;
  out["local_gb_used"] = h.local_gb_used;
  out["free_ram_mb"] = h.memory_mb - h.memory_mb_used;
  out["free_disk_gb"] = h.local_gb - h.local_gb_used;
  out["current_workload"] = 0;
  out["running_vms"] = h.running_vms;
  out["disk_available_least"] = h.local_gb - h.local_gb_used;
  // cpu_info became an object in 2.28.
  out["cpu_info"] = c.at_least(28) ? cpu_info : json(cpu_info.dump());
  return out;
}

} // namespace fedstack::sim
