#pragma once
// Request routing: which service, which document or API call, and which upstream path.
// Layout (agent base B): `/` and `/v3...` identity; `/image...` and `/v2/...` image;
// `/network...` and `/v2.0...` network; `/compute...` and `/v2.1...` compute; `/volume...`
// Block Storage v3 (devstack's layout: `/volume/v3/<project>/volumes`).

#include "api/service.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fedstack::api {

/// The longest request target (path + query) the agent accepts, in bytes.
inline constexpr std::size_t max_target_length = 8192;

/// What a request asks for.
enum class route_kind {
  bad,          ///< malformed target: answer 400
  not_found,    ///< well-formed but outside every API: answer 404
  version_list, ///< a service's list of versions (root document)
  version_doc,  ///< one version's document (Neutron: the v2.0 resources document)
  api,          ///< an API call to forward upstream
};

/// The outcome of classify(). Strings are empty when they do not apply.
struct route {
  route_kind kind = route_kind::not_found;
  /// The service; also set for `not_found` under a service's prefix (`/image/v3`, `/v2/`),
  /// so that the 404 takes that service's error shape.
  service_type service = service_type::none;
  /// "v3" identity, "v2"/"v1" image, "v2.0" network, "v2.1"/"v2" compute, "v3" volume.
  std::string api_version;
  /// Normalised, percent-encoded path to send to the cloud's service root, e.g.
  /// `/image/v2/images/X/file` gives `/v2/images/X/file`; compute drops the project ID
  /// (`/compute/v2.1/<project>/servers` gives `/v2.1/servers`); volume keeps it
  /// (`/volume/v3/<project>/volumes` gives `/v3/<project>/volumes`). For documents it names the
  /// equivalent upstream document: "/", "/versions", "/v3", "/v2.0/", "/v2.1", "/v2".
  std::string upstream_path;
  /// The raw query string without '?', exactly as received (already checked to decode).
  std::string query;
  /// The compute or volume project segment (32 hex digits), if there was one.
  std::string project_id;
  /// First segment after the version: "images", "networks", "servers", "flavors",
  /// "os-hypervisors", "schemas", "extensions", "projects", ... For identity,
  /// `/v3/auth/tokens` gives "tokens" and `/v3/auth/catalog` gives "catalog"
  /// (other `/v3/auth/X` give resource "auth", action "X").
  std::string resource;
  /// The item the call addresses (second segment, percent-decoded; Neutron's `.json`
  /// suffix removed), unless that segment is a collection action such as `detail`.
  std::string resource_id;
  /// A collection action (`detail`, `statistics`) or an item's sub-resource
  /// (`file`, `action`, `tags`, `members`, `os-interface`, ...).
  std::string action;
  /// The segment after an item's sub-resource (a tag, member or port ID), if any.
  std::string sub_id;
  /// Every decoded segment after the version (and project ID).
  std::vector<std::string> segments;
  /// True when no item is addressed (lists, creates, `detail`, `statistics`).
  bool is_collection = false;
  /// False when the method is not one this route supports: answer 405 with `allow`.
  bool method_allowed = true;
  /// The methods this route supports, as an `Allow` header value ("GET, HEAD, POST").
  std::string allow;
  /// Why a target is `bad`, for logs and error messages.
  std::string reason;
  /// The path ended in '/' (e.g. `/v2.0/networks/`).
  bool trailing_slash = false;
};

/// Classifies a request by method and request target (origin-form, or absolute-form
/// `http[s]://host/path`, whose authority is ignored). Rejects as `bad`: targets over
/// max_target_length, control, space, backslash, non-ASCII or '#' bytes, malformed or NUL
/// percent-escapes in path or query, empty segments (`//`), `.`/`..` segments (also when
/// encoded as `%2e`), and encoded slashes (`%2F`) — the agent never has to guess how an
/// upstream would resolve such a path. A single trailing '/' after an API path is
/// treated as each service treats it: Glance and Nova (Routes, whose patterns must
/// match the whole path) have no such route, so it is `not_found`; Neutron (Pecan
/// routes an empty last segment to the collection's index) ignores it; identity
/// keeps it in `upstream_path`, for Keystone to answer. Version documents ignore it.
route classify(std::string_view method, std::string_view target);

/// The path and query to request from the cloud's service root:
/// `upstream_path`, plus `?query` if there is a query.
std::string upstream_target(const route& r);

/// The name of a route kind, for logs and test messages.
std::string_view to_string(route_kind kind) noexcept;

} // namespace fedstack::api
