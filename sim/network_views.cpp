// Neutron's JSON for each resource, field for field as ML2/OVS answers.
#include <algorithm>

#include "sim/network_store.hpp"

namespace fedstack::sim {
namespace {

std::string stamp_time(time_point t) { return format_time(t, time_style::seconds_z); }

void append_standard(json& out, const standard_attributes& x) {
  out["description"] = x.description;
  out["tags"] = x.tags;
  out["created_at"] = stamp_time(x.created_at);
  out["updated_at"] = stamp_time(x.updated_at);
  out["revision_number"] = x.revision_number;
  out["project_id"] = x.project_id;
}

json optional_json(const std::optional<std::string>& value) { return value ? json(*value) : json(nullptr); }
json optional_json(const std::optional<std::int64_t>& value) { return value ? json(*value) : json(nullptr); }

} // namespace

json network_store::network_json(const network_record& n, const auth_context& ctx) const {
  json out = {{"id", n.id},
              {"name", n.name},
              {"tenant_id", n.project_id},
              {"admin_state_up", n.admin_state_up},
              {"mtu", n.mtu},
              {"status", "ACTIVE"},
              {"subnets", n.subnets},
              {"shared", n.shared},
              {"availability_zone_hints", json::array()},
              {"availability_zones", json::array()},
              {"ipv4_address_scope", nullptr},
              {"ipv6_address_scope", nullptr},
              {"router:external", n.external},
              {"port_security_enabled", n.port_security_enabled}};
  append_standard(out, n);
  // Provider attributes are admin-only in Neutron's default policy.
  if (ctx.is_admin) {
    out["provider:network_type"] = "vxlan";
    out["provider:physical_network"] = nullptr;
    out["provider:segmentation_id"] = n.segmentation_id;
  }
  return out;
}

json network_store::subnet_json(const subnet_record& s) const {
  json pools = json::array();
  for (const auto& p : s.pools) pools.push_back({{"start", p.start.to_string()}, {"end", p.end.to_string()}});
  json out = {{"id", s.id},
              {"name", s.name},
              {"tenant_id", s.project_id},
              {"network_id", s.network_id},
              {"ip_version", s.ip_version()},
              {"subnetpool_id", nullptr},
              {"enable_dhcp", s.enable_dhcp},
              {"ipv6_ra_mode", optional_json(s.ipv6_ra_mode)},
              {"ipv6_address_mode", optional_json(s.ipv6_address_mode)},
              {"gateway_ip", s.gateway ? json(s.gateway->to_string()) : json(nullptr)},
              {"cidr", s.cidr.to_string()},
              {"allocation_pools", pools},
              {"host_routes", s.host_routes},
              {"dns_nameservers", s.dns_nameservers},
              {"service_types", json::array()}};
  append_standard(out, s);
  return out;
}

json network_store::port_json(const port_record& p, const auth_context& ctx) const {
  json ips = json::array();
  for (const auto& ip : p.fixed_ips) ips.push_back({{"subnet_id", ip.subnet_id}, {"ip_address", ip.address.to_string()}});
  json out = {{"id", p.id},
              {"name", p.name},
              {"network_id", p.network_id},
              {"tenant_id", p.project_id},
              {"mac_address", p.mac_address},
              {"admin_state_up", p.admin_state_up},
              {"status", p.status()},
              {"device_id", p.device_id},
              {"device_owner", p.device_owner},
              {"fixed_ips", ips},
              {"allowed_address_pairs", p.allowed_address_pairs},
              {"extra_dhcp_opts", json::array()},
              {"security_groups", p.security_groups},
              {"port_security_enabled", p.port_security_enabled},
              {"binding:vnic_type", p.vnic_type}};
  if (ctx.is_admin) {
    bool bound = !p.binding_host.empty();
    out["binding:profile"] = p.binding_profile;
    out["binding:host_id"] = p.binding_host;
    out["binding:vif_type"] = bound ? "ovs" : "unbound";
    out["binding:vif_details"] = bound ? json{{"port_filter", true}} : json::object();
  }
  append_standard(out, p);
  return out;
}

json network_store::security_group_json(const security_group_record& g) const {
  json rules = json::array();
  std::vector<const security_group_rule*> own;
  for (const auto& [id, r] : rules_) {
    if (r.security_group_id == g.id) own.push_back(&r);
  }
  std::sort(own.begin(), own.end(), [](auto* a, auto* b) { return a->sequence < b->sequence; });
  for (const auto* r : own) rules.push_back(rule_json(*r));
  json out = {{"id", g.id},
              {"name", g.name},
              {"tenant_id", g.project_id},
              {"stateful", g.stateful},
              {"security_group_rules", rules}};
  append_standard(out, g);
  return out;
}

json network_store::rule_json(const security_group_rule& r) const {
  return {{"id", r.id},
          {"tenant_id", r.project_id},
          {"security_group_id", r.security_group_id},
          {"ethertype", r.ethertype},
          {"direction", r.direction},
          {"protocol", optional_json(r.protocol)},
          {"port_range_min", optional_json(r.port_range_min)},
          {"port_range_max", optional_json(r.port_range_max)},
          {"remote_ip_prefix", optional_json(r.remote_ip_prefix)},
          {"remote_address_group_id", nullptr},
          {"normalized_cidr", optional_json(r.remote_ip_prefix)},
          {"remote_group_id", optional_json(r.remote_group_id)},
          {"description", r.description},
          {"tags", json::array()},
          {"created_at", stamp_time(r.created_at)},
          {"updated_at", stamp_time(r.updated_at)},
          {"revision_number", 0},
          {"project_id", r.project_id}};
}

// Routers and floating IPs as the Networking API reference shows them (l3 with
// ext-gw-mode, router_availability_zone, fip-port-details; the lab's extension
// list, docs/openstack-captures/neutron-extensions.txt).
json network_store::router_json(const router_record& r, const auth_context& ctx) const {
  json gateway = nullptr;
  if (!r.gateway_network.empty()) {
    json ips = json::array();
    if (const auto* p = port(r.gateway_port))
      for (const auto& ip : p->fixed_ips) ips.push_back({{"subnet_id", ip.subnet_id}, {"ip_address", ip.address.to_string()}});
    gateway = {{"network_id", r.gateway_network}, {"enable_snat", r.enable_snat}, {"external_fixed_ips", ips}};
  }
  json out = {{"id", r.id},
              {"name", r.name},
              {"tenant_id", r.project_id},
              {"admin_state_up", r.admin_state_up},
              {"status", "ACTIVE"},
              {"external_gateway_info", gateway},
              {"availability_zone_hints", json::array()},
              {"availability_zones", json::array({"nova"})},
              {"routes", json::array()},
              {"flavor_id", nullptr}};
  // distributed and ha are admin-only attributes in Neutron's default policy.
  if (ctx.is_admin) {
    out["distributed"] = false;
    out["ha"] = false;
  }
  append_standard(out, r);
  return out;
}

json network_store::floating_ip_json(const floating_ip_record& f) const {
  json details = nullptr;
  if (const auto* p = port(f.port_id)) {
    details = {{"name", p->name}, {"network_id", p->network_id}, {"mac_address", p->mac_address},
               {"admin_state_up", p->admin_state_up}, {"status", p->status()}, {"device_id", p->device_id},
               {"device_owner", p->device_owner}};
  }
  auto or_null = [](const std::string& x) { return x.empty() ? json(nullptr) : json(x); };
  json out = {{"id", f.id},
              {"tenant_id", f.project_id},
              {"floating_network_id", f.network_id},
              {"floating_ip_address", f.address},
              {"fixed_ip_address", or_null(f.fixed_address)},
              {"port_id", or_null(f.port_id)},
              {"router_id", or_null(f.router_id)},
              {"status", f.port_id.empty() ? "DOWN" : "ACTIVE"},
              {"port_details", details},
              {"port_forwardings", json::array()},
              {"qos_policy_id", nullptr}};
  append_standard(out, f);
  return out;
}

} // namespace fedstack::sim
