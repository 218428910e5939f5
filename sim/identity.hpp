#pragma once
// Keystone's state: domains, projects, users, roles, role assignments, tokens and
// the service catalog. Thread-safe (one mutex); every cloudlet service validates
// X-Auth-Token against this object directly instead of calling Keystone over HTTP.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/api_error.hpp"
#include "sim/endpoints.hpp"
#include "sim/util.hpp"

namespace fedstack::sim {

struct domain_record {
  std::string id, name, description;
  bool enabled = true;
};

struct project_record {
  std::string id, name, domain_id, description;
  bool enabled = true;
  std::vector<std::string> tags;
};

struct user_record {
  std::string id, name, domain_id, password, default_project_id, email, description;
  bool enabled = true;
};

struct role_record {
  std::string id, name;
};

struct assignment_record {
  std::string user_id, project_id, role_id;
  bool operator==(const assignment_record&) const = default;
};

/// What a valid token grants; handed to every service for policy decisions.
struct auth_context {
  std::string token;
  std::string user_id, user_name, user_domain_id;
  std::string project_id, project_name, project_domain_id;   // empty when unscoped
  std::vector<role_record> roles;
  std::vector<std::string> methods;
  std::string audit_id;
  time_point issued_at, expires_at;
  bool is_admin = false;   // holds the "admin" role on its project
  bool scoped() const { return !project_id.empty(); }
};

struct identity_options {
  std::string admin_user = "admin", admin_password = "secret", admin_project = "admin";
  std::string demo_user = "demo", demo_password = "demo", demo_project = "demo";
  std::chrono::seconds token_ttl{3600};
};

class identity {
public:
  identity(identity_options options, clock_fn clock);

  /// Keystone's own URL ("http://127.0.0.1:5000") and the per-region endpoints.
  void set_endpoints(const sim_endpoints& endpoints);
  std::string keystone_url() const;

  // --- tokens ---
  /// POST /v3/auth/tokens body -> a new token, or 400/401 as Keystone answers.
  outcome<auth_context> issue_token(const json& body);
  /// A valid (known, unexpired, unrevoked, still authorized) token's context.
  std::optional<auth_context> validate(std::string_view token) const;
  bool revoke(std::string_view token);
  /// The token document ({"token": {...}}), with or without the catalog.
  json token_json(const auth_context& ctx, bool with_catalog) const;
  /// The catalog as a token scoped to `project_id` sees it: "%(project_id)s" in
  /// an endpoint URL is replaced by it; without a project such endpoints are left out.
  json catalog_json(const std::string& project_id) const;

  // --- resources (callers check policy) ---
  std::vector<domain_record> domains() const;
  std::optional<domain_record> find_domain(std::string_view id) const;
  std::vector<project_record> projects() const;
  std::optional<project_record> find_project(std::string_view id) const;
  std::optional<project_record> find_project_by_name(std::string_view name,
                                                     std::string_view domain_id) const;
  outcome<project_record> create_project(project_record p);
  outcome<project_record> update_project(std::string_view id, const json& patch);
  std::optional<api_error> delete_project(std::string_view id);

  std::vector<user_record> users() const;
  std::optional<user_record> find_user(std::string_view id) const;
  outcome<user_record> create_user(user_record u);
  outcome<user_record> update_user(std::string_view id, const json& patch);
  std::optional<api_error> delete_user(std::string_view id);

  std::vector<role_record> roles() const;
  std::optional<role_record> find_role(std::string_view id) const;
  std::optional<role_record> find_role_by_name(std::string_view name) const;
  outcome<role_record> create_role(role_record r);
  std::optional<api_error> delete_role(std::string_view id);

  std::vector<assignment_record> assignments() const;
  std::optional<api_error> grant(const assignment_record& a);
  std::optional<api_error> revoke_grant(const assignment_record& a);
  bool has_grant(const assignment_record& a) const;

  /// Projects on which the user holds at least one role.
  std::vector<project_record> projects_of_user(std::string_view user_id) const;

  /// The catalog pieces, for /v3/services, /v3/endpoints, /v3/regions.
  struct endpoint_entry {
    std::string id, interface, region, url, service_id;
  };
  struct service_entry {
    std::string id, type, name;
    std::vector<endpoint_entry> endpoints;
  };
  std::vector<service_entry> services() const;
  std::vector<std::string> regions() const;

  /// Seeded IDs, for tests and logs.
  std::string admin_project_id() const { return admin_project_id_; }
  std::string demo_project_id() const { return demo_project_id_; }

private:
  struct token_record {
    std::string user_id, project_id;
    std::vector<std::string> methods;
    std::string audit_id;
    time_point issued_at, expires_at;
  };

  std::optional<auth_context> context_locked(const std::string& token,
                                             const token_record& record) const;
  outcome<std::string> authenticate_password_locked(const json& password) const;
  outcome<std::string> resolve_scope_locked(const json& scope, const std::string& user_id) const;
  std::optional<std::string> resolve_domain_locked(const json& ref) const;
  void prune_tokens_locked(time_point now);
  json catalog_json_locked(const std::string& project_id) const;

  mutable std::mutex mutex_;
  identity_options options_;
  clock_fn clock_;
  std::string keystone_url_;
  std::map<std::string, domain_record> domains_;
  std::map<std::string, project_record> projects_;
  std::map<std::string, user_record> users_;
  std::map<std::string, role_record> roles_;
  std::vector<assignment_record> assignments_;
  std::unordered_map<std::string, token_record> tokens_;
  std::vector<service_entry> services_;
  std::vector<std::string> regions_;
  std::size_t issued_since_prune_ = 0;
  std::string admin_project_id_, demo_project_id_;
};

} // namespace fedstack::sim
