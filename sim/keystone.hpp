#pragma once
// Keystone v3 over the shared `identity` state: version discovery, tokens, the
// catalog, and the project/user/role calls Rally's users context makes.

#include "sim/identity.hpp"
#include "sim/service.hpp"

namespace fedstack::sim {

class keystone_api final : public service {
public:
  explicit keystone_api(identity& ids) : ids_(ids) {}

  std::string_view kind() const override { return "keystone"; }
  void set_base_url(std::string url) override { base_url_ = std::move(url); }
  reply handle(const request& r) override;
  reply error_reply(unsigned status, std::string_view message) const override {
    return keystone_error(status, message);
  }

private:
  reply versions(const request& r) const;
  reply auth_routes(const request& r);
  reply resource_routes(const request& r, const auth_context& ctx);

  reply domains(const request& r, const auth_context& ctx);
  reply projects(const request& r, const auth_context& ctx);
  reply users(const request& r, const auth_context& ctx);
  reply roles(const request& r, const auth_context& ctx);
  reply role_assignments(const request& r, const auth_context& ctx);
  reply catalog_resources(const request& r, const auth_context& ctx);

  json version_json() const;
  json link(std::string_view path) const;
  json list_links(std::string_view path) const;
  json project_json(const project_record& p) const;
  json user_json(const user_record& u) const;
  json role_json(const role_record& role) const;
  json domain_json(const domain_record& d) const;

  identity& ids_;
  std::string base_url_;
};

} // namespace fedstack::sim
