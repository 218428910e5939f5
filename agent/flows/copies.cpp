#include "agent/flows/copies.hpp"

#include <exception>
#include <functional>
#include <memory>
#include <optional>

#include <spdlog/spdlog.h>

#include "agent/services/attempt_token.hpp"
#include "agent/services/fan_out.hpp"
#include "agent/flows/federation.hpp"
#include "agent/flows/flavor_copy.hpp"
#include "agent/flows/l3.hpp"
#include "agent/flows/neutron_pending.hpp"
#include "agent/flows/visible_entry.hpp"
#include "agent/rules/visibility.hpp"
#include "agent/services/service_session.hpp"
#include "agent/rules/adoption_rule.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/percent.hpp"
#include "metrics/catalog.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;
using storage::registry_entry;

json parse_object(const http::response& answer) {
  auto doc = json::parse(answer.body, nullptr, false);
  return doc.is_object() ? doc : json::object();
}

/// Streams the bytes of image `from_id` on `from` into image `to_id` on `to`.
/// The source is read with the client's token; the copy is written with
/// `sink_token`, the token that made it.
http::awaitable<void> copy_image_bytes(request& r, const cloudlet_endpoints& from,
                                       const std::string& from_id, const cloudlet_endpoints& to,
                                       const std::string& to_id, const std::string& sink_token) {
  auto executor = co_await http::asio::this_coro::executor;
  auto timeout = r.context.upstream_timeout();
  auto connect_timeout = r.context.connect_timeout();
  auto token = std::string(r.header()["X-Auth-Token"]);
  http::upstream source{executor};
  http::upstream sink{executor};
  try {
    co_await source.connect(from.image, connect_timeout);
    bhttp::request<bhttp::string_body> get{bhttp::verb::get,
                                           from.image.base_path + "/v2/images/" + from_id + "/file", 11};
    get.set(bhttp::field::host, from.image.host + ":" + std::to_string(from.image.port));
    get.set("X-Auth-Token", token);
    get.set("X-Openstack-Request-Id", r.request_id);
    co_await source.send(std::move(get), timeout);
    co_await source.read_header(timeout);
    if (source.header().result_int() != 200)
      throw copy_failed("reading image " + from_id + " on " + from.region + " answered " +
                        std::to_string(source.header().result_int()));
    co_await sink.connect(to.image, connect_timeout);
    bhttp::request_header<> put;
    put.method(bhttp::verb::put);
    put.target(to.image.base_path + "/v2/images/" + to_id + "/file");
    put.version(11);
    put.set(bhttp::field::host, to.image.host + ":" + std::to_string(to.image.port));
    put.set("X-Auth-Token", sink_token);
    put.set("X-Openstack-Request-Id", r.request_id);
    put.set(bhttp::field::content_type, "application/octet-stream");
    if (auto length = source.header()[bhttp::field::content_length]; !length.empty())
      put.set(bhttp::field::content_length, length);
    else
      put.set(bhttp::field::transfer_encoding, "chunked");
    co_await sink.send_header(std::move(put), timeout);
    for (;;) {
      auto piece = co_await source.read_some(timeout);
      if (piece.empty()) break;
      co_await sink.send_some(piece, timeout);
      metrics::fedstack().image_bytes.add({"copy"}, static_cast<double>(piece.size()));
    }
    co_await sink.finish(timeout);
    co_await sink.read_header(timeout);
    auto status = sink.header().result_int();
    co_await sink.read_body(1 << 20, timeout);
    if (status >= 300)
      throw copy_failed("uploading the copy to " + to.region + " answered " + std::to_string(status));
  } catch (const boost::system::system_error& e) {
    throw copy_failed("copying image " + from_id + " from " + from.region + " to " + to.region +
                      " failed: " + e.what());
  }
}

/// Adds the copy at the owner. When another copy on that cloudlet won a race,
/// deletes ours (`delete_path`, the cloud's path) and returns the entry with theirs.
http::awaitable<registry_entry> bind_copy(request& r, const registry_entry& entry,
                                          const cloudlet_endpoints& to, api::service_type service,
                                          const std::string& local_id, const std::string& delete_path,
                                          const bhttp::fields& maker_headers) {
  // A named copy: GCC 12 destroys a braced temporary passed to a coroutine twice.
  storage::cloud_copy copy{to.region, local_id};
  auto updated = co_await r.context.registry->add_copy(entry.project_id, entry.global_id,
                                                       std::move(copy));
  if (updated) {
    r.context.aliases.learn(to.region, local_id, entry.global_id);
    co_return std::move(*updated);
  }
  co_await call_cloudlet(r.context, to, service, bhttp::verb::delete_, delete_path, maker_headers);
  auto fresh = co_await r.context.registry->get(entry.project_id, entry.global_id);
  if (fresh && fresh->copy_on(to.region)) co_return std::move(*fresh);
  throw copy_failed(entry.global_id + " was deleted while it was being copied");
}

/// Tags the copy `made_id` (of `collection`) of a network or subnet its cloud
/// holds directly with the cloud ID it was made from, so any agent finds the
/// adoption by it (rules/adoption_rule.hpp). A copy left untagged is still its
/// entry's, deleted through any agent with its network's adoption.
http::awaitable<void> tag_adopted_from(request& r, const cloudlet_endpoints& to, const std::string& collection,
                                       const std::string& made_id, const std::string& from_id,
                                       const bhttp::fields& headers) {
  auto tagged = co_await call_cloudlet(r.context, to, api::service_type::network, bhttp::verb::put,
                                       "/v2.0/" + collection + "/" + made_id + "/tags/" +
                                         api::percent_encode(adopted_from_tag(from_id)),
                                       headers);
  if (tagged.status / 100 != 2)
    spdlog::warn("{} the copy {} on {} could not be tagged as made from {}: {}", r.request_id, made_id, to.region,
                 from_id, tagged.status);
}

// Field lists live outside the coroutines: GCC 12 cannot keep an
// initializer_list in a coroutine frame.
const std::vector<std::string> image_copy_fields{"name", "disk_format", "container_format",
                                                 "min_disk", "min_ram", "tags"};
const std::vector<std::string> network_copy_fields{"name", "admin_state_up", "description"};
const std::vector<std::string> subnet_copy_fields{"name", "cidr", "ip_version", "enable_dhcp",
                                                  "gateway_ip", "allocation_pools",
                                                  "dns_nameservers", "host_routes", "description"};
const std::vector<std::string> flavor_copy_fields{"name", "ram", "vcpus", "disk", "swap",
                                                  "rxtx_factor", "os-flavor-access:is_public",
                                                  "OS-FLV-EXT-DATA:ephemeral"};

json copy_fields(const json& from, const std::vector<std::string>& keys) {
  json out = json::object();
  for (const auto& key : keys)
    if (from.contains(key) && !from[key].is_null()) out[key] = from[key];
  return out;
}

json wrap(const char* key, json value) {
  json out = json::object();
  out[key] = std::move(value);
  return out;
}

/// Root, swap and ephemeral disk, RAM and vCPUs: what a boot gets from a flavor.
/// Before microversion 2.75 Nova shows no swap as "".
bool same_shape(const json& a, const json& b) {
  auto number = [](const json& flavor, const char* key) -> std::int64_t {
    auto it = flavor.find(key);
    return it != flavor.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
  };
  for (const char* key : {"ram", "vcpus", "disk", "swap", "OS-FLV-EXT-DATA:ephemeral"})
    if (number(a, key) != number(b, key)) return false;
  return true;
}

/// What a cloudlet holds for a flavor of another cloudlet.
struct flavor_match {
  std::optional<std::string> id;   // the flavor to boot with there
  std::string clash;               // why none fits, when one shares its name or ID
};

/// One GET of a cloudlet's Nova whose answer (or failure) lands in `out`; for
/// calls run beside each other (find_flavor_like). Arguments are copies: the
/// call may outlive the request's frame (fan_out.hpp).
struct nova_answer {
  std::optional<http::response> answer;
  std::exception_ptr failure;
};

http::awaitable<void> get_from_nova(agent_context* context, cloudlet_endpoints to, std::string target,
                                    bhttp::fields headers, std::shared_ptr<nova_answer> out) {
  try {
    out->answer = co_await call_cloudlet(*context, to, api::service_type::compute, bhttp::verb::get, target,
                                         headers);
  } catch (...) {
    out->failure = std::current_exception();
  }
}

/// Looks on `to`, as the client sees it, for `flavor`: its ID with its shape,
/// else its name with its shape. The flavor by its ID and the list are asked
/// for together: IDs differ between clouds more often than not, and across
/// sites each call in turn is a round trip (docs/performance.md, "Across a WAN").
http::awaitable<flavor_match> find_flavor_like(request& r, const json& flavor, const cloudlet_endpoints& to) {
  auto headers = client_call_headers(r);
  auto id = flavor.value("id", std::string{});
  auto name = flavor.value("name", std::string{});
  flavor_match out;
  auto by_id = std::make_shared<nova_answer>();
  auto listing = std::make_shared<nova_answer>();
  std::string by_id_path = "/v2.1/flavors/" + api::percent_encode_segment(id);
  // Admins see private flavors only when asking for all; others see what their project may use.
  std::string list_path = "/v2.1/flavors/detail?is_public=None";
  std::vector<std::function<http::awaitable<void>()>> calls;
  calls.push_back([context = &r.context, to, by_id_path, headers, by_id] {
    return get_from_nova(context, to, by_id_path, headers, by_id);
  });
  calls.push_back([context = &r.context, to, list_path, headers, listing] {
    return get_from_nova(context, to, list_path, headers, listing);
  });
  // Each call ends within its own upstream timeout; the deadline only bounds a stuck one.
  auto done = co_await run_all(std::move(calls),
                               std::chrono::milliseconds{2 * r.context.options.upstream_timeout_ms + 1000});
  if (by_id->failure) std::rethrow_exception(by_id->failure);
  if (!done[0] || !by_id->answer)
    throw copy_failed("flavor " + id + " on " + to.region + " did not answer in time");
  const auto& shown = *by_id->answer;
  if (shown.status == 200) {
    auto there = parse_object(shown).value("flavor", json::object());
    if (same_shape(there, flavor)) {
      out.id = id;
      co_return out;
    }
    out.clash = "Flavor " + id + " on " + to.region + " has another shape than on " +
                r.context.cloudlet.region + ".";
  } else if (shown.status != 404) {
    throw copy_failed("flavor " + id + " on " + to.region + " answered " + std::to_string(shown.status));
  }
  if (listing->failure) std::rethrow_exception(listing->failure);
  if (!done[1] || !listing->answer)
    throw copy_failed("listing the flavors of " + to.region + " did not answer in time");
  const auto& listed = *listing->answer;
  if (listed.status != 200)
    throw copy_failed("listing the flavors of " + to.region + " answered " + std::to_string(listed.status));
  for (const auto& there : parse_object(listed).value("flavors", json::array())) {
    if (!there.is_object() || there.value("name", std::string{}) != name) continue;
    if (same_shape(there, flavor)) {
      out.id = there.value("id", std::string{});
      co_return out;
    }
    out.clash = "Flavor " + name + " on " + to.region + " has another shape than on " +
                r.context.cloudlet.region + ".";
  }
  co_return out;
}

/// The message of an OpenStack error body ({"conflictingRequest": {"message": ...}}).
std::string api_error_message(const http::response& answer) {
  auto doc = parse_object(answer);
  for (const auto& [key, value] : doc.items())
    if (value.is_object() && value.contains("message") && value["message"].is_string())
      return value["message"].get<std::string>();
  return "answered " + std::to_string(answer.status);
}

/// The headers a copy is made with: the client's, or for a copy of another
/// project's resource the agent's service user's (rules/visibility.hpp).
http::awaitable<bhttp::fields> maker_headers(request& r, const copy_maker& maker) {
  auto headers = client_call_headers(r);
  if (maker.as_service) {
    if (!r.context.session) throw copy_failed("no service user to copy another project's resource");
    headers.set("X-Auth-Token", co_await r.context.session->token());
  }
  co_return headers;
}

/// A shared image's copy: the caller becomes a member, as it is of the primary
/// (whose Glance showed it to the caller). Already a member (409): nothing to do.
http::awaitable<void> add_copy_member(request& r, const cloudlet_endpoints& to, const std::string& copy_id,
                                      const std::string& member, const bhttp::fields& service_headers) {
  json body{{"member", member}};
  auto added = co_await call_cloudlet(r.context, to, api::service_type::image, bhttp::verb::post,
                                      "/v2/images/" + copy_id + "/members", service_headers, body.dump());
  if (added.status != 200 && added.status != 409)
    throw copy_failed("sharing the image copy on " + to.region + " answered " + std::to_string(added.status));
}

/// A copy of another project's shared image that exists already on `to`: made
/// visible to this caller too when its Glance does not show it yet.
http::awaitable<void> share_existing_copy(request& r, const registry_entry& image, const cloudlet_endpoints& to) {
  if (image.project_id == r.identity->project_id) co_return;
  const auto* copy = image.copy_on(to.region);
  if (!copy || copy == &image.copies.front()) co_return;
  auto shown = co_await call_cloudlet(r.context, to, api::service_type::image, bhttp::verb::get,
                                      "/v2/images/" + copy->local_id, client_call_headers(r));
  if (shown.status == 200) co_return;
  copy_maker maker;
  maker.as_service = true;
  auto service = co_await maker_headers(r, maker);
  auto as_service = co_await call_cloudlet(r.context, to, api::service_type::image, bhttp::verb::get,
                                           "/v2/images/" + copy->local_id, service);
  if (parse_object(as_service).value("visibility", std::string{}) == "shared")
    co_await add_copy_member(r, to, copy->local_id, r.identity->project_id, service);
}

} // namespace

http::awaitable<registry_entry> ensure_image_on(request& r, const registry_entry& given,
                                                const cloudlet_endpoints& to, const storage::cloud_copy* source) {
  auto image = given;
  if (image.copy_on(to.region)) {
    co_await share_existing_copy(r, image, to);
    co_return image;
  }
  auto guard = co_await r.context.copy_locks.acquire(image.global_id + "\n" + to.region);
  // Another boot may have made the copy while this one waited.
  if (auto fresh = co_await r.context.registry->get(image.project_id, image.global_id)) image = *fresh;
  if (image.copy_on(to.region)) {
    co_await share_existing_copy(r, image, to);
    co_return image;
  }
  if (!source && image.copies.empty()) throw copy_failed("image " + image.global_id + " has no copy to copy from");
  const storage::cloud_copy primary = source ? *source : image.copies.front();   // a copy: `image` changes below
  auto from = find_cloudlet(r.context, primary.cloudlet);
  if (!from) throw copy_failed("the cloudlet " + primary.cloudlet + " is not in the catalog");
  auto headers = client_call_headers(r);
  auto shown = co_await call_cloudlet(r.context, *from, api::service_type::image, bhttp::verb::get,
                                      "/v2/images/" + primary.local_id, headers);
  auto meta = parse_object(shown);
  if (shown.status != 200 || meta.value("status", std::string{}) != "active")
    throw copy_failed("image " + image.global_id + " is not active on " + from->region);
  auto body = copy_fields(meta, image_copy_fields);
  // Another project's image: a copy its cloud shows as the primary's shows it.
  auto maker = copy_maker_for(storage::resource_kind::image, r.identity->project_id, image.project_id, meta);
  auto made_with = co_await maker_headers(r, maker);
  for (const auto& [key, value] : maker.fields.items()) body[key] = value;
  // The caller's own private image: a private copy (Glance's default is "shared").
  if (!maker.fields.contains("visibility") && meta.value("visibility", std::string{}) == "private")
    body["visibility"] = "private";
  api::add_marker(api::service_type::image, body, {image.global_id, true, {}});
  // Made from an image its cloud holds directly: the marker any agent finds the adoption by.
  if (source) body[std::string(adopted_from_key)] = source->local_id;
  auto made = co_await call_cloudlet(r.context, to, api::service_type::image, bhttp::verb::post,
                                     "/v2/images", made_with, body.dump());
  auto made_id = parse_object(made).value("id", std::string{});
  if (made.status != 201 || made_id.empty())
    throw copy_failed("creating the image copy on " + to.region + " answered " + std::to_string(made.status));
  spdlog::info("{} copying image {} from {} to {}", r.request_id, image.global_id, from->region, to.region);
  bool copied = true;
  try {
    auto sink_token = std::string(made_with["X-Auth-Token"]);
    co_await copy_image_bytes(r, *from, primary.local_id, to, made_id, sink_token);
    if (maker.member) co_await add_copy_member(r, to, made_id, *maker.member, made_with);
  } catch (const copy_failed& e) {
    spdlog::warn("{} {}", r.request_id, e.what());
    copied = false;   // cleaned up below: no co_await inside a handler
  }
  if (!copied) {
    co_await call_cloudlet(r.context, to, api::service_type::image, bhttp::verb::delete_,
                           "/v2/images/" + made_id, made_with);
    throw copy_failed("copying the bytes of image " + image.global_id + " to " + to.region + " failed");
  }
  co_return co_await bind_copy(r, image, to, api::service_type::image, made_id, "/v2/images/" + made_id,
                               made_with);
}

namespace {

/// A Neutron copy made and not yet marked: marking it (mark_pending) needs these.
struct unmarked_copy {
  json item;   // as the cloud answered the create (or the pending look-up found it)
  std::string id;
  std::string token;
  std::string description;   // the one the pending description stands in for
};

/// make_neutron_copy's create: the copy made, found by its pending description,
/// or the attempt recorded as abandoned and copy_failed thrown.
http::awaitable<unmarked_copy> create_neutron_copy(request& r, const cloudlet_endpoints& to,
                                                   storage::resource_kind kind, const std::string& global_id,
                                                   json fields, const bhttp::fields& headers,
                                                   const std::string& project) {
  auto singular = std::string(storage::to_string(kind));
  auto collection = singular + "s";
  auto token = new_attempt_token();
  auto description = fields.contains("description") && fields["description"].is_string()
                       ? fields["description"].get<std::string>() : std::string{};
  fields["description"] = api::pending_description(token);
  json body = json::object();
  body[singular] = std::move(fields);
  std::optional<http::response> made;
  std::optional<std::string> failure;
  try {
    made = co_await call_cloudlet(r.context, to, api::service_type::network, bhttp::verb::post,
                                  "/v2.0/" + collection, headers, body.dump());
  } catch (const upstream_failure& e) {
    failure = e.what();
  }
  json item;
  if (made && made->status == 201) {
    item = parse_object(*made).value(singular, json::object());
  } else if (failure || made->status >= 500) {
    std::optional<std::string> unknown;
    try {
      auto found = match_pending(co_await list_pending(r.context, headers, to, kind, token, project), token,
                                 global_id, project);
      if (found.found == pending_match::result::one) item = std::move(found.item);
    } catch (const upstream_failure& e) {
      unknown = e.what();
    }
    if (item.is_null()) {
      storage::abandoned_attempt record{token, kind, global_id, project, to.region, now_unix_ms()};
      co_await r.context.registry->abandon(record);
      metrics::fedstack().abandoned_attempts.add({singular});
      throw copy_failed("creating the " + singular + " copy on " + to.region + " failed (" +
                        failure.value_or(made ? std::to_string(made->status) : std::string{}) +
                        "); the attempt is recorded as abandoned");
    }
    spdlog::warn("{} {} copy on {} failed ({}) but was made as {}: bound", r.request_id, singular, to.region,
                 failure.value_or(made ? std::to_string(made->status) : std::string{}),
                 item.value("id", std::string{}));
    metrics::fedstack().creates_found.add({singular});
  } else {
    throw copy_failed("creating the " + singular + " copy on " + to.region + " answered " +
                      std::to_string(made->status));
  }
  auto made_id = item.value("id", std::string{});
  if (made_id.empty()) throw copy_failed("creating the " + singular + " copy on " + to.region + " gave no id");
  co_return unmarked_copy{std::move(item), made_id, token, description};
}

/// Tags `made` as a copy of (or, `is_copy` false, the primary of) `global_id`
/// and gives it back its description; a copy left untagged keeps its pending
/// description, by which it can still be found.
http::awaitable<void> mark_neutron_copy(request& r, const cloudlet_endpoints& to, storage::resource_kind kind,
                                        const std::string& global_id, const unmarked_copy& made,
                                        const bhttp::fields& headers, bool is_copy) {
  auto marked = co_await mark_pending(r.context, headers, to, kind, made.item, global_id, made.token,
                                     made.description, is_copy);
  if (!marked)
    spdlog::warn("{} {} copy {} on {} could not be tagged", r.request_id, std::string(storage::to_string(kind)),
                 made.id, to.region);
}

} // namespace

/// Makes a Neutron copy (`fields` of a network or subnet) on `to` and marks it
/// as a copy of `global_id`: its create carries a pending description
/// (neutron_pending.hpp), so that a create answered 5xx or not at all is found
/// by its token and bound rather than left unmarked; not found, the attempt is
/// recorded as abandoned (its owner deletes what it makes later) and the copy
/// fails. Returns the copy's ID.
/// `headers` and `project`: who makes it (the client, or the service user for
/// the entry's project, rules/visibility.hpp).
http::awaitable<std::string> make_neutron_copy(request& r, const cloudlet_endpoints& to, storage::resource_kind kind,
                                               const std::string& global_id, json fields, const bhttp::fields& headers,
                                               const std::string& project, bool is_copy) {
  auto made = co_await create_neutron_copy(r, to, kind, global_id, std::move(fields), headers, project);
  co_await mark_neutron_copy(r, to, kind, global_id, made, headers, is_copy);
  co_return made.id;
}

namespace {

/// A GET of `on`'s Neutron whose answer (or failure) lands in `out` (as get_from_nova's).
http::awaitable<void> read_from(agent_context& context, const cloudlet_endpoints& on, std::string target,
                                const bhttp::fields& headers, std::shared_ptr<nova_answer> out) {
  try {
    out->answer = co_await call_cloudlet(context, on, api::service_type::network, bhttp::verb::get, target, headers);
  } catch (...) {
    out->failure = std::current_exception();
  }
}

/// Marks a network copy bound on `to` (and tags one of a network its cloud
/// holds directly with what it was made from); what it throws is kept in `failure`.
http::awaitable<void> mark_network_copy(request& r, const cloudlet_endpoints& to, const std::string& global_id,
                                        const unmarked_copy& made, const bhttp::fields& made_with,
                                        const direct_network_source* source, std::exception_ptr& failure) {
  try {
    co_await mark_neutron_copy(r, to, storage::resource_kind::network, global_id, made, made_with, true);
    if (source) co_await tag_adopted_from(r, to, "networks", made.id, source->network.local_id, made_with);
  } catch (...) {
    failure = std::current_exception();
  }
}

/// The copy of one subnet of a network being copied to `to` (as `to_network`
/// there), unless it is a copy itself or `to` holds one; what it throws is
/// kept in `failure` (ensure_network_on runs them together).
http::awaitable<void> copy_subnet(request& r, const json& subnet, const direct_network_source* source,
                                  const std::string& to_network, const cloudlet_endpoints& to,
                                  std::exception_ptr& failure) {
  try {
    auto m = api::read_marker(api::service_type::network, subnet);
    if (m && m->is_copy) co_return;
    std::optional<registry_entry> entry;
    // The cloud listed it to the client with the network: its entry, whatever its project.
    if (m) entry = co_await r.context.registry->get_any_project(m->global_id);
    // A directly made network's own subnet: the entry of the federation's copies of it.
    else if (source) entry = co_await source->subnet_entry(subnet);
    if (!entry || entry->copy_on(to.region)) co_return;
    auto maker = copy_maker_for(storage::resource_kind::subnet, r.identity->project_id, entry->project_id, subnet);
    auto made_with = co_await maker_headers(r, maker);
    auto fields = copy_fields(subnet, subnet_copy_fields);
    for (const auto& [key, value] : maker.fields.items()) fields[key] = value;
    fields["network_id"] = to_network;
    auto project = maker.as_service ? entry->project_id : r.identity->project_id;
    auto made_id = co_await make_neutron_copy(r, to, storage::resource_kind::subnet, entry->global_id,
                                              std::move(fields), made_with, project);
    if (!m && source) co_await tag_adopted_from(r, to, "subnets", made_id, subnet.value("id", ""), made_with);
    auto bound = co_await bind_copy(r, *entry, to, api::service_type::network, made_id, "/v2.0/subnets/" + made_id,
                                    made_with);
    co_await routers_follow_subnet(r, bound, to);
  } catch (...) {
    failure = std::current_exception();
  }
}

} // namespace

http::awaitable<registry_entry> ensure_network_on(request& r, const registry_entry& given,
                                                  const cloudlet_endpoints& to, const direct_network_source* source) {
  auto network = given;
  auto guard = co_await r.context.copy_locks.acquire(network.global_id + "\n" + to.region);
  if (auto fresh = co_await r.context.registry->get(network.project_id, network.global_id)) network = *fresh;
  if (!source && network.copies.empty()) throw copy_failed("network " + network.global_id + " has no copy");
  const auto primary = source ? source->network : network.copies.front();
  // On its own cloudlet a network has its subnets: nothing to copy, nothing to ask.
  if (primary.cloudlet == to.region) co_return network;
  auto from = find_cloudlet(r.context, primary.cloudlet);
  if (!from) throw copy_failed("the cloudlet " + primary.cloudlet + " is not in the catalog");
  auto headers = client_call_headers(r);
  // The network (when it is copied) and every subnet of it, including those
  // made after an earlier copy, read together: two calls to the same cloud.
  const bool copy_network = !network.copy_on(to.region);
  auto shown = std::make_shared<nova_answer>();
  auto listed = std::make_shared<nova_answer>();
  std::vector<std::function<http::awaitable<void>()>> reads;
  if (copy_network)
    reads.push_back([&r, &from, &primary, &headers, shown] {
      return read_from(r.context, *from, "/v2.0/networks/" + primary.local_id, headers, shown);
    });
  reads.push_back([&r, &from, &primary, &headers, listed] {
    return read_from(r.context, *from, "/v2.0/subnets?network_id=" + primary.local_id, headers, listed);
  });
  co_await run_all_to_end(std::move(reads));
  if (shown->failure) std::rethrow_exception(shown->failure);   // no initializer_list: GCC 12 loses it in a coroutine
  if (listed->failure) std::rethrow_exception(listed->failure);
  // A copy of this agent's own entry is bound before it is marked, so that its
  // subnets' copies start on it at once (another agent's copy may win the
  // binding, and ours is deleted); its marking runs beside them. Bound and
  // untagged, a copy keeps its pending description, as one whose tagging failed
  // does. Another agent's entry takes a copy only once its owner sees it marked
  // (actors/node.cpp, check_copy): that one is marked first, as before.
  std::optional<unmarked_copy> made;
  bhttp::fields made_with;
  if (copy_network) {
    auto meta = parse_object(*shown->answer).value("network", json::object());
    if (shown->answer->status != 200) throw copy_failed("network " + network.global_id + " cannot be read");
    auto maker = copy_maker_for(storage::resource_kind::network, r.identity->project_id, network.project_id, meta);
    made_with = co_await maker_headers(r, maker);
    auto fields = copy_fields(meta, network_copy_fields);
    for (const auto& [key, value] : maker.fields.items()) fields[key] = value;
    auto project = maker.as_service ? network.project_id : r.identity->project_id;
    made = co_await create_neutron_copy(r, to, storage::resource_kind::network, network.global_id,
                                        std::move(fields), made_with, project);
    const bool own = is_own_entry(r, network.global_id);
    if (!own) {
      std::exception_ptr unmarked;
      co_await mark_network_copy(r, to, network.global_id, *made, made_with, source, unmarked);
      if (unmarked) std::rethrow_exception(unmarked);
    }
    network = co_await bind_copy(r, network, to, api::service_type::network, made->id,
                                 "/v2.0/networks/" + made->id, made_with);
    // Marked already, or another copy won and ours is gone: nothing to mark.
    if (!own || network.copy_on(to.region)->local_id != made->id) made.reset();
  }
  auto to_network = network.copy_on(to.region)->local_id;
  auto subnets = parse_object(*listed->answer).value("subnets", json::array());
  // The marking and each subnet's copy at once (across sites each call in turn
  // is a round trip); each ends as it would alone, then the first failure is thrown.
  std::vector<std::exception_ptr> failures(subnets.size() + 1);
  std::vector<std::function<http::awaitable<void>()>> steps;
  if (made)
    steps.push_back([&r, &to, &network, &made, &made_with, source, &failures] {
      return mark_network_copy(r, to, network.global_id, *made, made_with, source, failures[0]);
    });
  for (std::size_t i = 0; i < subnets.size(); ++i)
    steps.push_back([&r, &subnets, source, &to_network, &to, &failures, i] {
      return copy_subnet(r, subnets[i], source, to_network, to, failures[i + 1]);
    });
  co_await run_all_to_end(std::move(steps));
  for (const auto& failure : failures)
    if (failure) std::rethrow_exception(failure);
  co_return network;
}

namespace {

/// The ID of `to`'s flavor like `flavor`, copied there if it has none.
http::awaitable<std::string> ensure_flavor_exists_on(request& r, const json& flavor, const std::string& from_region,
                                                     const cloudlet_endpoints& to) {
  const auto flavor_id = flavor.value("id", std::string{});
  auto found = co_await find_flavor_like(r, flavor, to);
  if (found.id) co_return *found.id;
  auto guard = co_await r.context.copy_locks.acquire("flavor\n" + flavor_id + "\n" + to.region);
  // Another boot may have made the copy while this one waited.
  found = co_await find_flavor_like(r, flavor, to);
  if (found.id) co_return *found.id;
  if (!found.clash.empty()) throw copy_failed(found.clash, 409);
  auto body = copy_fields(flavor, flavor_copy_fields);
  body["id"] = flavor_id;
  if (body.contains("swap") && !body["swap"].is_number()) body.erase("swap");
  // Flavors are an admin's to make: the agent's service user makes the copy.
  if (!r.context.session) throw copy_failed("no service user to copy flavor " + flavor_id);
  auto headers = client_call_headers(r);
  bhttp::fields admin = headers;
  admin.set("X-Auth-Token", co_await r.context.session->token());
  // The copy carries the description (in the create, from 2.55) and the extra specs (flavor_copy.hpp).
  auto details = co_await read_flavor_details(r, from_region, flavor_id, admin);
  if (details.description) body["description"] = *details.description;
  auto made = co_await call_cloudlet(r.context, to, api::service_type::compute, bhttp::verb::post,
                                     "/v2.1/flavors", with_description_version(admin), wrap("flavor", body).dump());
  if (made.status == 200) {
    if (!co_await copy_extra_specs(r, to, flavor_id, details.extra_specs, admin)) {
      // Made by this call, under the copy lock: without its specs it is no copy; the boot goes elsewhere.
      auto gone = co_await call_cloudlet(r.context, to, api::service_type::compute, bhttp::verb::delete_,
                                         "/v2.1/flavors/" + api::percent_encode_segment(flavor_id), admin);
      spdlog::warn("{} flavor {} copied to {} without its extra specs: deleted ({})", r.request_id, flavor_id,
                   to.region, gone.status);
      throw copy_failed("the extra specs of flavor " + flavor_id + " cannot be set on " + to.region);
    }
    spdlog::info("{} copied flavor {} to {}", r.request_id, flavor_id, to.region);
    co_return flavor_id;
  }
  if (made.status != 409)
    throw copy_failed("creating flavor " + flavor_id + " on " + to.region + " answered " +
                      std::to_string(made.status));
  // Another agent made the same copy first, or a flavor hidden from the
  // client's listing holds the name or the ID.
  found = co_await find_flavor_like(r, flavor, to);
  if (found.id) co_return *found.id;
  throw copy_failed(found.clash.empty() ? "Flavor " + flavor_id + " cannot be copied to " + to.region + ": " +
                                            api_error_message(made)
                                        : found.clash,
                    409);
}

} // namespace

http::awaitable<std::optional<std::string>> flavor_like_on(request& r, const json& flavor,
                                                           const cloudlet_endpoints& on) {
  auto found = co_await find_flavor_like(r, flavor, on);
  co_return found.id;
}

http::awaitable<std::string> ensure_flavor_on(request& r, const json& flavor, const std::string& from_region,
                                              const cloudlet_endpoints& to, std::optional<std::string> found) {
  auto flavor_id = flavor.value("id", std::string{});
  if (flavor_id.empty()) throw copy_failed("the flavor of the boot cannot be read");
  std::string id_there;
  if (found) id_there = *found;
  else id_there = co_await ensure_flavor_exists_on(r, flavor, from_region, to);
  // What a server there shows as its flavor is shown to clients under this cloudlet's ID.
  r.context.flavor_aliases.learn(to.region, id_there, flavor_id);
  co_return id_there;
}

} // namespace fedstack::agent
