#include "agent/rules/transfer_rule.hpp"

#include "agent/rules/json_text.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {

using json = nlohmann::json;
using json_fields::text;

transfer_call transfer_call_of(const api::route& route, boost::beast::http::verb method) {
  using boost::beast::http::verb;
  if (route.service != api::service_type::volume || route.kind != api::route_kind::api ||
      (route.resource != "os-volume-transfer" && route.resource != "volume-transfers"))
    return transfer_call::none;
  if (route.resource_id.empty()) {
    if (method == verb::post && route.action.empty()) return transfer_call::create;
    if (method == verb::get && (route.action.empty() || route.action == "detail")) return transfer_call::list;
    return transfer_call::none;
  }
  if (route.action.empty() && (method == verb::get || method == verb::delete_)) return transfer_call::item;
  if (route.action == "accept" && route.sub_id.empty() && method == verb::post) return transfer_call::accept;
  return transfer_call::none;
}

std::string transfer_volume(const json& body) {
  if (!body.is_object() || !body.contains("transfer") || !body["transfer"].is_object()) return {};
  return text(body["transfer"], "volume_id");
}

bool holds_transfer(unsigned status) { return status != 404; }

std::string accepted_volume(const json& answer) {
  if (!answer.is_object() || !answer.contains("transfer") || !answer["transfer"].is_object()) return {};
  return text(answer["transfer"], "volume_id");
}

std::vector<marked_id> transferred_snapshots(const json& list, const std::string& volume_id,
                                             const std::string& project) {
  std::vector<marked_id> out;
  if (!list.is_object() || !list.contains("snapshots") || !list["snapshots"].is_array()) return out;
  for (const auto& s : list["snapshots"]) {
    if (!s.is_object() || text(s, "volume_id") != volume_id) continue;
    auto shown_in = text(s, "os-extended-snapshot-attributes:project_id");
    if (!shown_in.empty() && shown_in != project) continue;
    auto marker = api::read_marker(api::service_type::volume, s);
    auto id = text(s, "id");
    if (marker && !marker->is_copy && !id.empty()) out.push_back({id, marker->global_id, false});
  }
  return out;
}

} // namespace fedstack::agent
