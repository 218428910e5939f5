#include "agent/flows/create_attempt.hpp"

#include <spdlog/spdlog.h>

#include "agent/flows/federation.hpp"
#include "agent/flows/marker_search.hpp"
#include "agent/flows/neutron_pending.hpp"
#include "agent/rules/backup_rule.hpp"
#include "agent/rules/lifecycle_rule.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "agent/rules/resource_kinds.hpp"
#include "agent/services/attempt_token.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/uuid.hpp"
#include "metrics/catalog.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::registry_entry;
using storage::resource_kind;

json parse_object(const std::string& text) {
  auto doc = json::parse(text, nullptr, false);
  return doc.is_object() ? doc : json::object();
}

/// A create's body as one cloudlet gets it.
struct marked_body {
  json doc;                  // local IDs, the marker with the attempt token
  std::string token;
  /// A single Neutron create carries its token in its description until it is
  /// tagged (neutron_pending.hpp); a description Neutron would refuse is sent
  /// as it is. (Bulk creates have their own flow: bulk_create.cpp.)
  bool pending = false;
  std::string description;   // the client's, restored once the resource is tagged
};

http::awaitable<marked_body> mark_body(request& r, const cloudlet_endpoints& c, const registry_entry& entry,
                                       const json& body) {
  auto text = body.dump();
  std::vector<std::string_view> texts;
  texts.push_back(text);
  auto to_local = co_await ids_to_local(r, c.region, texts);
  marked_body out;
  out.doc = json::parse(api::rewrite_uuids(text, lookup_in(to_local)));
  out.token = new_attempt_token();
  auto service = r.route.service;
  api::marker marker{entry.global_id, false, out.token};
  // A boot of several servers: each one's own global ID is derived (multi_create.hpp).
  if (entry.kind == resource_kind::server && body.contains("server") && requested_servers(body["server"]) > 1)
    marker.shared_id = entry.global_id;
  api::add_marker(service, out.doc, marker);
  auto singular = std::string(storage::to_string(entry.kind));
  auto& doc = out.doc;
  out.pending = service == api::service_type::network && doc.contains(singular) && doc[singular].is_object() &&
                (!doc[singular].contains("description") || doc[singular]["description"].is_string());
  if (out.pending) {
    out.description = doc[singular].value("description", std::string{});
    doc[singular]["description"] = api::pending_description(out.token);
  }
  co_return out;
}

/// What a create attempt marked `token` made on `c` (an image or a server),
/// by its marker. nullopt when it made nothing; throws upstream_failure when
/// the cloudlet cannot tell.
http::awaitable<std::optional<json>> find_attempt(request& r, const cloudlet_endpoints& c, resource_kind kind,
                                                  const std::string& global_id, const std::string& token) {
  auto service = r.route.service;
  auto items = co_await list_marked_on(r.context, client_call_headers(r), c, kind, global_id, false);
  for (auto& item : items) {
    auto marked = to_marked_item(service, item);
    if (marked && !marked->marker.is_copy && !marked->derived_image && marked->marker.attempt == token)
      co_return std::move(item);
  }
  co_return std::nullopt;
}

/// What an attempt that was answered 5xx or not at all made, looked for by its
/// token: a Neutron create by its pending description (or its tags, if it got
/// them), images and servers by their marker. nullopt when nothing was found
/// or the cloudlet could not tell.
http::awaitable<std::optional<json>> look_for(request& r, const cloudlet_endpoints& c, const registry_entry& entry,
                                              const marked_body& marked) {
  std::optional<json> made;
  std::optional<std::string> unknown;
  try {
    if (marked.pending) {
      auto found = co_await find_pending(r.context, client_call_headers(r), c, entry.kind, entry.global_id,
                                         marked.token, entry.project_id);
      if (found.found == pending_match::result::one) made = std::move(found.item);
      else if (found.found == pending_match::result::ambiguous) unknown = "two resources carry its token";
    } else {
      made = co_await find_attempt(r, c, entry.kind, entry.global_id, marked.token);
    }
  } catch (const upstream_failure& e) {
    unknown = e.what();
  }
  if (!made && unknown)
    spdlog::warn("{} cannot look for attempt {} on {}: {}", r.request_id, marked.token, c.region, *unknown);
  co_return made;
}

/// The answer a create would have had, for one found by its marker.
http::response answer_for_found(resource_kind kind, json item) {
  http::response answer;
  // Nova and Cinder accept creates with 202.
  answer.status = kind == resource_kind::server || kind == resource_kind::volume ||
                          kind == resource_kind::volume_snapshot || kind == resource_kind::volume_backup
                      ? 202
                      : 201;
  answer.headers.set(bhttp::field::content_type, "application/json");
  if (kind == resource_kind::image) {
    answer.body = item.dump();
  } else {
    json wrapped;
    wrapped[std::string(storage::to_string(kind))] = std::move(item);
    answer.body = wrapped.dump();
  }
  return answer;
}

/// Tags a Neutron resource made with a pending description and gives the
/// client back its description; false when it could not be marked (made but
/// not marked: not bound, and its owner deletes it once it is recorded as
/// abandoned, found by its pending description or, if the tags did land, by them).
http::awaitable<bool> mark_pending_made(request& r, const cloudlet_endpoints& c, const registry_entry& entry,
                                        const marked_body& marked, attempt& a) {
  auto singular = std::string(storage::to_string(entry.kind));
  auto answered = parse_object(a.answer->body);
  auto item = answered.value(singular, json::object());
  // The client gets the resource as a show right after would give it: tagging
  // and the description's PUT each bump its revision_number (Neutron's).
  auto shown = item;
  bool done = false;
  std::optional<std::string> failure;
  try {
    done = co_await mark_pending(r.context, client_call_headers(r), c, entry.kind, item, entry.global_id,
                                 marked.token, marked.description, false, &shown);
  } catch (const upstream_failure& e) {
    failure = e.what();
  }
  if (!done) {
    spdlog::warn("{} {} {} on {} could not be marked{}{}", r.request_id, singular, a.local_id, c.region,
                 failure ? ": " : "", failure.value_or(""));
    a.status = 503;
    a.message = "The " + singular + " could not be marked on " + c.region + ".";
    a.cause = "unmarked";
    a.answer.reset();
    co_return false;
  }
  answered[singular] = std::move(shown);
  answered[singular]["description"] = marked.description;   // the client sees the description it asked for
  a.answer->body = answered.dump();
  co_return true;
}

/// Tags a Neutron resource whose create carried no pending description.
http::awaitable<void> tag_made(request& r, const cloudlet_endpoints& c, const registry_entry& entry,
                               const attempt& a) {
  std::vector<std::string> tags{api::marker_tag({entry.global_id, false, {}}), api::attempt_tag(a.token)};
  for (const auto& tag : tags) {
    auto tagged = co_await call_cloudlet(r.context, c, r.route.service, bhttp::verb::put,
                                         r.route.upstream_path + "/" + a.local_id + "/tags/" + tag,
                                         client_call_headers(r));
    if (tagged.status >= 300)
      spdlog::warn("{} marking {} on {} answered {}", r.request_id, a.local_id, c.region, tagged.status);
  }
}

/// A server that went to ERROR because the cloudlet had no host for it.
http::awaitable<bool> failed_for_want_of_host(request& r, const cloudlet_endpoints& c,
                                              const std::string& local_id) {
  auto shown = co_await call_cloudlet(r.context, c, api::service_type::compute, bhttp::verb::get,
                                      "/v2.1/servers/" + local_id, client_call_headers(r));
  auto server = parse_object(shown.body).value("server", json::object());
  if (server.value("status", std::string{}) != "ERROR") co_return false;
  auto fault = server.value("fault", json::object()).value("message", std::string{});
  co_return fault.find("No valid host") != std::string::npos;
}

/// The attempt's answer when its call failed or answered 5xx.
void note_failure(attempt& a, const std::optional<upstream_failure>& failure) {
  if (!failure) {
    a.cause = "server_error";
    return;
  }
  a.status = failure->status;
  a.message = failure->what();
  a.cause = failure->status == 504 ? "timeout" : "unreachable";
}


/// After a 5xx or no answer: what the attempt made, looked for by its token,
/// becomes its answer; false (the outcome set) when nothing can be bound.
http::awaitable<bool> settle_unanswered(request& r, const cloudlet_endpoints& c, const registry_entry& entry,
                                        const marked_body& marked, const std::optional<upstream_failure>& failure,
                                        attempt& a) {
  note_failure(a, failure);
  if (!searchable(entry.kind, marked.pending)) {
    a.outcome = attempt_outcome::unsearchable;
    co_return false;
  }
  auto made = co_await look_for(r, c, entry, marked);
  if (!made) {
    a.outcome = attempt_outcome::not_found;
    co_return false;
  }
  a.local_id = (*made)["id"].get<std::string>();
  spdlog::warn("{} create on {} failed ({}) but made {} {}: bound, not retried", r.request_id, c.region, a.cause,
               storage::to_string(entry.kind), a.local_id);
  metrics::fedstack().creates_found.add({storage::to_string(entry.kind)});
  a.answer = answer_for_found(entry.kind, std::move(*made));
  a.cause.clear();
  co_return true;
}

/// The ID a 2xx answer gives; false (refused) when it gives none.
bool read_created_id(request& r, const cloudlet_endpoints& c, attempt& a) {
  auto id = created_id(parse_object(a.answer->body), r.route.resource);
  if (!id) {
    spdlog::error("{} create on {} answered {} without an id", r.request_id, c.region, a.answer->status);
    a.outcome = attempt_outcome::refused;
    return false;
  }
  a.local_id = *id;
  return true;
}

/// Nova answers a boot with return_reservation_id by the reservation's ID
/// alone: the servers it made are found by the attempt's marker, one to bind
/// (the others with it: multi_create.hpp). False when none is found or the cloudlet
/// cannot tell: what the attempt made is then abandoned (its owner deletes it).
bool is_reservation_answer(resource_kind kind, const http::response& answer) {
  if (kind != resource_kind::server) return false;
  auto doc = parse_object(answer.body);
  return doc.contains("reservation_id") && !doc.contains("server");
}

http::awaitable<bool> find_reserved(request& r, const cloudlet_endpoints& c, const registry_entry& entry,
                                    const marked_body& marked, attempt& a) {
  std::optional<json> made;
  std::string why = "none of its servers carries the attempt's marker";
  try {
    made = co_await find_attempt(r, c, entry.kind, entry.global_id, marked.token);
  } catch (const upstream_failure& e) {
    why = e.what();
  }
  if (!made || !made->contains("id") || !(*made)["id"].is_string()) {
    spdlog::warn("{} boot on {} answered a reservation ID, but its servers cannot be found: {}", r.request_id,
                 c.region, why);
    a.outcome = attempt_outcome::not_found;
    a.status = 503;
    a.message = "The servers of reservation " + parse_object(a.answer->body).value("reservation_id", std::string{}) +
                " on " + c.region + " cannot be found: " + why;
    a.answer.reset();
    co_return false;
  }
  a.local_id = (*made)["id"].get<std::string>();
  co_return true;
}

/// What was made is marked (Neutron) and, for a server, checked to have a host.
http::awaitable<void> complete_made(request& r, const cloudlet_endpoints& c, const registry_entry& entry,
                                    const marked_body& marked, attempt& a) {
  if (marked.pending) {
    if (!co_await mark_pending_made(r, c, entry, marked, a)) {
      a.outcome = attempt_outcome::unmarked;
      co_return;
    }
  } else if (r.route.service == api::service_type::network) {
    co_await tag_made(r, c, entry, a);
  }
  bool no_host = false;   // no co_await after && : GCC 12 miscompiles it in this coroutine
  if (entry.kind == resource_kind::server) no_host = co_await failed_for_want_of_host(r, c, a.local_id);
  if (no_host) {
    spdlog::warn("{} server {} on {}: no valid host; trying the next cloudlet", r.request_id, a.local_id, c.region);
    a.status = 503;
    a.message = "No valid host was found on " + c.region + ".";
    a.cause = "no_valid_host";
    a.answer.reset();
    a.outcome = attempt_outcome::no_valid_host;
    co_return;
  }
  a.outcome = attempt_outcome::created;
}

} // namespace

http::awaitable<attempt> create_on(request& r, const cloudlet_endpoints& c, registry_entry& entry, const json& body) {
  auto marked = co_await mark_body(r, c, entry, body);
  // The reservation knows its attempt before the cloud does: after a crash the
  // sweep finds what it made, or records it as abandoned (reservation_sweep.cpp).
  entry.attempt = storage::reserved_attempt{marked.token, c.region, marked.description};
  co_await r.context.registry->put(entry);
  attempt a;
  a.token = marked.token;
  auto headers = client_call_headers(r);
  // A backup's marker rides in its metadata, which Cinder takes from 3.43 (rules/backup_rule.hpp).
  if (entry.kind == resource_kind::volume_backup)
    headers.set("OpenStack-API-Version", api::volume_api_version_header(backup_create_version(r.volume_version)));
  std::optional<upstream_failure> failure;
  try {
    a.answer = co_await call_cloudlet(r.context, c, r.route.service, bhttp::verb::post, r.route.upstream_path,
                                      headers, marked.doc.dump());
  } catch (const upstream_failure& e) {
    failure = e;
  }
  auto result = read_call(failure ? std::nullopt : std::optional<unsigned>(a.answer->status));
  if (result == call_result::refused) {
    // A quota refusal is Nova's answer before it makes anything (compute/api.py
    // checks quota before the instance is created), so another cloudlet may be tried.
    bool quota = refused_by_quota(entry.kind, a.answer->status, a.answer->body);
    a.outcome = quota ? attempt_outcome::over_quota : attempt_outcome::refused;
    if (quota) a.cause = "over_quota";
    co_return a;
  }
  bool made = false;
  bool reserved = result == call_result::made && is_reservation_answer(entry.kind, *a.answer);
  if (reserved) made = co_await find_reserved(r, c, entry, marked, a);
  else if (result == call_result::made) made = read_created_id(r, c, a);
  else made = co_await settle_unanswered(r, c, entry, marked, failure, a);
  if (made) co_await complete_made(r, c, entry, marked, a);
  co_return a;
}

http::awaitable<bool> record_abandoned(request& r, const cloudlet_endpoints& c, const registry_entry& entry,
                                       const std::string& token) {
  storage::abandoned_attempt record{token, entry.kind, entry.global_id, entry.project_id, c.region, now_unix_ms()};
  std::optional<std::string> failure;
  try {
    co_await r.context.registry->abandon(record);
  } catch (const registry_unavailable& e) {
    failure = e.what();
  }
  if (failure) {
    spdlog::error("{} cannot record the abandoned attempt {} on {}: {}; not trying another cloudlet",
                  r.request_id, token, c.region, *failure);
    co_return false;
  }
  metrics::fedstack().abandoned_attempts.add({storage::to_string(entry.kind)});
  spdlog::warn("{} abandoned attempt {} for {} {} on {}", r.request_id, token, storage::to_string(entry.kind),
               entry.global_id, c.region);
  co_return true;
}

http::awaitable<void> delete_abandoned_server(request& r, const cloudlet_endpoints& c, const attempt& a,
                                              resource_kind kind) {
  // Recorded first: should the delete fail, the owner deletes it later (reservation_sweep.cpp).
  auto deleted = co_await call_cloudlet(r.context, c, api::service_type::compute, bhttp::verb::delete_,
                                        "/v2.1/servers/" + a.local_id, client_call_headers(r));
  if (deleted.status < 300 || deleted.status == 404) {
    co_await r.context.registry->forget_abandoned(a.token);
    metrics::fedstack().abandoned_deleted.add({storage::to_string(kind)});
  }
}

} // namespace fedstack::agent
