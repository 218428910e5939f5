#pragma once
// What an admin's call reaches beyond the admin's own project (docs/federation.md,
// "Admin views"). The clouds decide what a caller may see (Nova answers a
// non-admin's all_tenants with 403, and shows an admin every project's servers
// only with all_tenants); the agent only has to ask them the way the caller
// may ask and translate what comes back under the project each item names.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fedstack::agent {

/// The projects a cloud's items name (Nova's `tenant_id`, Neutron's
/// `project_id`/`tenant_id`, Glance's `owner`), other than `caller_project`,
/// each once, sorted: whose registry entries may translate an admin's list.
std::vector<std::string> other_projects_named(const nlohmann::json& items, const std::string& caller_project);

/// Whether a search for a resource by its marker on the clouds asks for every
/// project's (Nova's all_tenants): for an admin only, since Nova refuses it to
/// anyone else, and an admin acting on another project's server must find it.
inline bool search_all_projects(bool caller_is_admin) { return caller_is_admin; }

} // namespace fedstack::agent
