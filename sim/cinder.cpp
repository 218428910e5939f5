// Cinder's front door: version documents, microversions, authentication, the
// project ID in the URL, routing and Cinder's fault shape.
#include "sim/cinder.hpp"

#include <cctype>

#include "sim/microversion.hpp"

namespace fedstack::sim {
namespace {

/// A Keystone project ID (32 hex digits) or a UUID: what may follow /v3/.
bool looks_like_project_id(std::string_view text) {
  if (text.size() != 32 && text.size() != 36) return false;
  for (char ch : text) {
    if (!std::isxdigit(static_cast<unsigned char>(ch)) && ch != '-') return false;
  }
  return true;
}

void add_version_headers(reply& out, const std::string& version) {
  out.headers["OpenStack-API-Version"] = "volume " + version;
  out.headers["Vary"] = "OpenStack-API-Version";
}

} // namespace

reply cinder_api::error(unsigned status, std::string_view message) {
  json fault = {{"code", status}, {"message", message}};
  // Quota errors carry Retry-After: 0, which the fault repeats (QuotaError.headers).
  if (status == 413) fault["retryAfter"] = "0";
  auto out = json_reply(status, {{fault_name(status), fault}});
  if (status == 413) out.headers["Retry-After"] = "0";
  return out;
}

reply cinder_api::handle(const request& r) {
  if (!r.segments.empty() && r.segments[0] != "v3") {
    // No API is mounted there: paste's urlmap answers before any microversion is read,
    // with webob's own 404, no Cinder fault and no version headers (captures/cinder/05).
    return json_reply(404, {{"message", "The resource could not be found.<br /><br />\n\n\n"},
                            {"code", "404 Not Found"},
                            {"title", "Not Found"}});
  }
  auto version = negotiate_volume_version(r);
  auto version_string = "3." + std::to_string(version.minor);
  // Cinder answers the root with the version list and 300 Multiple Choices.
  auto versions = [&] {
    return json{{"versions",
                 json::array({{{"id", "v3.0"},
                               {"status", "CURRENT"},
                               {"version", "3." + std::to_string(max_volume_minor)},
                               {"min_version", "3." + std::to_string(min_volume_minor)},
                               {"updated", "2022-08-31T00:00:00Z"},
                               {"links", json::array({{{"rel", "describedby"}, {"type", "text/html"},
                                                       {"href", "https://docs.openstack.org/"}},
                                                      {{"rel", "self"}, {"href", base_url_ + "/v3/"}}})},
                               {"media-types", json::array({{{"base", "application/json"},
                                                             {"type", "application/vnd.openstack.volume+json;version=3"}}})}}})}};
  };
  if (version.status != 0) {
    auto out = error(version.status, version.message);
    // Like Nova, Cinder echoes a version it parsed but refuses (406).
    add_version_headers(out, version.status == 406 ? version.requested : version_string);
    return out;
  }
  auto out = [&] {
    if (r.segments.empty()) return json_reply(300, versions());
    // Everything under /v3 sits behind keystonemiddleware, the version index included.
    auto ctx = authenticate(ids_, r);
    if (!ctx) return unauthorized_reply(ids_);
    if (r.segments.size() == 1) return json_reply(200, versions());
    call c{r, *ctx, version.minor, {}, {r.segments.begin() + 1, r.segments.end()}};
    if (c.path[0] == ctx->project_id || looks_like_project_id(c.path[0])) {
      c.project = c.path[0];
      c.path.erase(c.path.begin());
      if (c.path.empty()) return json_reply(200, versions());
    } else if (!c.at_least(67)) {
      // URLs without the project ID route only from 3.67 (PROJECT_ID_OPTIONAL_IN_URL).
      return error(404, "The resource could not be found.");
    }
    return route(c);
  }();
  add_version_headers(out, version_string);
  return out;
}

reply cinder_api::route(const call& c) {
  const auto& top = c.path[0];
  if (top == "volumes") return volumes(c);
  if (top == "types") return types(c);
  if (top == "snapshots") return snapshots(c);
  if (top == "attachments") return attachments(c);
  if (top == "backups") return backups(c);
  if (top == "os-volume-transfer" || (top == "volume-transfers" && c.at_least(55))) return transfers(c);
  if (top == "limits") return limits(c);
  if (top == "os-quota-sets") return quota_sets(c);
  if (top == "scheduler-stats") return pools(c);
  if (top == "os-availability-zone") return availability_zones(c);
  if (top == "os-services") return services(c);
  if (top == "extensions" && c.path.size() == 1 && c.r.method == "GET") {
    return json_reply(200, {{"extensions", json::array()}});
  }
  return error(404, "The resource could not be found.");
}

} // namespace fedstack::sim
