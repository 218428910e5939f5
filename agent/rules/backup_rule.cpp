#include "agent/rules/backup_rule.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

std::string volume_id_in(const json& doc, const char* wrapper) {
  if (!doc.is_object()) return {};
  auto it = doc.find(wrapper);
  if (it == doc.end() || !it->is_object()) return {};
  auto id = it->find("volume_id");
  return id != it->end() && id->is_string() ? id->get<std::string>() : std::string{};
}

} // namespace

api::microversion backup_create_version(std::optional<api::microversion> client) {
  if (client && *client >= backup_metadata_version) return *client;
  return backup_metadata_version;
}

bool is_backup_restore(const api::route& route, boost::beast::http::verb method) {
  return method == boost::beast::http::verb::post && route.service == api::service_type::volume &&
         route.resource == "backups" && !route.resource_id.empty() && route.action == "restore" &&
         route.sub_id.empty();
}

std::string restore_volume(const json& body) { return volume_id_in(body, "restore"); }

std::string restored_volume(const json& answer) { return volume_id_in(answer, "restore"); }

std::optional<std::string> cross_cloudlet_restore(const std::string& backup_id, const std::string& backup_cloudlet,
                                                  const std::string& volume_id, const std::string& volume_cloudlet) {
  if (backup_cloudlet == volume_cloudlet) return std::nullopt;
  return "Backup " + backup_id + " is on cloudlet " + backup_cloudlet + " and volume " + volume_id +
         " is on cloudlet " + volume_cloudlet +
         ": a backup can only be restored into a volume of its own cloudlet, or into a new volume there "
         "(volume backup restore without a volume).";
}

} // namespace fedstack::agent
