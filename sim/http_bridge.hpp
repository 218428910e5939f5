#pragma once
// Puts a pure `service` on the HTTP server: Beast request -> sim::request,
// reply -> Beast response, image data streamed, one log line per request.
// The only place besides sim.cpp that includes Beast.

#include <string>

#include "http/server.hpp"
#include "sim/service.hpp"

namespace fedstack::sim {

class glance_api;
class fault_state;
class faults_api;

struct bridge_options {
  /// Set for Glance endpoints so that image data is streamed instead of buffered.
  glance_api* glance = nullptr;
  /// The cloudlet's injected faults, applied before each request.
  fault_state* faults = nullptr;
  /// Serves /sim/... on this port (the Keystone port).
  faults_api* control = nullptr;
};

/// `label` names the service in logs ("nova/cloudlet-1").
http::handler make_http_handler(service& svc, std::string label, bridge_options options = {});

} // namespace fedstack::sim
