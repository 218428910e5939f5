#include "sim/nova.hpp"

#include <cctype>

#include "sim/microversion.hpp"

namespace fedstack::sim {
namespace {

bool is_hex_id(std::string_view text) {
  if (text.size() != 32) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

void add_version_headers(reply& out, const std::string& version, const request& r) {
  out.headers["OpenStack-API-Version"] = "compute " + version;
  out.headers["X-OpenStack-Nova-API-Version"] = version;
  out.headers["Vary"] = "OpenStack-API-Version, X-OpenStack-Nova-API-Version";
  if (auto id = r.header("X-Openstack-Request-Id"); !id.empty()) out.headers["X-Compute-Request-Id"] = id;
}

} // namespace

reply nova_api::error(unsigned status, std::string_view message) {
  auto out = json_reply(status, {{fault_name(status), {{"code", status}, {"message", message}}}});
  out.headers["Content-Type"] = "application/json; charset=UTF-8";
  return out;
}

reply nova_api::version_document() const {
  return json_reply(200, {{"version",
                           {{"id", "v2.1"},
                            {"status", "CURRENT"},
                            {"version", "2.93"},
                            {"min_version", "2.1"},
                            {"updated", "2013-07-23T11:33:21Z"},
                            {"links", json::array({{{"rel", "self"}, {"href", base_url_ + "/v2.1/"}},
                                                   {{"rel", "describedby"}, {"type", "text/html"},
                                                    {"href", "http://docs.openstack.org/"}}})},
                            {"media-types", json::array({{{"base", "application/json"},
                                                          {"type", "application/vnd.openstack.compute+json;version=2.1"}}})}}}});
}

reply nova_api::handle(const request& r) {
  if (r.segments.empty()) {
    // The root document carries no microversion headers (as captured).
    return json_reply(200, {{"versions",
                             json::array({{{"id", "v2.0"}, {"status", "SUPPORTED"}, {"version", ""},
                                           {"min_version", ""}, {"updated", "2011-01-21T11:33:21Z"},
                                           {"links", json::array({{{"rel", "self"}, {"href", base_url_ + "/v2/"}}})}},
                                          {{"id", "v2.1"}, {"status", "CURRENT"}, {"version", "2.93"},
                                           {"min_version", "2.1"}, {"updated", "2013-07-23T11:33:21Z"},
                                           {"links", json::array({{{"rel", "self"}, {"href", base_url_ + "/v2.1/"}}})}}})}});
  }
  if (r.segments[0] != "v2.1") return error(404, "The resource could not be found.");

  auto version = negotiate_compute_version(r);
  if (version.status != 0) {
    auto out = error(version.status, version.message);
    // Real Nova (Zed) echoes an unsupported version it could parse: "compute 2.94" with 406.
    add_version_headers(out, version.status == 406 ? version.requested : "2." + std::to_string(min_compute_minor), r);
    return out;
  }
  auto out = [&] {
    if (r.segments.size() == 1) return version_document();
    auto ctx = authenticate(ids_, r);
    if (!ctx) return unauthorized_reply(ids_);
    call c{r, *ctx, version.minor, {r.segments.begin() + 1, r.segments.end()}};
    // Accept the legacy "/v2.1/{project_id}/..." form.
    if (!c.path.empty() && (c.path[0] == ctx->project_id || is_hex_id(c.path[0]))) c.path.erase(c.path.begin());
    if (c.path.empty()) return version_document();
    return route(c);
  }();
  add_version_headers(out, "2." + std::to_string(version.minor), r);
  return out;
}

reply nova_api::route(const call& c) {
  const auto& top = c.path[0];
  if (top == "servers") return servers(c);
  if (top == "flavors") return flavors(c);
  if (top == "images") return images(c);
  if (top == "os-hypervisors") return hypervisors(c);
  if (top == "os-availability-zone") return availability_zones(c);
  if (top == "limits") return limits(c);
  if (top == "os-quota-sets") return quota_sets(c);
  if (top == "os-services") return services(c);
  if (top == "os-security-groups") return security_groups(c);
  if (top == "os-keypairs") return keypairs(c);
  if (top == "os-server-groups") return server_groups(c);
  if (top == "os-aggregates" && c.path.size() == 1 && c.r.method == "GET") {
    if (!c.ctx.is_admin) return error(403, "Policy doesn't allow os_compute_api:os-aggregates:index to be performed.");
    return json_reply(200, {{"aggregates", json::array()}});
  }
  if (top == "extensions" && c.path.size() == 1) return json_reply(200, {{"extensions", json::array()}});
  return error(404, "The resource could not be found.");
}

} // namespace fedstack::sim
