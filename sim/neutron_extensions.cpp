// The extension list of the captured Zed ML2/OVS Neutron (neutron-extensions.txt),
// and what it implies for request bodies. Clients such as openstacksdk probe it
// before using optional attributes.
#include "sim/neutron.hpp"

namespace fedstack::sim {

const json& neutron_extensions() {
  static const json extensions = json::parse(R"json([
{"name":"Address group","alias":"address-group","description":"Support address group","updated":"2020-07-15T10:00:00-00:00","links":[]},
{"name":"Address scope","alias":"address-scope","description":"Address scopes extension.","updated":"2015-07-26T10:00:00-00:00","links":[]},
{"name":"Enforce Router's Admin State Down Before Update Extension","alias":"router-admin-state-down-before-update","description":"Ensure that the admin state of a router is DOWN (admin_state_up=False) before updating the distributed attribute","updated":"2019-07-02T15:56:00","links":[]},
{"name":"agent","alias":"agent","description":"The agent management extension.","updated":"2013-02-03T10:00:00-00:00","links":[]},
{"name":"Agent's Resource View Synced to Placement","alias":"agent-resources-synced","description":"Stores success/failure of last sync to Placement","updated":"2018-12-19T00:00:00-00:00","links":[]},
{"name":"Allowed Address Pairs","alias":"allowed-address-pairs","description":"Provides allowed address pairs","updated":"2013-07-23T10:00:00-00:00","links":[]},
{"name":"Auto Allocated Topology Services","alias":"auto-allocated-topology","description":"Auto Allocated Topology Services.","updated":"2016-01-01T00:00:00-00:00","links":[]},
{"name":"Availability Zone","alias":"availability_zone","description":"The availability zone extension.","updated":"2015-01-01T10:00:00-00:00","links":[]},
{"name":"Availability Zone Filter Extension","alias":"availability_zone_filter","description":"Add filter parameters to AvailabilityZone resource","updated":"2018-06-22T10:00:00-00:00","links":[]},
{"name":"Default Subnetpools","alias":"default-subnetpools","description":"Provides ability to mark and use a subnetpool as the default.","updated":"2016-02-18T18:00:00-00:00","links":[]},
{"name":"DHCP Agent Scheduler","alias":"dhcp_agent_scheduler","description":"Schedule networks among dhcp agents","updated":"2013-02-07T10:00:00-00:00","links":[]},
{"name":"Distributed Virtual Router","alias":"dvr","description":"Enables configuration of Distributed Virtual Routers.","updated":"2014-06-1T10:00:00-00:00","links":[]},
{"name":"Empty String Filtering Extension","alias":"empty-string-filtering","description":"Allow filtering by attributes with empty string value","updated":"2018-05-01T10:00:00-00:00","links":[]},
{"name":"Neutron external network","alias":"external-net","description":"Adds external network attribute to network resource.","updated":"2013-01-14T10:00:00-00:00","links":[]},
{"name":"Neutron Extra DHCP options","alias":"extra_dhcp_opt","description":"Extra options configuration for DHCP. For example PXE boot options to DHCP clients can be specified (e.g. tftp-server, server-ip-address, bootfile-name)","updated":"2013-03-17T12:00:00-00:00","links":[]},
{"name":"Neutron Extra Route","alias":"extraroute","description":"Extra routes configuration for L3 router","updated":"2013-02-01T10:00:00-00:00","links":[]},
{"name":"Atomically add/remove extra routes","alias":"extraroute-atomic","description":"Edit extra routes of a router on server side by atomically adding/removing extra routes","updated":"2019-07-10T00:00:00+00:00","links":[]},
{"name":"Filter parameters validation","alias":"filter-validation","description":"Provides validation on filter parameters.","updated":"2018-07-04T10:00:00-00:00","links":[]},
{"name":"Floating IP port forwarding detail","alias":"floating-ip-port-forwarding-detail","description":"Allow list floating ip return more port forwarding data, include'id' and 'internal_port_id'","updated":"2022-05-06T10:00:00-00:00","links":[]},
{"name":"Floating IP Port Details Extension","alias":"fip-port-details","description":"Add port_details attribute to Floating IP resource","updated":"2018-04-09T10:00:00-00:00","links":[]},
{"name":"Neutron Service Flavors","alias":"flavors","description":"Flavor specification for Neutron advanced services.","updated":"2015-09-17T10:00:00-00:00","links":[]},
{"name":"Floating IP Pools Extension","alias":"floatingip-pools","description":"Provides a floating IP pools API.","updated":"2018-03-21T10:00:00-00:00","links":[]},
{"name":"IP address substring filtering","alias":"ip-substring-filtering","description":"Provides IP address substring filtering when listing ports","updated":"2017-11-28T09:00:00-00:00","links":[]},
{"name":"Neutron L3 Router","alias":"router","description":"Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway.","updated":"2012-07-20T10:00:00-00:00","links":[]},
{"name":"Neutron L3 Configurable external gateway mode","alias":"ext-gw-mode","description":"Extension of the router abstraction for specifying whether SNAT should occur on the external gateway","updated":"2013-03-28T10:00:00-00:00","links":[]},
{"name":"HA Router extension","alias":"l3-ha","description":"Adds HA capability to routers.","updated":"2014-04-26T00:00:00-00:00","links":[]},
{"name":"Router Flavor Extension","alias":"l3-flavors","description":"Flavor support for routers.","updated":"2016-05-17T00:00:00-00:00","links":[]},
{"name":"Prevent L3 router ports IP address change extension","alias":"l3-port-ip-change-not-allowed","description":"Prevent change of IP address for some L3 router ports","updated":"2018-10-09T10:00:00-00:00","links":[]},
{"name":"L3 Agent Scheduler","alias":"l3_agent_scheduler","description":"Schedule routers among l3 agents","updated":"2013-02-07T10:00:00-00:00","links":[]},
{"name":"Multi Provider Network","alias":"multi-provider","description":"Expose mapping of virtual networks to multiple physical networks","updated":"2013-06-27T10:00:00-00:00","links":[]},
{"name":"Network MTU","alias":"net-mtu","description":"Provides MTU attribute for a network resource.","updated":"2015-03-25T10:00:00-00:00","links":[]},
{"name":"Network MTU (writable)","alias":"net-mtu-writable","description":"Provides a writable MTU attribute for a network resource.","updated":"2017-07-12T00:00:00-00:00","links":[]},
{"name":"Network Availability Zone","alias":"network_availability_zone","description":"Availability zone support for network.","updated":"2015-01-01T10:00:00-00:00","links":[]},
{"name":"Network IP Availability","alias":"network-ip-availability","description":"Provides IP availability data for each network and subnet.","updated":"2015-09-24T00:00:00-00:00","links":[]},
{"name":"Pagination support","alias":"pagination","description":"Extension that indicates that pagination is enabled.","updated":"2016-06-12T00:00:00-00:00","links":[]},
{"name":"Port device profile","alias":"port-device-profile","description":"Expose the port device profile (Cyborg)","updated":"2020-12-17T10:00:00-00:00","links":[]},
{"name":"Neutron Port MAC address override","alias":"port-mac-override","description":"Allow overriding the MAC address of a direct-physical Port via the active binding profile","updated":"2022-03-18T10:00:00-00:00","links":[]},
{"name":"Neutron Port MAC address regenerate","alias":"port-mac-address-regenerate","description":"Network port MAC address regenerate","updated":"2018-05-03T10:00:00-00:00","links":[]},
{"name":"Port NUMA affinity policy","alias":"port-numa-affinity-policy","description":"Expose the port NUMA affinity policy","updated":"2020-07-08T10:00:00-00:00","links":[]},
{"name":"Port Binding","alias":"binding","description":"Expose port bindings of a virtual port to external application","updated":"2014-02-03T10:00:00-00:00","links":[]},
{"name":"Port Bindings Extended","alias":"binding-extended","description":"Expose port bindings of a virtual port to external application","updated":"2017-07-17T10:00:00-00:00","links":[]},
{"name":"Port Security","alias":"port-security","description":"Provides port security","updated":"2012-07-23T10:00:00-00:00","links":[]},
{"name":"project_id field enabled","alias":"project-id","description":"Extension that indicates that project_id field is enabled.","updated":"2016-09-09T09:09:09-09:09","links":[]},
{"name":"Provider Network","alias":"provider","description":"Expose mapping of virtual networks to physical networks","updated":"2012-09-07T10:00:00-00:00","links":[]},
{"name":"Quota engine limit check","alias":"quota-check-limit","description":"Support for checking the resource usage before applying a new quota limit","updated":"2021-09-08T16:00:00-00:00","links":[]},
{"name":"Quota management support","alias":"quotas","description":"Expose functions for quotas management per project","updated":"2012-07-29T10:00:00-00:00","links":[]},
{"name":"Quota details management support","alias":"quota_details","description":"Expose functions for quotas usage statistics per project","updated":"2017-02-10T10:00:00-00:00","links":[]},
{"name":"RBAC Policies","alias":"rbac-policies","description":"Allows creation and modification of policies that control tenant access to resources.","updated":"2015-06-17T12:15:12-00:00","links":[]},
{"name":"Add address_group type to RBAC","alias":"rbac-address-group","description":"Add address_group type to network RBAC","updated":"2021-01-20T00:00:00-00:00","links":[]},
{"name":"Add address_scope type to RBAC","alias":"rbac-address-scope","description":"Add address_scope type to RBAC","updated":"2020-02-12T00:00:00-00:00","links":[]},
{"name":"Add security_group type to network RBAC","alias":"rbac-security-groups","description":"Add security_group type to network RBAC","updated":"2019-02-14T00:00:00-00:00","links":[]},
{"name":"Add subnetpool type to RBAC","alias":"rbac-subnetpool","description":"Add subnetpool type to RBAC","updated":"2020-02-05T00:00:00-00:00","links":[]},
{"name":"If-Match constraints based on revision_number","alias":"revision-if-match","description":"Extension indicating that If-Match based on revision_number is supported.","updated":"2016-12-11T00:00:00-00:00","links":[]},
{"name":"Resource revision numbers","alias":"standard-attr-revisions","description":"This extension will display the revision number of neutron resources.","updated":"2016-04-11T10:00:00-00:00","links":[]},
{"name":"Router Availability Zone","alias":"router_availability_zone","description":"Availability zone support for router.","updated":"2015-01-01T10:00:00-00:00","links":[]},
{"name":"Normalized CIDR field for security group rules","alias":"security-groups-normalized-cidr","description":"Add new field with normalized remote_ip_prefix cidr in SG rule","updated":"2020-07-28T10:00:00-00:00","links":[]},
{"name":"Port filtering on security groups","alias":"port-security-groups-filtering","description":"Provides security groups filtering when listing ports","updated":"2018-01-09T09:00:00-00:00","links":[]},
{"name":"Remote address group id field for security group rules","alias":"security-groups-remote-address-group","description":"Add new field of remote address group id in SG rules","updated":"2020-08-25T10:00:00-00:00","links":[]},
{"name":"Security group filtering on the shared field","alias":"security-groups-shared-filtering","description":"Support filtering security groups on the shared field","updated":"2021-10-05T09:00:00-00:00","links":[]},
{"name":"security-group","alias":"security-group","description":"The security groups extension.","updated":"2012-10-05T10:00:00-00:00","links":[]},
{"name":"Neutron Service Type Management","alias":"service-type","description":"API for retrieving service providers for Neutron advanced services","updated":"2013-01-20T00:00:00-00:00","links":[]},
{"name":"Sorting support","alias":"sorting","description":"Extension that indicates that sorting is enabled.","updated":"2016-06-12T00:00:00-00:00","links":[]},
{"name":"standard-attr-description","alias":"standard-attr-description","description":"Extension to add descriptions to standard attributes","updated":"2016-02-10T10:00:00-00:00","links":[]},
{"name":"Stateful security group","alias":"stateful-security-group","description":"Indicates if the security group is stateful or not","updated":"2019-11-26T09:00:00-00:00","links":[]},
{"name":"Subnet Onboard","alias":"subnet_onboard","description":"Provides support for onboarding subnets into subnet pools","updated":"2018-12-18T09:00:00-00:00","links":[]},
{"name":"Subnet service types","alias":"subnet-service-types","description":"Provides ability to set the subnet service_types field","updated":"2016-03-15T18:00:00-00:00","links":[]},
{"name":"Subnet Allocation","alias":"subnet_allocation","description":"Enables allocation of subnets from a subnet pool","updated":"2015-03-30T10:00:00-00:00","links":[]},
{"name":"Subnet Pool Prefix Operations","alias":"subnetpool-prefix-ops","description":"Provides support for adjusting the prefix list of subnet pools","updated":"2019-02-08T10:00:00-00:00","links":[]},
{"name":"Tag support for resources with standard attribute: port, subnet, subnetpool, network, security_group, router, floatingip, policy, trunk, network_segment_range","alias":"standard-attr-tag","description":"Enables to set tag on resources with standard attribute.","updated":"2017-01-01T00:00:00-00:00","links":[]},
{"name":"Resource timestamps","alias":"standard-attr-timestamp","description":"Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes.","updated":"2016-09-12T10:00:00-00:00","links":[]}
])json");
  return extensions;
}

// The list has standard-attr-tag but neither tag-creation nor
// tag-ports-during-bulk-creation. Zed's attribute map then allows tags in POST
// only for ports, and without that ML2 driver a port's tags are validated and
// dropped. Tags are set with PUT .../tags/{tag} after the create.
std::optional<api_error> check_create_tags(std::string_view collection, const json& item) {
  if (!item.is_object() || !item.contains("tags")) return std::nullopt;
  // Security group rules have no tag attribute at all in Zed.
  if (collection == "security-group-rules") return bad_request("Unrecognized attribute(s) 'tags'", "HTTPBadRequest");
  if (collection != "ports") return bad_request("Attribute 'tags' not allowed in POST", "HTTPBadRequest");
  const auto& tags = item["tags"];
  auto reject = [](const std::string& reason) {
    return bad_request("Invalid input for tags. Reason: " + reason + ".", "HTTPBadRequest");
  };
  if (!tags.is_array()) return reject("'" + tags.dump() + "' is not a list");
  for (const auto& tag : tags) {
    if (!tag.is_string()) return reject("'" + tag.dump() + "' is not a valid string");
  }
  return std::nullopt;
}

} // namespace fedstack::sim
