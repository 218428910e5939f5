#include "agent/flows/direct_networks.hpp"

#include <algorithm>
#include <map>

#include <spdlog/spdlog.h>

#include "agent/flows/adoptions.hpp"
#include "agent/flows/ask_every.hpp"
#include "agent/flows/client_answer.hpp"
#include "agent/flows/copy_changes.hpp"
#include "agent/flows/copies.hpp"
#include "agent/flows/direct_images.hpp"
#include "agent/rules/adoption_rule.hpp"
#include "agent/rules/direct_network_rule.hpp"
#include "agent/services/cloudlets.hpp"
#include "agent/services/registry_client.hpp"
#include "agent/flows/federation.hpp"
#include "agent/flows/lifecycle.hpp"
#include "api/global_id.hpp"
#include "api/uuid.hpp"
#include "storage/unix_time.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::registry_entry;
using storage::resource_kind;

/// This agent's adoption of the network or subnet `cloud_id`: its record and
/// the entry of the copies (nullopt: none, or the entry is gone).
http::awaitable<std::optional<std::pair<adopted_record, registry_entry>>>
adopted_entry(request& r, resource_kind kind, const std::string& cloud_id) {
  if (!api::is_uuid(cloud_id)) co_return std::nullopt;
  auto text = co_await r.context.registry->get_meta(adopted_neutron_key(kind, cloud_id));
  auto record = text ? decode_adopted(*text) : std::nullopt;
  // A record names only an adoption of this very item (a planted one names nothing).
  if (!record || record->local_id != cloud_id || !is_adoption_of(record->global_id, kind, record->cloudlet, cloud_id))
    co_return std::nullopt;
  auto entry = co_await r.context.registry->get(record->project, record->global_id);
  if (!entry) co_return std::nullopt;
  co_return std::pair{*record, *entry};
}

/// The network (or subnet: `collection`) `cloud_id` as each of `cloudlets` shows it to the
/// caller (asked at once, under --list-deadline-ms); a cloudlet that cannot tell shows nothing.
/// `unanswered`, when given, gets the cloudlets that could not tell (no answer in time, 5xx).
http::awaitable<std::vector<network_sighting>> sightings(request& r, std::vector<cloudlet_endpoints> cloudlets,
                                                         const std::string& cloud_id,
                                                         std::vector<std::string>* unanswered = nullptr,
                                                         std::string collection = "networks") {
  const auto singular = collection.substr(0, collection.size() - 1);
  auto calls = co_await ask_all(r, std::move(cloudlets), api::service_type::network,
                                "/v2.0/" + collection + "/" + cloud_id, client_call_headers(r));
  std::vector<network_sighting> shown;
  for (std::size_t i = 0; i < calls.cloudlets.size(); ++i) {
    bool told = calls.ok(i) && calls.answers[i]->response.status < 500;
    if (!told && unanswered) unanswered->push_back(calls.cloudlets[i].region);
    if (!told || calls.answers[i]->response.status != 200) continue;
    auto doc = json::parse(calls.answers[i]->response.body, nullptr, false);
    if (doc.is_object() && doc.contains(singular) && doc[singular].is_object())
      shown.push_back({calls.cloudlets[i].region, doc[singular]});
  }
  co_return shown;
}

} // namespace

http::awaitable<std::optional<direct_network>> find_direct_network(request& r, const std::string& cloud_id) {
  if (!api::is_uuid(cloud_id) || api::global_id_owner(cloud_id)) co_return std::nullopt;
  std::vector<std::string> unanswered;
  auto shown = co_await sightings(r, all_cloudlets(r.context), cloud_id, &unanswered);
  auto holder = choose_network_holder(shown, r.context.cloudlet.region);
  if (!holder.cloudlet && holder.conflict.empty()) {
    // Its cloudlet cannot tell now: the network's own project boots on the copies
    // this agent made of it; another project's use is for the holder to allow. A
    // holder that answered 404 has no such network any more.
    // This agent's adoption first, else another agent's (adoptions.hpp).
    std::optional<found_adoption> use;
    auto known = co_await adopted_entry(r, resource_kind::network, cloud_id);
    if (known && known->second.project_id == r.identity->project_id &&
        std::find(unanswered.begin(), unanswered.end(), known->first.cloudlet) != unanswered.end())
      use = found_adoption{known->first.cloudlet, std::move(known->second)};
    if (!use) use = co_await adoption_while_holder_down(r, resource_kind::network, cloud_id, unanswered);
    if (!use) co_return std::nullopt;
    direct_network out;
    out.id = cloud_id;
    out.holder = use->holder;
    out.copies_only = std::move(use->entry);
    co_return out;
  }
  direct_network out;
  out.id = cloud_id;
  out.conflict = holder.conflict;
  out.holder = holder.cloudlet.value_or(std::string{});
  for (auto& s : shown) {
    out.shown_on.push_back(s.cloudlet);
    if (s.cloudlet == out.holder || out.network.is_null()) out.network = std::move(s.network);
  }
  if (out.conflict.empty())
    if (auto why = why_not_adoptable(out.network); !why.empty()) {
      spdlog::info("{} network {} on {} is {}: not adopted, its ID goes unchanged", r.request_id, cloud_id,
                   out.holder, why);
      co_return std::nullopt;
    }
  co_return out;
}

http::awaitable<std::string> direct_network_on(request& r, const direct_network& network, const cloudlet_endpoints& c) {
  if (std::find(network.shown_on.begin(), network.shown_on.end(), c.region) != network.shown_on.end())
    co_return network.id;
  if (!network.conflict.empty()) throw copy_failed(network.conflict, 409);
  if (network.copies_only) {
    const auto* there = network.copies_only->copy_on(c.region);
    if (!there)
      throw copy_failed("network " + network.id + ": its cloudlet " + network.holder + " cannot answer and " +
                        c.region + " holds no copy of it");
    co_return there->local_id;
  }
  // Whichever agent adopted it: its copy on `c`, if there is one, is reused.
  auto entry = co_await adoption_for(r, resource_kind::network, network.holder, network.network, c);
  // Its subnets are made on the cloud directly too: each adopted on first copy.
  direct_network_source source;
  source.network = storage::cloud_copy{network.holder, network.id};
  source.subnet_entry = [&r, holder = network.holder, c](const json& subnet) {
    return adoption_for(r, resource_kind::subnet, holder, subnet, c);
  };
  entry = co_await ensure_network_on(r, entry, c, &source);
  const auto* copy = entry.copy_on(c.region);
  if (!copy) throw copy_failed("network " + network.id + " has no copy on " + c.region);
  co_return copy->local_id;
}

namespace {

/// A DELETE's target: r.target when it holds the item (`held`); else, gone from its holder
/// already (a DELETE repeated after a copy could not be deleted), the holder its adoptions
/// were made from, which answers (404), never another cloudlet. Adoptions of another
/// holder are dropped. False when that holder is not in the catalog.
bool aim_at_holder(request& r, bool held, std::vector<found_adoption>& adoptions) {
  if (!held) {
    auto there = find_cloudlet(r.context, adoptions.front().holder);
    if (!there) return false;
    r.target = std::move(*there);
    r.upstream = endpoint_of(r.target, api::service_type::network).to_string();
  }
  std::erase_if(adoptions, [&](const found_adoption& a) { return a.holder != r.target.region; });
  return true;
}

} // namespace

http::awaitable<bool> delete_adopted_network(request& r, bool held) {
  const auto id = r.route.resource_id;
  // Whichever agent adopted it: every adoption found on the clouds, and this agent's own.
  const std::string holder = held ? r.target.region : std::string{};
  auto adoptions = co_await adoptions_of(r, resource_kind::network, id, holder);
  if (adoptions.empty() || !aim_at_holder(r, held, adoptions)) co_return false;
  auto headers = client_call_headers(r);   // the caller's: the holder and the copies' clouds decide
  // Its subnets as the holder shows them, read before the network (and its subnets with it) goes.
  std::vector<std::string> subnet_ids;
  auto listed = co_await call_cloudlet(r.context, r.target, api::service_type::network, bhttp::verb::get,
                                       "/v2.0/subnets?network_id=" + id, headers);
  auto doc = json::parse(listed.body, nullptr, false);
  if (listed.status == 200 && doc.is_object() && doc.contains("subnets") && doc["subnets"].is_array())
    for (const auto& subnet : doc["subnets"])
      if (subnet.is_object() && subnet.value("id", std::string{}) != "") subnet_ids.push_back(subnet["id"]);
  auto subnets = co_await subnet_adoptions(r, adoptions, r.target.region, subnet_ids);
  auto answer = co_await call_cloudlet(r.context, r.target, api::service_type::network, bhttp::verb::delete_,
                                       "/v2.0/networks/" + id, headers);
  bool gone = (answer.status >= 200 && answer.status < 300) || answer.status == 404;
  // Neutron deletes a network's subnets with it: the subnets' copies go with the network's.
  bool copies_gone = false;   // awaited alone: no co_await after && (GCC 12)
  if (gone) copies_gone = co_await forget_adoptions(r, adoptions, api::service_type::network, "/v2.0/networks/");
  if (copies_gone) co_await forget_adoptions(r, subnets, api::service_type::network, "/v2.0/subnets/");
  co_await send_upstream_response(r, answer, answer.body);
  co_return true;
}

http::awaitable<bool> delete_adopted_subnet(request& r, bool held) {
  const auto id = r.route.resource_id;
  const std::string holder = held ? r.target.region : std::string{};
  auto adoptions = co_await adoptions_of(r, resource_kind::subnet, id, holder);
  if (adoptions.empty() || !aim_at_holder(r, held, adoptions)) co_return false;
  auto answer = co_await call_cloudlet(r.context, r.target, api::service_type::network, bhttp::verb::delete_,
                                       "/v2.0/subnets/" + id, client_call_headers(r));
  bool gone = (answer.status >= 200 && answer.status < 300) || answer.status == 404;
  if (gone) co_await forget_adoptions(r, adoptions, api::service_type::network, "/v2.0/subnets/");
  co_await send_upstream_response(r, answer, answer.body);
  co_return true;
}

namespace {

/// A PUT of the network or subnet r.target holds: what of it reaches copies
/// (rules/direct_network_rule.hpp, network_copy_put, subnet_copy_put) made on every
/// adoption's copies, with the caller's token, before the holder (copy_changes.hpp).
/// False when a copy refused: that answer was the client's.
http::awaitable<bool> put_adopted_copies(request& r, const std::string& body) {
  const bool subnet = r.route.resource == "subnets";
  auto parsed = json::parse(body, nullptr, false);
  auto fields = subnet ? subnet_copy_put(parsed) : network_copy_put(parsed);
  if (fields.is_null()) co_return true;   // or Neutron's answer from the holder
  const auto kind = subnet ? resource_kind::subnet : resource_kind::network;
  auto adoptions = co_await adoptions_of(r, kind, r.route.resource_id, r.target.region);
  const std::string prefix = "/v2.0/" + r.route.resource + "/";
  copy_change change{api::service_type::network,
                     [&prefix](const storage::cloud_copy& copy) { return prefix + copy.local_id; },
                     bhttp::verb::put, client_call_headers(r), [&](const json&) { return fields.dump(); }};
  for (const auto& adoption : adoptions) {
    bool in_step = co_await change_copies(r, adoption.entry, 0, change);
    if (!in_step) co_return false;
  }
  co_return true;
}

} // namespace

bool is_direct_network_call(const api::route& route) {
  return route.service == api::service_type::network &&
         (route.resource == "networks" || route.resource == "subnets") && !route.is_collection &&
         api::is_uuid(route.resource_id) && !api::global_id_owner(route.resource_id);
}

http::awaitable<void> handle_direct_network_call(request& r, std::string body) {
  const auto id = r.route.resource_id;
  // This agent's cloudlet first, as before: a show is answered by that one call.
  bool show = r.route.action.empty() && r.header().method() == bhttp::verb::get;
  std::string path = show ? r.route.upstream_path : "/v2.0/" + r.route.resource + "/" + id;
  if (show && !r.route.query.empty()) path += "?" + r.route.query;
  auto own = co_await call_cloudlet(r.context, r.context.cloudlet, api::service_type::network, bhttp::verb::get,
                                    path, client_call_headers(r));
  if (show && own.status != 404) {
    std::map<std::string, std::string> none;
    auto text = co_await translate_answer(r, r.context.cloudlet, own, none);
    co_return co_await send_upstream_response(r, own, std::move(text));
  }
  bool held = own.status == 200;   // this agent's cloudlet shows it
  if (own.status == 404) {
    std::vector<cloudlet_endpoints> others;
    for (auto& c : all_cloudlets(r.context))
      if (c.region != r.context.cloudlet.region) others.push_back(std::move(c));
    auto shown = co_await sightings(r, std::move(others), id, nullptr, r.route.resource);
    // None, or two: this agent's cloudlet answers (its 404), as before.
    auto holder = choose_network_holder(shown, r.context.cloudlet.region);
    auto there = holder.cloudlet ? find_cloudlet(r.context, *holder.cloudlet) : std::nullopt;
    if (there) r.target = std::move(*there);
    held = there.has_value();
  }
  // A change of it reaches the federation's copies first, whichever agent made them.
  bool changing = held && r.route.action.empty() && r.header().method() == bhttp::verb::put;
  bool copies_in_step = true;   // no co_await after && (GCC 12)
  if (changing) copies_in_step = co_await put_adopted_copies(r, body);
  if (!copies_in_step) co_return;
  bool deleting = r.route.action.empty() && r.header().method() == bhttp::verb::delete_;
  if (deleting) {
    // And the copies the federation made of it.
    bool done = false;   // no co_await inside ?: (GCC 12)
    if (r.route.resource == "subnets") done = co_await delete_adopted_subnet(r, held);
    else done = co_await delete_adopted_network(r, held);
    if (done) co_return;
  }
  std::map<std::string, std::string> none;   // named: no braced temporaries as coroutine arguments
  co_await forward_to_target(r, std::move(body), none);
}

} // namespace fedstack::agent
