// Nova's instance actions (GET /servers/{id}/os-instance-actions[/{request_id}]):
// what the API accepted on a server, newest first. Nova keeps them after the
// server is deleted and shows them to the server's project (or an admin) from
// microversion 2.21; before it a deleted server is a 404 (the real lab's
// answers, docs/conformance.md). Events are one per action, finished.

#include "sim/nova.hpp"

namespace fedstack::sim {

void nova_api::record_action_locked(const auth_context& ctx, const server_record& s, const std::string& action) {
  auto& log = actions_[s.id];
  log.project_id = s.project_id;
  if (action == "delete") log.deleted = true;
  log.actions.push_back({action, new_request_id(), ctx.user_id,
                         format_time(cloud_.compute.now(), time_style::micros_naive)});
}

reply nova_api::instance_actions(const call& c, const std::string& id) {
  if (c.r.method != "GET") return error(405, "The method specified is not allowed for this resource.");
  std::lock_guard lock{cloud_.mutex};
  auto it = actions_.find(id);
  bool visible = it != actions_.end() && (c.ctx.is_admin || it->second.project_id == c.ctx.project_id);
  bool live = cloud_.compute.server_mutable(c.ctx, id) != nullptr;
  if (!visible || (!live && (!it->second.deleted || !c.at_least(21))))
    return error(404, "Instance " + id + " could not be found.");
  auto view = [&](const instance_action& a) {
    return json{{"action", a.action},           {"instance_uuid", id},     {"request_id", a.request_id},
                {"user_id", a.user_id},         {"project_id", it->second.project_id},
                {"start_time", a.start_time},   {"message", nullptr}};
  };
  const auto& actions = it->second.actions;
  if (c.path.size() == 3) {
    json listed = json::array();
    for (auto a = actions.rbegin(); a != actions.rend(); ++a) listed.push_back(view(*a));
    return json_reply(200, {{"instanceActions", listed}});
  }
  if (c.path.size() != 4) return error(404, "The resource could not be found.");
  for (const auto& a : actions) {
    if (a.request_id != c.path[3]) continue;
    auto shown = view(a);
    shown["events"] = json::array({{{"event", "compute_" + a.action},
                                    {"start_time", a.start_time},
                                    {"finish_time", a.start_time},
                                    {"result", "Success"},
                                    {"traceback", nullptr}}});
    return json_reply(200, {{"instanceAction", shown}});
  }
  return error(404, "Action " + c.path[3] + " on instance " + id + " could not be found.");
}

} // namespace fedstack::sim
