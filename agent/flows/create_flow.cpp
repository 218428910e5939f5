// Creates. Images and servers go where the scheduler says (thesis workflow 5,
// docs/scheduler.md); networks to this agent's cloudlet; subnets and ports to
// their network's. Record-keeping survives a crash at any step:
//   1. reserve the global ID in this agent's registry (state reserved);
//   2. create the cloud resource carrying the global ID as its marker;
//   3. bind: the entry gets the cloud's ID (state bound).
// A failed attempt (5xx, timeout, a server in ERROR for want of a host) is
// first looked for by its attempt token: what the cloud made after all is
// bound (one create, at most one resource). Otherwise it is recorded as
// abandoned, and only then is the next candidate tried; the owner deletes what
// an abandoned attempt made later (reservation_sweep.cpp, docs/faults.md). The
// client sees an error only when every candidate failed, and then the
// reservation goes too.

#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/services/attempt_token.hpp"
#include "agent/flows/copies.hpp"
#include "agent/flows/federation.hpp"
#include "agent/flows/marker_search.hpp"
#include "agent/flows/neutron_pending.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "agent/flows/request.hpp"
#include "agent/rules/resource_kinds.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/uuid.hpp"
#include "metrics/catalog.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::registry_entry;
using storage::resource_kind;

/// The last path segment of an ID or a link to one (imageRef, flavorRef).
std::string id_from_ref(const json& ref) {
  if (!ref.is_string()) return {};
  auto text = ref.get<std::string>();
  auto slash = text.find_last_of('/');
  return slash == std::string::npos ? text : text.substr(slash + 1);
}

json parse_object(const std::string& text) {
  auto doc = json::parse(text, nullptr, false);
  return doc.is_object() ? doc : json::object();
}

/// What one attempt on one cloudlet came to.
struct attempt {
  /// final_failure: the attempt failed and could not be recorded as abandoned,
  /// so no other cloudlet may be tried (one create, at most one resource).
  enum class outcome { created, rejected, failed, final_failure } result = outcome::failed;
  std::optional<http::response> answer;   // the cloud's answer, if there was one
  unsigned status = 503;                  // without an answer
  std::string message;
  std::string local_id;
  /// Why a failed attempt failed, in a word (metric label).
  std::string cause;
};

/// The project a create names for its resource: an admin may create for
/// another project (Glance's owner, Neutron's project_id or tenant_id).
std::string requested_project(const json& body, std::string_view collection) {
  auto singular = std::string(collection.substr(0, collection.size() - 1));
  const auto& item = body.contains(singular) && body[singular].is_object() ? body[singular] : body;
  return owner_project(item);
}

/// What a create attempt marked `token` made on `c`, looked for after its cloud
/// answered 5xx or nothing. nullopt when it made nothing; throws
/// upstream_failure when the cloudlet cannot tell.
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

/// Records the attempt as abandoned before the create moves on; false when
/// the record could not be written.
http::awaitable<bool> abandon(request& r, const cloudlet_endpoints& c, const registry_entry& entry,
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

/// The answer a create would have had, for one found by its marker.
http::response answer_for_found(resource_kind kind, json item) {
  http::response answer;
  answer.status = kind == resource_kind::server ? 202 : 201;
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

/// POSTs `body` (global IDs) to `c`, marked with the entry's global ID and a
/// fresh attempt token. A 5xx or no answer is followed by a look for the
/// token: what the cloud made is bound; otherwise the attempt is recorded as
/// abandoned before any other cloudlet is tried.
http::awaitable<attempt> create_on(request& r, const cloudlet_endpoints& c, registry_entry& entry,
                                   const json& body) {
  auto kind = entry.kind;
  const auto& global_id = entry.global_id;
  auto service = r.route.service;
  auto text = body.dump();
  std::vector<std::string_view> texts;
  texts.push_back(text);
  auto to_local = co_await ids_to_local(r, c.region, texts);
  auto doc = json::parse(api::rewrite_uuids(text, lookup_in(to_local)));
  auto token = new_attempt_token();
  api::add_marker(service, doc, {global_id, false, token});
  // Neutron takes no tags at create: a single create carries its token in its
  // description until it is tagged (neutron_pending.hpp). Bulk creates and a
  // description Neutron would refuse are sent as they are.
  auto singular = std::string(storage::to_string(kind));
  bool pending = service == api::service_type::network && doc.contains(singular) && doc[singular].is_object() &&
                 (!doc[singular].contains("description") || doc[singular]["description"].is_string());
  std::string description;   // the client's, restored once the resource is tagged
  if (pending) {
    description = doc[singular].value("description", std::string{});
    doc[singular]["description"] = api::pending_description(token);
  }
  // The reservation knows its attempt before the cloud does: after a crash the
  // sweep finds what it made, or records it as abandoned (reservation_sweep.cpp).
  entry.attempt = storage::reserved_attempt{token, c.region, description};
  co_await r.context.registry->put(entry);
  attempt a;
  std::optional<upstream_failure> failure;
  try {
    a.answer = co_await call_cloudlet(r.context, c, service, bhttp::verb::post, r.route.upstream_path,
                                      client_call_headers(r), doc.dump());
  } catch (const upstream_failure& e) {
    failure = e;
  }
  bool found_after_failure = false;
  if (failure || a.answer->status >= 500) {
    if (failure) {
      a.status = failure->status;
      a.message = failure->what();
      a.cause = failure->status == 504 ? "timeout" : "unreachable";
    } else {
      a.cause = "server_error";
    }
    // A Neutron create is found by its pending description (or its tags, if it got them).
    bool searchable = kind == resource_kind::image || kind == resource_kind::server || pending;
    std::optional<json> made;
    std::optional<std::string> unknown;
    if (searchable) {
      try {
        if (pending) {
          auto found = co_await find_pending(r.context, client_call_headers(r), c, kind, global_id, token,
                                             entry.project_id);
          if (found.found == pending_match::result::one) made = std::move(found.item);
          else if (found.found == pending_match::result::ambiguous)
            unknown = "two resources carry its token";
        } else {
          made = co_await find_attempt(r, c, kind, global_id, token);
        }
      } catch (const upstream_failure& e) {
        unknown = e.what();
      }
    }
    if (!made) {
      if (unknown)
        spdlog::warn("{} cannot look for attempt {} on {}: {}", r.request_id, token, c.region, *unknown);
      if (searchable && !co_await abandon(r, c, entry, token)) a.result = attempt::outcome::final_failure;
      co_return a;
    }
    spdlog::warn("{} create on {} failed ({}) but made {} {}: bound, not retried", r.request_id, c.region,
                 a.cause, storage::to_string(kind), (*made)["id"].get<std::string>());
    metrics::fedstack().creates_found.add({storage::to_string(kind)});
    a.local_id = (*made)["id"].get<std::string>();
    a.answer = answer_for_found(kind, std::move(*made));
    a.cause.clear();
    found_after_failure = true;
  }
  auto status = a.answer->status;
  if (status >= 300) {
    a.result = attempt::outcome::rejected;
    co_return a;
  }
  if (!found_after_failure) {
    auto id = created_id(parse_object(a.answer->body), r.route.resource);
    if (!id) {
      spdlog::error("{} create on {} answered {} without an id", r.request_id, c.region, status);
      a.result = attempt::outcome::rejected;
      co_return a;
    }
    a.local_id = *id;
  }
  if (pending) {
    auto answered = parse_object(a.answer->body);
    auto item = answered.value(singular, json::object());
    bool marked = false;
    std::optional<std::string> failure_text;
    try {
      marked = co_await mark_pending(r.context, client_call_headers(r), c, kind, item, global_id, token, description);
    } catch (const upstream_failure& e) {
      failure_text = e.what();
    }
    if (!marked) {
      // Made but not marked: not bound. Recorded as abandoned, so that the owner
      // deletes it (found by its pending description or, if the tags did land, by them).
      spdlog::warn("{} {} {} on {} could not be marked{}{}", r.request_id, singular, a.local_id, c.region,
                   failure_text ? ": " : "", failure_text.value_or(""));
      a.status = 503;
      a.message = "The " + singular + " could not be marked on " + c.region + ".";
      a.cause = "unmarked";
      a.answer.reset();
      bool recorded = co_await abandon(r, c, entry, token);
      a.result = recorded ? attempt::outcome::failed : attempt::outcome::final_failure;
      co_return a;
    }
    // The client sees the description it asked for.
    answered[singular]["description"] = description;
    a.answer->body = answered.dump();
  } else if (service == api::service_type::network) {
    for (const auto& tag : {api::marker_tag({global_id, false, {}}), api::attempt_tag(token)}) {
      auto tagged = co_await call_cloudlet(r.context, c, service, bhttp::verb::put,
                                           r.route.upstream_path + "/" + a.local_id + "/tags/" + tag,
                                           client_call_headers(r));
      if (tagged.status >= 300)
        spdlog::warn("{} marking {} on {} answered {}", r.request_id, a.local_id, c.region, tagged.status);
    }
  }
  if (kind == resource_kind::server && co_await failed_for_want_of_host(r, c, a.local_id)) {
    spdlog::warn("{} server {} on {}: no valid host; trying the next cloudlet", r.request_id,
                 a.local_id, c.region);
    a.status = 503;
    a.message = "No valid host was found on " + c.region + ".";
    a.cause = "no_valid_host";
    a.answer.reset();
    // Recorded first: should the delete fail, the owner deletes it later (reservation_sweep.cpp).
    if (!co_await abandon(r, c, entry, token)) {
      a.result = attempt::outcome::final_failure;
      co_return a;
    }
    auto deleted = co_await call_cloudlet(r.context, c, service, bhttp::verb::delete_,
                                          "/v2.1/servers/" + a.local_id, client_call_headers(r));
    if (deleted.status < 300 || deleted.status == 404) {
      co_await r.context.registry->forget_abandoned(token);
      metrics::fedstack().abandoned_deleted.add({storage::to_string(kind)});
    }
    co_return a;
  }
  a.result = attempt::outcome::created;
  co_return a;
}

/// The cloudlets to try, in order: the decision's winner and fallbacks, or
/// this agent's own when the scheduler could place nothing.
std::vector<cloudlet_endpoints> candidates_of(request& r, const placement_decision& decision) {
  std::vector<cloudlet_endpoints> out;
  auto add = [&](const std::string& region) {
    for (const auto& c : out)
      if (c.region == region) return;
    if (auto c = find_cloudlet(r.context, region)) out.push_back(*c);
  };
  if (decision.placed) {
    add(decision.winner.region);
    for (const auto& f : decision.fallback) add(f.region);
  }
  if (out.empty()) out.push_back(r.context.cloudlet);
  return out;
}

/// What the scheduler needs to know of a boot, and the entries it refers to.
struct boot_needs {
  placement_request request;
  std::string flavor_id;
  json flavor;   // as this agent's cloudlet shows it; other clouds may number it differently
  std::optional<registry_entry> image;
  std::vector<registry_entry> networks;
};

http::awaitable<boot_needs> read_boot(request& r, json& server) {
  boot_needs needs;
  needs.request.kind = placement_kind::server;
  auto headers = client_call_headers(r);
  const auto& project = r.identity->project_id;
  needs.flavor_id = id_from_ref(server.value("flavorRef", json()));
  if (!needs.flavor_id.empty()) {
    auto shown = co_await call_cloudlet(r.context, r.context.cloudlet, api::service_type::compute,
                                        bhttp::verb::get, "/v2.1/flavors/" + needs.flavor_id, headers);
    auto flavor = parse_object(shown.body).value("flavor", json::object());
    if (shown.status == 200 && flavor.is_object()) needs.flavor = flavor;
    needs.request.ram_mb = flavor.value("ram", 0);
    needs.request.disk_gb = flavor.value("disk", 0);
    needs.request.vcpus = flavor.value("vcpus", 0);
  }
  auto image_id = id_from_ref(server.value("imageRef", json()));
  if (api::global_id_owner(image_id)) {
    needs.image = co_await r.context.registry->get(project, image_id);
    if (needs.image && !needs.image->copies.empty()) {
      const auto& primary = needs.image->copies.front();
      if (auto from = find_cloudlet(r.context, primary.cloudlet)) {
        auto shown = co_await call_cloudlet(r.context, *from, api::service_type::image,
                                            bhttp::verb::get, "/v2/images/" + primary.local_id, headers);
        auto image = parse_object(shown.body);
        if (image.contains("checksum") && image["checksum"].is_string())
          needs.request.image_checksum = image["checksum"];
        if (image.contains("size") && image["size"].is_number())
          needs.request.image_size_gb =
            static_cast<std::int64_t>(std::ceil(image["size"].get<double>() / (1024.0 * 1024 * 1024)));
      }
    }
  }
  if (server.contains("availability_zone") && server["availability_zone"].is_string()) {
    needs.request.availability_zone = server["availability_zone"];
    // Zones are cloudlets here; inside the chosen cloud its own default applies.
    server.erase("availability_zone");
  }
  if (server.contains("networks") && server["networks"].is_array()) {
    for (const auto& n : server["networks"]) {
      auto id = n.is_object() ? n.value("uuid", std::string{}) : std::string{};
      if (!api::global_id_owner(id)) continue;
      if (auto entry = co_await r.context.registry->get(project, id)) needs.networks.push_back(*entry);
    }
  }
  co_return needs;
}

/// Where a subnet or port goes: the primary cloudlet of its network.
http::awaitable<cloudlet_endpoints> network_home(request& r, const json& body) {
  auto singular = r.route.resource.substr(0, r.route.resource.size() - 1);
  auto item = body.value(singular, json::object());
  auto network_id = item.is_object() ? item.value("network_id", std::string{}) : std::string{};
  if (api::global_id_owner(network_id)) {
    auto entry = co_await r.context.registry->get(r.identity->project_id, network_id);
    if (entry && !entry->copies.empty())
      if (auto c = find_cloudlet(r.context, entry->copies.front().cloudlet)) co_return *c;
  }
  co_return r.context.cloudlet;
}

/// Nova's min_count/max_count make several servers from one request, and the
/// federation records one resource per create: refused rather than left
/// unrecorded (docs/federation.md, "Creates").
std::optional<std::string> refuse_multiple(const json& server) {
  for (const char* key : {"min_count", "max_count"}) {
    auto it = server.find(key);
    if (it == server.end()) continue;
    long count = 0;
    if (it->is_number_integer()) count = it->get<long>();
    else if (it->is_string()) count = std::strtol(it->get<std::string>().c_str(), nullptr, 10);
    else return std::string("Invalid input for field/attribute ") + key + ".";
    if (count > 1)
      return std::string(key) + " above 1 is not supported by this federation: boot the servers one at a time "
                                "(each is placed and recorded on its own).";
  }
  return std::nullopt;
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

} // namespace

http::awaitable<void> handle_create(request& r, std::string body) {
  auto kind = *kind_of(r.route);
  auto doc = json::parse(body, nullptr, false);
  if (!doc.is_object()) co_return co_await send_error(r, 400, "The request body must be a JSON object.");

  std::vector<cloudlet_endpoints> candidates;
  std::optional<boot_needs> boot;
  if (kind == resource_kind::server) {
    if (!doc.contains("server") || !doc["server"].is_object())
      co_return co_await send_error(r, 400, "Invalid input for field/attribute server.");
    if (auto refused = refuse_multiple(doc["server"])) co_return co_await send_error(r, 400, *refused);
    boot = co_await read_boot(r, doc["server"]);
    auto decision = co_await r.context.placement->place(boot->request);
    const auto& zone = boot->request.availability_zone;
    if (!zone.empty()) {
      // A zone is a cloudlet of the catalog and a pin is honoured whatever the
      // filter chain says (as Nova does); one that gossip has not brought into
      // this agent's view is still tried, and its cloud decides.
      auto pinned = find_cloudlet(r.context, zone);
      if (!pinned) co_return co_await send_error(r, 400, "The requested availability zone is not available");
      candidates.push_back(*pinned);
    } else {
      candidates = candidates_of(r, decision);
    }
  } else if (kind == resource_kind::image) {
    placement_request request;
    request.kind = placement_kind::image;
    request.image_size_gb = doc.value("min_disk", 0);
    candidates = candidates_of(r, co_await r.context.placement->place(request));
  } else if (kind == resource_kind::network) {
    candidates.push_back(r.context.cloudlet);
  } else {
    candidates.push_back(co_await network_home(r, doc));
  }

  registry_entry entry;
  entry.kind = kind;
  entry.global_id = r.context.registry->new_global_id();
  // Recorded under the resource's project: an admin's `--project X` makes X's resource.
  entry.project_id = r.identity->project_id;
  if (r.identity->is_admin && kind != resource_kind::server)
    if (auto named = requested_project(doc, r.route.resource); !named.empty()) entry.project_id = named;
  entry.state = storage::entry_state::reserved;
  entry.created_unix_ms = now_unix_ms();
  entry.name = created_name(doc, r.route.resource);
  co_await r.context.registry->put(entry);
  in_flight_set::token running{r.context.creates_in_flight, entry.global_id};

  attempt last;
  last.message = "No cloudlet could take the request.";
  cloudlet_endpoints last_cloudlet = candidates.front();
  std::optional<std::string> retry_cause;   // set while the previous candidate failed
  for (const auto& c : candidates) {
    if (retry_cause) metrics::fedstack().create_retries.add({storage::to_string(kind), *retry_cause});
    if (boot) {
      std::optional<std::string> not_ready;
      unsigned not_ready_status = 503;
      try {
        // The flavor first: a cloudlet whose flavor of that name differs is skipped
        // before an image is copied to it.
        if (c.region != r.context.cloudlet.region && !boot->flavor_id.empty()) {
          if (boot->flavor.is_null()) throw copy_failed("Flavor " + boot->flavor_id + " could not be found.", 400);
          doc["server"]["flavorRef"] = co_await ensure_flavor_on(r, boot->flavor, c);
        } else if (!boot->flavor_id.empty()) {
          doc["server"]["flavorRef"] = boot->flavor_id;   // an earlier candidate may have renamed it
        }
        if (boot->image) boot->image = co_await ensure_image_on(r, *boot->image, c);
        for (auto& n : boot->networks) n = co_await ensure_network_on(r, n, c);
      } catch (const copy_failed& e) {
        not_ready = e.what();
        not_ready_status = e.status;
      } catch (const upstream_failure& e) {
        not_ready = e.what();
      }
      if (not_ready) {
        spdlog::warn("{} cannot prepare {} for the boot: {}", r.request_id, c.region, *not_ready);
        last = attempt{};
        last.status = not_ready_status;
        last.message = *not_ready;
        retry_cause = "copy_failed";
        continue;
      }
    }
    r.upstream = endpoint_of(c, r.route.service).to_string();
    auto a = co_await create_on(r, c, entry, doc);
    last_cloudlet = c;
    if (a.result == attempt::outcome::created) {
      co_await file_under_owner(r, entry, *a.answer);
      entry.state = storage::entry_state::bound;
      entry.attempt.reset();
      entry.copies.clear();
      entry.copies.push_back(storage::cloud_copy{c.region, a.local_id});
      co_await r.context.registry->put(entry);
      r.context.aliases.learn(c.region, a.local_id, entry.global_id);
      r.target = c;
      std::map<std::string, std::string> known;
      known.emplace(a.local_id, entry.global_id);
      auto uuids = api::collect_uuids(a.answer->body);
      auto answer_doc = json::parse(a.answer->body, nullptr, false);
      auto to_global = co_await ids_to_global(r, c.region, r.route.service,
                                              answer_doc.is_structured() ? &answer_doc : nullptr,
                                              std::move(uuids), std::move(known));
      rewrite_location(r, c, r.route.service, a.answer->headers, to_global);
      auto text = rewrite_for_client(r, c, r.route.service,
                                     answer_doc.is_structured() ? answer_doc.dump() : a.answer->body,
                                     to_global);
      co_return co_await send_upstream_response(r, *a.answer, std::move(text));
    }
    if (a.result == attempt::outcome::rejected || a.result == attempt::outcome::final_failure) {
      last = std::move(a);
      break;
    }
    spdlog::warn("{} create on {} failed ({}); trying the next candidate", r.request_id, c.region,
                 a.answer ? std::to_string(a.answer->status) : a.message);
    retry_cause = a.cause;
    last = std::move(a);
  }
  co_await r.context.registry->erase(entry.project_id, entry.global_id);
  if (last.answer) {
    auto text = rewrite_for_client(r, last_cloudlet, r.route.service, last.answer->body, {});
    co_return co_await send_upstream_response(r, *last.answer, std::move(text));
  }
  co_await send_error(r, last.status, last.message);
}

} // namespace fedstack::agent
