#pragma once
// What every simulated API implements, plus helpers for routing and replies.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/identity.hpp"
#include "sim/types.hpp"
#include "sim/util.hpp"

namespace fedstack::sim {

/// One simulated OpenStack API on its own port. `handle` is pure: no I/O.
class service {
public:
  virtual ~service() = default;
  /// "keystone", "glance", "neutron", "nova" (for logs).
  virtual std::string_view kind() const = 0;
  /// The public URL this service is reachable at, set once its port is known.
  virtual void set_base_url(std::string url) = 0;
  virtual reply handle(const request& r) = 0;
  /// An error in this API's own shape, for failures outside `handle` (413, 500).
  virtual reply error_reply(unsigned status, std::string_view message) const = 0;
};

/// Matches request segments against a pattern; "*" captures one segment.
/// Returns the captures, or nullopt when the shapes differ.
std::optional<std::vector<std::string>> match(const request& r,
                                              std::initializer_list<std::string_view> pattern);

/// The fault document's key by status, as Nova's and Cinder's wsgi Fault name it
/// ("itemNotFound", "badRequest", ...; "computeFault" for the rest).
std::string_view fault_name(unsigned status);

reply json_reply(unsigned status, const json& body);
reply empty_reply(unsigned status);
/// Parses the body as JSON; nullopt when malformed (empty counts as malformed).
std::optional<json> parse_json(const request& r);

/// Keystone's error document, also what keystonemiddleware answers on behalf of
/// the other services: {"error": {"code", "title", "message"}}.
reply keystone_error(unsigned status, std::string_view message);
std::string_view status_title(unsigned status);
/// The 401 keystonemiddleware sends, with WWW-Authenticate pointing at Keystone.
reply unauthorized_reply(const identity& ids);

/// The X-Auth-Token's context when valid and project-scoped.
std::optional<auth_context> authenticate(const identity& ids, const request& r);

} // namespace fedstack::sim
