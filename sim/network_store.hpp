#pragma once
// Neutron's state for one cloudlet: networks, subnets, ports and security groups,
// with fixed-IP allocation. Not thread-safe: the cloudlet's mutex guards it.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/api_error.hpp"
#include "sim/identity.hpp"
#include "sim/ip_address.hpp"
#include "sim/util.hpp"

namespace fedstack::sim {

/// Fields every Neutron resource carries (standard attributes).
struct standard_attributes {
  std::string id, name, description, project_id;
  std::vector<std::string> tags;
  time_point created_at, updated_at;
  int revision_number = 0;
  std::uint64_t sequence = 0;
};

struct network_record : standard_attributes {
  bool admin_state_up = true, shared = false, external = false, port_security_enabled = true;
  int mtu = 1450;
  std::uint32_t segmentation_id = 0;
  std::vector<std::string> subnets;
};

struct allocation_pool {
  ip_address start, end;
};

struct subnet_record : standard_attributes {
  std::string network_id;
  ip_network cidr;
  std::optional<ip_address> gateway;
  std::vector<allocation_pool> pools;
  bool enable_dhcp = true;
  json dns_nameservers = json::array();
  json host_routes = json::array();
  std::optional<std::string> ipv6_ra_mode, ipv6_address_mode;
  int ip_version() const { return cidr.base.version; }
};

struct fixed_ip {
  std::string subnet_id;
  ip_address address;
};

struct port_record : standard_attributes {
  std::string network_id, mac_address, device_id, device_owner, binding_host;
  bool admin_state_up = true, port_security_enabled = true;
  std::vector<fixed_ip> fixed_ips;
  std::vector<std::string> security_groups;
  json allowed_address_pairs = json::array();
  json binding_profile = json::object();
  std::string vnic_type = "normal";
  std::string status() const { return binding_host.empty() ? "DOWN" : "ACTIVE"; }
};

struct security_group_rule {
  std::string id, security_group_id, project_id, direction, ethertype, description;
  std::optional<std::string> protocol, remote_ip_prefix, remote_group_id;
  std::optional<std::int64_t> port_range_min, port_range_max;
  time_point created_at, updated_at;
  std::uint64_t sequence = 0;
};

struct security_group_record : standard_attributes {
  bool stateful = true;
};

/// A router (Neutron's l3 "router" extension, ext-gw-mode): interfaces are
/// ports with device_owner network:router_interface, the gateway a port of
/// the external network with device_owner network:router_gateway.
struct router_record : standard_attributes {
  bool admin_state_up = true, enable_snat = true;
  std::string gateway_network, gateway_port;   // empty: no external gateway
};

/// A floating IP: an address of an external network's subnet (held by a port
/// with device_owner network:floatingip), associated with a port or not.
struct floating_ip_record : standard_attributes {
  std::string network_id, subnet_id, address, holder_port;
  std::string port_id, fixed_address, router_id;   // empty while not associated
};

/// What Nova asks for when it plugs a server into a network.
struct port_request {
  std::string network_id;
  std::optional<std::string> fixed_ip;
  std::string device_id, device_owner, binding_host;
};

class network_store {
public:
  explicit network_store(clock_fn clock) : clock_(std::move(clock)) {}

  // Networks
  outcome<network_record> create_network(const auth_context& ctx, const json& body);
  outcome<network_record> update_network(const auth_context& ctx, std::string_view id, const json& body);
  std::optional<api_error> delete_network(const auth_context& ctx, std::string_view id);
  const network_record* find_network(const auth_context& ctx, std::string_view id) const;
  std::vector<const network_record*> networks(const auth_context& ctx) const;

  // Subnets
  outcome<subnet_record> create_subnet(const auth_context& ctx, const json& body);
  outcome<subnet_record> update_subnet(const auth_context& ctx, std::string_view id, const json& body);
  std::optional<api_error> delete_subnet(const auth_context& ctx, std::string_view id);
  const subnet_record* find_subnet(const auth_context& ctx, std::string_view id) const;
  std::vector<const subnet_record*> subnets(const auth_context& ctx) const;

  // Ports
  outcome<port_record> create_port(const auth_context& ctx, const json& body);
  outcome<port_record> update_port(const auth_context& ctx, std::string_view id, const json& body);
  std::optional<api_error> delete_port(const auth_context& ctx, std::string_view id);
  const port_record* find_port(const auth_context& ctx, std::string_view id) const;
  std::vector<const port_record*> ports(const auth_context& ctx) const;
  /// Nova's side: create a bound port, bind an existing one, release them.
  outcome<port_record> plug(const auth_context& ctx, const port_request& request);
  std::optional<api_error> bind_port(const auth_context& ctx, std::string_view id, const port_request& request);
  void unbind_port(std::string_view id);
  void remove_port(std::string_view id);

  // Security groups (a "default" group appears for each project on first use)
  void ensure_default_group(const std::string& project_id);
  outcome<security_group_record> create_security_group(const auth_context& ctx, const json& body);
  std::optional<api_error> delete_security_group(const auth_context& ctx, std::string_view id);
  const security_group_record* find_security_group(const auth_context& ctx, std::string_view id) const;
  std::vector<const security_group_record*> security_groups(const auth_context& ctx) const;
  outcome<security_group_rule> create_rule(const auth_context& ctx, const json& body);
  std::optional<api_error> delete_rule(const auth_context& ctx, std::string_view id);
  const security_group_rule* find_rule(const auth_context& ctx, std::string_view id) const;
  std::vector<const security_group_rule*> rules(const auth_context& ctx) const;

  // Routers and floating IPs (sim/network_l3.cpp)
  outcome<router_record> create_router(const auth_context& ctx, const json& body);
  outcome<router_record> update_router(const auth_context& ctx, std::string_view id, const json& body);
  std::optional<api_error> delete_router(const auth_context& ctx, std::string_view id);
  const router_record* find_router(const auth_context& ctx, std::string_view id) const;
  std::vector<const router_record*> routers(const auth_context& ctx) const;
  /// PUT /routers/{id}/add_router_interface and remove_router_interface: Neutron's answer.
  outcome<json> add_router_interface(const auth_context& ctx, std::string_view id, const json& body);
  outcome<json> remove_router_interface(const auth_context& ctx, std::string_view id, const json& body);
  outcome<floating_ip_record> create_floating_ip(const auth_context& ctx, const json& body);
  outcome<floating_ip_record> update_floating_ip(const auth_context& ctx, std::string_view id, const json& body);
  std::optional<api_error> delete_floating_ip(const auth_context& ctx, std::string_view id);
  const floating_ip_record* find_floating_ip(const auth_context& ctx, std::string_view id) const;
  std::vector<const floating_ip_record*> floating_ips(const auth_context& ctx) const;
  /// The floating IPs associated with port `port_id`, whoever's (what Nova shows in a server's addresses).
  std::vector<const floating_ip_record*> floating_ips_of_port(std::string_view port_id) const;
  /// An operator's external network (made by `admin_project`, as on a cloud
  /// directly): shared as Neutron shows external networks, one subnet `cidr`.
  void seed_external_network(const std::string& name, const std::string& cidr, const std::string& admin_project);

  /// Tags on any resource (collection is "networks", "subnets", "ports", "security-groups",
  /// "routers", "floatingips").
  std::optional<api_error> set_tags(const auth_context& ctx, std::string_view collection,
                                    std::string_view id, std::optional<std::string> add,
                                    std::optional<std::string> remove, const json* replace_all);
  /// The tags of a resource the caller sees (same collections); nullopt if it does not.
  std::optional<std::vector<std::string>> tags_of(const auth_context& ctx, std::string_view collection,
                                                  std::string_view id);

  // Views
  json network_json(const network_record& n, const auth_context& ctx) const;
  json subnet_json(const subnet_record& s) const;
  json port_json(const port_record& p, const auth_context& ctx) const;
  json security_group_json(const security_group_record& g) const;
  json rule_json(const security_group_rule& r) const;
  json router_json(const router_record& r, const auth_context& ctx) const;
  json floating_ip_json(const floating_ip_record& f) const;

  /// Unfiltered lookups for Nova's views (addresses of a server's ports).
  const port_record* port(std::string_view id) const;
  const network_record* network(std::string_view id) const;
  const subnet_record* subnet(std::string_view id) const;

private:
  /// The resource under `collection` and `id` if the caller sees it (tags), else nullptr.
  standard_attributes* tagged(const auth_context& ctx, std::string_view collection, std::string_view id);

  bool owns(const auth_context& ctx, const standard_attributes& x) const {
    return ctx.is_admin || x.project_id == ctx.project_id;
  }
  void stamp(standard_attributes& x, const auth_context& ctx, const json& body, int revision);
  void touch(standard_attributes& x) {
    x.updated_at = clock_();
    ++x.revision_number;
  }
  outcome<port_record> create_port_locked(const auth_context& ctx, port_record port,
                                          const json* fixed_ips, const json* groups);
  outcome<std::vector<fixed_ip>> allocate(const network_record& net, const json* requested);
  std::optional<ip_address> next_free(const subnet_record& s) const;
  void release(const port_record& p);
  std::string new_mac();
  /// A port the cloud itself holds (router gateway, floating IP): no project, so only admins see it.
  outcome<port_record> system_port(const std::string& network_id, const std::string& owner, const std::string& device,
                                   const json* fixed_ips);
  /// The router linking `port`'s subnets to external network `network`, if any.
  std::optional<std::string> router_reaching(const port_record& port, const std::string& network) const;
  std::optional<api_error> associate(const auth_context& ctx, floating_ip_record& f, const json& body);

  clock_fn clock_;
  std::map<std::string, network_record, std::less<>> networks_;
  std::map<std::string, subnet_record, std::less<>> subnets_;
  std::map<std::string, port_record, std::less<>> ports_;
  std::map<std::string, security_group_record, std::less<>> groups_;
  std::map<std::string, security_group_rule, std::less<>> rules_;
  std::map<std::string, router_record, std::less<>> routers_;
  std::map<std::string, floating_ip_record, std::less<>> floating_ips_;
  std::map<std::string, std::set<ip_address>, std::less<>> used_ips_;   // per subnet
  std::set<std::string> macs_;
  std::set<std::uint32_t> segments_;
  std::uint64_t next_sequence_ = 0;
};

} // namespace fedstack::sim
