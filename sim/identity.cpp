#include "sim/identity.hpp"

#include <algorithm>

namespace fedstack::sim {
namespace {

constexpr const char* unauthorized_message = "The request you have made requires authentication.";
constexpr std::size_t prune_every = 256;

api_error unauthorized() { return {401, unauthorized_message, "Unauthorized"}; }

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string string_member(const json& object, const char* key) {
  auto* value = member(object, key);
  return value && value->is_string() ? value->get<std::string>() : std::string{};
}

} // namespace

identity::identity(identity_options options, clock_fn clock)
  : options_(std::move(options)), clock_(std::move(clock)) {
  domains_["default"] = {"default", "Default", "The default domain", true};
  for (const char* name : {"admin", "member", "reader"}) {
    auto id = new_hex_id();
    roles_[id] = {id, name};
  }
  auto seed = [&](const std::string& user, const std::string& password,
                  const std::string& project, std::vector<std::string> role_names) {
    project_record p{new_hex_id(), project, "default", "Bootstrap project", true, {}};
    user_record u{new_hex_id(), user, "default", password, p.id, "", "", true};
    projects_[p.id] = p;
    users_[u.id] = u;
    for (const auto& name : role_names) {
      for (const auto& [id, role] : roles_) {
        if (role.name == name) assignments_.push_back({u.id, p.id, id});
      }
    }
    return p.id;
  };
  // Keystone's bootstrap gives admin all three roles (admin implies member implies reader).
  admin_project_id_ = seed(options_.admin_user, options_.admin_password, options_.admin_project,
                           {"admin", "member", "reader"});
  demo_project_id_ = seed(options_.demo_user, options_.demo_password, options_.demo_project,
                          {"member", "reader"});
}

void identity::set_endpoints(const sim_endpoints& endpoints) {
  std::lock_guard lock{mutex_};
  keystone_url_ = endpoints.keystone_url;
  services_.clear();
  services_.reserve(6);   // the references below must stay valid
  regions_.clear();
  auto add_service = [&](std::string type, std::string name) -> service_entry& {
    services_.push_back({new_hex_id(), std::move(type), std::move(name), {}});
    return services_.back();
  };
  auto& compute = add_service("compute", "nova");
  auto& image = add_service("image", "glance");
  auto& network = add_service("network", "neutron");
  auto& keystone = add_service("identity", "keystone");
  // Cinder registers itself twice, as DevStack and the install guide do (Zed).
  auto& volumev3 = add_service("volumev3", "cinderv3");
  auto& block_storage = add_service("block-storage", "cinder");
  for (const auto& cloudlet : endpoints.cloudlets) {
    regions_.push_back(cloudlet.region);
    for (const char* interface : {"public", "internal", "admin"}) {
      auto add = [&](service_entry& service, const std::string& url) {
        service.endpoints.push_back({new_hex_id(), interface, cloudlet.region, url, service.id});
      };
      add(compute, cloudlet.compute_url);
      add(image, cloudlet.image_url);
      add(network, cloudlet.network_url);
      add(keystone, endpoints.keystone_url + "/v3/");
      if (!cloudlet.volume_url.empty()) {
        add(volumev3, cloudlet.volume_url + "/v3/%(project_id)s");
        add(block_storage, cloudlet.volume_url + "/v3/%(project_id)s");
      }
    }
  }
}

std::string identity::keystone_url() const {
  std::lock_guard lock{mutex_};
  return keystone_url_;
}

// --- tokens ---

std::optional<std::string> identity::resolve_domain_locked(const json& ref) const {
  auto id = string_member(ref, "id");
  if (!id.empty()) {
    return domains_.count(id) ? std::optional{id} : std::nullopt;
  }
  auto name = string_member(ref, "name");
  for (const auto& [domain_id, domain] : domains_) {
    if (domain.name == name) return domain_id;
  }
  return std::nullopt;
}

outcome<std::string> identity::authenticate_password_locked(const json& password) const {
  auto* user = member(password, "user");
  if (!user || !user->is_object()) {
    return bad_request("Invalid input for field 'identity/password/user': None is not of type "
                       "'object'");
  }
  const user_record* found = nullptr;
  if (auto id = string_member(*user, "id"); !id.empty()) {
    auto it = users_.find(id);
    if (it != users_.end()) found = &it->second;
  } else {
    auto name = string_member(*user, "name");
    auto* domain = member(*user, "domain");
    if (name.empty() || !domain) {
      return bad_request("Expecting to find domain in user. The server could not comply with "
                         "the request since it is either malformed or otherwise incorrect.");
    }
    auto domain_id = resolve_domain_locked(*domain);
    for (const auto& [id, u] : users_) {
      if (domain_id && u.domain_id == *domain_id && u.name == name) found = &u;
    }
  }
  if (!found || !found->enabled || found->password != string_member(*user, "password")) {
    return unauthorized();
  }
  return found->id;
}

outcome<std::string> identity::resolve_scope_locked(const json& scope,
                                                     const std::string& user_id) const {
  auto* project = member(scope, "project");
  if (!project) {
    // Domain and system scope are not simulated; Keystone answers 401 for roles it lacks.
    return unauthorized();
  }
  std::string project_id = string_member(*project, "id");
  if (project_id.empty()) {
    auto* domain = member(*project, "domain");
    auto name = string_member(*project, "name");
    if (!domain || name.empty()) {
      return bad_request("Expecting to find domain in project. The server could not comply "
                         "with the request since it is either malformed or otherwise "
                         "incorrect.");
    }
    auto domain_id = resolve_domain_locked(*domain);
    for (const auto& [id, p] : projects_) {
      if (domain_id && p.domain_id == *domain_id && p.name == name) project_id = id;
    }
  }
  auto it = projects_.find(project_id);
  if (it == projects_.end() || !it->second.enabled) return unauthorized();
  bool has_role = std::any_of(assignments_.begin(), assignments_.end(), [&](const auto& a) {
    return a.user_id == user_id && a.project_id == project_id;
  });
  if (!has_role) return unauthorized();
  return project_id;
}

outcome<auth_context> identity::issue_token(const json& body) {
  std::lock_guard lock{mutex_};
  auto* auth = member(body, "auth");
  auto* ident = auth ? member(*auth, "identity") : nullptr;
  auto* methods = ident ? member(*ident, "methods") : nullptr;
  if (!methods || !methods->is_array()) {
    return bad_request("Invalid input for field 'identity': 'methods' is a required property");
  }
  auto uses = [&](const char* method) {
    return std::any_of(methods->begin(), methods->end(),
                       [&](const json& m) { return m.is_string() && m == method; });
  };

  auto now = clock_();
  token_record record;
  record.issued_at = now;
  record.expires_at = now + options_.token_ttl;
  if (uses("password")) {
    auto* password = member(*ident, "password");
    if (!password) return bad_request("Expecting to find password in identity.");
    auto user = authenticate_password_locked(*password);
    if (failed(user)) return error_of(user);
    record.user_id = std::get<std::string>(user);
    record.methods = {"password"};
  } else if (uses("token")) {
    auto* token = member(*ident, "token");
    auto id = token ? string_member(*token, "id") : std::string{};
    auto it = tokens_.find(id);
    if (it == tokens_.end() || !context_locked(id, it->second)) return unauthorized();
    record.user_id = it->second.user_id;
    record.methods = it->second.methods;
    if (std::find(record.methods.begin(), record.methods.end(), "token") == record.methods.end()) {
      record.methods.insert(record.methods.begin(), "token");
    }
    // A re-scoped token keeps the original expiry, as in Keystone.
    record.expires_at = it->second.expires_at;
  } else {
    return unauthorized();
  }

  auto* scope = member(*auth, "scope");
  if (scope && scope->is_object()) {
    auto project = resolve_scope_locked(*scope, record.user_id);
    if (failed(project)) return error_of(project);
    record.project_id = std::get<std::string>(project);
  } else if (!scope) {
    // No scope: Keystone scopes to the default project when the user has a role there.
    const auto& user = users_.at(record.user_id);
    if (!user.default_project_id.empty()) {
      json ref = {{"project", {{"id", user.default_project_id}}}};
      auto project = resolve_scope_locked(ref, record.user_id);
      if (!failed(project)) record.project_id = std::get<std::string>(project);
    }
  }
  record.audit_id = new_random_token(16);

  if (++issued_since_prune_ >= prune_every) prune_tokens_locked(now);
  auto token = new_random_token(48);
  auto ctx = context_locked(token, record);
  if (!ctx) return unauthorized();
  tokens_.emplace(token, std::move(record));
  return *ctx;
}

void identity::prune_tokens_locked(time_point now) {
  issued_since_prune_ = 0;
  std::erase_if(tokens_, [&](const auto& entry) { return entry.second.expires_at <= now; });
}

std::optional<auth_context> identity::context_locked(const std::string& token,
                                                     const token_record& record) const {
  if (clock_() >= record.expires_at) return std::nullopt;
  auto user = users_.find(record.user_id);
  if (user == users_.end() || !user->second.enabled) return std::nullopt;
  auth_context ctx;
  ctx.token = token;
  ctx.user_id = user->second.id;
  ctx.user_name = user->second.name;
  ctx.user_domain_id = user->second.domain_id;
  ctx.methods = record.methods;
  ctx.audit_id = record.audit_id;
  ctx.issued_at = record.issued_at;
  ctx.expires_at = record.expires_at;
  if (!record.project_id.empty()) {
    auto project = projects_.find(record.project_id);
    if (project == projects_.end() || !project->second.enabled) return std::nullopt;
    ctx.project_id = project->second.id;
    ctx.project_name = project->second.name;
    ctx.project_domain_id = project->second.domain_id;
    // Roles are read at validation time, so a revoked grant takes effect at once.
    for (const auto& a : assignments_) {
      if (a.user_id == ctx.user_id && a.project_id == ctx.project_id) {
        auto role = roles_.find(a.role_id);
        if (role == roles_.end()) continue;
        ctx.roles.push_back(role->second);
        if (role->second.name == "admin") ctx.is_admin = true;
      }
    }
    if (ctx.roles.empty()) return std::nullopt;
  }
  return ctx;
}

std::optional<auth_context> identity::validate(std::string_view token) const {
  std::lock_guard lock{mutex_};
  auto it = tokens_.find(std::string{token});
  if (it == tokens_.end()) return std::nullopt;
  return context_locked(it->first, it->second);
}

bool identity::revoke(std::string_view token) {
  std::lock_guard lock{mutex_};
  return tokens_.erase(std::string{token}) > 0;
}

json identity::token_json(const auth_context& ctx, bool with_catalog) const {
  std::lock_guard lock{mutex_};
  auto domain_ref = [&](const std::string& id) {
    auto it = domains_.find(id);
    return json{{"id", id}, {"name", it == domains_.end() ? id : it->second.name}};
  };
  json token = {
    {"methods", ctx.methods},
    {"user",
     {{"domain", domain_ref(ctx.user_domain_id)},
      {"id", ctx.user_id},
      {"name", ctx.user_name},
      {"password_expires_at", nullptr}}},
    {"audit_ids", json::array({ctx.audit_id})},
    {"expires_at", format_time(ctx.expires_at, time_style::micros_z)},
    {"issued_at", format_time(ctx.issued_at, time_style::micros_z)},
  };
  if (ctx.scoped()) {
    token["project"] = {{"domain", domain_ref(ctx.project_domain_id)},
                        {"id", ctx.project_id},
                        {"name", ctx.project_name}};
    token["is_domain"] = false;
    json roles = json::array();
    for (const auto& role : ctx.roles) roles.push_back({{"id", role.id}, {"name", role.name}});
    token["roles"] = roles;
    if (with_catalog) token["catalog"] = catalog_json_locked(ctx.project_id);
  }
  return json{{"token", token}};
}

json identity::catalog_json(const std::string& project_id) const {
  std::lock_guard lock{mutex_};
  return catalog_json_locked(project_id);
}

json identity::catalog_json_locked(const std::string& project_id) const {
  static constexpr std::string_view project_slot = "%(project_id)s";
  json catalog = json::array();
  for (const auto& service : services_) {
    json endpoints = json::array();
    for (const auto& e : service.endpoints) {
      // Keystone's format_url: substitute the scope, or drop what cannot be substituted.
      auto url = e.url;
      if (auto at = url.find(project_slot); at != std::string::npos) {
        if (project_id.empty()) continue;
        url.replace(at, project_slot.size(), project_id);
      }
      endpoints.push_back({{"id", e.id},
                           {"interface", e.interface},
                           {"region_id", e.region},
                           {"url", url},
                           {"region", e.region}});
    }
    catalog.push_back({{"endpoints", endpoints},
                       {"id", service.id},
                       {"type", service.type},
                       {"name", service.name}});
  }
  return catalog;
}

std::vector<identity::service_entry> identity::services() const {
  std::lock_guard lock{mutex_};
  return services_;
}

std::vector<std::string> identity::regions() const {
  std::lock_guard lock{mutex_};
  return regions_;
}

} // namespace fedstack::sim
