// Image, network and compute calls, once rules/flow_choice.hpp has chosen the
// flow. A call about one resource named by a global ID goes to the cloudlet
// that rules/resource_target.hpp names from its owner's answer (its primary
// copy, or found by its marker for a read the owner cannot place), with the
// federation's global IDs translated to that cloudlet's IDs on the way in and
// back on the way out. Lists and creates have their own flows (list_flow.cpp,
// create_flow.cpp); deletes remove every copy before the registry forgets the
// resource.

#include <map>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/flows/adoptions.hpp"
#include "agent/flows/client_answer.hpp"
#include "agent/flows/copy_changes.hpp"
#include "agent/flows/direct_images.hpp"
#include "agent/flows/direct_networks.hpp"
#include "agent/flows/federation.hpp"
#include "agent/flows/flavors.hpp"
#include "agent/flows/keypairs.hpp"
#include "agent/flows/lifecycle.hpp"
#include "agent/flows/l3.hpp"
#include "agent/flows/security_group_actions.hpp"
#include "agent/flows/security_groups.hpp"
#include "agent/flows/server_groups.hpp"
#include "agent/flows/marker_search.hpp"
#include "agent/flows/owner_lookup.hpp"
#include "agent/flows/volume_attachments.hpp"
#include "agent/flows/volume_transfers.hpp"
#include "agent/flows/volume_backups.hpp"
#include "agent/flows/volume_types.hpp"
#include "agent/flows/volumes.hpp"
#include "agent/rules/backup_rule.hpp"
#include "agent/rules/admin_scope.hpp"
#include "agent/rules/flow_choice.hpp"
#include "agent/rules/image_patch_rule.hpp"
#include "agent/rules/marker_guard.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "agent/rules/volume_rule.hpp"
#include "agent/services/registry_client.hpp"
#include "agent/flows/request.hpp"
#include "agent/rules/resource_kinds.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// Forwards the call to r.target with IDs translated both ways; `known`
/// (global -> local on r.target) need not be asked of the registries.
http::awaitable<void> forward(request& r, resource_call call, std::string body,
                              const std::map<std::string, std::string>& known_local = {}) {
  const auto& route = r.route;
  std::vector<std::string_view> texts;   // named: GCC 12 and initializer lists across co_await
  texts.push_back(route.upstream_path);
  texts.push_back(route.query);
  texts.push_back(body);
  auto to_local = co_await ids_to_local(r, r.target.region, texts, known_local);
  auto lookup = lookup_in(to_local);
  auto target = api::rewrite_uuids(route.upstream_path, lookup);
  if (!route.query.empty()) target += "?" + api::rewrite_uuids(route.query, lookup);
  body = api::rewrite_uuids(body, lookup);
  const auto& upstream = endpoint_of(r.target, route.service);
  r.upstream = upstream.to_string();

  if (call == resource_call::image_upload) co_return co_await handle_image_upload(r, target);
  if (call == resource_call::image_download) co_return co_await handle_image_download(r, target);

  auto answer = co_await r.context.upstream->call(upstream, r.header().method(), target, r.header(), std::move(body),
                                       r.context.upstream_timeout(), &r.context.pool, r.request_id);
  auto known = reversed(to_local);
  auto text = co_await translate_answer(r, r.target, answer, known);
  co_await send_upstream_response(r, answer, std::move(text));
}

/// The route's upstream path on the cloudlet of `copy`: the global ID its local one.
std::string path_on(const request& r, const std::string& global_id, const storage::cloud_copy& copy) {
  return api::rewrite_uuids(r.route.upstream_path, [&](std::string_view id) -> std::optional<std::string> {
    if (id == global_id) return copy.local_id;
    return std::nullopt;
  });
}

/// Sends the route's call (`method`, `body`) to every copy but the primary. A
/// copy already gone (404) counts as done; on any other failure the client
/// gets that answer and false, and the calls after it are not made.
http::awaitable<bool> call_copies(request& r, const storage::registry_entry& entry, bhttp::verb method,
                                  const bhttp::fields& headers, const std::string& body, std::string_view what) {
  for (std::size_t i = 1; i < entry.copies.size(); ++i) {
    const auto& copy = entry.copies[i];
    auto cloudlet = find_cloudlet(r.context, copy.cloudlet);
    if (!cloudlet) continue;   // a region that left the catalog holds nothing we can reach
    auto answer = co_await call_cloudlet(r.context, *cloudlet, r.route.service, method,
                                         path_on(r, entry.global_id, copy), headers, body);
    bool refused = co_await refused_by_copy(r, entry, copy, *cloudlet, answer, what);
    if (refused) co_return false;
  }
  co_return true;
}

/// Deletes every copy but the primary (call_copies).
http::awaitable<bool> delete_copies(request& r, const storage::registry_entry& entry, const bhttp::fields& headers) {
  co_return co_await call_copies(r, entry, bhttp::verb::delete_, headers, {}, "deleting");
}

/// An image's changes reach its copies before its primary (rules/image_patch_rule.hpp:
/// all but its locations, what Glance refuses on an active image, and the markers),
/// with the client's token (the authority the change needs on the primary): a
/// boot on a copy's cloudlet sees the image's properties, name and visibility
/// as the primary shows them, and no copy stays visible beyond what was asked.
/// Each copy is read first, so that a property it lacks is added rather than
/// replaced. A copy already gone (404) is skipped; on any other refusal the
/// client gets that answer and the primary is left as it was: the same request
/// again completes the change.
http::awaitable<bool> patch_copies(request& r, const storage::registry_entry& entry, const std::string& body) {
  auto ops = json::parse(body, nullptr, false);
  if (!patch_reaches_copies(ops)) co_return true;   // or Glance's 400 from the primary
  auto change = image_patch_change(r, std::move(ops), [&](const storage::cloud_copy& copy) {
    return path_on(r, entry.global_id, copy);
  });
  co_return co_await change_copies(r, entry, 1, change);
}

/// Asks the owner to forget a resource its cloud deleted. The delete is done
/// whatever the owner answers: an owner that is slow to see the primary gone
/// (it checks the cloud first, actors/node.hpp) or does not answer at all still
/// drops its entry once its check ends, and an entry left behind names a
/// resource its cloud answers 404 for. So the client gets the cloud's answer,
/// never the registry's 503.
http::awaitable<void> forget_deleted(request& r, const storage::registry_entry& entry) {
  // Its cloud IDs name it no more (Cinder's backup import revives a deleted backup's ID).
  for (const auto& copy : entry.copies) r.context.aliases.forget(copy.cloudlet, copy.local_id, entry.global_id);
  try {
    co_await r.context.registry->erase(entry.project_id, entry.global_id);
  } catch (const registry_unavailable& e) {
    spdlog::warn("{} {} is deleted on its cloud; its owner did not confirm forgetting it: {}", r.request_id,
                 entry.global_id, e.what());
  }
}

/// DELETE of a recorded resource: every copy first, then the primary; the
/// registry forgets it only when the primary is gone (deleted now, or 404).
/// Any other failure keeps the entry for a retry. The client gets the answer
/// of the primary's cloud.
http::awaitable<void> delete_everywhere(request& r, const storage::registry_entry& entry) {
  auto headers = client_call_headers(r);
  // An adopted network's subnets' adoptions go with it: found on its copies before those go.
  std::vector<found_adoption> subnets;
  if (entry.kind == storage::resource_kind::network) subnets = co_await subnet_adoptions_on(r, entry);
  if (!co_await delete_copies(r, entry, headers)) co_return;
  const auto& primary = entry.copies.front();
  auto cloudlet = find_cloudlet(r.context, primary.cloudlet);
  if (!cloudlet) co_return co_await send_error(r, 503, "The cloudlet " + primary.cloudlet + " is not in the catalog.");
  r.target = *cloudlet;
  r.upstream = endpoint_of(*cloudlet, r.route.service).to_string();
  auto answer = co_await call_cloudlet(r.context, *cloudlet, r.route.service, bhttp::verb::delete_,
                                       path_on(r, entry.global_id, primary), headers);
  if ((answer.status >= 200 && answer.status < 300) || answer.status == 404) {
    co_await forget_deleted(r, entry);  // a server's entry leaves its tombstone
    if (!subnets.empty()) co_await forget_adoptions(r, subnets, api::service_type::network, "/v2.0/subnets/");
  }
  // Gone from its cloud already (deleted behind the federation's back, or by a
  // force-delete action): the cloud's 404, as a direct call gets it; clients
  // that clean up (Tempest) ignore a 404 and refuse an unexpected 204.
  std::map<std::string, std::string> known;
  known.emplace(primary.local_id, entry.global_id);
  auto text = co_await translate_answer(r, *cloudlet, answer, known);
  co_await send_upstream_response(r, answer, std::move(text));
}

std::string not_found_message(const api::route& route) {
  // Cinder's VolumeNotFound, SnapshotNotFound and BackupNotFound wording.
  if (route.service == api::service_type::volume &&
      (route.resource == "volumes" || route.resource == "snapshots" || route.resource == "backups"))
    return std::string(route.resource == "volumes" ? "Volume " : route.resource == "snapshots" ? "Snapshot " : "Backup ") +
           route.resource_id + " could not be found.";
  auto singular = route.resource.substr(0, route.resource.size() - 1);
  return "No " + singular + " with ID " + route.resource_id + " was found.";
}

/// A server the registry cannot place: a deleted one, by its tombstone at its
/// owner (`entry`, or asked of any project for an admin), is asked its
/// instance actions (Nova answers them for a deleted server from 2.21 and
/// judges the caller's token); false, nothing sent, for anything else.
http::awaitable<bool> read_deleted(request& r, resource_call call, std::optional<storage::registry_entry> entry) {
  if (!reads_deleted_server(r.route, r.header().method())) co_return false;
  if (!entry || entry->state != storage::entry_state::deleted) {
    try {
      entry = co_await r.context.registry->get_any_project(r.route.resource_id);
    } catch (const registry_unavailable&) {
      co_return false;   // its owner cannot say: 404, as before the tombstone
    }
  }
  if (!entry || entry->state != storage::entry_state::deleted || entry->copies.empty() ||
      !may_follow_deleted(entry->project_id, r.identity->project_id, r.identity->is_admin))
    co_return false;
  const auto& primary = entry->copies.front();
  auto cloudlet = find_cloudlet(r.context, primary.cloudlet);
  if (!cloudlet) co_return false;
  r.target = *cloudlet;
  std::map<std::string, std::string> known;
  known.emplace(r.route.resource_id, primary.local_id);
  std::string no_body;
  co_await forward(r, call, std::move(no_body), known);
  co_return true;
}

/// A read of a resource the owner's registry cannot place for this client:
/// the owner is gone, or the entry belongs to another project (an admin's
/// Glance list shows every project's images). Writes still need the owner's entry.
http::awaitable<void> read_by_marker(request& r, resource_call call, storage::resource_kind kind,
                                     const std::string& why) {
  const auto& global_id = r.route.resource_id;
  auto found = co_await find_unplaced(r, kind, global_id, why);
  if (!found) co_return co_await send_error(r, 404, not_found_message(r.route));
  r.target = found->cloudlet;
  std::map<std::string, std::string> known;
  known.emplace(global_id, found->local_id);
  std::string no_body;
  co_await forward(r, call, std::move(no_body), known);
}

/// For an admin, a resource of another project (an admin create with
/// `--project X` is recorded under X): the project its cloud names, read from
/// the resource found by its marker with the admin's token, and that project's entry.
/// A recorded snapshot counts, as in find_unplaced: the entry, not the image,
/// places the call, so a forged property can only name the forger's own project.
http::awaitable<owner_answer> ask_other_project(request& r, storage::resource_kind kind) {
  std::optional<marked_resource> found;
  try {
    found = co_await find_marked_primary(r.context, client_call_headers(r), kind, r.route.resource_id,
                                         search_all_projects(r.identity->is_admin), {},
                                         recorded_snapshots::accept);
  } catch (const upstream_failure&) {
    co_return owner_answer{};   // nobody can tell: as before, this project's view
  }
  if (!found) co_return owner_answer{};
  auto project = owner_project(found->item);
  if (project.empty() || project == r.identity->project_id) co_return owner_answer{};
  owner_answer answer;
  try {
    answer.entry = co_await r.context.registry->get(project, r.route.resource_id);
  } catch (const registry_unavailable& e) {
    answer.unavailable = e.what();
  }
  co_return answer;
}

/// A call about one resource named by a global ID: to the cloudlet of its
/// primary copy as its owner's registry places it (rules/resource_target.hpp).
http::awaitable<void> handle_recorded(request& r, resource_call call, std::string body) {
  const auto& global_id = r.route.resource_id;
  auto kind = *recorded_kind_of(r.route);
  auto use = is_read(r.header().method()) ? id_use::read : id_use::write;
  auto answer = co_await ask_owner(r, global_id);
  auto target = target_of(answer, use, r.identity->is_admin);
  if (target.kind == target_kind::other_project) {
    answer = co_await ask_other_project(r, kind);
    target = target_of(answer, use, false);
  }
  // The primary is where the call goes: its ID need not be looked up again.
  std::map<std::string, std::string> known_local;
  if (target.kind == target_kind::primary) known_local.emplace(global_id, target.local_id);
  bool deleted = false;   // a deleted server's instance actions: read_deleted
  if (target.kind == target_kind::search_by_marker || target.kind == target_kind::not_found)
    deleted = co_await read_deleted(r, call, answer.entry);
  if (deleted) co_return;
  switch (target.kind) {
    case target_kind::search_by_marker:
      co_return co_await read_by_marker(r, call, kind, target.why);
    case target_kind::not_found:
      co_return co_await send_error(r, 404, not_found_message(r.route));
    case target_kind::registry_unavailable:
      throw registry_unavailable(target.why);   // answered 503 as every registry failure
    case target_kind::primary:
    case target_kind::other_project:
      break;
  }
  auto cloudlet = find_cloudlet(r.context, target.cloudlet);
  if (!cloudlet)
    co_return co_await send_error(r, 503, "The cloudlet " + target.cloudlet +
                                            " that holds this resource is not in the catalog.");
  r.target = *cloudlet;
  if (call == resource_call::delete_everywhere) co_return co_await delete_everywhere(r, *answer.entry);
  bool l3 = kind == storage::resource_kind::floating_ip || kind == storage::resource_kind::router;
  bool answered = false;   // no co_await after && (GCC 12)
  if (l3) answered = co_await handle_l3_call(r, *answer.entry, *cloudlet, body);
  // A volume of another cloudlet cannot be attached to this server (volume_rule.hpp).
  if (kind == storage::resource_kind::server && is_volume_attachment_change(r.route, r.header().method()))
    answered = co_await refuse_cross_cloudlet_attachment(r, *cloudlet, body);
  // A restore stays on the backup's cloudlet; its new volume is recorded (volume_backups.hpp).
  if (kind == storage::resource_kind::volume_backup && is_backup_restore(r.route, r.header().method()))
    answered = co_await handle_backup_restore(r, *answer.entry, *cloudlet, body);
  // A security group added to a server elsewhere is copied there first (security_group_actions.hpp).
  if (kind == storage::resource_kind::server && !answered)
    answered = co_await prepare_security_group_action(r, *cloudlet, body);
  if (answered) co_return;
  // Resize, rebuild, snapshot, unshelve, tags and metadata that replace the markers (lifecycle.cpp).
  auto parsed = json::parse(body, nullptr, false);
  auto step = lifecycle_step_of(r.route, r.header().method(), parsed);
  if (step != lifecycle_step::none && answer.entry)
    co_return co_await handle_lifecycle(r, step, *answer.entry, std::move(body), std::move(known_local));
  bool copies_in_step = true;   // no co_await after && (GCC 12)
  if (kind == storage::resource_kind::image && r.header().method() == bhttp::verb::patch && answer.entry)
    copies_in_step = co_await patch_copies(r, *answer.entry, body);
  if (!copies_in_step) co_return;
  co_await forward(r, call, std::move(body), known_local);
}

/// The request's body, read within the limits; nullopt when an error was sent.
http::awaitable<std::optional<std::string>> read_body(request& r, request_body kind) {
  auto body = co_await read_json_body(r);
  if (body && kind == request_body::json && !body->empty() && !json::accept(*body)) {
    co_await send_error(r, 400, "Malformed JSON in request body.");
    co_return std::nullopt;
  }
  co_return body;
}

} // namespace

http::awaitable<void> forward_to_target(request& r, std::string body,
                                        const std::map<std::string, std::string>& known_local) {
  co_await forward(r, resource_call::forward, std::move(body), known_local);
}

http::awaitable<void> handle_resource(request& r, const flow_choice& choice) {
  std::string body;
  if (choice.body != request_body::none) {
    auto read = co_await read_body(r, choice.body);
    if (!read) co_return;
    body = std::move(*read);
  }
  // Keys and tags the federation reserves for its markers, whatever the flow (rules/marker_guard.hpp).
  if (auto guarded = guard_markers(r.route, r.header().method(),
                                   body.empty() ? json() : json::parse(body, nullptr, false)))
    co_return co_await send_error(r, guarded->status, guarded->message);
  if (nova_image_proxy_gone(r.route, r.compute_version))
    co_return co_await send_error(r, 404, "The resource could not be found.");
  switch (choice.flow) {
    case flow::list: co_return co_await handle_list(r);
    case flow::zone_list: co_return co_await handle_zone_list(r);
    case flow::operator_view: co_return co_await handle_operator_view(r);
    case flow::create: co_return co_await handle_create(r, std::move(body));
    case flow::recorded_resource: co_return co_await handle_recorded(r, choice.call, std::move(body));
    case flow::keypair_delete: co_return co_await handle_keypair_delete(r);
    case flow::security_group_rule_change:
      co_return co_await handle_security_group_rule_change(r, std::move(body));
    case flow::security_group_delete: co_return co_await handle_security_group_delete(r);
    case flow::flavor: co_return co_await handle_flavor(r, std::move(body));
    case flow::volume_type: co_return co_await handle_volume_type(r, std::move(body));
    case flow::security_group_update:
      co_return co_await handle_security_group_update(r, std::move(body));
    case flow::server_groups: co_return co_await handle_server_groups(r);
    case flow::external_network: co_return co_await handle_external_network(r);
    default:
      // An image named by a cloud's ID: to the cloudlet that shows it to the caller (direct_images.hpp).
      if (is_direct_image_call(r.route)) co_return co_await handle_direct_image_call(r, std::move(body));
      // A network named by a cloud's ID: to the cloudlet that shows it to the caller (direct_networks.hpp).
      if (is_direct_network_call(r.route)) co_return co_await handle_direct_network_call(r, std::move(body));
      // Cinder's attachments: on their volume's cloudlet (volume_attachments.hpp).
      if (is_attachment_call(r)) co_return co_await handle_attachment_call(r, std::move(body));
      // Cinder's volume transfers: on their volume's cloudlet (volume_transfers.hpp).
      if (is_transfer_call(r)) co_return co_await handle_transfer_call(r, std::move(body));
      co_return co_await forward(r, choice.call, std::move(body));   // to this agent's cloudlet
  }
}

} // namespace fedstack::agent
