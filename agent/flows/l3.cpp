#include "agent/flows/l3.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "agent/flows/client_answer.hpp"
#include "agent/flows/copies.hpp"
#include "agent/flows/federation.hpp"
#include "agent/flows/visible_entry.hpp"
#include "agent/rules/l3_rule.hpp"
#include "agent/services/registry_client.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/percent.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::registry_entry;
using storage::resource_kind;

json parse_body(const std::string& text) {
  auto doc = json::parse(text, nullptr, false);
  return doc.is_discarded() ? json() : doc;
}

/// GET `path` on `c`'s Neutron with the caller's token: status and parsed body (0 without an answer).
http::awaitable<std::pair<unsigned, json>> neutron_get(request& r, const cloudlet_endpoints& c, const std::string& path) {
  try {
    auto answer = co_await call_cloudlet(r.context, c, api::service_type::network, bhttp::verb::get, path,
                                         client_call_headers(r));
    co_return std::pair<unsigned, json>{answer.status, parse_body(answer.body)};
  } catch (const upstream_failure&) {
    co_return std::pair<unsigned, json>{0u, json()};
  }
}

/// Every cloudlet, the agent's own first.
std::vector<cloudlet_endpoints> own_first(request& r) {
  auto all = all_cloudlets(r.context);
  std::stable_partition(all.begin(), all.end(),
                        [&](const cloudlet_endpoints& c) { return c.region == r.context.cloudlet.region; });
  return all;
}

/// The cloudlet that holds port `port_id` for the caller: a global ID's primary,
/// else the first cloudlet (own first) whose Neutron shows the caller that ID.
http::awaitable<std::optional<cloudlet_endpoints>> port_cloudlet(request& r, const std::string& port_id) {
  if (api::global_id_owner(port_id)) {
    auto entry = co_await visible_entry(r, port_id);
    if (!entry || entry->copies.empty()) co_return std::nullopt;
    co_return find_cloudlet(r.context, entry->copies.front().cloudlet);
  }
  if (!api::is_uuid(port_id)) co_return std::nullopt;
  for (const auto& c : own_first(r)) {
    auto [status, doc] = co_await neutron_get(r, c, "/v2.0/ports/" + api::percent_encode(port_id));
    if (status == 200) co_return c;
  }
  co_return std::nullopt;
}

/// `network_id` as `to` knows it when it names an operator's external network
/// (its federation ID, or another cloudlet's ID of it); else unchanged.
http::awaitable<std::string> external_on(request& r, const std::string& network_id, const cloudlet_endpoints& to) {
  if (network_id.empty() || api::global_id_owner(network_id)) co_return network_id;
  auto federation_id = network_id;
  if (!is_external_network_id(network_id)) {
    std::optional<std::string> found;
    for (const auto& c : own_first(r)) {
      auto there = co_await external_networks_on(r, c);
      for (const auto& [fid, local] : there)
        if (local == network_id) found = fid;
      if (found) break;
    }
    if (!found) co_return network_id;   // not an operator's external network: the cloud judges it
    federation_id = *found;
  }
  auto there = co_await external_networks_on(r, to);
  auto it = there.find(federation_id);
  co_return it == there.end() ? network_id : it->second;
}

/// Sends `method path body` to `c` for the client and answers with what it
/// said, IDs made global (`known`: cloud ID -> global ID).
http::awaitable<void> relay(request& r, const cloudlet_endpoints& c, bhttp::verb method, const std::string& path,
                            const std::string& body, const std::map<std::string, std::string>& known) {
  r.target = c;
  r.upstream = endpoint_of(c, api::service_type::network).to_string();
  auto answer = co_await call_cloudlet(r.context, c, api::service_type::network, method, path,
                                       client_call_headers(r), body);
  auto text = co_await translate_answer(r, c, answer, known);
  co_await send_upstream_response(r, answer, std::move(text));
}

/// Global -> local on `c` for `texts`, with external networks' federation IDs too.
http::awaitable<std::map<std::string, std::string>> locals_on(request& r, const cloudlet_endpoints& c,
                                                              const std::vector<std::string_view>& texts,
                                                              const std::map<std::string, std::string>& known) {
  auto seeded = known;
  for (const auto& [fid, local] : co_await external_networks_on(r, c)) seeded.emplace(fid, local);
  co_return co_await ids_to_local(r, c.region, texts, seeded);
}

// --- floating IPs ---

bool has_tag(const json& item, std::string_view tag) {
  auto tags = item.value("tags", json::array());
  return std::any_of(tags.begin(), tags.end(), [&](const json& t) { return t.is_string() && t.get<std::string>() == tag; });
}

/// Leaves the mark of an association on a floating IP (rules/l3_rule.hpp): one
/// PUT of the single tag, which Neutron adds to the others.
http::awaitable<void> mark_used(request& r, const cloudlet_endpoints& c, const std::string& local_id) {
  try {
    co_await call_cloudlet(r.context, c, api::service_type::network, bhttp::verb::put,
                           "/v2.0/floatingips/" + local_id + "/tags/" + std::string(fip_used_tag),
                           client_call_headers(r));
  } catch (const upstream_failure& e) {
    spdlog::warn("{} floating IP {} on {}: its association mark could not be set: {}", r.request_id, local_id,
                 c.region, e.what());
  }
}

/// What became of a move its entry's owner was asked to record.
enum class move_outcome { moved, refused, unknown };

/// Asks the owner of `entry` to record `now` in place of its primary; when the
/// answer is lost, asks once more: the owner runs an entry's rebinds one at a
/// time and answers a repeat of a done one with the entry (actors/node.hpp), so
/// the second answer says what became of the first. `lost`: the last failure.
http::awaitable<move_outcome> record_move(request& r, const registry_entry& entry, const storage::cloud_copy& now,
                                          std::string& lost) {
  const auto& expected = entry.copies.front();
  for (int asked = 0; asked < 2; ++asked) {
    std::optional<registry_entry> moved;
    try {
      moved = co_await r.context.registry->rebind(entry.project_id, entry.global_id, expected, now);
    } catch (const registry_unavailable& e) {
      lost = e.what();
      spdlog::warn("{} floating IP {}: its owner's answer to the move to {} ({}) was lost: {}", r.request_id,
                   entry.global_id, now.cloudlet, now.local_id, lost);
      continue;
    }
    co_return moved && !moved->copies.empty() && moved->copies.front() == now ? move_outcome::moved
                                                                             : move_outcome::refused;
  }
  co_return move_outcome::unknown;
}

/// The floating IP an earlier move of `entry` left on `there` for `local_port`
/// when its owner did not answer: marked as the entry's primary, in its
/// project, not the one recorded. Empty when there is none.
http::awaitable<std::string> unrecorded_move(request& r, const registry_entry& entry, const cloudlet_endpoints& there,
                                             const std::string& local_port) {
  auto [status, doc] = co_await neutron_get(r, there, "/v2.0/floatingips?port_id=" + api::percent_encode(local_port));
  if (status != 200 || !doc.is_object()) co_return std::string{};
  for (const auto& item : doc.value("floatingips", json::array())) {
    auto marker = api::read_marker(api::service_type::network, item);
    auto project = item.value("project_id", item.value("tenant_id", std::string{}));
    if (marker && !marker->is_copy && marker->global_id == entry.global_id && project == entry.project_id)
      co_return item.value("id", std::string{});
  }
  co_return std::string{};
}

/// A fresh floating IP of `entry` on `primary` associated with `port_id` on
/// `there`: allocated there (associated), the entry bound to it, the old one
/// released (rules/l3_rule.hpp, decide_association).
http::awaitable<void> relocate(request& r, const registry_entry& entry, const cloudlet_endpoints& primary,
                               const cloudlet_endpoints& there, const json& old_fip, const std::string& port_id) {
  const auto& old_local = entry.copies.front().local_id;
  // The federation ID of its external network, then that network on the port's cloudlet.
  auto here = co_await external_networks_on(r, primary);
  std::string federation_id;
  for (const auto& [fid, local] : here)
    if (local == old_fip.value("floating_network_id", std::string{})) federation_id = fid;
  auto on_there = co_await external_networks_on(r, there);
  auto network = on_there.find(federation_id);
  floating_ip_facts facts;
  facts.federation_made = true;
  facts.associated = !old_fip.value("port_id", json()).is_null();
  facts.ever_associated = has_tag(old_fip, fip_used_tag);
  facts.external_there = !federation_id.empty() && network != on_there.end();
  auto decision = decide_association(facts, there.region);
  if (decision.step == association_step::refuse) co_return co_await send_error(r, 409, decision.reason);
  std::vector<std::string_view> texts;
  texts.push_back(port_id);
  auto to_local = co_await ids_to_local(r, there.region, texts);
  auto local_port = to_local.count(port_id) ? to_local.at(port_id) : port_id;
  auto headers = client_call_headers(r);
  // A repeat of a move whose owner did not answer takes the floating IP that move left.
  auto made = co_await unrecorded_move(r, entry, there, local_port);
  if (made.empty()) {
    json fields = json::object();
    fields["floating_network_id"] = network->second;
    fields["port_id"] = local_port;
    fields["description"] = old_fip.value("description", std::string{});
    std::optional<copy_failed> failed;   // answered outside the handler: no co_await in one
    try {
      made = co_await make_neutron_copy(r, there, resource_kind::floating_ip, entry.global_id, std::move(fields),
                                        headers, entry.project_id, false);
    } catch (const copy_failed& e) {
      failed = e;
    }
    if (failed) co_return co_await send_error(r, failed->status, failed->what());
    co_await mark_used(r, there, made);
  }
  // Rebound at the entry's owner, through whichever agent this is (the owner
  // checks a peer's move on the cloud and takes it only while the entry still
  // names the old one: actors/node.hpp). A move it does not take leaves the old
  // one as it was; the new one, unrecorded, goes.
  storage::cloud_copy now{there.region, made};
  std::string lost;
  auto outcome = co_await record_move(r, entry, now, lost);
  if (outcome == move_outcome::unknown)
    co_return co_await send_error(r, 503, "The move of floating IP " + entry.global_id + " to " + there.region +
                                            " could not be confirmed: the agent that records it did not answer (" +
                                            lost + "). It is kept where it was recorded; repeat the request.");
  if (outcome == move_outcome::refused) {
    try {
      co_await call_cloudlet(r.context, there, api::service_type::network, bhttp::verb::delete_,
                             "/v2.0/floatingips/" + made, headers);
    } catch (const upstream_failure& e) {
      spdlog::warn("{} floating IP {} on {}, not recorded, could not be released: {}", r.request_id, made,
                   there.region, e.what());
    }
    co_return co_await send_error(r, 409, "The floating IP " + entry.global_id + " could not be moved to " +
                                            there.region + ": the agent that records it did not take the move "
                                            "(another move of it came first, or the new address was not found).");
  }
  r.context.aliases.learn(there.region, made, entry.global_id);
  spdlog::info("{} floating IP {} moved from {} ({}) to {} ({}) for port {}", r.request_id, entry.global_id,
               primary.region, old_local, there.region, made, port_id);
  // Released only now that the entry names the new one, and only this one:
  // made by the federation, never associated.
  try {
    auto gone = co_await call_cloudlet(r.context, primary, api::service_type::network, bhttp::verb::delete_,
                                       "/v2.0/floatingips/" + old_local, headers);
    if (gone.status >= 300 && gone.status != 404)
      spdlog::warn("{} releasing floating IP {} on {} answered {}", r.request_id, old_local, primary.region, gone.status);
  } catch (const upstream_failure& e) {
    spdlog::warn("{} releasing floating IP {} on {} failed: {}", r.request_id, old_local, primary.region, e.what());
  }
  std::map<std::string, std::string> known;
  known.emplace(made, entry.global_id);
  std::string no_body;
  co_await relay(r, there, bhttp::verb::get, "/v2.0/floatingips/" + made, no_body, known);
}

/// PUT /v2.0/floatingips/{id}: an association with a port on another cloudlet
/// moves a fresh floating IP there; any other update goes to its cloudlet, and
/// an association made leaves its mark.
http::awaitable<bool> update_floating_ip(request& r, const registry_entry& entry, const cloudlet_endpoints& primary,
                                         std::string& body) {
  auto doc = parse_body(body);
  auto port = doc.is_object() && doc.contains("floatingip") && doc["floatingip"].is_object()
                ? doc["floatingip"].value("port_id", json())
                : json();
  if (!port.is_string()) co_return false;   // a disassociation or a description: forwarded
  auto port_id = port.get<std::string>();
  auto where = co_await port_cloudlet(r, port_id);
  const auto& local = entry.copies.front().local_id;
  if (where && where->region != primary.region) {
    auto [status, shown] = co_await neutron_get(r, primary, "/v2.0/floatingips/" + local);
    if (status != 200) co_return false;   // the cloud answers the forward as it will
    auto fip = shown.value("floatingip", json::object());
    auto marker = api::read_marker(api::service_type::network, fip);
    if (!marker || marker->is_copy || marker->global_id != entry.global_id) {
      floating_ip_facts tenant;
      co_await send_error(r, 409, decide_association(tenant, where->region).reason);
      co_return true;
    }
    co_await relocate(r, entry, primary, *where, fip, port_id);
    co_return true;
  }
  std::vector<std::string_view> texts;
  texts.push_back(body);
  std::map<std::string, std::string> known;
  known.emplace(entry.global_id, local);
  auto to_local = co_await locals_on(r, primary, texts, known);
  auto sent = api::rewrite_uuids(body, lookup_in(to_local));
  r.target = primary;
  r.upstream = endpoint_of(primary, api::service_type::network).to_string();
  auto answer = co_await call_cloudlet(r.context, primary, api::service_type::network, bhttp::verb::put,
                                       "/v2.0/floatingips/" + local, client_call_headers(r), sent);
  if (answer.status == 200) co_await mark_used(r, primary, local);
  auto text = co_await translate_answer(r, primary, answer, reversed(to_local));
  co_await send_upstream_response(r, answer, std::move(text));
  co_return true;
}

// --- routers ---

std::vector<std::string> cloudlets_of(const registry_entry& entry) {
  std::vector<std::string> out;
  for (const auto& c : entry.copies) out.push_back(c.cloudlet);
  return out;
}

/// A marked copy of router `entry` on `to` (its gateway on `to`'s external
/// network of the same name), added to the entry at its owner. Returns the entry as it is now.
http::awaitable<registry_entry> copy_router(request& r, const registry_entry& entry, const cloudlet_endpoints& primary,
                                            const cloudlet_endpoints& to) {
  auto [status, shown] = co_await neutron_get(r, primary, "/v2.0/routers/" + entry.copies.front().local_id);
  if (status != 200) throw copy_failed("the router " + entry.global_id + " could not be read on " + primary.region);
  auto router = shown.value("router", json::object());
  json fields = json::object();
  for (const char* key : {"name", "description", "admin_state_up"})
    if (router.contains(key)) fields[key] = router[key];
  auto gateway = router.value("external_gateway_info", json());
  if (gateway.is_object()) {
    auto network = gateway.value("network_id", std::string{});
    auto mapped = co_await external_on(r, network, to);
    if (mapped != network) fields["external_gateway_info"] = json{{"network_id", mapped}};
    else spdlog::warn("{} router copy on {}: no external network like {} there; no gateway", r.request_id, to.region, network);
  }
  auto headers = client_call_headers(r);
  auto made = co_await make_neutron_copy(r, to, resource_kind::router, entry.global_id, std::move(fields), headers,
                                         entry.project_id);
  storage::cloud_copy copy{to.region, made};
  auto updated = co_await r.context.registry->add_copy(entry.project_id, entry.global_id, std::move(copy));
  if (updated) {
    r.context.aliases.learn(to.region, made, entry.global_id);
    co_return std::move(*updated);
  }
  // Another agent's copy won (or the router went): ours goes, theirs is used.
  co_await call_cloudlet(r.context, to, api::service_type::network, bhttp::verb::delete_, "/v2.0/routers/" + made, headers);
  auto fresh = co_await r.context.registry->get(entry.project_id, entry.global_id);
  if (fresh && fresh->copy_on(to.region)) co_return std::move(*fresh);
  throw copy_failed("the router " + entry.global_id + " was deleted while it was being copied");
}

/// True when router `router` on `at` has an interface on subnet `subnet` (both `at`'s IDs).
http::awaitable<bool> interface_exists(request& r, const cloudlet_endpoints& at, const std::string& router,
                                       const std::string& subnet) {
  auto [status, doc] = co_await neutron_get(r, at, "/v2.0/ports?device_owner=network%3Arouter_interface&device_id=" +
                                                     api::percent_encode(router));
  if (status != 200 || !doc.is_object()) co_return false;
  for (const auto& port : doc.value("ports", json::array()))
    for (const auto& ip : port.value("fixed_ips", json::array()))
      if (ip.value("subnet_id", std::string{}) == subnet) co_return true;
  co_return false;
}

/// PUT /v2.0/routers/{id}/add_router_interface or remove_router_interface with
/// a subnet of the federation: on every cloudlet that holds the subnet, a copy
/// of the router made where it has none (add).
http::awaitable<bool> router_interface(request& r, const registry_entry& given, const cloudlet_endpoints& primary,
                                       const std::string& body, bool add) {
  auto doc = parse_body(body);
  auto subnet_id = doc.is_object() ? doc.value("subnet_id", std::string{}) : std::string{};
  if (!api::global_id_owner(subnet_id)) co_return false;   // by port, or a cloud's subnet: the primary's
  auto subnet = co_await visible_entry(r, subnet_id);
  if (!subnet || subnet->copies.empty()) {
    co_await send_error(r, 404, "Subnet " + subnet_id + " could not be found.");
    co_return true;
  }
  auto entry = given;
  if (add) {
    for (const auto& region : router_copy_targets(cloudlets_of(*subnet), cloudlets_of(entry))) {
      auto to = find_cloudlet(r.context, region);
      if (!to) continue;
      auto guard = co_await r.context.copy_locks.acquire(entry.global_id + "\n" + region);
      std::optional<copy_failed> failed;   // answered outside the handler: no co_await in one
      try {
        entry = co_await copy_router(r, entry, primary, *to);
      } catch (const copy_failed& e) {
        failed = e;
      }
      if (failed) {
        co_await send_error(r, failed->status, failed->what());
        co_return true;
      }
    }
  }
  std::optional<http::response> first, failure;
  cloudlet_endpoints first_at = primary, failure_at = primary;
  std::map<std::string, std::string> first_known;
  auto action = add ? "/add_router_interface" : "/remove_router_interface";
  std::size_t linked = 0, places = 0;
  for (const auto& copy : subnet->copies) {
    const auto* router_copy = entry.copy_on(copy.cloudlet);
    auto at = find_cloudlet(r.context, copy.cloudlet);
    if (!router_copy || !at) continue;
    ++places;
    // An add repeated after the subnet reached another cloudlet: where the interface is, it stays.
    bool has_interface = false;
    if (add) has_interface = co_await interface_exists(r, *at, router_copy->local_id, copy.local_id);
    if (has_interface) {
      ++linked;
      continue;
    }
    json sent = {{"subnet_id", copy.local_id}};
    http::response answer;
    try {
      answer = co_await call_cloudlet(r.context, *at, api::service_type::network, bhttp::verb::put,
                                      "/v2.0/routers/" + router_copy->local_id + action, client_call_headers(r),
                                      sent.dump());
    } catch (const upstream_failure& e) {
      answer.status = 503;
      answer.body = json{{"NeutronError", {{"type", "ServiceUnavailable"}, {"message", e.what()}, {"detail", ""}}}}.dump();
    }
    if (answer.status == 200) {
      if (!first) {
        first = answer;
        first_at = *at;
        first_known.clear();
        first_known.emplace(router_copy->local_id, entry.global_id);
        first_known.emplace(copy.local_id, subnet_id);
      }
    } else if (!(answer.status == 404 && !add)) {
      spdlog::warn("{} router {} {} on {}: {}", r.request_id, entry.global_id, action, at->region, answer.status);
      if (!failure) {
        failure = answer;
        failure_at = *at;
      }
    }
  }
  // Every cloudlet had it already: Neutron's own answer to a repeated add (400).
  if (add && places > 0 && linked == places) {
    const auto& copy = subnet->copies.front();
    json sent = {{"subnet_id", copy.local_id}};
    std::map<std::string, std::string> known;
    known.emplace(entry.copy_on(copy.cloudlet)->local_id, entry.global_id);
    known.emplace(copy.local_id, subnet_id);
    auto at = find_cloudlet(r.context, copy.cloudlet);
    co_await relay(r, *at, bhttp::verb::put, "/v2.0/routers/" + entry.copy_on(copy.cloudlet)->local_id + action,
                   sent.dump(), known);
    co_return true;
  }
  // The first failure is the client's answer (what succeeded elsewhere stays; a repeat skips it).
  if (failure) {
    std::map<std::string, std::string> none;
    auto text = co_await translate_answer(r, failure_at, *failure, none);
    co_await send_upstream_response(r, *failure, std::move(text));
  } else if (first) {
    r.target = first_at;
    auto text = co_await translate_answer(r, first_at, *first, first_known);
    co_await send_upstream_response(r, *first, std::move(text));
  } else {
    co_await send_error(r, 404, "Router " + entry.global_id + " has no interface on subnet " + subnet_id + ".");
  }
  co_return true;
}

/// PUT /v2.0/routers/{id} (name, gateway): the primary, then every copy with
/// its own cloudlet's external network; the primary's answer is the client's.
http::awaitable<bool> update_router(request& r, const registry_entry& entry, const cloudlet_endpoints& primary,
                                    const std::string& body) {
  std::optional<http::response> answer;
  std::map<std::string, std::string> answer_known;
  for (std::size_t i = 0; i < entry.copies.size(); ++i) {
    const auto& copy = entry.copies[i];
    auto at = find_cloudlet(r.context, copy.cloudlet);
    if (!at) continue;
    std::vector<std::string_view> texts;
    texts.push_back(body);
    std::map<std::string, std::string> known;
    known.emplace(entry.global_id, copy.local_id);
    auto to_local = co_await locals_on(r, *at, texts, known);
    auto sent = api::rewrite_uuids(body, lookup_in(to_local));
    try {
      auto got = co_await call_cloudlet(r.context, *at, api::service_type::network, bhttp::verb::put,
                                        "/v2.0/routers/" + copy.local_id, client_call_headers(r), sent);
      if (i == 0) {
        answer = std::move(got);
        answer_known = reversed(to_local);
      } else if (got.status != 200) {
        spdlog::warn("{} router copy {} on {} answered {} to an update", r.request_id, copy.local_id, at->region, got.status);
      }
    } catch (const upstream_failure& e) {
      if (i == 0) throw;
      spdlog::warn("{} router copy {} on {}: update failed: {}", r.request_id, copy.local_id, at->region, e.what());
    }
    if (i == 0 && answer->status != 200) break;   // refused: the copies keep what the primary keeps
  }
  if (!answer) co_return false;
  r.target = primary;
  auto text = co_await translate_answer(r, primary, *answer, answer_known);
  co_await send_upstream_response(r, *answer, std::move(text));
  co_return true;
}

} // namespace

http::awaitable<std::map<std::string, std::string>> external_networks_on(request& r, const cloudlet_endpoints& c) {
  std::map<std::string, std::string> out;
  auto [status, doc] = co_await neutron_get(r, c, "/v2.0/networks?router%3Aexternal=True");
  if (status != 200 || !doc.is_object()) co_return out;
  for (const auto& item : doc.value("networks", json::array())) {
    if (!is_operator_external(item)) continue;
    auto fid = external_network_id(item.value("name", std::string{}));
    auto local = item.value("id", std::string{});
    r.context.aliases.learn(c.region, local, fid);
    out.emplace(fid, local);
  }
  co_return out;
}

void learn_external_items(request& r, const cloudlet_endpoints& c, const json& items) {
  if (!items.is_array()) return;
  for (const auto& item : items)
    if (is_operator_external(item))
      r.context.aliases.learn(c.region, item.value("id", std::string{}),
                              external_network_id(item.value("name", std::string{})));
}

http::awaitable<std::optional<external_network_item>> find_external_network(request& r, const std::string& id) {
  for (const auto& c : own_first(r)) {
    auto [status, doc] = co_await neutron_get(r, c, "/v2.0/networks?router%3Aexternal=True");
    if (status != 200 || !doc.is_object()) continue;
    for (auto& item : doc.value("networks", json::array())) {
      if (!is_operator_external(item) || external_network_id(item.value("name", std::string{})) != id) continue;
      auto local = item.value("id", std::string{});
      r.context.aliases.learn(c.region, local, id);
      item["id"] = id;
      co_return external_network_item{c, std::move(local), std::move(item)};
    }
  }
  co_return std::nullopt;
}

http::awaitable<void> handle_external_network(request& r) {
  const auto& id = r.route.resource_id;
  if (r.header().method() != bhttp::verb::get)
    co_return co_await send_error(r, 403, "Network " + id + " is an operator's external network on each cloudlet; "
                                          "the federation does not change or delete it.");
  auto found = co_await find_external_network(r, id);
  if (!found) co_return co_await send_error(r, 404, "Network " + id + " could not be found.");
  json answer = {{"network", found->item}};
  co_await send_json(r, 200, rewrite_for_client(r, found->cloudlet, api::service_type::network, answer.dump(), {}));
}

http::awaitable<std::optional<cloudlet_endpoints>> prepare_l3_create(request& r, resource_kind kind, json& doc) {
  auto key = std::string(storage::to_string(kind));
  if (!doc.contains(key) || !doc[key].is_object()) co_return r.context.cloudlet;
  auto& item = doc[key];
  auto home = r.context.cloudlet;
  if (kind == resource_kind::floating_ip) {
    auto port = item.value("port_id", json());
    if (port.is_string()) {
      auto port_id = port.get<std::string>();
      auto where = co_await port_cloudlet(r, port_id);
      if (where) home = *where;
    }
    auto network = item.value("floating_network_id", std::string{});
    auto mapped = co_await external_on(r, network, home);
    if (is_external_network_id(mapped)) {
      co_await send_error(r, 404, "External network " + network + " has no network on " + home.region + ".");
      co_return std::nullopt;
    }
    item["floating_network_id"] = mapped;
  } else if (item.contains("external_gateway_info") && item["external_gateway_info"].is_object() &&
             item["external_gateway_info"].contains("network_id")) {
    // Only a gateway that names a network is mapped: `{}` (Tempest's routers) means none.
    auto& gateway = item["external_gateway_info"];
    auto network = gateway.value("network_id", std::string{});
    gateway["network_id"] = co_await external_on(r, network, home);
  }
  co_return home;
}

http::awaitable<void> routers_follow_subnet(request& r, const registry_entry& subnet, const cloudlet_endpoints& to) {
  const auto* there = subnet.copy_on(to.region);
  if (subnet.copies.empty() || !there) co_return;
  const auto primary = subnet.copies.front();
  auto from = find_cloudlet(r.context, primary.cloudlet);
  if (!from || from->region == to.region) co_return;
  auto [status, doc] = co_await neutron_get(r, *from, "/v2.0/ports?device_owner=network%3Arouter_interface");
  if (status != 200 || !doc.is_object()) {
    spdlog::warn("{} subnet {}: its routers on {} could not be listed ({})", r.request_id, subnet.global_id,
                 from->region, status);
    co_return;
  }
  std::vector<std::string> routers;   // `from`'s IDs of the routers with an interface on the subnet
  for (const auto& port : doc.value("ports", json::array()))
    for (const auto& ip : port.value("fixed_ips", json::array()))
      if (ip.value("subnet_id", std::string{}) == primary.local_id) {
        auto router = port.value("device_id", std::string{});
        if (!router.empty() && std::find(routers.begin(), routers.end(), router) == routers.end())
          routers.push_back(router);
      }
  for (const auto& local : routers) {
    auto [shown_status, shown] = co_await neutron_get(r, *from, "/v2.0/routers/" + api::percent_encode(local));
    auto marker = shown_status == 200 ? api::read_marker(api::service_type::network, shown.value("router", json::object()))
                                      : std::nullopt;
    if (!marker) continue;   // not the federation's: never copied
    auto entry = co_await visible_entry(r, marker->global_id);
    if (!entry || entry->kind != resource_kind::router || entry->copies.empty()) continue;
    auto router_primary = find_cloudlet(r.context, entry->copies.front().cloudlet);
    if (!router_primary) continue;
    std::optional<std::string> failed;   // logged outside the handler: no co_await in one
    try {
      auto router = *entry;
      if (!router.copy_on(to.region)) {
        auto guard = co_await r.context.copy_locks.acquire(router.global_id + "\n" + to.region);
        // Another subnet of the boot (copied at once) may have brought it while this one waited.
        if (auto fresh = co_await r.context.registry->get(router.project_id, router.global_id)) router = *fresh;
        if (!router.copy_on(to.region)) router = co_await copy_router(r, router, *router_primary, to);
      }
      const auto& router_there = router.copy_on(to.region)->local_id;
      if (!co_await interface_exists(r, to, router_there, there->local_id)) {
        json sent = {{"subnet_id", there->local_id}};
        auto added = co_await call_cloudlet(r.context, to, api::service_type::network, bhttp::verb::put,
                                            "/v2.0/routers/" + router_there + "/add_router_interface",
                                            client_call_headers(r), sent.dump());
        if (added.status != 200) failed = "its interface answered " + std::to_string(added.status);
      }
    } catch (const std::exception& e) {
      failed = e.what();
    }
    if (failed)
      spdlog::warn("{} router {} did not follow subnet {} to {}: {}", r.request_id, entry->global_id,
                   subnet.global_id, to.region, *failed);
    else
      spdlog::info("{} router {} followed subnet {} to {}", r.request_id, entry->global_id, subnet.global_id,
                   to.region);
  }
}

http::awaitable<bool> handle_l3_call(request& r, const registry_entry& entry, const cloudlet_endpoints& primary,
                                     std::string& body) {
  if (entry.copies.empty()) co_return false;
  auto method = r.header().method();
  // Its answers name external networks by their federation IDs.
  co_await external_networks_on(r, primary);
  if (method != bhttp::verb::put) co_return false;
  if (entry.kind == resource_kind::floating_ip && r.route.action.empty())
    co_return co_await update_floating_ip(r, entry, primary, body);
  if (entry.kind != resource_kind::router) co_return false;
  if (r.route.action == "add_router_interface") co_return co_await router_interface(r, entry, primary, body, true);
  if (r.route.action == "remove_router_interface") co_return co_await router_interface(r, entry, primary, body, false);
  if (r.route.action.empty()) co_return co_await update_router(r, entry, primary, body);
  co_return false;
}

} // namespace fedstack::agent
