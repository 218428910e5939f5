#include "agent/rules/security_group_action.hpp"

#include "agent/rules/security_group_rule.hpp"

namespace fedstack::agent {

std::optional<security_group_action> security_group_action_of(const api::route& route,
                                                              boost::beast::http::verb method,
                                                              const nlohmann::json& body) {
  if (route.service != api::service_type::compute || route.resource != "servers" || route.resource_id.empty() ||
      route.action != "action" || method != boost::beast::http::verb::post)
    return std::nullopt;
  if (!body.is_object() || body.size() != 1) return std::nullopt;
  const auto& key = body.begin().key();
  if (key != "addSecurityGroup" && key != "removeSecurityGroup") return std::nullopt;
  const auto& args = body.begin().value();
  if (!args.is_object() || !args.contains("name") || !args["name"].is_string()) return std::nullopt;
  auto given = args["name"].get<std::string>();
  if (given.empty() || !copied_for_boot(given)) return std::nullopt;
  return security_group_action{key == "addSecurityGroup", given};
}

nlohmann::json name_action_group(nlohmann::json body, const std::string& name) {
  if (body.is_object() && body.size() == 1 && body.begin().value().is_object()) body.begin().value()["name"] = name;
  return body;
}

} // namespace fedstack::agent
