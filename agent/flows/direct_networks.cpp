#include "agent/flows/direct_networks.hpp"

#include <algorithm>
#include <map>

#include <spdlog/spdlog.h>

#include "agent/flows/ask_every.hpp"
#include "agent/flows/client_answer.hpp"
#include "agent/flows/copies.hpp"
#include "agent/flows/direct_images.hpp"
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
  if (!record || record->local_id != cloud_id) co_return std::nullopt;
  auto entry = co_await r.context.registry->get(record->project, record->global_id);
  if (!entry) co_return std::nullopt;
  co_return std::pair{*record, *entry};
}

/// This agent's entry of the copies of the network or subnet `item` (as its
/// cloud shows it on `cloudlet`), made once (a per-ID lock and the record
/// beside the registry); the item itself is never in it.
http::awaitable<registry_entry> adopt(request& r, resource_kind kind, const std::string& cloudlet, const json& item) {
  const auto id = item.value("id", std::string{});
  const auto key = adopted_neutron_key(kind, id);
  auto guard = co_await r.context.copy_locks.acquire("adopt\n" + key);
  auto known = co_await adopted_entry(r, kind, id);
  if (known && known->first.cloudlet == cloudlet) co_return known->second;
  auto made = adopt_neutron_item(kind, r.context.registry->new_global_id(), cloudlet, item, now_unix_ms());
  if (!made)
    throw copy_failed(storage::to_string(kind) + " " + id + " has no project on " + cloudlet + " to record it under",
                      409);
  co_await r.context.registry->put(made->second);
  co_await r.context.registry->put_meta(key, encode_adopted(made->first));
  spdlog::info("{} adopted {} {} of {} on {}: its copies are {}", r.request_id, storage::to_string(kind), id,
               made->first.project, cloudlet, made->first.global_id);
  co_return made->second;
}

/// The network `cloud_id` as each of `cloudlets` shows it to the caller (asked
/// at once, under --list-deadline-ms); a cloudlet that cannot tell shows nothing.
/// `unanswered`, when given, gets the cloudlets that could not tell (no answer in time, 5xx).
http::awaitable<std::vector<network_sighting>> sightings(request& r, std::vector<cloudlet_endpoints> cloudlets,
                                                         const std::string& cloud_id,
                                                         std::vector<std::string>* unanswered = nullptr) {
  auto calls = co_await ask_all(r, std::move(cloudlets), api::service_type::network, "/v2.0/networks/" + cloud_id,
                                client_call_headers(r));
  std::vector<network_sighting> shown;
  for (std::size_t i = 0; i < calls.cloudlets.size(); ++i) {
    bool told = calls.ok(i) && calls.answers[i]->response.status < 500;
    if (!told && unanswered) unanswered->push_back(calls.cloudlets[i].region);
    if (!told || calls.answers[i]->response.status != 200) continue;
    auto doc = json::parse(calls.answers[i]->response.body, nullptr, false);
    if (doc.is_object() && doc.contains("network") && doc["network"].is_object())
      shown.push_back({calls.cloudlets[i].region, doc["network"]});
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
    auto known = co_await adopted_entry(r, resource_kind::network, cloud_id);
    if (!known || known->second.project_id != r.identity->project_id) co_return std::nullopt;
    if (std::find(unanswered.begin(), unanswered.end(), known->first.cloudlet) == unanswered.end())
      co_return std::nullopt;
    direct_network out;
    out.id = cloud_id;
    out.holder = known->first.cloudlet;
    out.copies_only = std::move(known->second);
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
  auto entry = co_await adopt(r, resource_kind::network, network.holder, network.network);
  // Its subnets are made on the cloud directly too: each adopted on first copy.
  direct_network_source source;
  source.network = storage::cloud_copy{network.holder, network.id};
  source.subnet_entry = [&r, holder = network.holder](const json& subnet) {
    return adopt(r, resource_kind::subnet, holder, subnet);
  };
  entry = co_await ensure_network_on(r, entry, c, &source);
  const auto* copy = entry.copy_on(c.region);
  if (!copy) throw copy_failed("network " + network.id + " has no copy on " + c.region);
  co_return copy->local_id;
}

http::awaitable<bool> delete_adopted_network(request& r) {
  const auto id = r.route.resource_id;
  auto known = co_await adopted_entry(r, resource_kind::network, id);
  if (!known || known->first.cloudlet != r.target.region) co_return false;
  const auto& entry = known->second;
  auto headers = client_call_headers(r);   // the caller's: the holder and the copies' clouds decide
  // Its subnets' entries, read before the network (and its subnets with it) goes.
  std::vector<registry_entry> subnets;
  auto listed = co_await call_cloudlet(r.context, r.target, api::service_type::network, bhttp::verb::get,
                                       "/v2.0/subnets?network_id=" + id, headers);
  auto doc = json::parse(listed.body, nullptr, false);
  if (listed.status == 200 && doc.is_object() && doc.contains("subnets") && doc["subnets"].is_array())
    for (const auto& subnet : doc["subnets"]) {
      if (!subnet.is_object()) continue;
      auto sub = co_await adopted_entry(r, resource_kind::subnet, subnet.value("id", std::string{}));
      if (sub) subnets.push_back(std::move(sub->second));
    }
  auto answer = co_await call_cloudlet(r.context, r.target, api::service_type::network, bhttp::verb::delete_,
                                       "/v2.0/networks/" + id, headers);
  bool gone = (answer.status >= 200 && answer.status < 300) || answer.status == 404;
  bool all_copies_gone = false;
  // Neutron deletes a network's subnets with it: the subnets' copies go with the network's.
  if (gone) all_copies_gone = co_await delete_adopted_copies(r, entry, api::service_type::network, "/v2.0/networks/");
  if (all_copies_gone) {
    co_await r.context.registry->erase(entry.project_id, entry.global_id);
    for (const auto& sub : subnets) co_await r.context.registry->erase(sub.project_id, sub.global_id);
  }
  co_await send_upstream_response(r, answer, answer.body);
  co_return true;
}

bool is_direct_network_call(const api::route& route) {
  return route.service == api::service_type::network && route.resource == "networks" && !route.is_collection &&
         api::is_uuid(route.resource_id) && !api::global_id_owner(route.resource_id);
}

http::awaitable<void> handle_direct_network_call(request& r, std::string body) {
  const auto id = r.route.resource_id;
  // This agent's cloudlet first, as before: a show is answered by that one call.
  bool show = r.route.action.empty() && r.header().method() == bhttp::verb::get;
  std::string path = show ? r.route.upstream_path : "/v2.0/networks/" + id;
  if (show && !r.route.query.empty()) path += "?" + r.route.query;
  auto own = co_await call_cloudlet(r.context, r.context.cloudlet, api::service_type::network, bhttp::verb::get,
                                    path, client_call_headers(r));
  if (show && own.status != 404) {
    std::map<std::string, std::string> none;
    auto text = co_await translate_answer(r, r.context.cloudlet, own, none);
    co_return co_await send_upstream_response(r, own, std::move(text));
  }
  if (own.status == 404) {
    std::vector<cloudlet_endpoints> others;
    for (auto& c : all_cloudlets(r.context))
      if (c.region != r.context.cloudlet.region) others.push_back(std::move(c));
    auto shown = co_await sightings(r, std::move(others), id);
    // None, or two: this agent's cloudlet answers (its 404), as before.
    auto holder = choose_network_holder(shown, r.context.cloudlet.region);
    auto there = holder.cloudlet ? find_cloudlet(r.context, *holder.cloudlet) : std::nullopt;
    if (there) r.target = std::move(*there);
  }
  bool deleting = r.route.action.empty() && r.header().method() == bhttp::verb::delete_;
  if (deleting) {
    bool done = co_await delete_adopted_network(r);   // and the copies the federation made of it
    if (done) co_return;
  }
  std::map<std::string, std::string> none;   // named: no braced temporaries as coroutine arguments
  co_await forward_to_target(r, std::move(body), none);
}

} // namespace fedstack::agent
