#pragma once
// Cinder (Block Storage v3) for one cloudlet, with microversions 3.0 - 3.70
// as in Zed: volumes, volume types, snapshots, attachments, backups, limits and
// quotas, on the state the cloudlet's Nova shares (cloudlet.hpp). URLs take the
// project ID after /v3 (the catalog's /v3/%(project_id)s) or, from 3.67, none.

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sim/cloudlet.hpp"
#include "sim/service.hpp"

namespace fedstack::sim {

/// Wording and body readers the Cinder files share.
inline constexpr const char* cinder_not_allowed = "The method is not allowed for this resource.";
inline std::string cinder_policy_refusal(std::string_view rule) {
  return "Policy doesn't allow " + std::string{rule} + " to be performed.";
}
/// A string member of a request body, or nullopt when absent or not a string.
inline std::optional<std::string> cinder_text(const json& in, const char* key) {
  if (!in.contains(key) || !in[key].is_string()) return std::nullopt;
  return in[key].get<std::string>();
}

/// The object a request body holds under `name` ({"snapshot": {...}}), else Cinder's 400
/// for a missing required property.
inline outcome<json> cinder_body_object(const request& r, const std::string& name) {
  auto body = parse_json(r);
  if (!body || !body->contains(name) || !(*body)[name].is_object()) {
    return bad_request("Invalid input for field/attribute " + name + ". '" + name + "' is a required property");
  }
  return (*body)[name];
}

/// How a Cinder call on the cloudlet's state starts: the cloudlet's lock held and every
/// background step whose time has come applied (volume_store::settle).
struct settled_volumes {
  std::lock_guard<std::mutex> lock;
  volume_store& store;
  explicit settled_volumes(cloudlet& cloud) : lock{cloud.mutex}, store{cloud.volumes} { store.settle(); }
};

class cinder_api final : public service {
public:
  cinder_api(identity& ids, cloudlet& cloud) : ids_(ids), cloud_(cloud) {}

  std::string_view kind() const override { return "cinder"; }
  /// The root URL without "/v3" ("http://127.0.0.1:8776").
  void set_base_url(std::string url) override { base_url_ = std::move(url); }
  reply handle(const request& r) override;
  reply error_reply(unsigned status, std::string_view message) const override { return error(status, message); }

  /// Cinder's fault document: {"itemNotFound": {"code": 404, "message": ...}} etc.
  static reply error(unsigned status, std::string_view message);
  static reply error(const api_error& e) { return error(e.status, e.message); }

  /// One request after authentication and microversion negotiation.
  struct call {
    const request& r;
    const auth_context& ctx;
    int mv;                          // 3.<mv>
    std::string project;             // the project ID the URL named (empty from 3.67 without one)
    std::vector<std::string> path;   // segments after "v3" and the project ID
    bool at_least(int minor) const { return mv >= minor; }
  };

private:
  reply route(const call& c);

  // cinder_volumes.cpp
  reply volumes(const call& c);
  reply create_volume(const call& c);
  reply list_volumes(const call& c, bool detail);
  reply volume_summary(const call& c);
  reply update_volume(const call& c, volume_record& v);
  reply delete_volume(const call& c, volume_record& v);
  reply volume_metadata(const call& c, volume_record& v);

  // cinder_actions.cpp
  reply volume_action(const call& c, volume_record& v);

  // cinder_types.cpp
  reply types(const call& c);
  reply type_access_action(const call& c, const std::string& type_id);   // with cloud_.mutex held

  // cinder_snapshots.cpp
  reply snapshots(const call& c);

  // cinder_attachments.cpp
  reply attachments(const call& c);

  // cinder_backups.cpp
  reply backups(const call& c);

  // cinder_transfers.cpp: os-volume-transfer, and volume-transfers from 3.55
  reply transfers(const call& c);
  json transfer_json(const transfer_record& t, const call& c, bool detail) const;

  // cinder_limits.cpp: limits, quota sets, pools, availability zones, services
  reply limits(const call& c);
  reply quota_sets(const call& c);
  reply pools(const call& c);
  reply availability_zones(const call& c);
  reply services(const call& c);

  // cinder_views.cpp
  json volume_json(const volume_record& v, const call& c, bool with_extensions) const;
  json volume_brief(const volume_record& v, const call& c) const;
  /// `with_access`: os-volume-type-access:is_public, which Cinder's extension adds to list,
  /// show by ID and create only (not /types/default, not update).
  json type_json(const volume_type_record& t, const call& c, bool with_access) const;
  /// `with_extensions`: os-extended-snapshot-attributes:*, on show and detail only.
  json snapshot_json(const snapshot_record& s, const call& c, bool with_extensions) const;
  json attachment_json(const volume_attachment_record& a, bool detail) const;
  json backup_json(const backup_record& b, const call& c, bool detail) const;
  /// [{"rel": "self", ...}, {"rel": "bookmark", ...}] as Cinder links a resource.
  json links(const call& c, std::string_view collection, std::string_view id) const;
  /// "<base>/v3/<project>/<collection>?<query with marker>" for a full page.
  json next_link(const call& c, std::string_view collection, const std::string& last_id) const;

  identity& ids_;
  cloudlet& cloud_;
  std::string base_url_;
};

} // namespace fedstack::sim
