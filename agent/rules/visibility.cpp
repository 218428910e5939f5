#include "agent/rules/visibility.hpp"

namespace fedstack::agent {

using storage::resource_kind;

std::optional<std::pair<api::service_type, std::string>> show_call(resource_kind kind, const std::string& local_id) {
  switch (kind) {
    case resource_kind::image: return std::pair{api::service_type::image, "/v2/images/" + local_id};
    case resource_kind::network: return std::pair{api::service_type::network, "/v2.0/networks/" + local_id};
    case resource_kind::subnet: return std::pair{api::service_type::network, "/v2.0/subnets/" + local_id};
    case resource_kind::port: return std::pair{api::service_type::network, "/v2.0/ports/" + local_id};
    case resource_kind::server: return std::pair{api::service_type::compute, "/v2.1/servers/" + local_id};
    case resource_kind::floating_ip: return std::pair{api::service_type::network, "/v2.0/floatingips/" + local_id};
    case resource_kind::router: return std::pair{api::service_type::network, "/v2.0/routers/" + local_id};
    // Cinder takes project-less paths (microversion 3.67 documents them; the router has both).
    case resource_kind::volume: return std::pair{api::service_type::volume, "/v3/volumes/" + local_id};
    case resource_kind::volume_snapshot: return std::pair{api::service_type::volume, "/v3/snapshots/" + local_id};
    case resource_kind::volume_backup: return std::pair{api::service_type::volume, "/v3/backups/" + local_id};
    case resource_kind::flavor: return std::nullopt;
  }
  return std::nullopt;
}

entry_visibility visibility_of(const std::string& caller_project, const std::optional<storage::registry_entry>& entry) {
  entry_visibility out;
  if (!entry) return out;
  if (entry->project_id == caller_project) {
    out.use = entry_use::own;
    return out;
  }
  if (entry->state != storage::entry_state::bound || entry->copies.empty()) return out;
  const auto& primary = entry->copies.front();
  auto call = show_call(entry->kind, primary.local_id);
  if (!call) return out;
  out.use = entry_use::ask_cloud;
  out.cloudlet = primary.cloudlet;
  out.service = call->first;
  out.path = call->second;
  return out;
}

bool shown_to_caller(unsigned status) { return status == 200; }

copy_maker copy_maker_for(resource_kind kind, const std::string& caller_project, const std::string& entry_project,
                          const nlohmann::json& primary) {
  copy_maker out;
  if (caller_project == entry_project) return out;
  out.as_service = true;
  auto text = [&](const char* key) {
    auto it = primary.find(key);
    return it != primary.end() && it->is_string() ? it->get<std::string>() : std::string{};
  };
  auto flag = [&](const char* key) {
    auto it = primary.find(key);
    return it != primary.end() && it->is_boolean() && it->get<bool>();
  };
  if (kind == resource_kind::image) {
    auto owner = text("owner");
    out.fields["owner"] = owner.empty() ? entry_project : owner;
    auto visibility = text("visibility");
    out.fields["visibility"] = visibility.empty() ? "private" : visibility;
    if (visibility == "shared") out.member = caller_project;
    return out;
  }
  auto project = text("project_id");
  if (project.empty()) project = text("tenant_id");
  out.fields["project_id"] = project.empty() ? entry_project : project;
  if (kind == resource_kind::network) {
    out.fields["shared"] = flag("shared");
    if (flag("router:external")) out.fields["router:external"] = true;
  }
  return out;
}

} // namespace fedstack::agent
