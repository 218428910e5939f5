#pragma once
// Keys and tags a client may not touch (docs/federation.md, "Markers clients
// cannot touch"): every Nova or Cinder metadata key, Glance property and
// Neutron tag starting with `fedstack_` is the federation's (markers, attempt
// tokens, copy and snapshot marks). Clients never see them; a call that names
// one is refused here, before any cloud is asked, whatever the resource kind,
// method or path. Calls that replace all metadata or tags keep the markers
// elsewhere (lifecycle_rule.hpp), since a client cannot send what it never saw.

#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include "api/route.hpp"

namespace fedstack::agent {

/// The prefix of every key, property and tag the federation reserves.
inline constexpr std::string_view reserved_prefix = "fedstack_";

/// True for a metadata key, image property or tag in the federation's namespace.
bool is_reserved_name(std::string_view name);

/// The answer to a call that names a reserved key: 400 for a write (set,
/// merge, replace, delete, create), 404 for a read of one key or tag (hidden,
/// as if absent). Its message names the key.
struct marker_guard_answer {
  unsigned status = 400;
  std::string message;
};

/// nullopt when the call names no reserved key or tag (`body` parsed JSON,
/// discarded or null when there is none).
std::optional<marker_guard_answer> guard_markers(const api::route& route, boost::beast::http::verb method,
                                                 const nlohmann::json& body);

} // namespace fedstack::agent
