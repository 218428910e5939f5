#include "agent/rules/attachment_rule.hpp"

#include "agent/rules/json_text.hpp"

namespace fedstack::agent {

using json = nlohmann::json;
using json_fields::text;

attachment_call attachment_call_of(const api::route& route, boost::beast::http::verb method) {
  using boost::beast::http::verb;
  if (route.service != api::service_type::volume || route.resource != "attachments" ||
      route.kind != api::route_kind::api)
    return attachment_call::none;
  if (route.resource_id.empty()) {
    if (method == verb::post && route.action.empty()) return attachment_call::create;
    if (method == verb::get && (route.action.empty() || route.action == "detail")) return attachment_call::list;
    return attachment_call::none;
  }
  if (route.action.empty() && (method == verb::get || method == verb::put || method == verb::delete_))
    return attachment_call::item;
  if (route.action == "action" && method == verb::post) return attachment_call::item;
  return attachment_call::none;
}

attachment_create read_attachment_create(const json& body) {
  attachment_create out;
  if (!body.is_object() || !body.contains("attachment") || !body["attachment"].is_object()) return out;
  const auto& a = body["attachment"];
  out.volume_id = text(a, "volume_uuid");
  out.server_id = text(a, "instance_uuid");
  return out;
}

attachment_page page_of_attachments(std::vector<json> all, const std::optional<std::string>& marker,
                                    std::size_t limit) {
  attachment_page out;
  std::size_t from = 0;
  if (marker) {
    out.marker_found = false;
    for (std::size_t i = 0; i < all.size(); ++i)
      if (all[i].is_object() && text(all[i], "id") == *marker) {
        from = i + 1;
        out.marker_found = true;
        break;
      }
    if (!out.marker_found) return out;
  }
  for (std::size_t i = from; i < all.size(); ++i) {
    if (out.items.size() == limit) {
      out.more = true;
      break;
    }
    out.items.push_back(std::move(all[i]));
  }
  return out;
}

} // namespace fedstack::agent
