#include "api/route.hpp"

#include "api/percent.hpp"
#include "api/route_methods.hpp"
#include "api/uuid.hpp"

#include <optional>

namespace fedstack::api {
namespace {

using segment_list = std::vector<std::string>;

route bad(std::string reason) {
  route r;
  r.kind = route_kind::bad;
  r.reason = std::move(reason);
  return r;
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// Absolute-form targets (RFC 7230 5.3.2) carry scheme and authority; only the path counts.
std::string_view strip_absolute_form(std::string_view target) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (!starts_with_ci(target, scheme)) continue;
    auto rest = target.substr(scheme.size());
    auto slash = rest.find_first_of("/?");
    if (slash == std::string_view::npos) return "/";
    if (rest[slash] == '?') return {}; // "http://h?x" has no path: not origin-form
    return rest.substr(slash);
  }
  return target;
}

// Bytes never valid unescaped in a request target, plus '\\' (some servers read it as '/').
std::optional<std::string> bad_byte(std::string_view target) {
  for (char c : target) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) return "control, space or non-ASCII byte in target";
    if (c == '#') return "fragment in target";
    if (c == '\\') return "backslash in target";
  }
  return std::nullopt;
}

// Splits "/a/b/" into decoded segments; nullopt plus a reason for odd paths.
std::optional<segment_list> split_path(std::string_view path, std::string& reason) {
  segment_list segments;
  if (path.find("//") != std::string_view::npos) {
    // Upstreams differ on `//` (collapse, 404, or an empty ID); refuse rather than guess.
    reason = "empty path segment";
    return std::nullopt;
  }
  path.remove_prefix(1); // leading '/'
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return segments;
  while (true) {
    auto slash = path.find('/');
    auto raw = path.substr(0, slash);
    if (raw.empty()) {
      reason = "empty path segment";
      return std::nullopt;
    }
    auto decoded = percent_decode(raw);
    if (!decoded) {
      reason = "invalid percent-encoding in path";
      return std::nullopt;
    }
    if (decoded->find('\0') != std::string::npos) {
      reason = "NUL byte in path";
      return std::nullopt;
    }
    if (decoded->find('/') != std::string::npos) {
      reason = "encoded slash in path";
      return std::nullopt;
    }
    if (*decoded == "." || *decoded == "..") {
      reason = "dot segment in path";
      return std::nullopt;
    }
    segments.push_back(std::move(*decoded));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

std::string join_upstream(std::string_view version, const segment_list& segments,
                          std::size_t from) {
  std::string path = "/";
  path += version;
  for (std::size_t i = from; i < segments.size(); ++i) {
    path += '/';
    path += percent_encode_segment(segments[i]);
  }
  return path;
}

route doc_route(route_kind kind, service_type service, std::string version,
               std::string upstream) {
  route r;
  r.kind = kind;
  r.service = service;
  r.api_version = std::move(version);
  r.upstream_path = std::move(upstream);
  r.allow = "GET, HEAD";
  return r;
}

// A path under a service's prefix that the service does not have: 404 in its shape.
route not_found(service_type service = service_type::none) {
  route r;
  r.service = service;
  return r;
}

// Neutron (and clients before neutronclient 6.x) accept a `.json` format suffix.
std::string without_json_suffix(service_type service, const std::string& segment) {
  constexpr std::string_view suffix = ".json";
  if (service == service_type::network && segment.size() > suffix.size() &&
      segment.compare(segment.size() - suffix.size(), suffix.size(), suffix) == 0)
    return segment.substr(0, segment.size() - suffix.size());
  return segment;
}

bool is_collection_action(const route& r, const std::string& segment) {
  if (r.service == service_type::compute) {
    if (segment == "detail")
      return r.resource == "servers" || r.resource == "flavors" || r.resource == "os-hypervisors" ||
             r.resource == "images";   // Nova's image proxy
    return segment == "statistics" && r.resource == "os-hypervisors";
  }
  if (r.service == service_type::volume)
    return segment == "detail" && (r.resource == "volumes" || r.resource == "snapshots" || r.resource == "backups" ||
                                  r.resource == "attachments" || r.resource == "os-volume-transfer" ||
                                  r.resource == "volume-transfers");
  return r.service == service_type::image && r.api_version == "v1" &&
         r.resource == "images" && segment == "detail";
}

// Fills resource, id, action and sub_id from the segments after the version.
void parse_resource(route& r) {
  const auto& s = r.segments;
  r.resource = without_json_suffix(r.service, s[0]);
  std::size_t next = 1;
  if (r.service == service_type::identity && s[0] == "auth") {
    // /v3/auth/tokens and /v3/auth/catalog are what the agent handles itself.
    if (s.size() >= 2 && (s[1] == "tokens" || s[1] == "catalog")) {
      r.resource = s[1];
      if (s.size() >= 3) r.action = s[2];
      if (s.size() >= 4) r.sub_id = s[3];
    } else if (s.size() >= 2) {
      r.action = s[1];
    }
    r.is_collection = true;
    return;
  }
  if (s.size() > next) {
    if (is_collection_action(r, s[next])) {
      r.action = s[next];
    } else {
      r.resource_id = without_json_suffix(r.service, s[next]);
      if (s.size() > next + 1) r.action = without_json_suffix(r.service, s[next + 1]);
      if (s.size() > next + 2) r.sub_id = without_json_suffix(r.service, s[next + 2]);
    }
  }
  r.is_collection = r.resource_id.empty();
}

route api_call(service_type service, std::string version, const segment_list& segments,
               std::size_t from, std::string project_id = {}) {
  route r;
  r.kind = route_kind::api;
  r.service = service;
  r.upstream_path = join_upstream(version, segments, from);
  r.api_version = std::move(version);
  r.project_id = std::move(project_id);
  r.segments.assign(segments.begin() + static_cast<std::ptrdiff_t>(from), segments.end());
  parse_resource(r);
  r.allow = detail::allowed_methods(r);
  return r;
}

route identity_route(const segment_list& s) {
  if (s.empty()) return doc_route(route_kind::version_list, service_type::identity, "", "/");
  if (s.size() == 1) return doc_route(route_kind::version_doc, service_type::identity, "v3", "/v3");
  return api_call(service_type::identity, "v3", s, 1);
}

// `s[from]` is the image API version segment ("v2" or "v1").
route image_route(const segment_list& s, std::size_t from) {
  if (s.size() == from + 1) return not_found(service_type::image); // Glance: `/v2/` is 404
  return api_call(service_type::image, s[from], s, from + 1);
}

// `s[from]` is "v2.0".
route network_route(const segment_list& s, std::size_t from) {
  if (s.size() == from + 1)
    return doc_route(route_kind::version_doc, service_type::network, "v2.0", "/v2.0/");
  return api_call(service_type::network, "v2.0", s, from + 1);
}

// `s[from]` is "v2.1" or "v2"; an optional project ID follows it.
route compute_route(const segment_list& s, std::size_t from) {
  const std::string& version = s[from];
  std::size_t rest = from + 1;
  std::string project;
  if (s.size() > rest && is_hex_id(s[rest])) project = s[rest++];
  if (s.size() == rest) {
    route r = doc_route(route_kind::version_doc, service_type::compute, version, "/" + version);
    r.project_id = std::move(project);
    return r;
  }
  return api_call(service_type::compute, version, s, rest, std::move(project));
}

// `s[from]` is "v3": Cinder's paths carry the project (`/v3/<project>/volumes`), which
// microversion 3.67 made optional; both reach the cloud as given. `/volume/v3` and
// `/volume/v3/<project>` are the v3 version document.
route volume_route(const segment_list& s, std::size_t from) {
  std::size_t rest = from + 1;
  std::string project;
  if (s.size() > rest && is_hex_id(s[rest])) project = s[rest++];
  if (s.size() == rest) {
    route r = doc_route(route_kind::version_doc, service_type::volume, "v3", "/v3");
    r.project_id = std::move(project);
    return r;
  }
  route r = api_call(service_type::volume, "v3", s, rest, project);
  if (!project.empty()) r.upstream_path = "/v3/" + project + r.upstream_path.substr(3);
  return r;
}

// An API path that ends in '/', as each service routes it (route.hpp).
route with_trailing_slash(route r) {
  r.trailing_slash = true;
  switch (r.service) {
    case service_type::image:     // Glance, Nova and Cinder route with Routes: no pattern matches
    case service_type::compute:   // `/v2/images/` or `/v2.1/servers/` (Glance answers 404)
    case service_type::volume:
      return not_found(r.service);
    case service_type::identity:
      r.upstream_path += '/';     // Keystone's to answer
      return r;
    default:                      // Neutron (Pecan): the collection, as without it
      return r;
  }
}

route dispatch(const segment_list& s) {
  if (s.empty() || s[0] == "v3") return identity_route(s);
  const std::string& first = s[0];
  if (first == "v2") return image_route(s, 0);
  if (first == "v2.0") return network_route(s, 0);
  if (first == "v2.1") return compute_route(s, 0);
  if (first == "image") {
    if (s.size() == 1) return doc_route(route_kind::version_list, service_type::image, "", "/");
    if (s[1] == "versions" && s.size() == 2)
      return doc_route(route_kind::version_list, service_type::image, "", "/versions");
    if (s[1] == "v2" || s[1] == "v1") return image_route(s, 1);
    return not_found(service_type::image);
  }
  if (first == "network") {
    if (s.size() == 1) return doc_route(route_kind::version_list, service_type::network, "", "/");
    if (s[1] == "v2.0") return network_route(s, 1);
    return not_found(service_type::network);
  }
  if (first == "compute") {
    if (s.size() == 1) return doc_route(route_kind::version_list, service_type::compute, "", "/");
    if (s[1] == "v2.1" || s[1] == "v2") return compute_route(s, 1);
    return not_found(service_type::compute);
  }
  if (first == "volume") {
    if (s.size() == 1) return doc_route(route_kind::version_list, service_type::volume, "", "/");
    if (s[1] == "v3") return volume_route(s, 1);
    return not_found(service_type::volume);
  }
  return not_found();
}

} // namespace

std::string upstream_target(const route& r) {
  return r.query.empty() ? r.upstream_path : r.upstream_path + "?" + r.query;
}

route classify(std::string_view method, std::string_view target) {
  if (target.size() > max_target_length) return bad("target too long");
  target = strip_absolute_form(target);
  if (target.empty() || target.front() != '/') return bad("target is not origin-form");
  if (auto reason = bad_byte(target)) return bad(*reason);

  auto question = target.find('?');
  auto path = target.substr(0, question);
  auto query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  auto decoded_query = percent_decode(query);
  if (!decoded_query) return bad("invalid percent-encoding in query");
  if (decoded_query->find('\0') != std::string::npos) return bad("NUL byte in query");

  std::string reason;
  auto segments = split_path(path, reason);
  if (!segments) return bad(std::move(reason));

  route r = dispatch(*segments);
  if (path.size() > 1 && path.back() == '/' && r.kind == route_kind::api) r = with_trailing_slash(std::move(r));
  r.query = std::string(query);
  if (r.kind == route_kind::version_list || r.kind == route_kind::version_doc ||
      r.kind == route_kind::api)
    r.method_allowed = detail::method_in(method, r.allow);
  return r;
}

std::string_view to_string(route_kind kind) noexcept {
  switch (kind) {
    case route_kind::bad: return "bad";
    case route_kind::not_found: return "not_found";
    case route_kind::version_list: return "version_list";
    case route_kind::version_doc: return "version_doc";
    case route_kind::api: return "api";
  }
  return "";
}

} // namespace fedstack::api
