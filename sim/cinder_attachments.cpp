// Cinder's attachments API (3.27+, completion 3.44+): reserve a volume for an
// instance, give a connector, complete, delete. Nova's attaches in this
// cloudlet land in the same records (nova_volumes.cpp).
#include "sim/cinder.hpp"

namespace fedstack::sim {
reply cinder_api::attachments(const call& c) {
  // VersionNotFoundForAPIMethod below NEW_ATTACH.
  if (!c.at_least(27)) return error(404, "API version 3." + std::to_string(c.mv) + " is not supported on this method.");
  const auto& p = c.path;
  const auto& r = c.r;
  settled_volumes held{cloud_};
  auto& store = held.store;

  if (p.size() == 1 && r.method == "POST") {
    auto body = cinder_body_object(r, "attachment");
    if (failed(body)) return error(error_of(body));
    const auto& in = std::get<json>(body);
    auto volume_id = in.value("volume_uuid", std::string{});
    if (volume_id.empty()) return error(400, "Invalid input for field/attribute attachment. 'volume_uuid' is a required property");
    auto* v = store.volume_mutable(c.ctx, volume_id);
    if (!v) return error(404, "Volume " + volume_id + " could not be found.");
    auto server = in.contains("instance_uuid") && in["instance_uuid"].is_string() ? in["instance_uuid"].get<std::string>() : std::string{};
    if (auto refused = store.reservation_refusal(*v, server)) return error(*refused);
    volume_attachment_record a;
    a.server_id = server;
    if (c.at_least(54) && in.contains("mode")) {
      auto mode = in["mode"].is_string() ? in["mode"].get<std::string>() : std::string{};
      if (mode != "rw" && mode != "ro") return error(400, "Invalid input received: Invalid attachment mode '" + mode + "' for volume " + v->id + ".");
      a.mode = mode;
    }
    if (in.contains("connector") && in["connector"].is_object()) {
      a.connector = in["connector"];
      a.host_name = in["connector"].value("host", std::string{});
      a.status = "attaching";
    }
    auto& made = store.add_attachment(*v, std::move(a));
    if (!made.connector.is_null()) v->status = "attaching";
    return json_reply(200, {{"attachment", attachment_json(made, true)}});
  }
  if (p.size() == 1 || (p.size() == 2 && p[1] == "detail")) {
    if (r.method != "GET") return error(405, cinder_not_allowed);
    bool all_tenants = c.ctx.is_admin && r.query_value("all_tenants") && parse_bool(*r.query_value("all_tenants")).value_or(true);
    json items = json::array();
    for (const auto* a : store.attachments()) {
      if (!all_tenants && a->project_id != c.ctx.project_id) continue;
      if (auto v = r.query_value("volume_id"); v && a->volume_id != *v) continue;
      if (auto s = r.query_value("instance_id"); s && a->server_id != *s) continue;
      if (auto s = r.query_value("status"); s && a->status != *s) continue;
      items.push_back(attachment_json(*a, p.size() == 2));
    }
    return json_reply(200, {{"attachments", items}});
  }
  const auto* found = store.find_attachment(c.ctx, p[1]);
  if (!found) return error(404, "Volume attachment could not be found with filter: attachment_id = " + p[1] + ".");
  auto& a = *store.attachment(found->id);
  if (p.size() == 2 && r.method == "GET") return json_reply(200, {{"attachment", attachment_json(a, true)}});
  if (p.size() == 2 && r.method == "PUT") {
    auto body = parse_json(r);
    if (!body || !body->contains("attachment") || !(*body)["attachment"].contains("connector") ||
        !(*body)["attachment"]["connector"].is_object()) {
      return error(400, "Invalid input for field/attribute attachment. 'connector' is a required property");
    }
    a.connector = (*body)["attachment"]["connector"];
    a.host_name = a.connector.value("host", std::string{});
    if (a.status == "reserved") a.status = "attaching";
    if (auto* v = store.volume_by_id(a.volume_id); v && v->status == "reserved") v->status = "attaching";
    return json_reply(200, {{"attachment", attachment_json(a, true)}});
  }
  if (p.size() == 2 && r.method == "DELETE") {
    auto volume_id = a.volume_id;
    store.remove_attachment(a.id);
    // Cinder answers with the volume's remaining attachments.
    json items = json::array();
    if (auto* v = store.volume_by_id(volume_id)) {
      for (const auto* rest : store.attachments_of(*v)) items.push_back(attachment_json(*rest, false));
    }
    return json_reply(200, {{"attachments", items}});
  }
  if (p.size() == 3 && p[2] == "action" && r.method == "POST") {
    auto body = parse_json(r);
    if (!body || !body->contains("os-complete")) return error(400, "There is no such action");
    if (!c.at_least(44)) return error(404, "API version 3." + std::to_string(c.mv) + " is not supported on this method.");
    store.complete_attachment(a);
    return empty_reply(204);
  }
  return error(405, cinder_not_allowed);
}

} // namespace fedstack::sim
