// Neutron's l3 extensions: routers (with ext-gw-mode) and floating IPs, as the
// Networking API v2.0 reference describes them ("Routers", "Floating IPs"):
// a router's interface is a port on the subnet's gateway address
// (device_owner network:router_interface), its external gateway a port of the
// external network (network:router_gateway), a floating IP an address held by
// a port of the external network (network:floatingip). Those ports belong to
// no project, so only admins see them, as in Neutron. A floating IP may be
// associated with a port only when a router of the port's subnet has its
// gateway on the floating IP's network (ExternalGatewayForFloatingIPNotFound).
#include <algorithm>

#include "sim/network_store.hpp"
#include "sim/util.hpp"

namespace fedstack::sim {
namespace {

api_error router_not_found(std::string_view id) {
  return not_found("Router " + std::string{id} + " could not be found.", "RouterNotFound");
}
api_error floating_ip_not_found(std::string_view id) {
  return not_found("Floating IP " + std::string{id} + " could not be found.", "FloatingIPNotFound");
}
api_error port_not_found(std::string_view id) {
  return not_found("Port " + std::string{id} + " could not be found.", "PortNotFound");
}
api_error policy(std::string_view rule) {
  return forbidden("(rule:" + std::string{rule} + ") is disallowed by policy", "PolicyNotAuthorized");
}

std::string gateway_network_of(const json& body) {
  auto it = body.find("external_gateway_info");
  if (it == body.end() || !it->is_object()) return {};
  return it->value("network_id", std::string{});
}

} // namespace

outcome<port_record> network_store::system_port(const std::string& network_id, const std::string& owner,
                                                const std::string& device, const json* fixed_ips) {
  port_record p;
  auth_context none;
  stamp(p, none, json::object(), 1);
  p.project_id.clear();
  p.network_id = network_id;
  p.device_owner = owner;
  p.device_id = device;
  p.port_security_enabled = false;
  return create_port_locked(none, p, fixed_ips, nullptr);
}

// --- routers ---

outcome<router_record> network_store::create_router(const auth_context& ctx, const json& body) {
  if (!body.is_object()) return bad_request("Resource body required", "BadRequest");
  for (const char* key : {"project_id", "tenant_id"}) {
    if (body.contains(key) && body[key] != ctx.project_id && !ctx.is_admin) return policy("create_router:tenant_id");
  }
  router_record r;
  stamp(r, ctx, body, 0);
  if (body.contains("admin_state_up") && body["admin_state_up"].is_boolean()) r.admin_state_up = body["admin_state_up"];
  routers_.emplace(r.id, r);
  if (body.contains("external_gateway_info")) {
    auto updated = update_router(ctx, r.id, {{"external_gateway_info", body["external_gateway_info"]}});
    if (failed(updated)) {
      routers_.erase(r.id);
      return error_of(updated);
    }
    return std::get<router_record>(updated);
  }
  return r;
}

outcome<router_record> network_store::update_router(const auth_context& ctx, std::string_view id, const json& body) {
  auto it = routers_.find(id);
  if (it == routers_.end() || !find_router(ctx, id)) return router_not_found(id);
  auto& r = it->second;
  // Neutron validates a gateway's network_id as a UUID before it changes anything
  // (seen on the lab: Tempest's routers send `{}`; an agent that sent `""` got this).
  const auto info = body.value("external_gateway_info", json());
  if (info.is_object() && info.contains("network_id") &&
      !(info["network_id"].is_string() && is_uuid(info["network_id"].get<std::string>())))
    return bad_request("Invalid input for external_gateway_info. Reason: '" +
                       (info["network_id"].is_string() ? info["network_id"].get<std::string>()
                                                       : info["network_id"].dump()) +
                       "' is not a valid UUID.");
  if (body.contains("name") && body["name"].is_string()) r.name = body["name"];
  if (body.contains("description") && body["description"].is_string()) r.description = body["description"];
  if (body.contains("admin_state_up") && body["admin_state_up"].is_boolean()) r.admin_state_up = body["admin_state_up"];
  if (body.contains("external_gateway_info")) {
    auto wanted = gateway_network_of(body);
    if (wanted != r.gateway_network) {
      if (wanted.empty()) {
        bool used = std::any_of(floating_ips_.begin(), floating_ips_.end(),
                                [&](const auto& f) { return f.second.router_id == r.id; });
        if (used) {
          return conflict("Gateway cannot be updated for router " + r.id +
                            ", since a gateway to external network " + r.gateway_network +
                            " is required by one or more floating IPs.",
                          "RouterExternalGatewayInUseByFloatingIp");
        }
      } else {
        const auto* net = find_network(ctx, wanted);
        if (!net) return not_found("Network " + wanted + " could not be found.", "NetworkNotFound");
        if (!net->external) return bad_request("Bad router request: Network " + wanted + " is not an external network.");
      }
      if (!r.gateway_port.empty()) remove_port(r.gateway_port);
      r.gateway_port.clear();
      r.gateway_network.clear();
      if (!wanted.empty()) {
        auto port = system_port(wanted, "network:router_gateway", r.id, nullptr);
        if (failed(port)) return error_of(port);
        r.gateway_port = std::get<port_record>(port).id;
        r.gateway_network = wanted;
      }
    }
    const auto& info = body["external_gateway_info"];
    if (info.is_object() && info.contains("enable_snat") && info["enable_snat"].is_boolean()) r.enable_snat = info["enable_snat"];
  }
  touch(r);
  return r;
}

std::optional<api_error> network_store::delete_router(const auth_context& ctx, std::string_view id) {
  const auto* r = find_router(ctx, id);
  if (!r) return router_not_found(id);
  bool has_interfaces = std::any_of(ports_.begin(), ports_.end(), [&](const auto& p) {
    return p.second.device_id == id && p.second.device_owner == "network:router_interface";
  });
  if (has_interfaces) return conflict("Router " + std::string{id} + " still has ports", "RouterInUse");
  if (!r->gateway_port.empty()) remove_port(r->gateway_port);
  routers_.erase(routers_.find(id));
  return std::nullopt;
}

const router_record* network_store::find_router(const auth_context& ctx, std::string_view id) const {
  auto it = routers_.find(id);
  if (it == routers_.end() || !owns(ctx, it->second)) return nullptr;
  return &it->second;
}

std::vector<const router_record*> network_store::routers(const auth_context& ctx) const {
  std::vector<const router_record*> out;
  for (const auto& [id, r] : routers_) if (owns(ctx, r)) out.push_back(&r);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->sequence < b->sequence; });
  return out;
}

outcome<json> network_store::add_router_interface(const auth_context& ctx, std::string_view id, const json& body) {
  auto it = routers_.find(id);
  if (it == routers_.end() || !find_router(ctx, id)) return router_not_found(id);
  auto subnet_id = body.value("subnet_id", std::string{});
  auto port_id = body.value("port_id", std::string{});
  if (subnet_id.empty() == port_id.empty())
    return bad_request("Bad router request: Either subnet_id or port_id must be specified.");
  if (!port_id.empty()) return bad_request("Bad router request: Adding an interface by port is not simulated.");
  const auto* s = find_subnet(ctx, subnet_id);
  if (!s) return not_found("Subnet " + subnet_id + " could not be found.", "SubnetNotFound");
  if (!s->gateway)
    return bad_request("Bad router request: Subnet for router interface must have a gateway IP.");
  for (const auto& [pid, p] : ports_) {
    if (p.device_owner != "network:router_interface" || p.device_id != id) continue;
    for (const auto& ip : p.fixed_ips)
      if (ip.subnet_id == subnet_id)
        return bad_request("Bad router request: Router already has a port on subnet " + subnet_id + ".");
  }
  if (used_ips_[subnet_id].count(*s->gateway))
    return conflict("IP address " + s->gateway->to_string() + " already allocated in subnet " + subnet_id,
                    "IpAddressAlreadyAllocated");
  port_record p;
  stamp(p, ctx, json::object(), 1);
  p.project_id = it->second.project_id;
  p.network_id = s->network_id;
  p.device_owner = "network:router_interface";
  p.device_id = std::string{id};
  p.port_security_enabled = false;
  p.mac_address = new_mac();
  p.fixed_ips.push_back({subnet_id, *s->gateway});
  used_ips_[subnet_id].insert(*s->gateway);
  ports_.emplace(p.id, p);
  touch(it->second);
  return json{{"id", it->second.id}, {"tenant_id", it->second.project_id}, {"project_id", it->second.project_id},
              {"network_id", s->network_id}, {"subnet_id", subnet_id}, {"subnet_ids", json::array({subnet_id})},
              {"port_id", p.id}};
}

outcome<json> network_store::remove_router_interface(const auth_context& ctx, std::string_view id, const json& body) {
  auto it = routers_.find(id);
  if (it == routers_.end() || !find_router(ctx, id)) return router_not_found(id);
  auto subnet_id = body.value("subnet_id", std::string{});
  auto port_id = body.value("port_id", std::string{});
  if (subnet_id.empty() && port_id.empty())
    return bad_request("Bad router request: Either subnet_id or port_id must be specified.");
  for (const auto& [pid, p] : ports_) {
    if (p.device_owner != "network:router_interface" || p.device_id != id) continue;
    if (!port_id.empty() && pid != port_id) continue;
    if (!subnet_id.empty() && (p.fixed_ips.empty() || p.fixed_ips.front().subnet_id != subnet_id)) continue;
    auto subnet = p.fixed_ips.empty() ? std::string{} : p.fixed_ips.front().subnet_id;
    bool needed = std::any_of(floating_ips_.begin(), floating_ips_.end(), [&](const auto& f) {
      const auto* fp = port(f.second.port_id);
      return f.second.router_id == id && fp &&
             std::any_of(fp->fixed_ips.begin(), fp->fixed_ips.end(), [&](auto& ip) { return ip.subnet_id == subnet; });
    });
    if (needed) {
      return conflict("Router interface for subnet " + subnet + " on router " + std::string{id} +
                        " cannot be deleted, as it is required by one or more floating IPs.",
                      "RouterInterfaceInUseByFloatingIP");
    }
    json answer{{"id", it->second.id}, {"tenant_id", it->second.project_id}, {"project_id", it->second.project_id},
                {"network_id", p.network_id}, {"subnet_id", subnet}, {"subnet_ids", json::array({subnet})},
                {"port_id", pid}};
    remove_port(std::string{pid});
    touch(it->second);
    return answer;
  }
  if (!port_id.empty()) return port_not_found(port_id);
  return not_found("Router " + std::string{id} + " has no interface on subnet " + subnet_id, "RouterInterfaceNotFoundForSubnet");
}

std::optional<std::string> network_store::router_reaching(const port_record& p, const std::string& network) const {
  for (const auto& [rid, r] : routers_) {
    if (r.gateway_network != network) continue;
    for (const auto& [pid, iface] : ports_) {
      if (iface.device_owner != "network:router_interface" || iface.device_id != rid) continue;
      for (const auto& ip : p.fixed_ips)
        if (!iface.fixed_ips.empty() && iface.fixed_ips.front().subnet_id == ip.subnet_id) return rid;
    }
  }
  return std::nullopt;
}

// --- floating IPs ---

std::optional<api_error> network_store::associate(const auth_context& ctx, floating_ip_record& f, const json& body) {
  auto it = body.find("port_id");
  if (it == body.end()) return std::nullopt;
  if (it->is_null()) {
    f.port_id.clear();
    f.fixed_address.clear();
    f.router_id.clear();
    return std::nullopt;
  }
  auto port_id = it->is_string() ? it->get<std::string>() : std::string{};
  const auto* p = find_port(ctx, port_id);
  if (!p) return port_not_found(port_id);
  if (p->fixed_ips.empty())
    return bad_request("Bad floatingip request: Port " + port_id + " does not have any IP addresses.");
  for (const auto& [other_id, other] : floating_ips_) {
    if (other_id != f.id && other.port_id == port_id)
      return conflict("Cannot associate floating IP " + f.address + " (" + f.id + ") with port " + port_id +
                        " using fixed IP " + p->fixed_ips.front().address.to_string() +
                        ", as that fixed IP already has a floating IP on external network " + other.network_id + ".",
                      "FloatingIPPortAlreadyAssociated");
  }
  auto router = router_reaching(*p, f.network_id);
  if (!router) {
    return not_found("External network " + f.network_id + " is not reachable from subnet " +
                       p->fixed_ips.front().subnet_id + ".  Therefore, cannot associate Port " + port_id +
                       " with a Floating IP.",
                     "ExternalGatewayForFloatingIPNotFound");
  }
  f.port_id = port_id;
  f.fixed_address = p->fixed_ips.front().address.to_string();
  f.router_id = *router;
  return std::nullopt;
}

outcome<floating_ip_record> network_store::create_floating_ip(const auth_context& ctx, const json& body) {
  if (!body.is_object()) return bad_request("Resource body required", "BadRequest");
  auto network_id = body.value("floating_network_id", std::string{});
  if (network_id.empty())
    return bad_request("Failed to parse request. Required attribute 'floating_network_id' not specified", "HTTPBadRequest");
  const auto* net = find_network(ctx, network_id);
  if (!net) return not_found("Network " + network_id + " could not be found.", "NetworkNotFound");
  if (!net->external)
    return bad_request("Bad floatingip request: Network " + network_id + " is not a valid external network.");
  floating_ip_record f;
  stamp(f, ctx, body, 0);
  f.network_id = network_id;
  json wanted = json::array();
  if (body.contains("floating_ip_address") && body["floating_ip_address"].is_string()) {
    if (!ctx.is_admin) return policy("create_floatingip:floating_ip_address");
    wanted.push_back({{"ip_address", body["floating_ip_address"]}});
  }
  if (auto e = associate(ctx, f, body)) return *e;
  auto holder = system_port(network_id, "network:floatingip", f.id, wanted.empty() ? nullptr : &wanted);
  if (failed(holder)) return error_of(holder);
  const auto& port = std::get<port_record>(holder);
  f.holder_port = port.id;
  f.subnet_id = port.fixed_ips.front().subnet_id;
  f.address = port.fixed_ips.front().address.to_string();
  floating_ips_.emplace(f.id, f);
  return f;
}

outcome<floating_ip_record> network_store::update_floating_ip(const auth_context& ctx, std::string_view id,
                                                              const json& body) {
  auto it = floating_ips_.find(id);
  if (it == floating_ips_.end() || !find_floating_ip(ctx, id)) return floating_ip_not_found(id);
  auto f = it->second;
  if (body.contains("description") && body["description"].is_string()) f.description = body["description"];
  if (auto e = associate(ctx, f, body)) return *e;
  touch(f);
  it->second = f;
  return f;
}

std::optional<api_error> network_store::delete_floating_ip(const auth_context& ctx, std::string_view id) {
  const auto* f = find_floating_ip(ctx, id);
  if (!f) return floating_ip_not_found(id);
  remove_port(f->holder_port);
  floating_ips_.erase(floating_ips_.find(id));
  return std::nullopt;
}

const floating_ip_record* network_store::find_floating_ip(const auth_context& ctx, std::string_view id) const {
  auto it = floating_ips_.find(id);
  if (it == floating_ips_.end() || !owns(ctx, it->second)) return nullptr;
  return &it->second;
}

std::vector<const floating_ip_record*> network_store::floating_ips(const auth_context& ctx) const {
  std::vector<const floating_ip_record*> out;
  for (const auto& [id, f] : floating_ips_) if (owns(ctx, f)) out.push_back(&f);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->sequence < b->sequence; });
  return out;
}

std::vector<const floating_ip_record*> network_store::floating_ips_of_port(std::string_view port_id) const {
  std::vector<const floating_ip_record*> out;
  for (const auto& [id, f] : floating_ips_) if (f.port_id == port_id) out.push_back(&f);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->sequence < b->sequence; });
  return out;
}

void network_store::seed_external_network(const std::string& name, const std::string& cidr,
                                          const std::string& admin_project) {
  auth_context admin;
  admin.is_admin = true;
  admin.project_id = admin_project;
  auto net = create_network(admin, {{"name", name}, {"router:external", true}});
  if (failed(net)) return;
  const auto& id = std::get<network_record>(net).id;
  create_subnet(admin, {{"name", name + "-subnet"}, {"network_id", id}, {"cidr", cidr}, {"enable_dhcp", false}});
}

} // namespace fedstack::sim
