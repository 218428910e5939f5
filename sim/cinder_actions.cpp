// POST /volumes/{id}/action: os-extend, os-reset_status (admin), os-set_bootable,
// os-update_readonly_flag, os-force_delete (admin), and the legacy attach calls
// (os-reserve, os-unreserve, os-attach, os-begin_detaching, os-roll_detaching, os-detach).
#include "sim/cinder.hpp"

namespace fedstack::sim {
namespace {

std::optional<std::int64_t> integer(const json& value) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_string()) return parse_int(value.get<std::string>());
  return std::nullopt;
}

std::string policy_refusal(std::string_view rule) {
  return "Policy doesn't allow " + std::string{rule} + " to be performed.";
}

} // namespace

reply cinder_api::volume_action(const call& c, volume_record& v) {
  auto body = parse_json(c.r);
  if (!body || !body->is_object() || body->size() != 1) return error(400, "Malformed request body");
  const auto& action = body->begin().key();
  const auto& args = body->begin().value();
  auto& store = cloud_.volumes;
  auto now = store.now();

  if (action == "os-extend") {
    auto new_size = args.is_object() && args.contains("new_size") ? integer(args["new_size"]) : std::nullopt;
    if (!new_size || *new_size < 1) {
      return error(400, "Invalid input for field/attribute new_size. Value: " +
                          (args.is_object() ? args.value("new_size", json{}).dump() : std::string{"None"}) +
                          ". must be an integer of at least 1");
    }
    // Extending an attached volume needs 3.42 (VOLUME_EXTEND_INUSE).
    std::string expected = c.at_least(42) && v.status == "in-use" ? "in-use" : "available";
    if (v.status != expected) {
      return error(400, "Invalid volume: Volume " + v.id + " status must be '{'status': '" + expected +
                          "'}' to extend, currently " + v.status + ".");
    }
    if (*new_size <= v.size) {
      return error(400, "Invalid input received: New size for extend must be greater than current size. (current: " +
                          std::to_string(v.size) + ", extended: " + std::to_string(*new_size) + ").");
    }
    if (auto refused = store.check_volume_quota(v.project_id, 0, *new_size - v.size)) return error(*refused);
    if (!store.grow(v, *new_size)) {
      store.set_status_for_a_while(v, "extending", "error_extending");
      return empty_reply(202);
    }
    store.set_status_for_a_while(v, "extending", expected);
    return empty_reply(202);
  }
  if (action == "os-reset_status") {
    if (!c.ctx.is_admin) return error(403, policy_refusal("volume_extension:volume_admin_actions:reset_status"));
    if (!args.is_object() || args.empty()) return error(400, "Must specify 'status', 'attach_status' or 'migration_status' for update.");
    static const std::set<std::string> statuses{"creating", "available", "deleting", "error", "error_deleting",
                                                "error_managing", "managing", "attaching", "in-use", "detaching",
                                                "maintenance", "reserved", "error_restoring", "error_extending",
                                                "extending", "backing-up", "restoring-backup", "downloading",
                                                "uploading", "retyping", "awaiting-transfer"};
    if (args.contains("status")) {
      auto status = args["status"].is_string() ? to_lower(args["status"].get<std::string>()) : std::string{};
      if (!statuses.count(status)) return error(400, "Invalid input for field/attribute status. Value: " + args["status"].dump() + ".");
      v.status = status;
      v.pending.reset();
    }
    if (args.contains("attach_status")) {
      auto attach = args["attach_status"].is_string() ? args["attach_status"].get<std::string>() : std::string{};
      if (attach != "attached" && attach != "detached") {
        return error(400, "Invalid input for field/attribute attach_status. Value: " + args["attach_status"].dump() + ".");
      }
      if (attach == "detached") {
        // Resetting to detached drops the attachments, as Cinder's reset does.
        auto ids = v.attachment_ids;
        for (const auto& id : ids) store.remove_attachment(id);
        if (args.contains("status")) v.status = to_lower(args["status"].get<std::string>());
      }
    }
    if (args.contains("migration_status")) {
      v.migration_status = args["migration_status"].is_string() ? std::optional{args["migration_status"].get<std::string>()} : std::nullopt;
    }
    v.updated_at = now;
    return empty_reply(202);
  }
  if (action == "os-set_bootable") {
    if (!args.is_object() || !args.contains("bootable")) return error(400, "Must specify bootable in request.");
    std::optional<bool> bootable = args["bootable"].is_boolean() ? std::optional{args["bootable"].get<bool>()}
                                   : args["bootable"].is_string() ? parse_bool(args["bootable"].get<std::string>())
                                                                  : std::nullopt;
    if (!bootable) return error(400, "Invalid value '" + args["bootable"].dump() + "' for bootable. Accepted values are: true, false.");
    v.bootable = *bootable;
    v.updated_at = now;
    return empty_reply(200);
  }
  if (action == "os-update_readonly_flag") {
    if (!args.is_object() || !args.contains("readonly") || !args["readonly"].is_boolean()) {
      return error(400, "Must specify readonly in request.");
    }
    if (v.status != "available" && v.status != "in-use") {
      return error(400, "Invalid volume: Volume status must be available/in-use.");
    }
    v.updated_at = now;
    return empty_reply(202);
  }
  if (action == "os-force_delete") {
    if (!c.ctx.is_admin) return error(403, policy_refusal("volume_extension:volume_admin_actions:force_delete"));
    auto ids = v.attachment_ids;
    for (const auto& id : ids) store.remove_attachment(id);
    store.remove_volume(v.id);
    return empty_reply(202);
  }
  // The pre-3.27 attach flow (os-reserve, os-attach, os-detach...), which older Nova and clients use.
  if (action == "os-reserve") {
    if (v.status != "available" && !(v.multiattach && v.status == "in-use")) {
      return error(400, "Invalid volume: Volume status must be available to reserve, but the status is " + v.status + ".");
    }
    v.status = "attaching";
    v.updated_at = now;
    return empty_reply(202);
  }
  if (action == "os-unreserve") {
    if (v.status == "attaching") v.status = v.attachment_ids.empty() ? "available" : "in-use";
    v.updated_at = now;
    return empty_reply(202);
  }
  if (action == "os-attach") {
    if (!args.is_object() || !args.contains("mountpoint")) return error(400, "Must specify 'mountpoint'");
    auto server = args.value("instance_uuid", std::string{});
    auto host = args.value("host_name", std::string{});
    if (server.empty() == host.empty()) return error(400, "Invalid request to attach volume to an invalid target");
    if (v.status != "available" && v.status != "attaching" && !(v.multiattach && v.status == "in-use")) {
      return error(400, "Invalid volume: Volume status must be available or attaching to attach, but the status is " + v.status + ".");
    }
    volume_attachment_record a;
    a.server_id = server;
    a.host_name = host;
    a.device = args["mountpoint"].is_string() ? args["mountpoint"].get<std::string>() : std::string{};
    a.mode = args.value("mode", std::string{"rw"});
    auto& made = store.add_attachment(v, std::move(a));
    store.complete_attachment(made);
    return empty_reply(202);
  }
  if (action == "os-begin_detaching") {
    if (v.status != "in-use") return error(400, "Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.");
    v.status = "detaching";
    v.updated_at = now;
    return empty_reply(202);
  }
  if (action == "os-roll_detaching") {
    if (v.status == "detaching") v.status = "in-use";
    v.updated_at = now;
    return empty_reply(202);
  }
  if (action == "os-detach") {
    std::string id = args.is_object() ? args.value("attachment_id", std::string{}) : std::string{};
    if (id.empty() && v.attachment_ids.size() == 1) id = v.attachment_ids.front();
    const auto* a = id.empty() ? nullptr : store.attachment(id);
    if (!a || a->volume_id != v.id) return error(404, "Volume attachment could not be found with filter: attachment_id = " + id + ".");
    store.remove_attachment(id);
    return empty_reply(202);
  }
  return error(400, "There is no such action: " + action);
}

} // namespace fedstack::sim
