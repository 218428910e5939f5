#include "agent/flows/lifecycle.hpp"

#include <functional>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/flows/client_answer.hpp"
#include "agent/flows/copies.hpp"
#include "agent/flows/create_attempt.hpp"
#include "agent/flows/federation.hpp"
#include "agent/flows/keypairs.hpp"
#include "agent/flows/marker_search.hpp"
#include "agent/flows/visible_entry.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "agent/services/attempt_token.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/urls.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::registry_entry;
using storage::resource_kind;
using known_map = std::map<std::string, std::string>;

json parse_object(const std::string& text) {
  auto doc = json::parse(text, nullptr, false);
  return doc.is_object() ? doc : json::object();
}

/// The resource's ID on r.target.
std::string local_on_target(const request& r, const registry_entry& entry, const known_map& known_local) {
  if (auto it = known_local.find(entry.global_id); it != known_local.end()) return it->second;
  for (const auto& copy : entry.copies)
    if (copy.cloudlet == r.target.region) return copy.local_id;
  return {};
}

/// An answer the agent composes, with the request id (and Nova's headers).
http::awaitable<void> send_no_content(request& r) {
  bhttp::response<bhttp::string_body> done{bhttp::status::no_content, 11};
  done.set("X-Openstack-Request-Id", r.request_id);
  set_compute_version_headers(r, done.base());
  r.status = 204;
  co_await r.exchange.send(std::move(done));
}

/// The call forwarded with `body` written out (named: GCC 12 and temporaries as coroutine arguments).
http::awaitable<void> forward_dump(request& r, const json& body, const known_map& known_local) {
  auto text = body.dump();
  co_await forward_to_target(r, std::move(text), known_local);
}

/// The call on r.target with the client's path and body, IDs made local (then
/// `edit`, when given, applied to the local body: markers must not be translated); its answer.
http::awaitable<http::response> call_on_target(request& r, const std::string& body, const known_map& known_local,
                                               bhttp::verb method = bhttp::verb::post,
                                               std::function<void(json&)> edit = {}) {
  std::vector<std::string_view> texts;
  texts.push_back(r.route.upstream_path);
  texts.push_back(body);
  auto to_local = co_await ids_to_local(r, r.target.region, texts, known_local);
  auto lookup = lookup_in(to_local);
  auto target = api::rewrite_uuids(r.route.upstream_path, lookup);
  if (!r.route.query.empty()) target += "?" + api::rewrite_uuids(r.route.query, lookup);
  auto local_body = api::rewrite_uuids(body, lookup);
  if (edit) {
    auto doc = json::parse(local_body, nullptr, false);
    edit(doc);
    local_body = doc.dump();
  }
  r.upstream = endpoint_of(r.target, r.route.service).to_string();
  co_return co_await call_cloudlet(r.context, r.target, r.route.service, method, target, client_call_headers(r),
                                   std::move(local_body));
}

/// The item's path on r.target (Nova's server, Cinder's volume, snapshot or backup).
std::string item_path_on_target(const request& r, const std::string& local) {
  if (r.route.service == api::service_type::compute) return "/v2.1/servers/" + local;
  return "/v3/" + r.route.project_id + "/" + r.route.resource + "/" + local;
}

/// A call that replaces all of an item's metadata (a PUT of it, a Cinder
/// update, a rebuild): the markers the item carries on r.target are put back,
/// since the client never saw them. An item that cannot be read is that answer.
http::awaitable<void> keep_metadata_markers(request& r, const registry_entry& entry, json body,
                                            const known_map& known_local) {
  if (!replaced_metadata(body, r.route)) co_return co_await forward_dump(r, body, known_local);
  auto local = local_on_target(r, entry, known_local);
  r.upstream = endpoint_of(r.target, r.route.service).to_string();
  auto shown = co_await call_cloudlet(r.context, r.target, r.route.service, bhttp::verb::get,
                                      item_path_on_target(r, local), client_call_headers(r));
  if (shown.status != 200) {
    known_map known{{local, entry.global_id}};
    auto text = co_await translate_answer(r, r.target, shown, known);
    co_return co_await send_upstream_response(r, shown, std::move(text));
  }
  auto singular = r.route.service == api::service_type::compute ? std::string("server")
                                                                 : r.route.resource.substr(0, r.route.resource.size() - 1);
  auto current = parse_object(shown.body).value(singular, json::object()).value("metadata", json::object());
  auto answer = co_await call_on_target(r, body.dump(), known_local, r.header().method(), [&](json& local_body) {
    if (auto* replaced = replaced_metadata(local_body, r.route))
      if (auto merged = metadata_to_put(json{{"metadata", *replaced}}, current)) *replaced = *merged;
  });
  known_map known{{local, entry.global_id}};
  auto text = co_await translate_answer(r, r.target, answer, known);   // strips the markers
  co_await send_upstream_response(r, answer, std::move(text));
}

/// Resize on another cloudlet: the flavor the client names (as this agent's
/// cloudlet shows it) becomes r.target's of the same shape, copied there if missing.
http::awaitable<void> resize(request& r, json body, const known_map& known_local) {
  auto& args = body["resize"];
  auto flavor_id = args.is_object() ? id_of_ref(args.value("flavorRef", json())) : std::string{};
  if (flavor_id.empty() || r.target.region == r.context.cloudlet.region)
    co_return co_await forward_dump(r, body, known_local);
  auto shown = co_await call_cloudlet(r.context, r.context.cloudlet, api::service_type::compute, bhttp::verb::get,
                                      "/v2.1/flavors/" + flavor_id, client_call_headers(r));
  auto flavor = parse_object(shown.body).value("flavor", json());
  if (shown.status != 200 || !flavor.is_object())
    co_return co_await send_error(r, 400, "Unable to locate requested flavor.");
  std::optional<std::pair<unsigned, std::string>> failure;
  try {
    args["flavorRef"] = co_await ensure_flavor_on(r, flavor, r.context.cloudlet.region, r.target);
  } catch (const copy_failed& e) {
    failure.emplace(e.status, e.what());
  } catch (const upstream_failure& e) {
    failure.emplace(503, e.what());
  }
  if (failure) co_return co_await send_error(r, failure->first, failure->second);
  co_await forward_dump(r, body, known_local);
}

/// A rebuild's key_name (2.54+) on a server of another cloudlet: the user's keypair
/// here is copied there first, as for a boot (keypairs.hpp). The failure to answer, if any.
http::awaitable<std::optional<std::pair<unsigned, std::string>>> rebuild_keypair(request& r, json key_name) {
  std::optional<std::pair<unsigned, std::string>> failure;
  if (r.target.region == r.context.cloudlet.region || !key_name.is_string()) co_return failure;
  auto key = co_await read_own_keypair(r, key_name.get<std::string>());
  if (!key) co_return failure;   // Nova there judges the name
  try {
    co_await ensure_keypair_on(r, *key, r.target);
  } catch (const copy_failed& e) {
    failure.emplace(e.status, e.what());
  } catch (const upstream_failure& e) {
    failure.emplace(503u, e.what());
  }
  co_return failure;
}

/// Rebuild on any cloudlet: an image the caller may use (and its keypair) is copied to r.target first.
http::awaitable<void> rebuild(request& r, const registry_entry& entry, json body, known_map known_local) {
  auto& args = body["rebuild"];
  json key_name;   // named first: GCC 12 mishandles a conditional's temporary in a co_await's operand
  if (args.is_object() && args.contains("key_name")) key_name = args["key_name"];
  auto key_failure = co_await rebuild_keypair(r, std::move(key_name));
  if (key_failure) co_return co_await send_error(r, key_failure->first, key_failure->second);
  auto image_id = args.is_object() ? id_of_ref(args.value("imageRef", json())) : std::string{};
  std::optional<registry_entry> image;
  if (api::global_id_owner(image_id)) image = co_await visible_entry(r, image_id);
  // Nova replaces the server's metadata with a rebuild's: the markers go along.
  if (!image) co_return co_await keep_metadata_markers(r, entry, std::move(body), known_local);   // Nova judges the image
  std::optional<std::pair<unsigned, std::string>> failure;
  try {
    image = co_await ensure_image_on(r, *image, r.target);
  } catch (const copy_failed& e) {
    failure.emplace(e.status, e.what());
  } catch (const upstream_failure& e) {
    failure.emplace(503, e.what());
  }
  if (failure) co_return co_await send_error(r, failure->first, failure->second);
  for (const auto& copy : image->copies)
    if (copy.cloudlet == r.target.region) known_local[image_id] = copy.local_id;
  co_await keep_metadata_markers(r, entry, std::move(body), known_local);
}

/// Unshelve stays on the server's cloudlet: a zone naming it is dropped (the
/// cloud's own zone applies, as in a boot), any other is refused.
http::awaitable<void> unshelve(request& r, json body, const known_map& known_local) {
  if (auto refused = refuse_unshelve_zone(body, r.target.region, r.route.resource_id))
    co_return co_await send_error(r, 400, *refused);
  if (body["unshelve"].is_object() && body["unshelve"].contains("availability_zone")) body["unshelve"] = nullptr;
  co_await forward_dump(r, body, known_local);
}

/// The snapshot r.target's Glance holds under `global_id`'s marker, made by attempt `token`.
http::awaitable<std::optional<std::string>> find_snapshot(request& r, const std::string& global_id,
                                                          const std::string& token) {
  auto shown = co_await call_cloudlet(r.context, r.target, api::service_type::image, bhttp::verb::get,
                                      "/v2/images?" + std::string(api::gid_key) + "=" + global_id,
                                      client_call_headers(r));
  if (shown.status != 200) co_return std::nullopt;
  auto list = parse_object(shown.body).value("images", json::array());
  for (const auto& image : list)
    if (image.is_object() && image.value(std::string(api::attempt_key), std::string{}) == token &&
        image.contains("id") && image["id"].is_string())
      co_return image["id"].get<std::string>();
  co_return std::nullopt;
}

/// The snapshot's own record: filed under the project Glance names as its
/// owner, and a copy marker it inherited from a copied base image removed.
http::awaitable<void> settle_snapshot(request& r, registry_entry& entry, const std::string& local_id) {
  auto headers = client_call_headers(r);
  auto shown = co_await call_cloudlet(r.context, r.target, api::service_type::image, bhttp::verb::get,
                                      "/v2/images/" + local_id, headers);
  auto image = parse_object(shown.body);
  auto owner = owner_project(image);
  if (!owner.empty() && owner != entry.project_id) {
    co_await r.context.registry->erase(entry.project_id, entry.global_id);
    entry.project_id = owner;
  }
  if (image.contains(std::string(api::copy_of_key))) {
    headers.set(bhttp::field::content_type, "application/openstack-images-v2.1-json-patch");
    json ops = json::array({{{"op", "remove"}, {"path", "/" + std::string(api::copy_of_key)}}});
    auto patched = co_await call_cloudlet(r.context, r.target, api::service_type::image, bhttp::verb::patch,
                                          "/v2/images/" + local_id, headers, ops.dump());
    if (patched.status >= 300)
      spdlog::warn("{} snapshot {}: removing its inherited copy marker answered {}", r.request_id, local_id,
                   patched.status);
  }
}

/// createImage: the snapshot Nova makes on r.target is a federation image,
/// recorded like a create (reserve, marker with an attempt token in the
/// action's metadata, which Nova gives the image as properties, then bind), so
/// any agent shows it and boots it anywhere.
http::awaitable<void> create_image(request& r, const registry_entry& server, json body,
                                   const known_map& known_local) {
  auto& args = body["createImage"];
  if (!args.is_object() || !args.contains("name") || !args["name"].is_string() ||
      (args.contains("metadata") && !args["metadata"].is_object()))
    co_return co_await forward_dump(r, body, known_local);   // Nova's 400
  registry_entry entry;
  entry.kind = resource_kind::image;
  entry.global_id = r.context.registry->new_global_id();
  entry.project_id = r.identity->project_id;
  entry.state = storage::entry_state::reserved;
  entry.created_unix_ms = now_unix_ms();
  entry.name = args["name"].get<std::string>();
  auto token = new_attempt_token();
  entry.attempt = storage::reserved_attempt{token, r.target.region, {}};
  co_await r.context.registry->put(entry);
  in_flight_set::token running{r.context.creates_in_flight, entry.global_id};
  args["metadata"][std::string(api::gid_key)] = entry.global_id;
  args["metadata"][std::string(api::attempt_key)] = token;
  auto server_local = local_on_target(r, server, known_local);
  args["metadata"][std::string(api::snapshot_of_key)] = server_local;   // its marker is its own (global_id.hpp)

  std::optional<http::response> answer;
  std::optional<std::string> failure;
  try {
    auto text = body.dump();
    answer = co_await call_on_target(r, text, known_local);
  } catch (const upstream_failure& e) {
    failure = e.what();
  }
  std::optional<std::string> local_id;
  if (answer && answer->status < 300)
    local_id = snapshot_image_id(parse_object(answer->body), std::string(answer->headers[bhttp::field::location]));
  bool unanswered = !answer || answer->status >= 500;
  if (!local_id && (unanswered || answer->status < 300)) {
    try {
      local_id = co_await find_snapshot(r, entry.global_id, token);
    } catch (const upstream_failure&) {
    }
  }
  if (!local_id) {
    if (unanswered) co_await record_abandoned(r, r.target, entry, token);
    co_await r.context.registry->erase(entry.project_id, entry.global_id);
    if (answer && answer->status >= 300) {
      known_map none;
      auto text = co_await translate_answer(r, r.target, *answer, none);
      co_return co_await send_upstream_response(r, *answer, std::move(text));
    }
    co_return co_await send_error(r, 503, "The snapshot's answer was lost" + (failure ? ": " + *failure : std::string{}));
  }
  co_await settle_snapshot(r, entry, *local_id);
  entry.state = storage::entry_state::bound;
  entry.attempt.reset();
  entry.copies = {storage::cloud_copy{r.target.region, *local_id}};
  co_await r.context.registry->put(entry);
  r.context.aliases.learn(r.target.region, *local_id, entry.global_id);
  if (!answer || answer->status >= 300) {
    // Made although the call failed: answered as Nova answers a snapshot.
    answer.emplace();
    answer->status = 202;
    if (r.compute_version && *r.compute_version >= api::microversion{2, 45}) {
      answer->headers.set(bhttp::field::content_type, "application/json");
      answer->body = json{{"image_id", *local_id}}.dump();
    }
  }
  known_map known{{*local_id, entry.global_id}};
  auto text = co_await translate_answer(r, r.target, *answer, known);
  if (answer->headers.find(bhttp::field::location) != answer->headers.end() || !r.compute_version ||
      *r.compute_version < api::microversion{2, 45})
    answer->headers.set(bhttp::field::location,
                        api::agent_service_root(api::service_type::image, r.context.base_url) + "/images/" +
                          entry.global_id);
  co_await send_upstream_response(r, *answer, std::move(text));
}

/// Neutron's PUT or DELETE of every tag: the markers the resource carries stay.
http::awaitable<void> replace_tags(request& r, bool delete_all, const registry_entry& entry, const std::string& body,
                                   const known_map& known_local) {
  auto local = local_on_target(r, entry, known_local);
  auto base = "/v2.0/" + r.route.resource + "/" + local;
  auto headers = client_call_headers(r);
  r.upstream = endpoint_of(r.target, r.route.service).to_string();
  auto shown = co_await call_cloudlet(r.context, r.target, api::service_type::network, bhttp::verb::get, base, headers);
  if (shown.status != 200) {
    known_map known{{local, entry.global_id}};
    auto text = co_await translate_answer(r, r.target, shown, known);
    co_return co_await send_upstream_response(r, shown, std::move(text));
  }
  auto singular = r.route.resource.substr(0, r.route.resource.size() - 1);
  std::vector<std::string> current;
  for (const auto& tag : parse_object(shown.body).value(singular, json::object()).value("tags", json::array()))
    if (tag.is_string()) current.push_back(tag);
  auto client = delete_all ? json{{"tags", json::array()}} : json::parse(body, nullptr, false);
  auto tags = tags_to_put(client, current);
  if (!tags) co_return co_await send_error(r, 400, "Invalid input for tags: a list of strings is expected.");
  json put{{"tags", *tags}};
  auto answer = co_await call_cloudlet(r.context, r.target, api::service_type::network, bhttp::verb::put,
                                       base + "/tags", headers, put.dump());
  if (delete_all && answer.status < 300) co_return co_await send_no_content(r);
  auto doc = parse_object(answer.body);
  if (answer.status < 300 && doc.contains("tags") && doc["tags"].is_array()) {
    doc["tags"] = client_tags(doc["tags"]);
    auto text = doc.dump();
    co_return co_await send_upstream_response(r, answer, std::move(text));
  }
  known_map known{{local, entry.global_id}};
  auto text = co_await translate_answer(r, r.target, answer, known);
  co_await send_upstream_response(r, answer, std::move(text));
}

/// Neutron's GET of every tag: the federation's are not the client's to see
/// (as the resource's own answer shows its tags, id_maps.hpp).
http::awaitable<void> read_tags(request& r, const registry_entry& entry, const known_map& known_local) {
  auto local = local_on_target(r, entry, known_local);
  r.upstream = endpoint_of(r.target, r.route.service).to_string();
  auto answer = co_await call_cloudlet(r.context, r.target, api::service_type::network, bhttp::verb::get,
                                       "/v2.0/" + r.route.resource + "/" + local + "/tags", client_call_headers(r));
  auto doc = parse_object(answer.body);
  if (answer.status == 200 && doc.contains("tags")) {
    auto text = json{{"tags", client_tags(doc["tags"])}}.dump();
    co_return co_await send_upstream_response(r, answer, std::move(text));
  }
  known_map known{{local, entry.global_id}};
  auto text = co_await translate_answer(r, r.target, answer, known);
  co_await send_upstream_response(r, answer, std::move(text));
}

} // namespace

http::awaitable<void> handle_lifecycle(request& r, lifecycle_step step, const registry_entry& entry, std::string body,
                                       known_map known_local) {
  auto doc = json::parse(body, nullptr, false);
  switch (step) {
    case lifecycle_step::resize: co_return co_await resize(r, std::move(doc), known_local);
    case lifecycle_step::rebuild: co_return co_await rebuild(r, entry, std::move(doc), std::move(known_local));
    case lifecycle_step::create_image: co_return co_await create_image(r, entry, std::move(doc), known_local);
    case lifecycle_step::unshelve: co_return co_await unshelve(r, std::move(doc), known_local);
    case lifecycle_step::replace_tags: co_return co_await replace_tags(r, false, entry, body, known_local);
    case lifecycle_step::delete_tags: co_return co_await replace_tags(r, true, entry, body, known_local);
    case lifecycle_step::read_tags: co_return co_await read_tags(r, entry, known_local);
    case lifecycle_step::replace_metadata:
      co_return co_await keep_metadata_markers(r, entry, std::move(doc), known_local);
    case lifecycle_step::none: break;
  }
  co_await forward_to_target(r, std::move(body), known_local);
}

} // namespace fedstack::agent
