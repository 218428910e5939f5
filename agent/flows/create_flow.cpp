// Creates. Images and servers go where the scheduler says (thesis workflow 5,
// docs/scheduler.md); networks to this agent's cloudlet; subnets and ports to
// their network's (rules/create_policy.hpp). Record-keeping survives a crash
// at any step:
//   1. reserve the global ID in this agent's registry (state reserved);
//   2. create the cloud resource carrying the global ID as its marker;
//   3. bind: the entry gets the cloud's ID (state bound).
// A failed attempt (5xx, timeout, a server in ERROR for want of a host) is
// first looked for by its attempt token: what the cloud made after all is
// bound (one create, at most one resource). Otherwise it is recorded as
// abandoned, and only then is the next candidate tried; the owner deletes what
// an abandoned attempt made later (reservation_sweep.cpp, docs/faults.md). The
// client sees an error only when every candidate failed, and then the
// reservation goes too. One attempt: create_attempt.hpp; a boot's needs:
// boot_needs.hpp.

#include <map>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/flows/visible_entry.hpp"
#include "agent/flows/boot_needs.hpp"
#include "agent/flows/bulk_create.hpp"
#include "agent/flows/client_answer.hpp"
#include "agent/flows/create_attempt.hpp"
#include "agent/flows/federation.hpp"
#include "agent/flows/l3.hpp"
#include "agent/flows/multi_create.hpp"
#include "agent/flows/volume_types.hpp"
#include "agent/flows/volume_images.hpp"
#include "agent/flows/volumes.hpp"
#include "agent/rules/create_policy.hpp"
#include "agent/rules/lifecycle_rule.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "agent/rules/server_group_rule.hpp"
#include "agent/rules/resource_kinds.hpp"
#include "api/global_id.hpp"
#include "metrics/catalog.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::registry_entry;
using storage::resource_kind;

/// The project a create names for its resource: an admin may create for
/// another project (Glance's owner, Neutron's project_id or tenant_id).
std::string requested_project(const json& body, std::string_view collection) {
  auto singular = std::string(collection.substr(0, collection.size() - 1));
  const auto& item = body.contains(singular) && body[singular].is_object() ? body[singular] : body;
  return owner_project(item);
}

/// Where a subnet or port goes: the primary cloudlet of its network.
http::awaitable<cloudlet_endpoints> network_home(request& r, const json& body) {
  auto singular = r.route.resource.substr(0, r.route.resource.size() - 1);
  auto item = body.value(singular, json::object());
  auto network_id = item.is_object() ? item.value("network_id", std::string{}) : std::string{};
  if (api::global_id_owner(network_id)) {
    auto entry = co_await visible_entry(r, network_id);
    if (entry && !entry->copies.empty())
      if (auto c = find_cloudlet(r.context, entry->copies.front().cloudlet)) co_return *c;
  }
  co_return r.context.cloudlet;
}

/// The cloudlets a create tries, in order, or why it cannot go anywhere.
struct candidates {
  std::vector<cloudlet_endpoints> cloudlets;
  std::optional<std::string> refusal;
};

/// Asks the scheduler where an image or a server goes; a boot's pinned zone wins.
http::awaitable<candidates> scheduled_candidates(request& r, resource_kind kind, const json& doc,
                                                 const std::optional<boot_needs>& boot) {
  placement_request request;
  if (boot) {
    request = boot->request;
  } else {
    request.kind = placement_kind::image;
    request.image_size_gb = doc.value("min_disk", 0);
  }
  auto decision = co_await r.context.placement->place(request);
  std::map<std::string, cloudlet_endpoints> found;
  auto in_directory = [&](const std::string& region) {
    auto c = find_cloudlet(r.context, region);
    if (c) found.emplace(region, *c);
    return c.has_value();
  };
  const auto& own = r.context.cloudlet;
  auto choice = choose_candidates(decision, kind == resource_kind::server ? request.availability_zone : "",
                                  in_directory, own.region);
  if (boot && boot->server_group && !choice.refusal) {
    // Affinity and anti-affinity across cloudlets (rules/server_group_rule.hpp).
    const auto& g = *boot->server_group;
    std::vector<std::string> directory;
    for (const auto& c : all_cloudlets(r.context)) directory.push_back(c.region);
    auto placed = place_for_group(g.policy, g.member_regions, choice.regions, request.availability_zone, directory);
    for (const auto& d : placed.dropped) spdlog::info("{} {} set aside: {}", r.request_id, d.region, d.why);
    std::erase_if(placed.regions, [&](const std::string& region) { return !in_directory(region); });
    choice.regions = std::move(placed.regions);
    choice.refusal = placed.refusal;
    if (!choice.refusal && choice.regions.empty()) choice.refusal = "No cloudlet satisfies the server group's policy.";
  }
  candidates out;
  out.refusal = choice.refusal;
  for (const auto& region : choice.regions) out.cloudlets.push_back(region == own.region ? own : found.at(region));
  co_return out;
}

http::awaitable<candidates> candidates_for(request& r, resource_kind kind, const json& doc,
                                           const std::optional<boot_needs>& boot) {
  auto home = home_of(kind);
  if (home == create_home::scheduler) co_return co_await scheduled_candidates(r, kind, doc, boot);
  candidates out;   // named: GCC 12 mishandles braced temporaries in co_return
  if (home == create_home::own_cloudlet) out.cloudlets.push_back(r.context.cloudlet);
  else out.cloudlets.push_back(co_await network_home(r, doc));
  co_return out;
}

/// Step 1: the reservation, under the resource's project (an admin's `--project X` makes X's resource).
http::awaitable<registry_entry> reserve(request& r, resource_kind kind, const json& doc) {
  registry_entry entry;
  entry.kind = kind;
  entry.global_id = r.context.registry->new_global_id();
  entry.project_id = r.identity->project_id;
  if (r.identity->is_admin && kind != resource_kind::server)
    if (auto named = requested_project(doc, r.route.resource); !named.empty()) entry.project_id = named;
  entry.state = storage::entry_state::reserved;
  entry.created_unix_ms = now_unix_ms();
  entry.name = created_name(doc, r.route.resource);
  co_await r.context.registry->put(entry);
  co_return entry;
}

/// The cloud's answer names the project that owns what it made; the entry is
/// filed there (reserved under the caller's project, it moves).
http::awaitable<void> file_under_owner(request& r, registry_entry& entry, const http::response& answer) {
  auto doc = json::parse(answer.body, nullptr, false);
  if (!doc.is_object()) co_return;
  auto owner = requested_project(doc, r.route.resource);
  if (owner.empty() || owner == entry.project_id) co_return;
  spdlog::info("{} {} {} belongs to project {}: recorded there", r.request_id, storage::to_string(entry.kind),
               entry.global_id, owner);
  co_await r.context.registry->erase(entry.project_id, entry.global_id);
  entry.project_id = owner;
}

/// Step 3: binds what the attempt made on `c` and answers the client; a boot
/// of several servers binds each under its own global ID (multi_create.hpp).
http::awaitable<void> bind_and_answer(request& r, const cloudlet_endpoints& c, registry_entry& entry, attempt& a,
                                      long servers) {
  std::map<std::string, std::string> known;
  if (servers > 1) {
    // The reservation stays for the sweep when the others cannot be listed now.
    co_await bind_boot_servers(r.context, client_call_headers(r), c, entry, a.token, a.local_id, false);
    known.emplace(a.local_id, api::server_global_id(entry.global_id, a.local_id).value_or(entry.global_id));
  } else {
    co_await file_under_owner(r, entry, *a.answer);
    entry.state = storage::entry_state::bound;
    entry.attempt.reset();
    entry.copies.clear();
    entry.copies.push_back(storage::cloud_copy{c.region, a.local_id});
    co_await r.context.registry->put(entry);
    r.context.aliases.learn(c.region, a.local_id, entry.global_id);
    known.emplace(a.local_id, entry.global_id);
  }
  r.target = c;
  auto text = co_await translate_answer(r, c, *a.answer, known);
  co_await send_upstream_response(r, *a.answer, std::move(text));
}

/// Every candidate failed (or one failed finally): the reservation goes, and
/// the client gets the last failure.
http::awaitable<void> answer_failure(request& r, const registry_entry& entry, const cloudlet_endpoints& where,
                                     const attempt& last) {
  co_await r.context.registry->erase(entry.project_id, entry.global_id);
  if (last.answer) {
    auto text = rewrite_for_client(r, where, r.route.service, last.answer->body, {});
    co_return co_await send_upstream_response(r, *last.answer, std::move(text));
  }
  co_await send_error(r, last.status, last.message);
}

/// Step 2, on each candidate in turn until one made it or the policy stops.
http::awaitable<void> try_candidates(request& r, registry_entry& entry, json& doc, std::optional<boot_needs>& boot,
                                     const std::vector<cloudlet_endpoints>& cloudlets,
                                     std::optional<registry_entry>& volume_image) {
  attempt last;
  last.message = "No cloudlet could take the request.";
  cloudlet_endpoints last_cloudlet = cloudlets.front();
  std::optional<std::string> retry_cause;   // set while the previous candidate failed
  for (const auto& c : cloudlets) {
    if (retry_cause) metrics::fedstack().create_retries.add({storage::to_string(entry.kind), *retry_cause});
    std::optional<not_ready> failure;
    if (boot) failure = co_await prepare_boot_on(r, *boot, doc, c);
    else if (volume_image) failure = co_await prepare_volume_image_on(r, *volume_image, doc, c);   // volume_images.hpp
    if (failure) {
      last = attempt{};
      last.outcome = attempt_outcome::not_prepared;
      last.status = failure->status;
      last.message = failure->message;
      retry_cause = "copy_failed";
      if (after(last.outcome).try_next) continue;
      break;
    }
    r.upstream = endpoint_of(c, r.route.service).to_string();
    auto a = co_await create_on(r, c, entry, doc);
    last_cloudlet = c;
    auto step = after(a.outcome);
    if (step.bind)
      co_return co_await bind_and_answer(r, c, entry, a, boot ? requested_servers(doc["server"]) : 1);
    // Not `record_abandoned && !co_await ...`: GCC 12 miscompiles co_await after && (create_attempt.cpp).
    if (step.record_abandoned) {
      bool recorded = co_await record_abandoned(r, c, entry, a.token);
      if (!recorded) step = after_unrecorded_abandonment(step);
    }
    if (step.delete_made) co_await delete_abandoned_server(r, c, a, entry.kind);
    if (!step.try_next) {
      last = std::move(a);
      break;
    }
    spdlog::warn("{} create on {} failed ({}); trying the next candidate", r.request_id, c.region,
                 a.answer ? std::to_string(a.answer->status) : a.message);
    retry_cause = a.cause;
    last = std::move(a);
  }
  co_await answer_failure(r, entry, last_cloudlet, last);
}

} // namespace

http::awaitable<void> handle_create(request& r, std::string body) {
  auto kind = *kind_of(r.route);
  auto doc = json::parse(body, nullptr, false);
  if (!doc.is_object()) co_return co_await send_error(r, 400, "The request body must be a JSON object.");
  if (r.route.service == api::service_type::network && is_bulk_create(doc, r.route.resource))
    co_return co_await handle_bulk_create(r, kind, doc);
  std::optional<boot_needs> boot;
  if (kind == resource_kind::server) {
    if (auto refused = refuse_boot(doc)) co_return co_await send_error(r, 400, *refused);
    boot = co_await read_boot(r, doc["server"]);
    if (boot->refusal) co_return co_await send_error(r, 400, *boot->refusal);
    boot->server_group = co_await read_boot_server_group(r, doc);
  }
  candidates where;
  if (kind == resource_kind::floating_ip || kind == resource_kind::router) {
    // Its port's cloudlet (a floating IP's) or this agent's, with external networks made that cloudlet's.
    auto home = co_await prepare_l3_create(r, kind, doc);
    if (!home) co_return;
    where.cloudlets.push_back(*home);
  } else if (kind == resource_kind::volume || kind == resource_kind::volume_snapshot ||
             kind == resource_kind::volume_backup) {
    auto placed = co_await place_typed_volume_create(r, kind, doc);   // volume_types.hpp
    if (!placed) co_return;   // refused for its volume type
    where.cloudlets = std::move(placed->cloudlets);
    where.refusal = std::move(placed->refusal);
  } else {
    where = co_await candidates_for(r, kind, doc, boot);
  }
  if (where.refusal) co_return co_await send_error(r, 400, *where.refusal);
  std::optional<registry_entry> volume_image;
  if (kind == resource_kind::volume) volume_image = co_await volume_image_of(r, doc);
  auto entry = co_await reserve(r, kind, doc);
  in_flight_set::token running{r.context.creates_in_flight, entry.global_id};
  co_await try_candidates(r, entry, doc, boot, where.cloudlets, volume_image);
}

} // namespace fedstack::agent
