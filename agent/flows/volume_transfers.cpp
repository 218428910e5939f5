#include "agent/flows/volume_transfers.hpp"

#include <map>
#include <optional>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/flows/client_answer.hpp"
#include "agent/flows/federation.hpp"
#include "agent/flows/lifecycle.hpp"
#include "agent/flows/volume_attachments.hpp"
#include "agent/flows/volumes.hpp"
#include "agent/rules/transfer_rule.hpp"
#include "agent/services/cloudlets.hpp"
#include "agent/services/registry_client.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/percent.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

bool has_block_storage(const cloudlet_endpoints& c) { return !c.volume.host.empty(); }

const std::map<std::string, std::string> nothing_known;

/// POST the collection: to the volume's cloudlet, its global ID made that cloud's.
http::awaitable<void> create_transfer(request& r, std::string body) {
  auto volume = transfer_volume(json::parse(body, nullptr, false));
  // An ID the caller may not use goes to this agent's cloudlet as given: its Cinder's answer.
  r.target = (co_await home_of_source(r, volume)).value_or(r.context.cloudlet);
  co_await forward_to_target(r, std::move(body), nothing_known);
}

/// GET, DELETE one transfer: the first cloudlet (own first) whose Cinder shows it to
/// the caller (its volume's project, or an admin); none: this agent's, whose 404 the
/// client gets.
http::awaitable<void> transfer_item(request& r, std::string body) {
  r.target = co_await first_cloudlet_showing(r, "/v3/" + r.route.resource + "/" + api::percent_encode(r.route.resource_id));
  co_await forward_to_target(r, std::move(body), nothing_known);
}

/// The global ID a volume carries in its marker, read with the caller's token; empty when none.
http::awaitable<std::string> marked_volume(request& r, const cloudlet_endpoints& c, const std::string& local_id) {
  auto shown = co_await call_cloudlet(r.context, c, api::service_type::volume, bhttp::verb::get,
                                      "/v3/volumes/" + api::percent_encode(local_id), client_call_headers(r));
  auto doc = json::parse(shown.body, nullptr, false);
  if (shown.status != 200 || !doc.is_object() || !doc.contains("volume")) co_return std::string{};
  auto marker = api::read_marker(api::service_type::volume, doc["volume"]);
  co_return marker && !marker->is_copy ? marker->global_id : std::string{};
}

/// The accepted volume's snapshots (`volume`: its cloud ID on `c`), which Cinder moved
/// with it unless the transfer was `no_snapshots`: each one's entry follows to the
/// accepting project as the volume's does, for the snapshots the cloud lists in that
/// project (the caller's token) whose marker their entry lists. One not given now is
/// given by the orphan sweep of `c`, as a volume's is.
http::awaitable<void> give_snapshots(request& r, const cloudlet_endpoints& c, const std::string& volume) {
  std::vector<marked_id> marked;
  try {
    auto listed = co_await call_cloudlet(r.context, c, api::service_type::volume, bhttp::verb::get,
                                         "/v3/snapshots/detail?volume_id=" + api::percent_encode(volume),
                                         client_call_headers(r));
    if (listed.status == 200)
      marked = transferred_snapshots(json::parse(listed.body, nullptr, false), volume, r.identity->project_id);
    else
      spdlog::warn("{} the snapshots of accepted volume {} on {} could not be listed ({})", r.request_id, volume,
                   c.region, listed.status);
  } catch (const upstream_failure& e) {
    spdlog::warn("{} the snapshots of accepted volume {} on {} could not be listed ({})", r.request_id, volume,
                 c.region, e.what());
  }
  auto own = co_await own_markers_on(r, c.region, marked);
  for (const auto& m : own) {
    std::optional<storage::registry_entry> given;
    try {
      given = co_await r.context.registry->give(m.global_id, r.identity->project_id);
    } catch (const registry_unavailable& e) {
      spdlog::warn("{} snapshot {}: its owner cannot be asked ({})", r.request_id, m.global_id, e.what());
    }
    spdlog::info("{} snapshot {} of accepted volume {}: its entry {}", r.request_id, m.global_id, volume,
                 given ? "follows" : "stays where it was (the orphan sweep gives it later)");
  }
}

/// POST .../{id}/accept: asked of each cloudlet (own first) until one holds the
/// transfer (Cinder reads it with an elevated context, so any other answers 404 and
/// changes nothing); the key is Cinder's to check. Once accepted, the volume's entry
/// goes to the accepting project at its owner, so that it is the new owner's under
/// the same global ID through every agent and no longer the giver's.
http::awaitable<void> accept_transfer(request& r, std::string body) {
  std::optional<http::response> last;
  std::optional<cloudlet_endpoints> from;
  for (const auto& c : all_cloudlets(r.context)) {
    if (!has_block_storage(c)) continue;
    try {
      auto answer = co_await call_cloudlet(r.context, c, api::service_type::volume, bhttp::verb::post,
                                           r.route.upstream_path, client_call_headers(r), body);
      bool held = holds_transfer(answer.status);
      last = std::move(answer);
      from = c;
      if (held) break;
    } catch (const upstream_failure& e) {
      spdlog::info("{} transfer {}: {} did not answer its accept ({})", r.request_id, r.route.resource_id, c.region,
                   e.what());
    }
  }
  if (!last) co_return co_await send_error(r, 503, "No cloudlet answered the accept of transfer " +
                                                       r.route.resource_id + ".");
  std::map<std::string, std::string> known;
  if (last->status == 202) {
    auto local = accepted_volume(json::parse(last->body, nullptr, false));
    std::string global;   // no co_await inside a conditional expression (GCC 12)
    if (!local.empty()) global = co_await marked_volume(r, *from, local);
    if (!global.empty()) {
      // A marker a restore copied from another volume names that one's entry: not given.
      std::vector<marked_id> read{marked_id{local, global, false}};
      auto own = co_await own_markers_on(r, from->region, read);
      if (own.empty()) global.clear();
    }
    if (!global.empty()) {
      known.emplace(local, global);
      auto given = co_await r.context.registry->give(global, r.identity->project_id);
      if (given)
        spdlog::info("{} volume {} accepted by project {}: its entry follows", r.request_id, global,
                     r.identity->project_id);
      else
        spdlog::warn("{} volume {} accepted by project {}: its entry stays where it was (the orphan sweep "
                     "gives it later)", r.request_id, global, r.identity->project_id);
    }
    if (!local.empty()) co_await give_snapshots(r, *from, local);
  }
  auto text = co_await translate_answer(r, *from, *last, known);
  co_await send_upstream_response(r, *last, std::move(text));
}

} // namespace

bool is_transfer_call(const request& r) { return transfer_call_of(r.route, r.header().method()) != transfer_call::none; }

http::awaitable<void> handle_transfer_call(request& r, std::string body) {
  switch (transfer_call_of(r.route, r.header().method())) {
    case transfer_call::create: co_return co_await create_transfer(r, std::move(body));
    case transfer_call::list: co_return co_await list_on_every_cloudlet(r, "transfers");
    case transfer_call::item: co_return co_await transfer_item(r, std::move(body));
    case transfer_call::accept: co_return co_await accept_transfer(r, std::move(body));
    case transfer_call::none: break;
  }
  co_await forward_to_target(r, std::move(body), nothing_known);
}

} // namespace fedstack::agent
