#include "agent/flows/keypairs.hpp"

#include <spdlog/spdlog.h>

#include "agent/flows/copies.hpp"
#include "agent/flows/federation.hpp"
#include "agent/services/cloudlets.hpp"
#include "agent/services/keypair_copy_records.hpp"
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

/// Records, before it is made, the copy of `source` on `to`: the marker it will
/// carry (or keypair_copy_recorded for a key that cannot carry one). Recorded
/// first, a copy that a crash leaves behind is still the federation's.
/// Throws copy_failed when the registry cannot record it: nothing is made then.
http::awaitable<std::string> record_copy(request& r, const keypair_view& source, const cloudlet_endpoints& to) {
  auto key = copy_key(r, to.region, source);
  if (!key) throw copy_failed("keypair " + source.name + " has too long a name to record a copy of it");
  auto value = keypair_markable(source) ? r.context.registry->new_global_id() : std::string(keypair_copy_recorded);
  try {
    co_await r.context.registry->put_meta(*key, value);
  } catch (const registry_unavailable& e) {
    spdlog::warn("{} recording the copy of keypair {} on {} failed: {}", r.request_id, source.name, to.region,
                 e.what());
    // An unrecorded copy could never be told from the user's own: none is made.
    throw copy_failed("the copy of keypair " + source.name + " on " + to.region + " could not be recorded");
  }
  co_return value;
}

/// Whether the delete removes `there` on `c`: this agent's record of it, else
/// the record of the agent its marker names (a copy another agent made).
http::awaitable<bool> copy_to_delete(request& r, const cloudlet_endpoints& c, const keypair_view& there,
                                     const std::string& key) {
  auto own = co_await r.context.registry->get_meta(key);
  if (delete_keypair_there(there, own)) co_return true;
  auto marker = keypair_marker(there);
  if (!marker) co_return false;
  auto* records = dynamic_cast<keypair_copy_records*>(r.context.registry.get());
  if (!records) co_return false;   // no way to other agents: only this agent's records count
  std::optional<std::string> theirs;
  try {
    theirs = co_await records->keypair_copy_record_at(*marker, key);
  } catch (const registry_unavailable& e) {
    // Unproven, it stays: a delete once that agent answers removes it.
    spdlog::warn("{} keypair delete: the agent that marked {}'s copy on {} cannot tell: {}", r.request_id,
                 there.name, c.region, e.what());
    co_return false;
  }
  co_return delete_copy_of_another_agent(there, theirs);
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
  auto marker = co_await record_copy(r, source, to);
  auto body = keypair_copy_body(source);
  if (marker != keypair_copy_recorded) body["keypair"]["public_key"] = marked_public_key(source.public_key, marker);
  auto made = co_await call_cloudlet(r.context, to, api::service_type::compute, bhttp::verb::post,
                                     "/v2.1/os-keypairs", headers, body.dump());
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
  if (copy->fingerprint != source.fingerprint) {
    // A fingerprint over the comment too (not Nova's): the record names another, so it goes now.
    co_await call_cloudlet(r.context, to, api::service_type::compute, bhttp::verb::delete_,
                           keypair_path(source.name), headers);
    throw copy_failed("the copy of keypair " + source.name + " on " + to.region + " answered fingerprint " +
                      copy->fingerprint + ", not " + source.fingerprint);
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
    bool ours = co_await copy_to_delete(r, c, *there, *key);
    if (!ours) continue;
    auto gone = co_await call_cloudlet(r.context, c, api::service_type::compute, bhttp::verb::delete_,
                                       keypair_path(name), headers);
    if (gone.status >= 300 && gone.status != 404) {
      spdlog::warn("{} deleting the copy of keypair {} on {} answered {}", r.request_id, name, c.region,
                   gone.status);
      continue;
    }
    // This agent's record, if it was one (another agent's marker matches nothing again).
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
