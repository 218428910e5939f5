#pragma once
// Nova v2.1 for one cloudlet, with microversions 2.1 - 2.93: servers (scheduled
// onto the cloudlet's hypervisors, plugged into Neutron, booted from Glance
// images), flavors, hypervisors and the small admin APIs clients read.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/cloudlet.hpp"
#include "sim/service.hpp"

namespace fedstack::sim {

class nova_api final : public service {
public:
  nova_api(identity& ids, cloudlet& cloud) : ids_(ids), cloud_(cloud) {}

  std::string_view kind() const override { return "nova"; }
  /// The compute URL without "/v2.1" ("http://127.0.0.1:8774").
  void set_base_url(std::string url) override { base_url_ = std::move(url); }
  /// This cloudlet's Glance root, which a createImage answer's Location names (below 2.45).
  void set_image_url(std::string url) { image_url_ = std::move(url); }
  reply handle(const request& r) override;
  reply error_reply(unsigned status, std::string_view message) const override {
    return error(status, message);
  }

  /// Nova's fault document: {"itemNotFound": {"code": 404, "message": ...}} etc.
  static reply error(unsigned status, std::string_view message);

  /// One request after authentication and microversion negotiation.
  struct call {
    const request& r;
    const auth_context& ctx;
    int mv;                          // 2.<mv>
    std::vector<std::string> path;   // segments after "v2.1" (and a legacy project ID)
    bool at_least(int minor) const { return mv >= minor; }
  };

private:
  reply route(const call& c);
  reply version_document() const;

  // nova_servers.cpp
  reply servers(const call& c);
  reply create_server(const call& c);
  reply list_servers(const call& c, bool detail);
  reply server_action(const call& c, const std::string& id);
  reply server_metadata(const call& c, const std::string& id);
  void delete_server_locked(const auth_context& ctx, const server_record& s);

  // nova_volumes.cpp
  /// One entry of block_device_mapping_v2 that is, or becomes, a Cinder volume.
  struct block_device {
    std::string source, destination, uuid, device;
    std::optional<int> boot_index;
    std::int64_t volume_size = 0;
    std::optional<std::string> tag;
    bool delete_on_termination = false;
  };
  /// Checks a boot's block devices as Nova's API does (the volume devices to
  /// attach); nothing is made yet. `count` is the number of servers asked for.
  outcome<std::vector<block_device>> plan_block_devices(const call& c, const json& server, bool has_image, std::int64_t count);
  /// Makes the volumes the plan needs and attaches them all to `s`.
  void attach_block_devices(const call& c, const std::vector<block_device>& plan, const server_record& s);
  /// Detaches the server's volumes and deletes those marked delete_on_termination.
  void release_volumes_locked(const server_record& s);
  reply volume_attachments(const call& c, const std::string& id);
  json volumes_attached(const server_record& s, const call& c) const;
  json volume_attachment_json(const volume_attachment_record& a, const call& c) const;
  std::string compute_host_name(const server_record& s) const;
  // nova_instance_actions.cpp
  /// Records `action` on server `s` (under cloud_.mutex), as Nova's API does when it accepts it.
  void record_action_locked(const auth_context& ctx, const server_record& s, const std::string& action);
  reply instance_actions(const call& c, const std::string& id);

  // nova_lifecycle.cpp
  /// A lifecycle action's reply; nullopt when `action` is none of them.
  std::optional<reply> lifecycle_action(const call& c, server_record& s, const std::string& action, const json& args);
  // nova_security_groups.cpp
  /// addSecurityGroup or removeSecurityGroup's reply; nullopt for any other action.
  std::optional<reply> security_group_action(const call& c, server_record& s, const std::string& action,
                                             const json& args);
  reply server_tags(const call& c, const std::string& id);

  // nova_flavors.cpp
  reply flavors(const call& c);

  // nova_images.cpp
  reply images(const call& c);
  json image_view(const image_record& image, bool detail) const;

  // nova_admin.cpp
  reply hypervisors(const call& c);
  reply availability_zones(const call& c);
  reply limits(const call& c);
  reply services(const call& c);
  reply security_groups(const call& c);
  reply keypairs(const call& c);
  reply server_groups(const call& c);

  // nova_quotas.cpp
  reply quota_sets(const call& c);
  /// A project's quota for `field` (Nova's quota-set name): set, else the default.
  std::int64_t quota_of(const std::string& project, std::string_view field) const;
  /// What a project's servers on this cloud use of `instances`, `cores` and `ram`.
  std::map<std::string, std::int64_t> server_usage(const std::string& project) const;
  /// A boot of `min_count`..`max_count` servers of `flavor` against the project's
  /// instances, cores and RAM quotas, as Nova's compute API checks it before making
  /// anything: `max_count` lowered to what fits when at least `min_count` does, else
  /// Nova's TooManyInstances message (answered 403). Caller holds the cloud's mutex.
  std::optional<std::string> check_boot_quota(const std::string& project, const flavor_record& flavor,
                                              std::int64_t min_count, std::int64_t& max_count) const;

  // nova_views.cpp
  json server_json(const server_record& s, const call& c) const;
  /// server_json plus, from 2.71, "server_groups": what show, update and rebuild answer
  /// (nova/api/openstack/compute/servers.py show_server_groups), not lists.
  json server_show_json(const server_record& s, const call& c) const;
  json server_brief(const server_record& s) const;
  json addresses_json(const server_record& s) const;
  json flavor_json(const flavor_record& f, const call& c, bool detail) const;
  json hypervisor_json(const hypervisor_record& h, const call& c, bool detail) const;
  json links(std::string_view collection, std::string_view id) const;

  struct keypair {
    std::string name, public_key, fingerprint, type, user_id, created_at;
  };
  struct server_group {
    std::string id, name, policy, project_id, user_id;
    std::vector<std::string> members;   // server IDs, in boot order
  };
  /// The hypervisors a boot into `group` may use (Nova's ServerGroupAffinityFilter
  /// and ServerGroupAntiAffinityFilter; the soft policies only weigh, so any).
  std::function<bool(std::size_t)> group_hosts(const server_group& group) const;

  struct instance_action {
    std::string action, request_id, user_id, start_time;
  };
  struct action_log {
    std::string project_id;
    bool deleted = false;
    std::vector<instance_action> actions;   // oldest first
  };
  std::map<std::string, action_log> actions_;   // server ID -> its actions, kept after a delete

  identity& ids_;
  cloudlet& cloud_;
  std::string base_url_;
  std::string image_url_;
  std::map<std::string, std::map<std::string, keypair>> keypairs_;   // user -> name -> keypair
  std::map<std::string, server_group> server_groups_;
  std::map<std::string, std::map<std::string, std::int64_t>> quotas_;   // project -> field -> set value
};

} // namespace fedstack::sim
