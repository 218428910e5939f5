#pragma once
// Fake clouds for hermetic flow tests: the `upstream_calls` the flows reach
// clouds and Keystone through, answered in-process by the simulator's own
// Glance v2, Neutron v2.0, Nova v2.1 and Keystone v3 logic (sim/, pure request
// -> reply, the same code `fedstack sim` serves to the end-to-end tests). Each
// cloudlet has its own fake endpoints ("http://image.cloudlet-2:9292"); nothing
// is ever connected. Faults are scripted per cloudlet and per call, and every
// call is logged for the tests to assert on.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/services/context.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/service.hpp"

namespace fedstack::sim {
class identity;
class keystone_api;
class service;
struct cloudlet;
} // namespace fedstack::sim

namespace fedstack::agent::testing {

/// What a scripted fault does to the calls it matches.
enum class fault_effect {
  answer,                      // the cloud answers `status` (its own error shape) and makes nothing
  answer_after_making,         // the cloud makes it, then `status` is answered in place of its answer
  no_answer,                   // upstream_failure(504), nothing made
  no_answer_after_making,      // the cloud makes it, then upstream_failure(504): made but not answered
  unreachable,                 // upstream_failure(503), nothing made
};

/// A fault for the calls it matches; empty fields match anything.
struct fault {
  std::string cloudlet;                       // region, e.g. "cloudlet-2"
  api::service_type service = api::service_type::none;
  std::optional<bhttp::verb> method;
  /// The path (no query): equal to it, or below it ("/v2.0/networks" matches
  /// "/v2.0/networks/<id>/tags") unless `exact_path`.
  std::string path;
  bool exact_path = false;
  fault_effect effect = fault_effect::answer;
  unsigned status = 500;
  /// How many matching calls it hits; then it is spent. -1: every one.
  int times = 1;
};

/// A fault on the next `times` calls to `region` with `method` (nullopt: any)
/// at exactly `path` (empty: any path).
inline fault call_fault(std::string region, std::optional<bhttp::verb> method, std::string path,
                        fault_effect effect, unsigned status = 500, int times = 1) {
  fault f;
  f.cloudlet = std::move(region);
  f.method = method;
  f.exact_path = !path.empty();
  f.path = std::move(path);
  f.effect = effect;
  f.status = status;
  f.times = times;
  return f;
}

/// One call the flows made, as the fake clouds saw it.
struct logged_call {
  std::string cloudlet;   // "keystone" for identity
  api::service_type service = api::service_type::none;
  bhttp::verb method = bhttp::verb::unknown;
  std::string target;     // path and query, as sent
  std::string body;
  /// The status answered, or 0 when the call threw (no answer).
  unsigned status = 0;
  /// False when a fault answered without the cloud handling the call.
  bool handled = false;
  /// Calls started and not yet answered when this one started: which calls a
  /// flow makes concurrently (with fake_clouds_options::overlap_calls).
  int in_flight = 0;
};

/// One fake cloudlet's names.
struct fake_cloudlet_info {
  std::string region;
  cloudlet_endpoints endpoints;
};

struct fake_clouds_options {
  int cloudlets = 3;
  /// Each cloudlet's one hypervisor (Nova answers "No valid host" beyond it).
  std::int64_t hypervisor_ram_mb = 65536;
  std::int64_t hypervisor_disk_gb = 1000;
  int hypervisor_vcpus = 64;
  /// Regions whose hypervisor has no room at all: every boot there ends in
  /// ERROR, "No valid host was found".
  std::vector<std::string> without_capacity;
  /// Every call yields to the io_context once before it is answered (no time
  /// passes), so that calls a flow makes concurrently overlap and their
  /// logged_call::in_flight shows it; calls made one after another never do.
  bool overlap_calls = false;
  /// How long a server stays BUILD (vm_state building); 0: ACTIVE at once.
  std::chrono::milliseconds build_delay{0};
};

class fake_clouds final : public upstream_calls {
public:
  explicit fake_clouds(fake_clouds_options options = {});
  ~fake_clouds() override;

  http::awaitable<http::response> call(const http::endpoint& to, bhttp::verb method, const std::string& target,
                                       const bhttp::fields& client_headers, std::string body,
                                       std::chrono::milliseconds timeout, http::connection_pool* pool,
                                       std::string_view request_id) override;

  // --- the federation's shape ---
  /// "cloudlet-1", "cloudlet-2", ...
  static std::string region(int index);
  const std::vector<fake_cloudlet_info>& cloudlets() const { return cloudlets_; }
  const cloudlet_endpoints& endpoints(const std::string& region) const;
  std::vector<cloudlet_endpoints> all_endpoints() const;
  http::endpoint keystone() const;

  // --- identity ---
  /// A project-scoped token of the simulator's seeded users.
  std::string admin_token();
  std::string demo_token();
  /// Who a token is, as Keystone would say (for the agent's token cache).
  token_identity identity_of(const std::string& token) const;
  std::string admin_project_id() const;
  std::string demo_project_id() const;

  // --- faults and the call log ---
  void add_fault(fault f);
  /// Every call to `region` throws upstream_failure(503) while it is down.
  void set_down(const std::string& region, bool down = true);
  void clear_faults();
  const std::vector<logged_call>& calls() const { return log_; }
  /// The logged calls to `region` (empty: any) with `method` whose path is or is below `path`.
  std::vector<logged_call> calls_to(const std::string& region, bhttp::verb method, const std::string& path) const;
  void clear_log() { log_.clear(); }

  // --- the clouds' state, read and seeded directly (not logged, no faults) ---
  /// One call to a cloudlet's service, as a client with `token` would make it (Block Storage
  /// at `volume_version` when given, else Cinder's 3.0).
  http::response direct(const std::string& region, api::service_type service, bhttp::verb method,
                        const std::string& target, const std::string& token, const nlohmann::json& body = nullptr,
                        const std::string& volume_version = {});
  /// Every item of a collection on `region` as the admin sees it (all projects):
  /// "images", "networks", "subnets", "ports" or "servers" (detail).
  nlohmann::json items(const std::string& region, const std::string& collection);
  /// An active image on `region` (its bytes uploaded), made with `token`; its cloud ID.
  std::string seed_image(const std::string& region, const std::string& token, nlohmann::json fields);

private:
  struct cloud;
  struct route {
    std::string cloudlet;
    api::service_type service;
    sim::service* handler;
  };
  std::optional<route> route_of(const http::endpoint& to);
  /// The first live fault that matches, spending one of its hits.
  std::optional<fault> take_fault(const std::string& region, api::service_type service, bhttp::verb method,
                                  const std::string& path);
  cloud& cloud_of(const std::string& region);

  std::filesystem::path data_dir_;
  std::unique_ptr<sim::identity> ids_;
  std::unique_ptr<sim::keystone_api> keystone_;
  std::vector<std::unique_ptr<cloud>> clouds_;
  std::vector<fake_cloudlet_info> cloudlets_;
  std::vector<fault> faults_;
  std::vector<std::string> down_;
  std::vector<logged_call> log_;
  bool overlap_calls_ = false;
  int in_flight_ = 0;
};

} // namespace fedstack::agent::testing
