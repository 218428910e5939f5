#pragma once
// `fedstack sim`: one process serving a shared Keystone v3 and N cloudlets, each
// with Glance v2, Neutron v2.0, Nova v2.1 and Cinder v3 on its own port, close enough to
// OpenStack Zed for the `openstack` CLI, openstacksdk and Rally.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/endpoints.hpp"

namespace boost::asio {
class io_context;
}

namespace fedstack::sim {

class identity;
struct cloudlet;

struct sim_options {
  std::string address = "127.0.0.1";
  std::uint16_t keystone_port = 0;   // 0: any free port
  int cloudlets = 1;
  std::string data_dir;              // image bytes live in data_dir/<region>/images/<id>;
                                     // empty: a temporary directory removed on destruction
  std::string admin_user = "admin", admin_password = "secret", admin_project = "admin";
  std::chrono::milliseconds build_delay{2000};   // BUILD -> ACTIVE
  std::chrono::milliseconds volume_delay{1000};  // Cinder's creating -> available (snapshots, backups, extends too)
  std::int64_t volume_capacity_gb = 1000;        // each cloudlet's storage pool
  std::chrono::seconds token_ttl{3600};
  int hypervisors_per_cloudlet = 1;
  std::int64_t hypervisor_ram_mb = 65536, hypervisor_disk_gb = 1000;
  int hypervisor_vcpus = 64;
  /// Non-empty: every cloudlet holds an operator's external network of this
  /// name (made by the admin project, as DevStack makes `public`), one subnet
  /// 172.24.<3 + n>.0/24 on cloudlet n.
  std::string external_network;
};

/// Region name of cloudlet `index` (0-based): "cloudlet-1", "cloudlet-2", ...
std::string region_name(int index);

class simulator {
public:
  simulator(boost::asio::io_context& io, sim_options options);
  ~simulator();
  simulator(const simulator&) = delete;
  simulator& operator=(const simulator&) = delete;

  /// Binds every service (Keystone first) and returns their URLs. Requests are
  /// served by whoever runs the io_context. Throws when a port cannot be bound.
  sim_endpoints start();
  /// Closes all listeners and connections; the state stays readable.
  void stop();

  const sim_endpoints& endpoints() const;
  /// The in-process state, for tests.
  identity& keystone_state();
  cloudlet& cloudlet_state(int index);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// `fedstack sim [--cloudlets N] [--keystone-port P] [--data-dir D]
/// [--build-delay-ms M] [--address A] [--endpoints-file F] ...`: starts the
/// simulator, prints its endpoints as one JSON line on stdout (and to F), and
/// runs until SIGINT/SIGTERM. Returns the process exit code.
int run_sim_command(int argc, char** argv);

/// The endpoints document printed by `fedstack sim`.
std::string endpoints_json(const sim_endpoints& endpoints);

} // namespace fedstack::sim
