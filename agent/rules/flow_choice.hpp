#pragma once
// Which flow answers a request, decided from its route and method alone: the
// one place that reads a route's service, resource and action to choose
// between the agent's own answers, Keystone, the merged lists, the creates,
// a call about one recorded resource and a plain pass-through to the agent's
// own cloudlet (agent/flows/proxy.cpp and resource_proxy.cpp act on it).

#include <optional>

#include <boost/beast/http/verb.hpp>

#include "api/microversion.hpp"
#include "api/route.hpp"

namespace fedstack::agent {

enum class flow {
  operator_page,       // /metrics, /fedstack/: the operator pages, without a token
  malformed,           // 400: the path does not parse
  not_found,           // 404: outside every API
  version_document,    // a version document the agent serves itself (any method)
  method_not_allowed,  // 405 with the route's Allow
  identity,            // the shared Keystone, without the agent's token check
  list,                // one collection merged across every cloudlet
  zone_list,           // one availability zone per cloudlet
  operator_view,       // hypervisor statistics and lists, limits, quota sets: combined over cloudlets
  create,              // a recorded kind made where the scheduler or its network says
  recorded_resource,   // one resource named by a global ID: where its owner's registry places it
  keypair_delete,      // the user's keypair and the copies boots made of it on other cloudlets
  security_group_rule_change,  // a rule added or removed here, then on every copy of its group
  security_group_delete,       // a security group and its copies on other cloudlets
  flavor,              // a flavor call: the union of the cloudlets' flavors, changes on every equal one
  volume_type,         // a Cinder volume type call: as flavors, over the cloudlets with Block Storage
  security_group_update,       // a security group renamed here, then its copies
  server_groups,               // a server group's list, show or delete: its origin's cloudlet and its copies
  external_network,    // an operator's external network by its federation ID (rules/l3_rule.hpp)
  own_cloudlet,        // anything else: passed through to this agent's cloudlet
};

/// What is done at the cloudlet a call about one resource goes to.
enum class resource_call {
  forward,            // the call, with IDs translated both ways
  delete_everywhere,  // a recorded resource's DELETE: every copy, then the primary and its entry
  image_upload,       // image bytes streamed to Glance
  image_download,     // image bytes streamed from Glance
};

/// What the request carries to the flow.
enum class request_body {
  none,       // GET, HEAD, DELETE; image bytes, which the image flows stream
  json,       // read within the body limits; must parse when not empty
  unchecked,  // Glance's JSON patch: read within the limits, Glance judges it
};

struct flow_choice {
  agent::flow flow = agent::flow::not_found;
  resource_call call = resource_call::forward;
  request_body body = request_body::none;
};

/// The flow for a classified request. `operator_path`: is_operator_path of its
/// target (agent/flows/proxy.hpp).
flow_choice choose_flow(const api::route& route, boost::beast::http::verb method, bool operator_path);

/// True for a call to Nova's image proxy (`/v2.1/images...`) at a microversion
/// past 2.35, where Nova removed it and answers 404 (its
/// MAX_PROXY_API_SUPPORT_VERSION): the agent answers so too, before it deletes
/// or looks for anything.
bool nova_image_proxy_gone(const api::route& route, std::optional<api::microversion> version);

/// True for the collections the list flow merges across cloudlets.
bool is_federated_list(const api::route& route);

/// True for the compute and Block Storage reads combined over every cloudlet (rules/operator_sums.hpp).
bool is_operator_view(const api::route& route);

/// True for a call that only reads: it may be answered from a resource found by its marker.
bool is_read(boost::beast::http::verb method);

} // namespace fedstack::agent
