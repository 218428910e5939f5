#include "agent/flows/volumes.hpp"

#include <map>

#include <spdlog/spdlog.h>

#include "agent/flows/visible_entry.hpp"
#include "agent/rules/create_policy.hpp"
#include "agent/rules/volume_rule.hpp"
#include "agent/services/cloudlets.hpp"
#include "agent/services/placement_client.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

bool has_block_storage(const cloudlet_endpoints& c) { return !c.volume.host.empty(); }

} // namespace

http::awaitable<std::optional<cloudlet_endpoints>> home_of_source(request& r, const std::string& id) {
  if (!api::global_id_owner(id)) co_return std::nullopt;
  auto entry = co_await visible_entry(r, id);
  if (!entry || entry->copies.empty()) co_return std::nullopt;
  co_return find_cloudlet(r.context, entry->copies.front().cloudlet);
}

http::awaitable<volume_placement> place_volume_create(request& r, storage::resource_kind kind, json& doc) {
  volume_placement out;
  auto needs = read_volume_create(kind, doc);
  if (!needs.pinned_zone.empty()) doc["volume"].erase("availability_zone");
  if (!needs.source_id.empty()) {
    auto home = co_await home_of_source(r, needs.source_id);
    // An ID the caller may not use goes to this agent's cloudlet as given: its Cinder says "not found".
    if (!home) home = r.context.cloudlet;
    auto placed = place_at_source(needs, home->region);
    out.refusal = placed.refusal;
    out.cloudlets.push_back(*home);
    co_return out;
  }
  placement_request request;
  request.kind = placement_kind::volume;   // the disk weigher on Cinder's pools: what the new cloud must store
  request.image_size_gb = needs.size_gb;
  request.availability_zone = needs.pinned_zone;
  auto decision = co_await r.context.placement->place(request);
  std::map<std::string, cloudlet_endpoints> found;
  auto in_directory = [&](const std::string& region) {
    auto c = find_cloudlet(r.context, region);
    if (!c || !has_block_storage(*c)) return false;
    found.emplace(region, *c);
    return true;
  };
  const auto& own = r.context.cloudlet;
  auto choice = choose_candidates(decision, needs.pinned_zone, in_directory, own.region);
  out.refusal = choice.refusal;
  for (const auto& region : choice.regions) out.cloudlets.push_back(region == own.region ? own : found.at(region));
  if (!out.refusal && (out.cloudlets.empty() || !has_block_storage(out.cloudlets.front())))
    out.refusal = "No cloudlet of the federation has Block Storage.";
  co_return out;
}

http::awaitable<bool> refuse_cross_cloudlet_attachment(request& r, const cloudlet_endpoints& server_cloudlet,
                                                       const std::string& body) {
  auto doc = json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("volumeAttachment") || !doc["volumeAttachment"].is_object()) co_return false;
  auto volume_id = doc["volumeAttachment"].value("volumeId", std::string{});
  auto home = co_await home_of_source(r, volume_id);
  if (!home) co_return false;   // unknown to the caller: Nova's own answer
  auto refusal = cross_cloudlet_attachment(volume_id, home->region, r.route.resource_id, server_cloudlet.region);
  if (!refusal) co_return false;
  spdlog::info("{} attachment refused: {}", r.request_id, *refusal);
  co_await send_error(r, 409, *refusal);
  co_return true;
}

} // namespace fedstack::agent
