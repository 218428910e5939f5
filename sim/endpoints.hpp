#pragma once
// Where the simulated services listen; shared by the catalog and the public API.

#include <string>
#include <vector>

namespace fedstack::sim {

/// The URLs of one cloudlet (a Keystone region). `compute_url` ends with /v2.1;
/// `volume_url` is Cinder's root (the catalog adds /v3/%(project_id)s).
struct cloudlet_endpoints {
  std::string region;
  std::string image_url;
  std::string network_url;
  std::string compute_url;
  std::string volume_url;
};

struct sim_endpoints {
  std::string keystone_url;   // "http://127.0.0.1:5000" (the CLI's OS_AUTH_URL adds /v3)
  std::vector<cloudlet_endpoints> cloudlets;
};

} // namespace fedstack::sim
