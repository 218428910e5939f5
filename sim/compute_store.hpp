#pragma once
// Nova's state for one cloudlet: flavors, hypervisors with finite RAM/disk/vCPU,
// servers, and the scheduler that places servers on hypervisors. A server's
// BUILD -> ACTIVE transition is derived from timestamps, so no timers run.
// Not thread-safe: the cloudlet's mutex guards it.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/api_error.hpp"
#include "sim/identity.hpp"
#include "sim/util.hpp"

namespace fedstack::sim {

struct compute_options {
  std::chrono::milliseconds build_delay{2000};
  int hypervisors = 1;
  std::int64_t hypervisor_ram_mb = 65536;
  std::int64_t hypervisor_disk_gb = 1000;
  int hypervisor_vcpus = 64;
};

struct flavor_record {
  std::string id, name, description;
  std::int64_t ram = 0, disk = 0, ephemeral = 0, swap = 0;
  int vcpus = 1;
  double rxtx_factor = 1.0;
  bool is_public = true, disabled = false;
  json extra_specs = json::object();
  std::set<std::string> access;   // projects allowed to use a private flavor
  std::uint64_t sequence = 0;
  /// DISK_GB that Placement allocates: root + ephemeral + swap rounded up to GiB.
  std::int64_t disk_gb_needed() const { return disk + ephemeral + (swap + 1023) / 1024; }
};

struct hypervisor_record {
  int id = 0;                      // integer ID before 2.53
  std::string uuid, hostname;
  int service_id = 0;
  std::string service_uuid;
  std::int64_t memory_mb = 0, local_gb = 0;
  int vcpus = 0;
  std::int64_t memory_mb_used = 0, local_gb_used = 0;
  int vcpus_used = 0;
  int running_vms = 0;
};

struct server_port {
  std::string port_id;
  bool created_by_nova = true;   // user-supplied ports are only unbound on delete
};

struct server_record {
  std::string id, name, project_id, user_id, image_id, key_name, admin_pass;
  std::optional<std::string> description;   // null vs "" matters from 2.19
  flavor_record flavor;            // snapshot, as Nova embeds it in the instance
  json metadata = json::object();
  std::vector<server_port> ports;
  std::vector<std::string> security_groups;
  std::vector<std::string> tags;
  std::string user_data, reservation_id, instance_name, hostname, config_drive;
  int launch_index = 0;
  std::optional<std::size_t> hypervisor;   // none: scheduling failed (ERROR)
  time_point created_at, updated_at;
  bool stopped = false;
  bool locked = false;
  /// A state past the build that the timestamps do not give (nova_lifecycle.cpp):
  /// "VERIFY_RESIZE" after a resize, "SHELVED_OFFLOADED" after a shelve; empty otherwise.
  std::string lifecycle;
  std::optional<flavor_record> old_flavor;   // kept through VERIFY_RESIZE for a revert
  std::string shelved_image_id;             // the snapshot a shelve made, deleted by unshelve
  std::uint64_t sequence = 0;
  json fault;                      // set when ERROR
};

class compute_store {
public:
  compute_store(std::string region, compute_options options, clock_fn clock);

  const std::string& region() const { return region_; }
  time_point now() const { return clock_(); }

  // Flavors
  outcome<flavor_record> create_flavor(const json& body);
  std::optional<api_error> delete_flavor(std::string_view id);
  /// The flavor by ID when public or accessible to the caller (admins see all).
  const flavor_record* find_flavor(const auth_context& ctx, std::string_view id) const;
  flavor_record* flavor_mutable(std::string_view id);
  /// is_public: true (default) public + accessible, false private only, nullopt all.
  std::vector<const flavor_record*> flavors(const auth_context& ctx, std::optional<bool> is_public) const;

  // Hypervisors
  const std::vector<hypervisor_record>& hypervisors() const { return hypervisors_; }

  // Servers
  /// Places the server (consuming capacity) or marks it ERROR with Nova's fault.
  /// `allowed`, when given, says which hypervisors (by index) the server may
  /// go to: a server group's affinity or anti-affinity between hosts.
  server_record& add_server(server_record server, const std::function<bool(std::size_t)>& allowed = {});
  const server_record* find_server(const auth_context& ctx, std::string_view id) const;
  server_record* server_mutable(const auth_context& ctx, std::string_view id);
  std::vector<const server_record*> servers() const;
  /// Moves the server's claim on its hypervisor to `flavor` (a resize or its revert).
  void set_flavor(server_record& s, const flavor_record& flavor);
  /// Gives the capacity back and forgets the server.
  void remove_server(std::string_view id);

  // Derived state at `now()`
  std::string status(const server_record& s) const;
  std::string vm_state(const server_record& s) const;
  json task_state(const server_record& s) const;
  int power_state(const server_record& s) const;
  std::optional<time_point> launched_at(const server_record& s) const;
  time_point updated_at(const server_record& s) const;
  std::string host_of(const server_record& s) const;

  std::string next_instance_name() { return instance_name(++instance_counter_); }
  std::uint64_t next_sequence() { return next_sequence_++; }

private:
  static std::string instance_name(std::uint64_t n);
  std::optional<std::size_t> schedule(const flavor_record& flavor, const std::function<bool(std::size_t)>& allowed);

  std::string region_;
  compute_options options_;
  clock_fn clock_;
  std::map<std::string, flavor_record, std::less<>> flavors_;
  std::vector<hypervisor_record> hypervisors_;
  std::map<std::string, server_record, std::less<>> servers_;
  std::uint64_t instance_counter_ = 0;
  std::uint64_t next_sequence_ = 0;
};

} // namespace fedstack::sim
