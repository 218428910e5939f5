#pragma once
// The agent's public URLs per service, and the service roots of upstream catalog URLs.
// A *service root* is the URL that the service's version paths hang from: the agent's
// image root is `B/image` (so `B/image/v2/images`), an upstream Nova's is `http://h:8774`
// (so `http://h:8774/v2.1/servers`). Links are rewritten root-for-root.

#include "api/service.hpp"

#include <string>
#include <string_view>

namespace fedstack::api {

/// The URL the agent puts in the catalog for `s`, given its base URL B (`http://host:port`,
/// a trailing '/' is ignored): `B/v3`, `B/image`, `B/network`, `B/compute/v2.1`.
std::string agent_endpoint_url(service_type s, std::string_view agent_base);

/// The agent's service root for `s`: `B`, `B/image`, `B/network`, `B/compute`.
std::string agent_service_root(service_type s, std::string_view agent_base);

/// The path prefix of `s` on the agent: "", "/image", "/network", "/compute".
std::string_view agent_path_prefix(service_type s) noexcept;

/// The service root of an upstream catalog URL: drops a trailing '/', then for compute a
/// trailing project ID (32 hex) or `$(project_id)`-style segment after the version, then the
/// version segment itself (`/v3` identity; `/v2`, `/v1` image; `/v2.0` network;
/// `/v2.1`, `/v2` compute). `http://h:8774/v2.1/0a1b...` gives `http://h:8774`;
/// `http://h/image` stays `http://h/image`.
std::string upstream_service_root(service_type s, std::string_view catalog_url);

/// `scheme://authority` of an absolute URL, or "" if `url` has no "://".
std::string url_origin(std::string_view url);

/// True when `url` stays on the agent: a path ("/x", but not the scheme-relative
/// "//host/x") or an absolute URL under `agent_base`. A Location header that an
/// upstream answer carries is passed to clients only when it is, after rewriting:
/// an agent must not send its clients to hosts a cloud names.
bool stays_on_agent(std::string_view url, std::string_view agent_base) noexcept;

/// A paging link an upstream gave ("next") as a path to request from the same
/// endpoint, or "" to stop paging: anything but a plain path ("/v2/images?marker=x")
/// is refused, so a cloud cannot steer the agent's requests with its links.
std::string next_page_path(std::string_view link);

/// `url` without trailing '/' characters.
std::string_view trim_trailing_slashes(std::string_view url) noexcept;

} // namespace fedstack::api
