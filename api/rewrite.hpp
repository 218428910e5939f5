#pragma once
// Link rewriting: upstream service roots become the agent's, in JSON bodies and headers.

#include "api/service.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace fedstack::api {

/// Returns `text` with every occurrence of the URL `from_root` replaced by `to_root`.
/// An occurrence counts only as a whole root: not preceded by a scheme character
/// (letter, digit, '+', '-', '.') and followed by the end or by a character that cannot
/// continue a host, port or path segment ('/', '?', '#', '"', space, ...). So
/// `http://h:9292` matches in `http://h:9292/v2/x` but not in `http://h:92920/` or
/// `http://h:9292x`. Trailing '/' on either root is ignored. Use it for `Location`.
std::string rewrite_url_prefix(std::string_view text, std::string_view from_root,
                               std::string_view to_root);

/// Applies rewrite_url_prefix to every string value (not key) in `doc`, at any depth:
/// `links[].href`, `next`, `first`, `self`, `*_links`, `Location`-like fields.
/// Returns how many strings changed.
std::size_t rewrite_json_urls(nlohmann::json& doc, std::string_view from_root,
                              std::string_view to_root);

/// The part of `url` below `root` (path and query, always starting with '/'), e.g.
/// `http://u:9696/v2.0/networks?marker=X` under `http://u:9696` gives
/// `/v2.0/networks?marker=X`. A relative URL (starting with '/', as Glance writes `next`)
/// is returned unchanged. nullopt if `url` is absolute but not under `root`.
std::optional<std::string> path_below_root(std::string_view url, std::string_view root);

/// The agent's request target for an upstream URL of service `s`: the agent's path prefix
/// plus path_below_root, e.g. `http://u:9696/v2.0/networks?marker=X` gives
/// `/network/v2.0/networks?marker=X`. nullopt if `url` is not under `upstream_root`.
std::optional<std::string> agent_target_for(service_type s, std::string_view url,
                                            std::string_view upstream_root);

} // namespace fedstack::api
