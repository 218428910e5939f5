#include "agent/rules/admin_scope.hpp"

#include <set>

namespace fedstack::agent {

std::vector<std::string> other_projects_named(const nlohmann::json& items, const std::string& caller_project) {
  std::set<std::string> projects;
  if (!items.is_array()) return {};
  for (const auto& item : items) {
    if (!item.is_object()) continue;
    for (const char* key : {"tenant_id", "project_id", "owner"}) {
      auto it = item.find(key);
      if (it != item.end() && it->is_string() && !it->get<std::string>().empty() && *it != caller_project)
        projects.insert(it->get<std::string>());
    }
  }
  return {projects.begin(), projects.end()};
}

} // namespace fedstack::agent
