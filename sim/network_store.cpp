// Neutron networks and subnets.
#include <algorithm>

#include "sim/network_store.hpp"

namespace fedstack::sim {
namespace {

api_error network_not_found(std::string_view id) {
  return not_found("Network " + std::string{id} + " could not be found.", "NetworkNotFound");
}
api_error subnet_not_found(std::string_view id) {
  return not_found("Subnet " + std::string{id} + " could not be found.", "SubnetNotFound");
}
api_error invalid_input(std::string_view detail) {
  return bad_request("Invalid input for operation: " + std::string{detail}, "InvalidInput");
}
api_error policy(std::string_view rule) {
  return forbidden("(rule:" + std::string{rule} + ") is disallowed by policy", "PolicyNotAuthorized");
}

std::optional<bool> bool_field(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end()) return std::nullopt;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) return parse_bool(it->get<std::string>());
  return std::nullopt;
}

/// Default pools: every host address except the gateway (and, for IPv4, the
/// network and broadcast addresses), split around the gateway.
std::vector<allocation_pool> default_pools(const ip_network& cidr, const std::optional<ip_address>& gateway) {
  auto first = add(cidr.base, 1);
  auto last = cidr.last();
  if (cidr.base.version == 4) {
    if (cidr.prefix >= 31) return {{cidr.base, last}};
    // last - 1: skip the broadcast address.
    auto before_broadcast = add(cidr.base, distance(cidr.base, last) - 1);
    last = before_broadcast;
  }
  std::vector<allocation_pool> pools;
  if (gateway && *gateway >= first && *gateway <= last) {
    if (*gateway > first) pools.push_back({first, add(first, distance(first, *gateway) - 1)});
    if (*gateway < last) pools.push_back({add(*gateway, 1), last});
  } else if (first <= last) {
    pools.push_back({first, last});
  }
  return pools;
}

} // namespace

void network_store::stamp(standard_attributes& x, const auth_context& ctx, const json& body, int revision) {
  x.id = new_uuid();
  x.name = body.value("name", std::string{});
  x.description = body.value("description", std::string{});
  x.project_id = ctx.project_id;
  for (const char* key : {"project_id", "tenant_id"}) {
    auto it = body.find(key);
    if (it != body.end() && it->is_string() && ctx.is_admin) x.project_id = it->get<std::string>();
  }
  x.created_at = x.updated_at = clock_();
  x.revision_number = revision;
  x.sequence = next_sequence_++;
}

// --- networks ---

outcome<network_record> network_store::create_network(const auth_context& ctx, const json& body) {
  if (!body.is_object()) return bad_request("Resource body required", "BadRequest");
  for (const char* key : {"name", "description"}) {
    if (body.contains(key) && !body[key].is_string()) {
      return invalid_input(std::string{"'"} + body[key].dump() + "' is not a valid string");
    }
  }
  for (const char* key : {"project_id", "tenant_id"}) {
    if (body.contains(key) && body[key] != ctx.project_id && !ctx.is_admin) {
      return policy("create_network:tenant_id");
    }
  }
  network_record n;
  stamp(n, ctx, body, 1);
  if (auto v = bool_field(body, "admin_state_up")) n.admin_state_up = *v;
  if (auto v = bool_field(body, "port_security_enabled")) n.port_security_enabled = *v;
  if (auto v = bool_field(body, "shared")) {
    if (*v && !ctx.is_admin) return policy("create_network:shared");
    n.shared = *v;
  }
  if (auto v = bool_field(body, "router:external")) {
    if (*v && !ctx.is_admin) return policy("create_network:router:external");
    n.external = *v;
  }
  if (auto mtu = body.find("mtu"); mtu != body.end()) {
    if (!mtu->is_number_integer() || mtu->get<int>() < 68 || mtu->get<int>() > 9000) {
      return invalid_input("'" + mtu->dump() + "' is not a valid MTU");
    }
    n.mtu = mtu->get<int>();
  }
  do {
    n.segmentation_id = static_cast<std::uint32_t>(random_between(1000, 65535));
  } while (!segments_.insert(n.segmentation_id).second);
  ensure_default_group(n.project_id);
  networks_.emplace(n.id, n);
  return n;
}

outcome<network_record> network_store::update_network(const auth_context& ctx, std::string_view id,
                                                      const json& body) {
  auto it = networks_.find(id);
  if (it == networks_.end() || !find_network(ctx, id)) return network_not_found(id);
  if (!owns(ctx, it->second)) return policy("update_network");
  auto n = it->second;
  if (body.contains("name") && body["name"].is_string()) n.name = body["name"];
  if (body.contains("description") && body["description"].is_string()) n.description = body["description"];
  if (auto v = bool_field(body, "admin_state_up")) n.admin_state_up = *v;
  if (auto v = bool_field(body, "port_security_enabled")) n.port_security_enabled = *v;
  if (auto v = bool_field(body, "shared")) {
    if (!ctx.is_admin) return policy("update_network:shared");
    n.shared = *v;
  }
  if (auto v = bool_field(body, "router:external")) {
    if (!ctx.is_admin) return policy("update_network:router:external");
    n.external = *v;
  }
  if (body.contains("mtu") && body["mtu"].is_number_integer()) n.mtu = body["mtu"];
  touch(n);
  it->second = n;
  return n;
}

std::optional<api_error> network_store::delete_network(const auth_context& ctx, std::string_view id) {
  const auto* n = find_network(ctx, id);
  if (!n) return network_not_found(id);
  if (!owns(ctx, *n)) return policy("delete_network");
  // Neutron removes only its own automatic ports (DHCP); any other port blocks.
  bool in_use = std::any_of(ports_.begin(), ports_.end(), [&](const auto& entry) {
    return entry.second.network_id == id;
  });
  if (in_use) {
    return conflict("Unable to complete operation on network " + std::string{id} +
                      ". There are one or more ports still in use on the network.",
                    "NetworkInUse");
  }
  for (const auto& subnet_id : n->subnets) {
    used_ips_.erase(subnet_id);
    subnets_.erase(subnets_.find(subnet_id));
  }
  segments_.erase(n->segmentation_id);
  networks_.erase(networks_.find(id));
  return std::nullopt;
}

const network_record* network_store::find_network(const auth_context& ctx, std::string_view id) const {
  auto it = networks_.find(id);
  if (it == networks_.end()) return nullptr;
  const auto& n = it->second;
  if (owns(ctx, n) || n.shared || n.external) return &n;
  return nullptr;
}

std::vector<const network_record*> network_store::networks(const auth_context& ctx) const {
  std::vector<const network_record*> out;
  for (const auto& [id, n] : networks_) {
    if (find_network(ctx, id)) out.push_back(&n);
  }
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->sequence < b->sequence; });
  return out;
}

const network_record* network_store::network(std::string_view id) const {
  auto it = networks_.find(id);
  return it == networks_.end() ? nullptr : &it->second;
}

// --- subnets ---

outcome<subnet_record> network_store::create_subnet(const auth_context& ctx, const json& body) {
  if (!body.is_object()) return bad_request("Resource body required", "BadRequest");
  auto network_id = body.value("network_id", std::string{});
  if (network_id.empty()) return bad_request("Failed to parse request. Required attribute 'network_id' not specified", "HTTPBadRequest");
  auto net = networks_.find(network_id);
  if (net == networks_.end() || !owns(ctx, net->second)) return network_not_found(network_id);
  if (!body.contains("cidr") || !body["cidr"].is_string()) {
    if (body.contains("subnetpool_id")) return invalid_input("Subnet pools are not simulated.");
    return bad_request("Bad subnets request: a subnetpool must be specified in the absence of a cidr.", "BadRequest");
  }
  auto cidr_text = body["cidr"].get<std::string>();
  auto parsed = parse_cidr(cidr_text);
  if (!parsed) return invalid_input("'" + cidr_text + "' is not a valid IP subnet.");
  int version = body.contains("ip_version") && body["ip_version"].is_number_integer() ? body["ip_version"].get<int>() : 4;
  if (version != 4 && version != 6) return invalid_input("'" + std::to_string(version) + "' is not in [4, 6]");
  if (parsed->network.base.version != version) {
    return invalid_input("Cidr " + cidr_text + " does not match the IP version " + std::to_string(version));
  }
  if (!parsed->exact) {
    return invalid_input("'" + cidr_text + "' isn't a recognized IP subnet cidr, '" +
                         parsed->network.to_string() + "' is recommended");
  }
  for (const auto& other_id : net->second.subnets) {
    if (subnets_.at(other_id).cidr.overlaps(parsed->network)) {
      return invalid_input("Requested subnet with cidr: " + cidr_text + " for network: " + network_id +
                           " overlaps with another subnet");
    }
  }

  subnet_record s;
  stamp(s, ctx, body, 0);
  s.project_id = net->second.project_id;
  if (ctx.is_admin && body.contains("project_id") && body["project_id"].is_string()) s.project_id = body["project_id"];
  s.network_id = network_id;
  s.cidr = parsed->network;
  if (!body.contains("gateway_ip")) {
    s.gateway = add(s.cidr.base, 1);
  } else if (!body["gateway_ip"].is_null()) {
    auto gw = body["gateway_ip"].is_string() ? parse_ip(body["gateway_ip"].get<std::string>()) : std::nullopt;
    if (!gw || !s.cidr.contains(*gw)) return invalid_input("Gateway is not valid on subnet.");
    s.gateway = gw;
  }
  if (auto pools = body.find("allocation_pools"); pools != body.end() && pools->is_array()) {
    for (const auto& pool : *pools) {
      auto start = pool.contains("start") && pool["start"].is_string() ? parse_ip(pool["start"].get<std::string>()) : std::nullopt;
      auto end = pool.contains("end") && pool["end"].is_string() ? parse_ip(pool["end"].get<std::string>()) : std::nullopt;
      if (!start || !end || !s.cidr.contains(*start) || !s.cidr.contains(*end) || *end < *start) {
        return bad_request("The allocation pool " + pool.dump() + " spans beyond the subnet cidr " + cidr_text + ".",
                           "OutOfBoundsAllocationPool");
      }
      s.pools.push_back({*start, *end});
    }
  } else {
    s.pools = default_pools(s.cidr, s.gateway);
  }
  if (auto v = bool_field(body, "enable_dhcp")) s.enable_dhcp = *v;
  if (body.contains("dns_nameservers") && body["dns_nameservers"].is_array()) s.dns_nameservers = body["dns_nameservers"];
  if (body.contains("host_routes") && body["host_routes"].is_array()) s.host_routes = body["host_routes"];
  for (const char* key : {"ipv6_ra_mode", "ipv6_address_mode"}) {
    if (body.contains(key) && body[key].is_string()) {
      (std::string_view{key} == "ipv6_ra_mode" ? s.ipv6_ra_mode : s.ipv6_address_mode) = body[key].get<std::string>();
    }
  }
  net->second.subnets.push_back(s.id);
  touch(net->second);
  used_ips_[s.id];
  subnets_.emplace(s.id, s);
  return s;
}

outcome<subnet_record> network_store::update_subnet(const auth_context& ctx, std::string_view id, const json& body) {
  auto it = subnets_.find(id);
  if (it == subnets_.end() || !find_subnet(ctx, id)) return subnet_not_found(id);
  if (!owns(ctx, it->second)) return policy("update_subnet");
  auto s = it->second;
  if (body.contains("name") && body["name"].is_string()) s.name = body["name"];
  if (body.contains("description") && body["description"].is_string()) s.description = body["description"];
  if (auto v = bool_field(body, "enable_dhcp")) s.enable_dhcp = *v;
  if (body.contains("dns_nameservers") && body["dns_nameservers"].is_array()) s.dns_nameservers = body["dns_nameservers"];
  if (body.contains("host_routes") && body["host_routes"].is_array()) s.host_routes = body["host_routes"];
  if (body.contains("gateway_ip")) {
    if (body["gateway_ip"].is_null()) {
      s.gateway.reset();
    } else {
      auto gw = body["gateway_ip"].is_string() ? parse_ip(body["gateway_ip"].get<std::string>()) : std::nullopt;
      if (!gw || !s.cidr.contains(*gw)) return invalid_input("Gateway is not valid on subnet.");
      s.gateway = gw;
    }
  }
  touch(s);
  it->second = s;
  return s;
}

std::optional<api_error> network_store::delete_subnet(const auth_context& ctx, std::string_view id) {
  const auto* s = find_subnet(ctx, id);
  if (!s) return subnet_not_found(id);
  if (!owns(ctx, *s)) return policy("delete_subnet");
  if (auto used = used_ips_.find(id); used != used_ips_.end() && !used->second.empty()) {
    return conflict("Unable to complete operation on subnet " + std::string{id} +
                      ": One or more ports have an IP allocation from this subnet.",
                    "SubnetInUse");
  }
  auto net = networks_.find(s->network_id);
  if (net != networks_.end()) {
    std::erase(net->second.subnets, std::string{id});
    touch(net->second);
  }
  used_ips_.erase(std::string{id});
  subnets_.erase(subnets_.find(id));
  return std::nullopt;
}

const subnet_record* network_store::find_subnet(const auth_context& ctx, std::string_view id) const {
  auto it = subnets_.find(id);
  if (it == subnets_.end()) return nullptr;
  if (owns(ctx, it->second) || find_network(ctx, it->second.network_id)) return &it->second;
  return nullptr;
}

std::vector<const subnet_record*> network_store::subnets(const auth_context& ctx) const {
  std::vector<const subnet_record*> out;
  for (const auto& [id, s] : subnets_) {
    if (find_subnet(ctx, id)) out.push_back(&s);
  }
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->sequence < b->sequence; });
  return out;
}

const subnet_record* network_store::subnet(std::string_view id) const {
  auto it = subnets_.find(id);
  return it == subnets_.end() ? nullptr : &it->second;
}

} // namespace fedstack::sim
