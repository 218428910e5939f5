#pragma once
// Error answers in the shape each OpenStack service (and its clients) uses.
//
// - identity: `{"error": {"code": N, "title": "<reason phrase>", "message": "..."}}`
//   (Keystone; keystonemiddleware uses the same shape for every service's 401).
// - image: Glance answers errors as webob's HTML page (`text/html; charset=UTF-8`), see the
//   captured 404. We do the same: openstacksdk and glanceclient both strip the tags and
//   show the lines, while a flat JSON object such as `{"code":..,"message":..}` would break
//   glanceclient, whose JSON path calls `.get('message')` on every top-level value.
// - network: `{"NeutronError": {"type": "HTTPNotFound", "message": "...", "detail": ""}}`
//   (401 uses the identity shape, as keystonemiddleware answers before Neutron does).
// - compute: `{"itemNotFound": {"code": 404, "message": "..."}}` with Nova's fault names
//   (nova/api/openstack/wsgi.py `Fault._fault_names`, `computeFault` for the rest;
//   401 uses the identity shape).
// - none (paths outside every API): the identity shape, as Keystone owns `/`.

#include "api/service.hpp"

#include <string>
#include <string_view>

namespace fedstack::api {

/// A complete error answer.
struct error_response {
  int status = 500;
  std::string content_type;
  std::string body;
};

/// The error answer for `service` with HTTP `status`. An empty `message` takes webob's
/// default explanation for the status (e.g. 404: "The resource could not be found.").
error_response error_body(service_type service, int status, std::string_view message = {});

/// A Neutron error with an explicit exception type, e.g. ("NetworkNotFound",
/// "Network X could not be found."), as Neutron names its own exceptions.
error_response neutron_error_body(int status, std::string_view type, std::string_view message,
                                  std::string_view detail = {});

/// The 404 each service gives for a missing item of `resource` (the route's resource name),
/// worded as OpenStack words it: Nova "Instance X could not be found." / "Flavor X could not
/// be found.", Glance "No image found with ID X", Neutron type "NetworkNotFound" (also
/// Subnet, Port) "Network X could not be found.". Other resources get the default message.
error_response not_found_error(service_type service, std::string_view resource,
                               std::string_view id);

/// The HTTP reason phrase for `status` ("Not Found"); "Unknown Error" for unknown codes.
std::string_view reason_phrase(int status) noexcept;

/// webob's default explanation for `status`, as OpenStack services show it.
std::string_view default_explanation(int status) noexcept;

/// Nova's fault name for `status` ("itemNotFound", ...; "computeFault" otherwise).
std::string_view nova_fault_name(int status) noexcept;

/// Neutron's type for a webob error with `status` ("HTTPNotFound", ...).
std::string_view neutron_error_type(int status) noexcept;

} // namespace fedstack::api
