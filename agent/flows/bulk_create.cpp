// Neutron's bulk creates (`{"ports": [...]}`, and networks and subnets): one
// POST to one cloudlet, since Neutron makes all of its items or none, with
// every item recorded as a single create's resource is (create_flow.cpp):
// each gets a global ID and a reservation, carries its own attempt token in a
// pending description, is tagged with its marker and bound, so the answer
// names global IDs only and every item falls under the reconciler's rule
// (docs/faults.md). An item that could not be marked, or a create whose fate
// is unknown and whose items were not all found by their tokens, is recorded
// as abandoned: its owner deletes what it made (reservation_sweep.cpp).

#include "agent/flows/bulk_create.hpp"

#include <list>
#include <map>

#include <spdlog/spdlog.h>

#include "agent/flows/client_answer.hpp"
#include "agent/flows/create_attempt.hpp"
#include "agent/flows/federation.hpp"
#include "agent/flows/neutron_pending.hpp"
#include "agent/flows/visible_entry.hpp"
#include "agent/rules/create_policy.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "agent/services/attempt_token.hpp"
#include "agent/services/registry_client.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::registry_entry;
using storage::resource_kind;

/// One item of the bulk create: its reservation and its attempt.
struct bulk_item {
  registry_entry entry;
  std::string token;
  std::string description;   // the client's, given back once the item is marked
};

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// The cloudlet of a subnet's or port's network (its primary), else this agent's.
http::awaitable<cloudlet_endpoints> home_of_item(request& r, resource_kind kind, const json& item) {
  if (kind == resource_kind::network) co_return r.context.cloudlet;
  auto network_id = item.value("network_id", std::string{});
  if (api::global_id_owner(network_id)) {
    auto entry = co_await visible_entry(r, network_id);   // another project's, if its cloud shows it
    if (entry && !entry->copies.empty())
      if (auto c = find_cloudlet(r.context, entry->copies.front().cloudlet)) co_return *c;
  }
  co_return r.context.cloudlet;
}

http::awaitable<void> drop_reservations(request& r, const std::vector<bulk_item>& items) {
  for (const auto& item : items) co_await r.context.registry->erase(item.entry.project_id, item.entry.global_id);
}

/// Records every item's attempt as abandoned (its owner deletes what it made),
/// then drops the reservations.
http::awaitable<void> abandon_all(request& r, const cloudlet_endpoints& c, const std::vector<bulk_item>& items) {
  for (const auto& item : items) co_await record_abandoned(r, c, item.entry, item.token);
  co_await drop_reservations(r, items);
}

/// What an unanswered bulk create made, by each item's token; nullopt unless
/// every item was found (Neutron makes all or none).
http::awaitable<std::optional<json>> look_for_all(request& r, const cloudlet_endpoints& c, resource_kind kind,
                                                  const std::vector<bulk_item>& items) {
  json found = json::array();
  for (const auto& item : items) {
    std::optional<pending_match> match;
    try {
      match = co_await find_pending(r.context, client_call_headers(r), c, kind, item.entry.global_id, item.token,
                                    item.entry.project_id);
    } catch (const upstream_failure& e) {
      spdlog::warn("{} cannot look for attempt {} on {}: {}", r.request_id, item.token, c.region, e.what());
    }
    if (!match || match->found != pending_match::result::one) co_return std::nullopt;
    found.push_back(std::move(match->item));
  }
  co_return found;
}

/// Marks and binds each made item; false when one could not be marked (that
/// one is recorded as abandoned and its reservation dropped).
http::awaitable<bool> bind_all(request& r, const cloudlet_endpoints& c, resource_kind kind,
                               std::vector<bulk_item>& items, json& made) {
  bool all = true;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto& item = items[i];
    auto shown = made[i];
    bool marked = false;
    try {
      marked = co_await mark_pending(r.context, client_call_headers(r), c, kind, made[i], item.entry.global_id,
                                     item.token, item.description, false, &shown);
    } catch (const upstream_failure& e) {
      spdlog::warn("{} marking {} on {}: {}", r.request_id, made[i].value("id", std::string{}), c.region, e.what());
    }
    if (!marked) {
      all = false;
      co_await record_abandoned(r, c, item.entry, item.token);
      co_await r.context.registry->erase(item.entry.project_id, item.entry.global_id);
      continue;
    }
    auto local_id = made[i].value("id", std::string{});
    auto owner = owner_project(shown);
    if (!owner.empty() && owner != item.entry.project_id) {
      co_await r.context.registry->erase(item.entry.project_id, item.entry.global_id);
      item.entry.project_id = owner;
    }
    item.entry.state = storage::entry_state::bound;
    item.entry.attempt.reset();
    item.entry.copies = {storage::cloud_copy{c.region, local_id}};
    co_await r.context.registry->put(item.entry);
    r.context.aliases.learn(c.region, local_id, item.entry.global_id);
    shown["description"] = item.description;
    made[i] = std::move(shown);
  }
  co_return all;
}

} // namespace

bool is_bulk_create(const json& doc, std::string_view collection) {
  return doc.is_object() && doc.contains(std::string(collection));
}

http::awaitable<void> handle_bulk_create(request& r, resource_kind kind, json& doc) {
  const auto& collection = r.route.resource;
  auto singular = collection.substr(0, collection.size() - 1);
  auto& listed = doc[collection];
  bool well_formed = listed.is_array() && !listed.empty();
  for (const auto& item : listed) well_formed = well_formed && item.is_object();
  if (!well_formed || doc.size() != 1)
    co_return co_await send_error(r, 400, "A bulk create takes {\"" + collection + "\": [...]} with one object per " +
                                            singular + ".");

  // One POST to one cloudlet: every item's network must live there.
  std::optional<cloudlet_endpoints> home;
  for (const auto& item : listed) {
    auto c = co_await home_of_item(r, kind, item);
    if (home && home->region != c.region)
      co_return co_await send_error(r, 400, "The " + collection + " of a bulk create must all be on networks of one "
                                            "cloudlet; create them one at a time.");
    home = c;
  }
  const auto& c = *home;

  std::vector<bulk_item> items;
  std::list<in_flight_set::token> running;   // the reservation sweep leaves these alone
  for (auto& item : listed) {
    bulk_item b;
    b.entry.kind = kind;
    b.entry.global_id = r.context.registry->new_global_id();
    b.entry.project_id = r.identity->project_id;
    if (r.identity->is_admin)
      if (auto named = owner_project(item); !named.empty()) b.entry.project_id = named;
    b.entry.state = storage::entry_state::reserved;
    b.entry.created_unix_ms = unix_ms();
    b.entry.name = item.value("name", std::string{});
    b.token = new_attempt_token();
    if (item.contains("description") && item["description"].is_string())
      b.description = item["description"].get<std::string>();
    if (!item.contains("description") || item["description"].is_string())
      item["description"] = api::pending_description(b.token);
    b.entry.attempt = storage::reserved_attempt{b.token, c.region, b.description};
    running.emplace_back(r.context.creates_in_flight, b.entry.global_id);
    co_await r.context.registry->put(b.entry);
    items.push_back(std::move(b));
  }

  auto text = doc.dump();
  std::vector<std::string_view> texts;
  texts.push_back(text);
  auto to_local = co_await ids_to_local(r, c.region, texts);
  text = api::rewrite_uuids(text, lookup_in(to_local));
  r.upstream = endpoint_of(c, r.route.service).to_string();
  std::optional<http::response> answer;
  std::optional<upstream_failure> failure;
  try {
    answer = co_await call_cloudlet(r.context, c, r.route.service, bhttp::verb::post, r.route.upstream_path,
                                    client_call_headers(r), text);
  } catch (const upstream_failure& e) {
    failure = e;
  }
  auto result = read_call(failure ? std::nullopt : std::optional<unsigned>(answer->status));
  if (result == call_result::refused) {
    co_await drop_reservations(r, items);
    auto body = rewrite_for_client(r, c, r.route.service, answer->body, {});
    co_return co_await send_upstream_response(r, *answer, std::move(body));
  }

  json made;
  if (result == call_result::made) {
    auto answered = json::parse(answer->body, nullptr, false);
    if (answered.is_object() && answered.contains(collection)) made = answered[collection];
  } else {
    // Not in an if's initializer: GCC 12 (docs/decisions.md).
    auto found = co_await look_for_all(r, c, kind, items);
    if (found) {
      spdlog::warn("{} bulk create on {} failed but made its {} {}: bound", r.request_id, c.region, items.size(),
                   collection);
      made = std::move(*found);
    }
  }
  if (!made.is_array() || made.size() != items.size()) {
    spdlog::warn("{} bulk create of {} {} on {}: {}", r.request_id, items.size(), collection, c.region,
                 failure ? failure->what() : "answered " + std::to_string(answer->status));
    co_await abandon_all(r, c, items);
    if (answer && answer->status < 300)   // made, but not as a list of what was asked: never relayed
      co_return co_await send_error(r, 502, "The cloudlet " + c.region + " answered the bulk create without its " +
                                              collection + "; what it made will be deleted.");
    if (answer) {
      auto body = rewrite_for_client(r, c, r.route.service, answer->body, {});
      co_return co_await send_upstream_response(r, *answer, std::move(body));
    }
    co_return co_await send_error(r, failure->status, failure->what());
  }
  bool bound = co_await bind_all(r, c, kind, items, made);
  if (!bound)
    co_return co_await send_error(r, 503, "Some of the " + collection + " could not be marked on " + c.region +
                                            "; they will be deleted. The others were created.");

  http::response created;
  created.status = 201;
  if (answer) created.headers = answer->headers;
  created.headers.set(bhttp::field::content_type, "application/json");
  json body = json::object();
  body[collection] = std::move(made);
  created.body = body.dump();
  std::map<std::string, std::string> known;
  for (const auto& item : items) known.emplace(item.entry.copies.front().local_id, item.entry.global_id);
  r.target = c;
  auto out = co_await translate_answer(r, c, created, known);
  co_await send_upstream_response(r, created, std::move(out));
}

} // namespace fedstack::agent
