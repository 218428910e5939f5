#include "agent/flows/keypairs.hpp"

#include <spdlog/spdlog.h>

#include "agent/flows/copies.hpp"
#include "agent/flows/federation.hpp"
#include "agent/services/cloudlets.hpp"
#include "agent/services/registry_client.hpp"
#include "api/microversion.hpp"
#include "api/percent.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// The client's headers at compute microversion 2.2, which shows and takes a
/// keypair's type (Nova's REST API version history, 2.2).
bhttp::fields keypair_headers(const request& r) {
  auto headers = client_call_headers(r);
  headers.set("X-OpenStack-Nova-API-Version", "2.2");
  headers.set("OpenStack-API-Version", "compute 2.2");
  return headers;
}

std::string keypair_path(const std::string& name) { return "/v2.1/os-keypairs/" + api::percent_encode_segment(name); }

/// The keypair `name` on `on` as the client's user sees it; nullopt on 404.
/// Throws copy_failed when `on` answers anything else.
http::awaitable<std::optional<keypair_view>> keypair_on(request& r, const cloudlet_endpoints& on,
                                                        const std::string& name, const bhttp::fields& headers) {
  auto shown = co_await call_cloudlet(r.context, on, api::service_type::compute, bhttp::verb::get,
                                      keypair_path(name), headers);
  if (shown.status == 404) co_return std::nullopt;
  auto found = shown.status == 200 ? read_keypair(json::parse(shown.body, nullptr, false)) : std::nullopt;
  if (!found)
    throw copy_failed("reading keypair " + name + " on " + on.region + " answered " + std::to_string(shown.status));
  co_return found;
}

/// The meta key of a copy of `there` on `cloudlet` (nullopt: too long to record).
std::optional<std::string> copy_key(const request& r, const std::string& cloudlet, const keypair_view& there) {
  return keypair_copy_key(cloudlet, r.identity->user_id, there.name, there.fingerprint);
}

copy_failed clash(const request& r, const keypair_view& source, const keypair_view& there,
                  const cloudlet_endpoints& to) {
  return copy_failed("Key pair '" + source.name + "' on " + to.region + " holds another public key (fingerprint " +
                       there.fingerprint + ") than on " + r.context.cloudlet.region + " (" + source.fingerprint +
                       "); the federation does not replace it.",
                     409);
}

/// Records the copy just made on `to`; false when the registry could not.
http::awaitable<bool> record_copy(request& r, const keypair_view& made, const cloudlet_endpoints& to) {
  auto key = copy_key(r, to.region, made);
  if (!key) co_return false;
  bool recorded = true;
  try {
    std::string value(keypair_copy_recorded);
    co_await r.context.registry->put_meta(*key, value);
  } catch (const registry_unavailable& e) {
    spdlog::warn("{} recording the copy of keypair {} on {} failed: {}", r.request_id, made.name, to.region,
                 e.what());
    recorded = false;
  }
  co_return recorded;
}

/// Nova's status for a keypair deleted: 204 from microversion 2.2 on, 202 before.
bhttp::status deleted_status(const request& r) {
  auto header = [&](const char* name) -> std::optional<std::string_view> {
    auto value = r.header()[name];
    if (value.empty()) return std::nullopt;
    return std::string_view(value.data(), value.size());
  };
  auto asked = api::negotiate_microversion(header("OpenStack-API-Version"), header("X-OpenStack-Nova-API-Version"),
                                           r.context.compute_range);
  bool typed = asked.version.major > 2 || (asked.version.major == 2 && asked.version.minor >= 2);
  return typed ? bhttp::status::no_content : bhttp::status::accepted;
}

} // namespace

http::awaitable<std::optional<keypair_view>> read_own_keypair(request& r, const std::string& name) {
  auto shown = co_await call_cloudlet(r.context, r.context.cloudlet, api::service_type::compute, bhttp::verb::get,
                                      keypair_path(name), keypair_headers(r));
  if (shown.status != 200) co_return std::nullopt;
  co_return read_keypair(json::parse(shown.body, nullptr, false));
}

http::awaitable<void> ensure_keypair_on(request& r, const keypair_view& source, const cloudlet_endpoints& to) {
  auto headers = keypair_headers(r);
  auto there = co_await keypair_on(r, to, source.name, headers);
  auto step = keypair_step_for(source, there);
  if (step == keypair_step::use) co_return;
  if (step == keypair_step::refuse) throw clash(r, source, *there, to);
  auto guard = co_await r.context.copy_locks.acquire("keypair\n" + r.identity->user_id + "\n" + source.name + "\n" +
                                                     to.region);
  // Another boot may have made the copy while this one waited.
  there = co_await keypair_on(r, to, source.name, headers);
  step = keypair_step_for(source, there);
  if (step == keypair_step::use) co_return;
  if (step == keypair_step::refuse) throw clash(r, source, *there, to);
  auto made = co_await call_cloudlet(r.context, to, api::service_type::compute, bhttp::verb::post,
                                     "/v2.1/os-keypairs", headers, keypair_copy_body(source).dump());
  if (made.status == 409) {
    // Made meanwhile by the user or another agent: used only if it holds the same key.
    there = co_await keypair_on(r, to, source.name, headers);
    if (keypair_step_for(source, there) == keypair_step::use) co_return;
    if (there) throw clash(r, source, *there, to);
    throw copy_failed("keypair " + source.name + " on " + to.region + " is neither creatable nor there");
  }
  auto copy = made.status == 200 || made.status == 201 ? read_keypair(json::parse(made.body, nullptr, false))
                                                        : std::nullopt;
  if (!copy)
    throw copy_failed("creating keypair " + source.name + " on " + to.region + " answered " +
                      std::to_string(made.status));
  if (!co_await record_copy(r, *copy, to)) {
    // An unrecorded copy could never be told from the user's own: it goes now.
    co_await call_cloudlet(r.context, to, api::service_type::compute, bhttp::verb::delete_,
                           keypair_path(source.name), headers);
    throw copy_failed("the copy of keypair " + source.name + " on " + to.region + " could not be recorded");
  }
  spdlog::info("{} copied keypair {} of user {} to {}", r.request_id, source.name, r.identity->user_id, to.region);
}

http::awaitable<void> handle_keypair_delete(request& r) {
  const auto name = r.route.resource_id;
  auto headers = keypair_headers(r);
  bool deleted_copy = false;
  for (const auto& c : all_cloudlets(r.context)) {
    if (c.region == r.context.cloudlet.region) continue;
    std::optional<keypair_view> there;
    try {
      there = co_await keypair_on(r, c, name, headers);
    } catch (const std::exception& e) {
      // Its copy, if any, stays recorded: a later delete removes it.
      spdlog::warn("{} keypair delete: {} cannot tell: {}", r.request_id, c.region, e.what());
      continue;
    }
    if (!there) continue;
    auto key = copy_key(r, c.region, *there);
    if (!key) continue;
    auto record = co_await r.context.registry->get_meta(*key);
    if (!delete_keypair_there(there, record)) continue;
    auto gone = co_await call_cloudlet(r.context, c, api::service_type::compute, bhttp::verb::delete_,
                                       keypair_path(name), headers);
    if (gone.status >= 300 && gone.status != 404) {
      spdlog::warn("{} deleting the copy of keypair {} on {} answered {}", r.request_id, name, c.region,
                   gone.status);
      continue;
    }
    std::string value(keypair_copy_gone);
    co_await r.context.registry->put_meta(*key, value);
    deleted_copy = true;
    spdlog::info("{} deleted the copy of keypair {} on {}", r.request_id, name, c.region);
  }
  r.target = r.context.cloudlet;
  r.upstream = endpoint_of(r.target, api::service_type::compute).to_string();
  auto own = co_await call_cloudlet(r.context, r.target, api::service_type::compute, bhttp::verb::delete_,
                                    r.route.upstream_path, client_call_headers(r));
  if (own.status == 404 && deleted_copy) {
    // Only copies held it: the delete is done.
    bhttp::response<bhttp::string_body> done{deleted_status(r), 11};
    done.set("X-Openstack-Request-Id", r.request_id);
    r.status = done.result_int();
    co_return co_await r.exchange.send(std::move(done));
  }
  co_await send_upstream_response(r, own, own.body);
}

} // namespace fedstack::agent
