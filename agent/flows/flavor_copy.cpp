#include "agent/flows/flavor_copy.hpp"

#include <spdlog/spdlog.h>

#include "agent/flows/copies.hpp"
#include "agent/services/cloudlets.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/percent.hpp"

namespace fedstack::agent {

using json = nlohmann::json;

bhttp::fields with_description_version(bhttp::fields admin) {
  admin.erase("X-OpenStack-Nova-API-Version");
  admin.set("OpenStack-API-Version", "compute 2.55");
  return admin;
}

http::awaitable<flavor_details> read_flavor_details(request& r, const std::string& from_region, const std::string& id,
                                                    const bhttp::fields& admin) {
  auto from = find_cloudlet(r.context, from_region);
  if (!from) throw copy_failed("flavor " + id + ": cloudlet " + from_region + " is not in the catalog");
  auto path = "/v2.1/flavors/" + api::percent_encode_segment(id);
  auto shown = co_await call_cloudlet(r.context, *from, api::service_type::compute, bhttp::verb::get, path,
                                      with_description_version(admin));
  auto specs = co_await call_cloudlet(r.context, *from, api::service_type::compute, bhttp::verb::get,
                                      path + "/os-extra_specs", admin);
  auto flavor = json::parse(shown.body, nullptr, false);
  auto listed = json::parse(specs.body, nullptr, false);
  if (shown.status != 200 || specs.status != 200 || !flavor.is_object() || !listed.is_object() ||
      !listed.contains("extra_specs") || !listed["extra_specs"].is_object())
    throw copy_failed("flavor " + id + " on " + from_region + ": its description and extra specs answered " +
                      std::to_string(shown.status) + " and " + std::to_string(specs.status));
  flavor_details out;
  auto description = flavor.value("flavor", json::object()).value("description", json());
  if (description.is_string()) out.description = description.get<std::string>();
  out.extra_specs = std::move(listed["extra_specs"]);
  co_return out;
}

namespace {
// Not built inside the coroutine: GCC 12 cannot keep an initializer_list in a coroutine frame.
std::string extra_specs_body(const json& specs) {
  json body = json::object();
  body["extra_specs"] = specs;
  return body.dump();
}
} // namespace

http::awaitable<bool> copy_extra_specs(request& r, const cloudlet_endpoints& to, const std::string& id,
                                       const json& specs, const bhttp::fields& admin) {
  if (specs.empty()) co_return true;
  auto set = co_await call_cloudlet(r.context, to, api::service_type::compute, bhttp::verb::post,
                                    "/v2.1/flavors/" + api::percent_encode_segment(id) + "/os-extra_specs", admin,
                                    extra_specs_body(specs));
  if (set.status != 200)
    spdlog::warn("{} the extra specs of flavor {} on {} answered {}", r.request_id, id, to.region, set.status);
  co_return set.status == 200;
}

} // namespace fedstack::agent
