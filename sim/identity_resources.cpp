// Keystone's resource CRUD (domains, projects, users, roles, grants).
#include <algorithm>

#include "sim/identity.hpp"

namespace fedstack::sim {
namespace {

template <class Map>
auto values_of(const Map& map) {
  std::vector<typename Map::mapped_type> out;
  for (const auto& [key, value] : map) out.push_back(value);
  return out;
}

template <class Map>
auto find_in(const Map& map, std::string_view id) -> std::optional<typename Map::mapped_type> {
  auto it = map.find(std::string{id});
  if (it == map.end()) return std::nullopt;
  return it->second;
}

api_error duplicate(std::string_view kind, std::string_view name, std::string_view domain_id) {
  std::string message = "Conflict occurred attempting to store " + std::string{kind} +
                        " - Duplicate entry found with name " + std::string{name};
  if (!domain_id.empty()) message += " at domain ID " + std::string{domain_id};
  return {409, message + ".", "Conflict"};
}

api_error missing(std::string_view kind, std::string_view id) {
  return {404, "Could not find " + std::string{kind} + ": " + std::string{id} + ".", "NotFound"};
}

// Applies the string/bool fields Keystone lets PATCH change.
std::optional<api_error> patch_string(const json& patch, const char* key, std::string& field) {
  auto it = patch.find(key);
  if (it == patch.end()) return std::nullopt;
  if (it->is_null()) {
    field.clear();
    return std::nullopt;
  }
  if (!it->is_string()) {
    return bad_request("Invalid input for field '" + std::string{key} + "': " + it->dump() +
                       " is not of type 'string'");
  }
  field = it->get<std::string>();
  return std::nullopt;
}

std::optional<api_error> patch_bool(const json& patch, const char* key, bool& field) {
  auto it = patch.find(key);
  if (it == patch.end()) return std::nullopt;
  if (!it->is_boolean()) {
    return bad_request("Invalid input for field '" + std::string{key} + "': " + it->dump() +
                       " is not of type 'boolean'");
  }
  field = it->get<bool>();
  return std::nullopt;
}

} // namespace

std::vector<domain_record> identity::domains() const {
  std::lock_guard lock{mutex_};
  return values_of(domains_);
}

std::optional<domain_record> identity::find_domain(std::string_view id) const {
  std::lock_guard lock{mutex_};
  return find_in(domains_, id);
}

std::vector<project_record> identity::projects() const {
  std::lock_guard lock{mutex_};
  return values_of(projects_);
}

std::optional<project_record> identity::find_project(std::string_view id) const {
  std::lock_guard lock{mutex_};
  return find_in(projects_, id);
}

std::optional<project_record> identity::find_project_by_name(std::string_view name,
                                                             std::string_view domain_id) const {
  std::lock_guard lock{mutex_};
  for (const auto& [id, p] : projects_) {
    if (p.name == name && p.domain_id == domain_id) return p;
  }
  return std::nullopt;
}

outcome<project_record> identity::create_project(project_record p) {
  std::lock_guard lock{mutex_};
  if (p.name.empty()) return bad_request("Invalid input for field 'name': '' is too short");
  if (p.domain_id.empty()) p.domain_id = "default";
  if (!domains_.count(p.domain_id)) return missing("domain", p.domain_id);
  for (const auto& [id, other] : projects_) {
    if (other.name == p.name && other.domain_id == p.domain_id) {
      return duplicate("project", p.name, p.domain_id);
    }
  }
  if (p.id.empty()) p.id = new_hex_id();
  if (projects_.count(p.id)) return duplicate("project", p.id, "");
  projects_[p.id] = p;
  return p;
}

outcome<project_record> identity::update_project(std::string_view id, const json& patch) {
  std::lock_guard lock{mutex_};
  auto it = projects_.find(std::string{id});
  if (it == projects_.end()) return missing("project", id);
  auto updated = it->second;
  if (auto e = patch_string(patch, "name", updated.name)) return *e;
  if (auto e = patch_string(patch, "description", updated.description)) return *e;
  if (auto e = patch_bool(patch, "enabled", updated.enabled)) return *e;
  if (auto tags = patch.find("tags"); tags != patch.end() && tags->is_array()) {
    updated.tags.clear();
    for (const auto& tag : *tags) {
      if (tag.is_string()) updated.tags.push_back(tag.get<std::string>());
    }
  }
  for (const auto& [other_id, other] : projects_) {
    if (other_id != updated.id && other.name == updated.name &&
        other.domain_id == updated.domain_id) {
      return duplicate("project", updated.name, updated.domain_id);
    }
  }
  it->second = updated;
  return updated;
}

std::optional<api_error> identity::delete_project(std::string_view id) {
  std::lock_guard lock{mutex_};
  if (!projects_.erase(std::string{id})) return missing("project", id);
  std::erase_if(assignments_, [&](const auto& a) { return a.project_id == id; });
  return std::nullopt;
}

std::vector<user_record> identity::users() const {
  std::lock_guard lock{mutex_};
  return values_of(users_);
}

std::optional<user_record> identity::find_user(std::string_view id) const {
  std::lock_guard lock{mutex_};
  return find_in(users_, id);
}

outcome<user_record> identity::create_user(user_record u) {
  std::lock_guard lock{mutex_};
  if (u.name.empty()) return bad_request("Invalid input for field 'name': '' is too short");
  if (u.domain_id.empty()) u.domain_id = "default";
  if (!domains_.count(u.domain_id)) return missing("domain", u.domain_id);
  for (const auto& [id, other] : users_) {
    if (other.name == u.name && other.domain_id == u.domain_id) {
      return duplicate("user", u.name, u.domain_id);
    }
  }
  if (!u.default_project_id.empty() && !projects_.count(u.default_project_id)) {
    return missing("project", u.default_project_id);
  }
  if (u.id.empty()) u.id = new_hex_id();
  users_[u.id] = u;
  return u;
}

outcome<user_record> identity::update_user(std::string_view id, const json& patch) {
  std::lock_guard lock{mutex_};
  auto it = users_.find(std::string{id});
  if (it == users_.end()) return missing("user", id);
  auto updated = it->second;
  if (auto e = patch_string(patch, "name", updated.name)) return *e;
  if (auto e = patch_string(patch, "password", updated.password)) return *e;
  if (auto e = patch_string(patch, "email", updated.email)) return *e;
  if (auto e = patch_string(patch, "description", updated.description)) return *e;
  if (auto e = patch_string(patch, "default_project_id", updated.default_project_id)) return *e;
  if (auto e = patch_bool(patch, "enabled", updated.enabled)) return *e;
  it->second = updated;
  return updated;
}

std::optional<api_error> identity::delete_user(std::string_view id) {
  std::lock_guard lock{mutex_};
  if (!users_.erase(std::string{id})) return missing("user", id);
  std::erase_if(assignments_, [&](const auto& a) { return a.user_id == id; });
  std::erase_if(tokens_, [&](const auto& entry) { return entry.second.user_id == id; });
  return std::nullopt;
}

std::vector<role_record> identity::roles() const {
  std::lock_guard lock{mutex_};
  return values_of(roles_);
}

std::optional<role_record> identity::find_role(std::string_view id) const {
  std::lock_guard lock{mutex_};
  return find_in(roles_, id);
}

std::optional<role_record> identity::find_role_by_name(std::string_view name) const {
  std::lock_guard lock{mutex_};
  for (const auto& [id, role] : roles_) {
    if (role.name == name) return role;
  }
  return std::nullopt;
}

outcome<role_record> identity::create_role(role_record r) {
  std::lock_guard lock{mutex_};
  if (r.name.empty()) return bad_request("Invalid input for field 'name': '' is too short");
  for (const auto& [id, other] : roles_) {
    if (other.name == r.name) return duplicate("role", r.name, "");
  }
  if (r.id.empty()) r.id = new_hex_id();
  roles_[r.id] = r;
  return r;
}

std::optional<api_error> identity::delete_role(std::string_view id) {
  std::lock_guard lock{mutex_};
  if (!roles_.erase(std::string{id})) return missing("role", id);
  std::erase_if(assignments_, [&](const auto& a) { return a.role_id == id; });
  return std::nullopt;
}

std::vector<assignment_record> identity::assignments() const {
  std::lock_guard lock{mutex_};
  return assignments_;
}

std::optional<api_error> identity::grant(const assignment_record& a) {
  std::lock_guard lock{mutex_};
  if (!projects_.count(a.project_id)) return missing("project", a.project_id);
  if (!users_.count(a.user_id)) return missing("user", a.user_id);
  if (!roles_.count(a.role_id)) return missing("role", a.role_id);
  if (std::find(assignments_.begin(), assignments_.end(), a) == assignments_.end()) {
    assignments_.push_back(a);
  }
  return std::nullopt;
}

std::optional<api_error> identity::revoke_grant(const assignment_record& a) {
  std::lock_guard lock{mutex_};
  auto it = std::find(assignments_.begin(), assignments_.end(), a);
  if (it == assignments_.end()) {
    return missing("grant", "role: " + a.role_id + ", project: " + a.project_id + ", user: " +
                              a.user_id);
  }
  assignments_.erase(it);
  return std::nullopt;
}

bool identity::has_grant(const assignment_record& a) const {
  std::lock_guard lock{mutex_};
  return std::find(assignments_.begin(), assignments_.end(), a) != assignments_.end();
}

std::vector<project_record> identity::projects_of_user(std::string_view user_id) const {
  std::lock_guard lock{mutex_};
  std::vector<project_record> out;
  for (const auto& [id, project] : projects_) {
    bool member = std::any_of(assignments_.begin(), assignments_.end(), [&](const auto& a) {
      return a.user_id == user_id && a.project_id == id;
    });
    if (member) out.push_back(project);
  }
  return out;
}

} // namespace fedstack::sim
