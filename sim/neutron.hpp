#pragma once
// Neutron v2.0 for one cloudlet: networks, subnets, ports, security groups,
// with Neutron's filtering, pagination and error documents.

#include <map>

#include "sim/cloudlet.hpp"
#include "sim/service.hpp"

namespace fedstack::sim {

class neutron_api final : public service {
public:
  neutron_api(identity& ids, cloudlet& cloud) : ids_(ids), cloud_(cloud) {}

  std::string_view kind() const override { return "neutron"; }
  void set_base_url(std::string url) override { base_url_ = std::move(url); }
  reply handle(const request& r) override;
  reply error_reply(unsigned status, std::string_view message) const override {
    return error(status, status == 400 ? "HTTPBadRequest" : "HTTPInternalServerError", message);
  }

  /// {"NeutronError": {"type", "message", "detail"}}.
  static reply error(unsigned status, std::string_view type, std::string_view message);

private:
  reply route(const request& r, const auth_context& ctx);
  reply collection(const request& r, const auth_context& ctx, const std::string& name);
  reply member(const request& r, const auth_context& ctx, const std::string& name, const std::string& id);
  reply tags(const request& r, const auth_context& ctx, const std::string& name);
  /// PUT /v2.0/routers/{id}/add_router_interface and .../remove_router_interface.
  reply router_interface(const request& r, const auth_context& ctx, const std::string& id, bool add);
  // neutron_quotas.cpp: /v2.0/quotas[/{project}[/default|/details]]
  reply quotas(const request& r, const auth_context& ctx);
  /// What `project` holds on this cloud, by quota name. Caller holds the cloud's mutex.
  std::map<std::string, std::int64_t> quota_usage(const std::string& project) const;
  /// Filters, sorts, pages and projects a rendered list as Neutron does.
  reply list(const request& r, const std::string& collection, const std::string& key, std::vector<json> items) const;

  identity& ids_;
  cloudlet& cloud_;
  std::string base_url_;
  std::map<std::string, std::map<std::string, std::int64_t>> quotas_;   // project -> quota -> set value
};

/// The captured extension list.
const json& neutron_extensions();
/// The 400 the captured Zed gives for "tags" in one item of a POST to
/// `collection` ("networks", "ports", ...); nullopt when the item is acceptable.
std::optional<api_error> check_create_tags(std::string_view collection, const json& item);

} // namespace fedstack::sim
