// Nova's read-mostly side APIs: hypervisors, availability zones, limits,
// services, the security-group proxy, key pairs and server groups.
#include <algorithm>
#include <optional>

#include <openssl/evp.h>

#include "sim/nova.hpp"

namespace fedstack::sim {
namespace {

constexpr const char* not_allowed = "The method is not allowed for this resource.";

std::string policy_denied(std::string_view rule) {
  return "Policy doesn't allow os_compute_api:" + std::string{rule} + " to be performed.";
}

/// Standard base64 with padding decoded; nullopt when `text` is not that.
std::optional<std::string> decode_base64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  std::size_t padding = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '=') {
      if (i + 2 < text.size()) return std::nullopt;   // only the last two may pad
      ++padding;
      bits <<= 6;
    } else {
      auto at = alphabet.find(text[i]);
      if (at == std::string_view::npos || padding) return std::nullopt;
      bits = (bits << 6) | static_cast<std::uint32_t>(at);
    }
    if (++count == 4) {
      for (int shift = 16; shift >= 0; shift -= 8) out.push_back(static_cast<char>((bits >> shift) & 0xff));
      bits = 0;
      count = 0;
    }
  }
  out.resize(out.size() - padding);
  return out;
}

/// As Nova's (nova/crypto.py, generate_fingerprint): MD5 of the key's data, the
/// second space-separated word base64-decoded, so the comment is not part of it.
/// Nova refuses a key it cannot parse; the simulator takes the word's text then
/// (its tests' keys are placeholders), still without the comment.
std::string fingerprint(std::string_view public_key) {
  auto start = public_key.find(' ');
  auto data = public_key.substr(start + 1);
  data = data.substr(0, data.find(' '));
  auto decoded = decode_base64(data);
  std::string_view key = decoded ? std::string_view(*decoded) : data;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(key.data(), key.size(), digest, &length, EVP_md5(), nullptr);
  auto hex = to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    if (!out.empty()) out += ':';
    out += hex.substr(i, 2);
  }
  return out;
}

} // namespace

reply nova_api::hypervisors(const call& c) {
  if (!c.ctx.is_admin) return error(403, policy_denied("os-hypervisors:list"));
  if (c.r.method != "GET") return error(405, not_allowed);
  std::lock_guard lock{cloud_.mutex};
  const auto& all = cloud_.compute.hypervisors();
  const auto& p = c.path;
  if (p.size() == 2 && p[1] == "statistics") {
    if (c.at_least(88)) return error(404, "The resource could not be found.");
    json stats = {{"count", all.size()}};
    std::int64_t vcpus = 0, memory = 0, disk = 0, vcpus_used = 0, memory_used = 0, disk_used = 0, vms = 0;
    for (const auto& h : all) {
      vcpus += h.vcpus;
      memory += h.memory_mb;
      disk += h.local_gb;
      vcpus_used += h.vcpus_used;
      memory_used += h.memory_mb_used;
      disk_used += h.local_gb_used;
      vms += h.running_vms;
    }
    stats["vcpus"] = vcpus;
    stats["memory_mb"] = memory;
    stats["local_gb"] = disk;
    stats["vcpus_used"] = vcpus_used;
    stats["memory_mb_used"] = memory_used;
    stats["local_gb_used"] = disk_used;
    stats["free_ram_mb"] = memory - memory_used;
    stats["free_disk_gb"] = disk - disk_used;
    stats["current_workload"] = 0;
    stats["running_vms"] = vms;
    stats["disk_available_least"] = disk - disk_used;
    return json_reply(200, {{"hypervisor_statistics", stats}});
  }
  if (p.size() == 1 || (p.size() == 2 && p[1] == "detail")) {
    bool detail = p.size() == 2;
    auto pattern = c.r.query_value("hypervisor_hostname_pattern");
    json list = json::array();
    for (const auto& h : all) {
      if (pattern && h.hostname.find(*pattern) == std::string::npos) continue;
      list.push_back(hypervisor_json(h, c, detail));
    }
    return json_reply(200, {{"hypervisors", list}});
  }
  // Before 2.53, /os-hypervisors/{hostname}/search and .../servers.
  if (p.size() == 3 && !c.at_least(53) && (p[2] == "search" || p[2] == "servers")) {
    json list = json::array();
    for (const auto& h : all) {
      if (h.hostname.find(p[1]) == std::string::npos) continue;
      auto item = hypervisor_json(h, c, false);
      if (p[2] == "servers") {
        json servers = json::array();
        for (const auto* s : cloud_.compute.servers()) {
          if (cloud_.compute.host_of(*s) == h.hostname) servers.push_back({{"uuid", s->id}, {"name", s->instance_name}});
        }
        item["servers"] = servers;
      }
      list.push_back(item);
    }
    if (list.empty()) return error(404, "No hypervisor matching '" + p[1] + "' could be found.");
    return json_reply(200, {{"hypervisors", list}});
  }
  if (p.size() == 3 && p[2] == "uptime" && !c.at_least(88)) {
    for (const auto& h : all) {
      if ((c.at_least(53) && h.uuid == p[1]) || (!c.at_least(53) && std::to_string(h.id) == p[1])) {
        auto item = hypervisor_json(h, c, false);
        item["uptime"] = " 00:00:00 up 1 day,  0:00,  0 users,  load average: 0.00, 0.00, 0.00";
        return json_reply(200, {{"hypervisor", item}});
      }
    }
    return error(404, "Hypervisor with ID '" + p[1] + "' could not be found.");
  }
  if (p.size() == 2) {
    for (const auto& h : all) {
      if ((c.at_least(53) && h.uuid == p[1]) || (!c.at_least(53) && std::to_string(h.id) == p[1])) {
        return json_reply(200, {{"hypervisor", hypervisor_json(h, c, true)}});
      }
    }
    return error(404, "Hypervisor with ID '" + p[1] + "' could not be found.");
  }
  return error(404, "The resource could not be found.");
}

reply nova_api::availability_zones(const call& c) {
  if (c.r.method != "GET") return error(405, not_allowed);
  bool detail = c.path.size() == 2 && c.path[1] == "detail";
  if (c.path.size() > 2 || (c.path.size() == 2 && !detail)) return error(404, "The resource could not be found.");
  if (detail && !c.ctx.is_admin) return error(403, policy_denied("os-availability-zone:detail"));
  std::lock_guard lock{cloud_.mutex};
  const auto& compute = cloud_.compute;
  auto now = format_time(compute.now(), time_style::micros_naive);
  json zones = json::array();
  if (detail) {
    json internal_hosts = {{compute.region() + "-controller",
                            {{"nova-scheduler", {{"available", true}, {"active", true}, {"updated_at", now}}},
                             {"nova-conductor", {{"available", true}, {"active", true}, {"updated_at", now}}}}}};
    zones.push_back({{"zoneName", "internal"}, {"zoneState", {{"available", true}}}, {"hosts", internal_hosts}});
  }
  json hosts = nullptr;
  if (detail) {
    hosts = json::object();
    for (const auto& h : compute.hypervisors()) {
      hosts[h.hostname] = {{"nova-compute", {{"available", true}, {"active", true}, {"updated_at", now}}}};
    }
  }
  zones.push_back({{"zoneName", compute.region()}, {"zoneState", {{"available", true}}}, {"hosts", hosts}});
  return json_reply(200, {{"availabilityZoneInfo", zones}});
}

reply nova_api::limits(const call& c) {
  if (c.r.method != "GET" || c.path.size() != 1) return error(405, not_allowed);
  std::lock_guard lock{cloud_.mutex};
  std::int64_t cores = 0, ram = 0, instances = 0;
  auto project = c.r.query_value("tenant_id").value_or(c.ctx.project_id);
  for (const auto* s : cloud_.compute.servers()) {
    if (s->project_id != project) continue;
    cores += s->flavor.vcpus;
    ram += s->flavor.ram;
    ++instances;
  }
  // The maxima are the quota sets' (nova_quotas.cpp: -1, unlimited, unless an admin set them;
  // a boot enforces instances, cores and RAM).
  json absolute = {{"maxServerMeta", 128}, {"maxImageMeta", 128}};
  if (!c.at_least(57)) {
    absolute["maxPersonality"] = 5;
    absolute["maxPersonalitySize"] = 10240;
  }
  absolute["maxTotalKeypairs"] = 100;
  absolute["maxServerGroups"] = 10;
  absolute["maxServerGroupMembers"] = 10;
  absolute["maxTotalCores"] = quota_of(project, "cores");
  absolute["maxTotalInstances"] = quota_of(project, "instances");
  absolute["maxTotalRAMSize"] = quota_of(project, "ram");
  absolute["totalCoresUsed"] = cores;
  absolute["totalRAMUsed"] = ram;
  absolute["totalInstancesUsed"] = instances;
  absolute["totalServerGroupsUsed"] = 0;
  if (!c.at_least(36)) {
    absolute["maxSecurityGroups"] = 10;
    absolute["maxSecurityGroupRules"] = 20;
    absolute["maxTotalFloatingIps"] = 10;
    absolute["totalSecurityGroupsUsed"] = 0;
    absolute["totalFloatingIpsUsed"] = 0;
  }
  return json_reply(200, {{"limits", {{"rate", json::array()}, {"absolute", absolute}}}});
}

reply nova_api::services(const call& c) {
  if (!c.ctx.is_admin) return error(403, policy_denied("os-services:list"));
  if (c.r.method != "GET" || c.path.size() != 1) return error(405, not_allowed);
  std::lock_guard lock{cloud_.mutex};
  const auto& compute = cloud_.compute;
  auto now = format_time(compute.now(), time_style::micros_naive);
  bool uuids = c.at_least(53);
  json list = json::array();
  auto add = [&](int id, const std::string& uuid, const std::string& binary, const std::string& host, const std::string& zone) {
    if (auto wanted = c.r.query_value("binary"); wanted && *wanted != binary) return;
    if (auto wanted = c.r.query_value("host"); wanted && *wanted != host) return;
    json s = {{"id", uuids ? json(uuid) : json(id)}, {"binary", binary}, {"disabled_reason", nullptr},
              {"host", host}, {"state", "up"}, {"status", "enabled"}, {"updated_at", now}, {"zone", zone}};
    if (c.at_least(11)) s["forced_down"] = false;
    list.push_back(s);
  };
  auto controller = compute.region() + "-controller";
  add(1, new_uuid(), "nova-scheduler", controller, "internal");
  add(2, new_uuid(), "nova-conductor", controller, "internal");
  for (const auto& h : compute.hypervisors()) add(h.service_id, h.service_uuid, "nova-compute", h.hostname, compute.region());
  return json_reply(200, {{"services", list}});
}

reply nova_api::security_groups(const call& c) {
  // The nova-network proxy APIs were removed in 2.36.
  if (c.at_least(36)) return error(404, "The resource could not be found.");
  std::lock_guard lock{cloud_.mutex};
  auto& net = cloud_.networks;
  net.ensure_default_group(c.ctx.project_id);
  auto shown = [](const security_group_record& g) {
    return json{{"id", g.id}, {"name", g.name}, {"description", g.description},
                {"tenant_id", g.project_id}, {"rules", json::array()}};
  };
  // Nova's proxy creates and deletes in its Neutron (nova/api/openstack/compute/
  // security_groups.py, SecurityGroupController: create 200, delete 202).
  if (c.r.method == "POST" && c.path.size() == 1) {
    auto body = json::parse(c.r.body, nullptr, false);
    if (!body.is_object() || !body.contains("security_group") || !body["security_group"].is_object() ||
        !body["security_group"].contains("name") || !body["security_group"]["name"].is_string())
      return error(400, "Invalid input for field/attribute security_group.");
    auto made = net.create_security_group(c.ctx, body["security_group"]);
    if (failed(made)) return error(error_of(made).status, error_of(made).message);
    return json_reply(200, {{"security_group", shown(std::get<security_group_record>(made))}});
  }
  if (c.r.method == "DELETE" && c.path.size() == 2) {
    const auto* g = net.find_security_group(c.ctx, c.path[1]);
    if (!g || g->project_id != c.ctx.project_id) return error(404, "Security group " + c.path[1] + " not found.");
    if (auto e = net.delete_security_group(c.ctx, c.path[1]))
      return error(400, e->status == 409 ? "Security group is still in use" : e->message);
    return empty_reply(202);
  }
  if (c.r.method != "GET") return error(405, not_allowed);
  json list = json::array();
  for (const auto* g : net.security_groups(c.ctx)) {
    if (!c.ctx.is_admin || g->project_id == c.ctx.project_id) {
      if (c.path.size() == 2 && c.path[1] != g->id) continue;
      list.push_back(shown(*g));
    }
  }
  if (c.path.size() == 2) {
    if (list.empty()) return error(404, "Security group " + c.path[1] + " not found.");
    return json_reply(200, {{"security_group", list[0]}});
  }
  return json_reply(200, {{"security_groups", list}});
}

reply nova_api::keypairs(const call& c) {
  std::lock_guard lock{cloud_.mutex};
  auto& mine = keypairs_[c.ctx.user_id];
  auto render = [&](const keypair& k, bool full) {
    json out = {{"name", k.name}, {"public_key", k.public_key}, {"fingerprint", k.fingerprint}};
    if (c.at_least(2)) out["type"] = k.type;
    if (full) {
      out["user_id"] = k.user_id;
      out["created_at"] = k.created_at;
      out["deleted"] = false;
      out["deleted_at"] = nullptr;
      out["updated_at"] = nullptr;
      out["id"] = 1;
    }
    return out;
  };
  if (c.path.size() == 1) {
    if (c.r.method == "GET") {
      json list = json::array();
      for (const auto& [name, k] : mine) list.push_back({{"keypair", render(k, false)}});
      return json_reply(200, {{"keypairs", list}});
    }
    if (c.r.method != "POST") return error(405, not_allowed);
    auto body = parse_json(c.r);
    if (!body || !body->contains("keypair") || !(*body)["keypair"].is_object()) {
      return error(400, "Invalid input for field/attribute keypair. 'keypair' is a required property");
    }
    const auto& in = (*body)["keypair"];
    if (!in.contains("name") || !in["name"].is_string() || in["name"].get<std::string>().empty()) {
      return error(400, "Invalid input for field/attribute name. 'name' is a required property");
    }
    keypair k;
    k.name = in["name"];
    if (mine.count(k.name)) return error(409, "Key pair '" + k.name + "' already exists.");
    k.type = in.contains("type") && in["type"].is_string() ? in["type"].get<std::string>() : "ssh";
    k.user_id = c.ctx.user_id;
    k.created_at = format_time(cloud_.compute.now(), time_style::micros_naive);
    std::string private_key;
    if (in.contains("public_key") && in["public_key"].is_string()) {
      k.public_key = in["public_key"];
      if (k.public_key.find(' ') == std::string::npos) {
        return error(400, "Keypair data is invalid: failed to generate fingerprint");
      }
    } else {
      // Generated keys are placeholders: nothing ever logs in to a simulated server.
      k.public_key = "ssh-rsa AAAAB3NzaC1yc2E" + new_random_token(48) + " Generated-by-Nova";
      private_key = "-----BEGIN RSA PRIVATE KEY-----\n" + new_random_token(96) + "\n-----END RSA PRIVATE KEY-----\n";
    }
    k.fingerprint = fingerprint(k.public_key);
    mine[k.name] = k;
    auto out = render(k, false);
    out["user_id"] = k.user_id;
    if (!private_key.empty()) out["private_key"] = private_key;
    return json_reply(c.at_least(2) ? 201 : 200, {{"keypair", out}});
  }
  const auto& name = c.path[1];
  auto it = mine.find(name);
  if (it == mine.end()) return error(404, "Keypair " + name + " not found for user " + c.ctx.user_id);
  if (c.r.method == "GET") return json_reply(200, {{"keypair", render(it->second, true)}});
  if (c.r.method == "DELETE") {
    mine.erase(it);
    return empty_reply(c.at_least(2) ? 204 : 202);
  }
  return error(405, not_allowed);
}

std::function<bool(std::size_t)> nova_api::group_hosts(const server_group& group) const {
  std::set<std::size_t> used;
  for (const auto& member : group.members)
    for (const auto* s : cloud_.compute.servers())
      if (s->id == member && s->hypervisor) used.insert(*s->hypervisor);
  if (group.policy == "affinity" && !used.empty()) return [used](std::size_t h) { return used.count(h) > 0; };
  if (group.policy == "anti-affinity") return [used](std::size_t h) { return used.count(h) == 0; };
  return {};
}

// Nova's os-server-groups (API reference "Server groups"; the schemas of
// nova/api/openstack/compute/schemas/server_groups.py): `policies` (a list of
// one) up to 2.63 and `policy` with `rules` from 2.64; soft-affinity and
// soft-anti-affinity from 2.15; project_id and user_id shown from 2.13;
// `members` the group's server IDs; an admin lists every project's with all_projects.
reply nova_api::server_groups(const call& c) {
  std::lock_guard lock{cloud_.mutex};
  auto render = [&](const server_group& g) {
    json out = {{"id", g.id}, {"name", g.name}};
    if (c.at_least(64)) {
      out["policy"] = g.policy;
      out["rules"] = json::object();
    } else {
      out["policies"] = json::array({g.policy});
      out["metadata"] = json::object();
    }
    out["members"] = g.members;
    if (c.at_least(13)) {
      out["project_id"] = g.project_id;
      out["user_id"] = g.user_id;
    }
    return out;
  };
  if (c.path.size() == 1) {
    if (c.r.method == "GET") {
      bool all = false;
      if (auto value = c.r.query_value("all_projects")) all = c.ctx.is_admin && parse_bool(*value).value_or(true);
      json list = json::array();
      for (const auto& [id, g] : server_groups_) {
        if (all || g.project_id == c.ctx.project_id) list.push_back(render(g));
      }
      return json_reply(200, {{"server_groups", list}});
    }
    if (c.r.method != "POST") return error(405, not_allowed);
    auto body = parse_json(c.r);
    if (!body || !body->contains("server_group") || !(*body)["server_group"].is_object()) {
      return error(400, "Invalid input for field/attribute server_group. 'server_group' is a required property");
    }
    const auto& in = (*body)["server_group"];
    server_group g;
    g.id = new_uuid();
    g.name = in.contains("name") && in["name"].is_string() ? in["name"].get<std::string>() : "";
    if (c.at_least(64)) {
      if (in.contains("policy") && in["policy"].is_string()) g.policy = in["policy"];
      else return error(400, "Invalid input for field/attribute server_group. 'policy' is a required property");
    } else if (in.contains("policies") && in["policies"].is_array() && in["policies"].size() == 1 &&
               in["policies"][0].is_string()) {
      g.policy = in["policies"][0];
    } else {
      return error(400, "Invalid input for field/attribute server_group. 'policies' is a required property");
    }
    bool soft = g.policy == "soft-affinity" || g.policy == "soft-anti-affinity";
    if (!(g.policy == "affinity" || g.policy == "anti-affinity" || (soft && c.at_least(15)))) {
      return error(400, "Invalid input for field/attribute policy. Value: " + g.policy + ". '" + g.policy +
                          "' is not one of ['anti-affinity', 'affinity'" +
                          (c.at_least(15) ? ", 'soft-anti-affinity', 'soft-affinity'" : "") + "]");
    }
    if (g.name.empty() || g.name.size() > 255) return error(400, "Invalid input for field/attribute name.");
    g.project_id = c.ctx.project_id;
    g.user_id = c.ctx.user_id;
    server_groups_[g.id] = g;
    return json_reply(200, {{"server_group", render(g)}});
  }
  auto it = server_groups_.find(c.path[1]);
  if (it == server_groups_.end() || (it->second.project_id != c.ctx.project_id && !c.ctx.is_admin)) {
    return error(404, "Instance group " + c.path[1] + " could not be found.");
  }
  if (c.r.method == "GET") return json_reply(200, {{"server_group", render(it->second)}});
  if (c.r.method == "DELETE") {
    server_groups_.erase(it);
    return empty_reply(204);
  }
  return error(405, not_allowed);
}

} // namespace fedstack::sim
