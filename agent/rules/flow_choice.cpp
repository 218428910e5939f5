#include "agent/rules/flow_choice.hpp"

#include "agent/rules/l3_rule.hpp"
#include "agent/rules/resource_kinds.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using boost::beast::http::verb;

bool is_image_file(const api::route& route) {
  return route.service == api::service_type::image && route.resource == "images" && route.action == "file" &&
         !route.resource_id.empty();
}

bool is_zone_list(const api::route& route) {
  return route.service == api::service_type::compute && route.resource == "os-availability-zone" &&
         route.action.empty() && (route.resource_id.empty() || route.resource_id == "detail");
}

/// DELETE of one of the caller's own keypairs (an admin's `?user_id=` is passed through).
bool is_keypair_delete(const api::route& route, verb method) {
  return method == verb::delete_ && route.service == api::service_type::compute && route.resource == "os-keypairs" &&
         !route.resource_id.empty() && route.action.empty() && route.query.empty();
}

/// A security group rule's create (POST to the collection) or delete.
bool is_rule_change(const api::route& route, verb method) {
  if (route.service != api::service_type::network || route.resource != "security-group-rules" ||
      !route.action.empty())
    return false;
  return (method == verb::post && route.resource_id.empty()) || (method == verb::delete_ && !route.resource_id.empty());
}

/// Every call under Nova's `/flavors` (agent/flows/flavors.hpp).
bool is_flavor_call(const api::route& route) {
  return route.service == api::service_type::compute && route.resource == "flavors";
}

/// Every call under Cinder's `/types` (agent/flows/volume_types.hpp).
bool is_volume_type_call(const api::route& route) {
  return route.service == api::service_type::volume && route.resource == "types";
}

/// A security group's delete, through Neutron or through Nova's proxy (before 2.36).
bool is_group_delete(const api::route& route, verb method) {
  bool neutron = route.service == api::service_type::network && route.resource == "security-groups";
  bool nova = route.service == api::service_type::compute && route.resource == "os-security-groups";
  return method == verb::delete_ && (neutron || nova) && !route.resource_id.empty() && route.action.empty();
}

/// A security group's PUT (its name or description), which its copies follow.
bool is_group_update(const api::route& route, verb method) {
  return method == verb::put && route.service == api::service_type::network && route.resource == "security-groups" &&
         !route.resource_id.empty() && route.action.empty();
}

/// Nova's server groups read or deleted (a create goes to this agent's cloudlet as is).
bool is_server_group_call(const api::route& route, verb method) {
  if (route.service != api::service_type::compute || route.resource != "os-server-groups" || !route.action.empty())
    return false;
  return (method == verb::get) || (method == verb::delete_ && !route.resource_id.empty());
}

request_body body_of(const api::route& route, verb method) {
  if (is_image_file(route) || method == verb::get || method == verb::head || method == verb::delete_)
    return request_body::none;
  if (route.service == api::service_type::image && method == verb::patch) return request_body::unchecked;
  return request_body::json;
}

resource_call call_of(const api::route& route, verb method, bool recorded) {
  if (is_image_file(route) && method == verb::put) return resource_call::image_upload;
  if (is_image_file(route) && method == verb::get) return resource_call::image_download;
  if (recorded && method == verb::delete_ && route.action.empty()) return resource_call::delete_everywhere;
  return resource_call::forward;
}

} // namespace

bool nova_image_proxy_gone(const api::route& route, std::optional<api::microversion> version) {
  return route.service == api::service_type::compute && route.resource == "images" && version &&
         *version > api::microversion{2, 35};
}

bool is_federated_list(const api::route& route) {
  if (!route.is_collection || !route.resource_id.empty()) return false;
  switch (route.service) {
    case api::service_type::image:
      return route.resource == "images" && route.action.empty();
    case api::service_type::network:
      return (route.resource == "networks" || route.resource == "subnets" || route.resource == "ports" ||
              route.resource == "floatingips" || route.resource == "routers") &&
             route.action.empty();
    case api::service_type::compute:
      // Servers, and Glance's images through Nova's proxy.
      return (route.resource == "servers" || route.resource == "images") &&
             (route.action.empty() || route.action == "detail");
    case api::service_type::volume:
      return (route.resource == "volumes" || route.resource == "snapshots" || route.resource == "backups") &&
             (route.action.empty() || route.action == "detail");
    default:
      return false;
  }
}

bool is_operator_view(const api::route& route) {
  // Cinder's limits and quota sets, their defaults and usage included (operator_sums.hpp).
  if (route.service == api::service_type::volume) {
    if (route.resource == "limits") return route.resource_id.empty() && route.action.empty();
    return route.resource == "os-quota-sets" && !route.resource_id.empty() &&
           (route.action.empty() || route.action == "defaults");
  }
  // Neutron's quota and its details (`quota show`, `--usage`); the defaults are each cloud's own.
  if (route.service == api::service_type::network)
    return route.resource == "quotas" && !route.resource_id.empty() &&
           (route.action.empty() || route.action == "details");
  if (route.service != api::service_type::compute) return false;
  // The lists, the statistics, and one hypervisor by ID (found on its cloudlet).
  if (route.resource == "os-hypervisors")
    return route.action.empty() || (route.resource_id.empty() && (route.action == "detail" || route.action == "statistics"));
  if (route.resource == "limits") return route.resource_id.empty() && route.action.empty();
  // GET /os-quota-sets/{project} and .../detail; the defaults (.../defaults) are each cloud's own.
  if (route.resource == "os-quota-sets")
    return !route.resource_id.empty() && (route.action.empty() || route.action == "detail");
  return false;
}

bool is_read(verb method) { return method == verb::get || method == verb::head; }

flow_choice choose_flow(const api::route& route, verb method, bool operator_path) {
  if (operator_path) return {flow::operator_page};
  switch (route.kind) {
    case api::route_kind::bad: return {flow::malformed};
    case api::route_kind::not_found: return {flow::not_found};
    // Served whatever the method, as the documents always were.
    case api::route_kind::version_list:
    case api::route_kind::version_doc: return {flow::version_document};
    case api::route_kind::api: break;
  }
  if (!route.method_allowed) return {flow::method_not_allowed};
  if (route.service == api::service_type::identity) return {flow::identity};

  // Past here the body is read before the flow runs, whichever it is.
  flow_choice choice;
  choice.body = body_of(route, method);
  auto kind = kind_of(route);
  if (method == verb::get && is_federated_list(route)) choice.flow = flow::list;
  else if (method == verb::get && is_zone_list(route)) choice.flow = flow::zone_list;
  else if (method == verb::get && is_operator_view(route)) choice.flow = flow::operator_view;
  else if (method == verb::post && kind && route.is_collection && route.resource_id.empty() &&
           route.action.empty())
    choice.flow = flow::create;
  else if (recorded_kind_of(route) && !route.resource_id.empty() && api::global_id_owner(route.resource_id))
    choice.flow = flow::recorded_resource;
  else if (is_keypair_delete(route, method))
    choice.flow = flow::keypair_delete;
  else if (is_rule_change(route, method))
    choice.flow = flow::security_group_rule_change;
  else if (is_group_delete(route, method))
    choice.flow = flow::security_group_delete;
  else if (is_flavor_call(route))
    choice.flow = flow::flavor;
  else if (is_volume_type_call(route))
    choice.flow = flow::volume_type;
  else if (is_group_update(route, method))
    choice.flow = flow::security_group_update;
  else if (is_server_group_call(route, method))
    choice.flow = flow::server_groups;
  else if (route.service == api::service_type::network && route.resource == "networks" &&
           is_external_network_id(route.resource_id))
    choice.flow = flow::external_network;
  else
    choice.flow = flow::own_cloudlet;
  if (choice.flow == flow::recorded_resource || choice.flow == flow::own_cloudlet)
    choice.call = call_of(route, method, choice.flow == flow::recorded_resource);
  return choice;
}

} // namespace fedstack::agent
