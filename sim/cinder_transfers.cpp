// Cinder volume transfers (`/os-volume-transfer`, and `/volume-transfers` from 3.55):
// create (the volume "awaiting-transfer"), list and detail, show and delete for the
// volume's project, and accept by anyone holding the ID and the key, which gives the
// volume (and its snapshots, unless no_snapshots) to the accepting project. As Zed's
// cinder/transfer/api.py, cinder/db/sqlalchemy/api.py (transfer_*) and
// cinder/api/views/transfers.py do; docs/federation.md, "Volume transfers".
#include "sim/cinder.hpp"

namespace fedstack::sim {
namespace {

/// The transfer as the caller may see it: its volume's project's, or an admin's.
bool visible(const auth_context& ctx, const transfer_record& t) {
  if (ctx.is_admin) return true;
  return t.source_project_id == ctx.project_id;
}

} // namespace

json cinder_api::transfer_json(const transfer_record& t, const call& c, bool detail) const {
  json out = {{"id", t.id}, {"volume_id", t.volume_id}, {"name", t.name ? json(*t.name) : json(nullptr)},
              {"links", links(c, "os-volume-transfer", t.id)}};
  if (!detail) return out;
  out["created_at"] = format_time(t.created_at, time_style::micros_naive);
  if (c.at_least(55)) out["no_snapshots"] = t.no_snapshots;
  if (c.at_least(57)) {
    out["destination_project_id"] = nullptr;
    out["source_project_id"] = t.source_project_id;
    out["accepted"] = false;
  }
  return out;
}

reply cinder_api::transfers(const call& c) {
  const auto& p = c.path;
  const auto& r = c.r;
  settled_volumes held{cloud_};
  auto& store = held.store;

  if (p.size() == 1 && r.method == "POST") {
    auto body = cinder_body_object(r, "transfer");
    if (failed(body)) return error(error_of(body));
    const auto& in = std::get<json>(body);
    auto volume_id = cinder_text(in, "volume_id");
    if (!volume_id) return error(400, "Invalid input for field/attribute transfer. 'volume_id' is a required property");
    auto* v = store.volume_mutable(c.ctx, *volume_id);
    if (!v) return error(404, "Volume " + *volume_id + " could not be found.");
    if (v->status != "available") return error(400, "Invalid volume: status must be available");
    transfer_record t;
    t.id = new_uuid();
    t.volume_id = v->id;
    t.source_project_id = v->project_id;
    // 16 hex digits, as volume_transfer_key_length's default makes them.
    for (int i = 0; i < 16; ++i) t.auth_key += "0123456789abcdef"[random_between(0, 15)];
    if (auto name = cinder_text(in, "name")) t.name = *name;
    t.no_snapshots = c.at_least(55) && in.contains("no_snapshots") && in["no_snapshots"] == true;
    v->status = "awaiting-transfer";
    auto& made = store.add_transfer(std::move(t));
    auto shown = transfer_json(made, c, true);
    shown["auth_key"] = made.auth_key;
    return json_reply(202, {{"transfer", shown}});
  }
  if (p.size() == 1 || (p.size() == 2 && p[1] == "detail")) {
    if (r.method != "GET") return error(405, cinder_not_allowed);
    bool all_tenants = c.ctx.is_admin && r.query_value("all_tenants");
    json items = json::array();
    for (const auto* t : store.transfers())
      if (all_tenants ? true : t->source_project_id == c.ctx.project_id)
        items.push_back(transfer_json(*t, c, p.size() == 2));
    return json_reply(200, {{"transfers", items}});
  }

  auto* t = store.transfer(p[1]);
  auto not_found = [&] { return error(404, "Transfer " + p[1] + " could not be found."); };
  if (p.size() == 3 && p[2] == "accept" && r.method == "POST") {
    // Any project finds the transfer (an elevated read); the key decides.
    auto body = cinder_body_object(r, "accept");
    if (failed(body)) return error(error_of(body));
    auto key = cinder_text(std::get<json>(body), "auth_key");
    if (!key) return error(400, "Invalid input for field/attribute accept. 'auth_key' is a required property");
    if (!t) return not_found();
    if (*key != t->auth_key) return error(400, "Invalid auth key: Attempt to transfer " + t->id + " with invalid auth key.");
    auto* v = store.volume_by_id(t->volume_id);
    if (!v || v->status != "awaiting-transfer") {
      return error(400, "Invalid volume: Transfer " + t->id + ": Volume id " + t->volume_id +
                          " in unexpected state " + (v ? v->status : std::string{"deleted"}) +
                          ", expected awaiting-transfer");
    }
    if (auto refused = store.check_volume_quota(c.ctx.project_id, 1, v->size)) return error(*refused);
    auto answer = transfer_json(*t, c, false);
    v->status = "available";
    v->project_id = c.ctx.project_id;
    v->user_id = c.ctx.user_id;
    if (!t->no_snapshots) store.move_snapshots(v->id, c.ctx.project_id);
    store.remove_transfer(t->id);
    return json_reply(202, {{"transfer", answer}});
  }
  if (!t || !visible(c.ctx, *t)) return not_found();
  if (p.size() == 2 && r.method == "GET") return json_reply(200, {{"transfer", transfer_json(*t, c, true)}});
  if (p.size() == 2 && r.method == "DELETE") {
    // The volume is available again (transfer_destroy); a volume in another state keeps it.
    if (auto* v = store.volume_by_id(t->volume_id); v && v->status == "awaiting-transfer") v->status = "available";
    store.remove_transfer(t->id);
    return empty_reply(202);
  }
  return error(405, cinder_not_allowed);
}

} // namespace fedstack::sim
