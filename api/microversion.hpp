#pragma once
// Compute API microversions: header parsing, negotiation and echo, as Nova does it
// (nova/api/openstack/wsgi.py with microversion_parse).

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace fedstack::api {

/// A microversion `major.minor`, e.g. 2.53.
struct microversion {
  int major = 0;
  int minor = 0;
  friend bool operator==(microversion a, microversion b) {
    return a.major == b.major && a.minor == b.minor;
  }
  friend bool operator!=(microversion a, microversion b) { return !(a == b); }
  friend bool operator<(microversion a, microversion b) {
    return a.major != b.major ? a.major < b.major : a.minor < b.minor;
  }
  friend bool operator>(microversion a, microversion b) { return b < a; }
  friend bool operator<=(microversion a, microversion b) { return !(b < a); }
  friend bool operator>=(microversion a, microversion b) { return !(a < b); }
};

/// The versions a compute endpoint accepts, inclusive. Default: Nova Zed (2.1 to 2.93).
struct microversion_range {
  microversion min{2, 1};
  microversion max{2, 93};
};

/// Parses "X.Y" as Nova does: `^([1-9]\d*)\.([1-9]\d*|0)$` (so "2.01", "2", "v2.1" and
/// "latest" are not versions). Surrounding spaces are ignored.
std::optional<microversion> parse_microversion(std::string_view text);

/// "X.Y".
std::string to_string(microversion v);

/// The outcome of negotiate_microversion.
enum class microversion_status {
  ok,             ///< use `version`
  bad_request,    ///< 400: the header is not a version (Nova's InvalidAPIVersionString)
  not_acceptable, ///< 406: a version outside the range (Nova's InvalidGlobalAPIVersion)
};

/// What negotiate_microversion decided.
struct microversion_result {
  microversion_status status = microversion_status::ok;
  microversion version;  ///< the version to act as (for ok); the refused one (for not_acceptable)
  std::string message;   ///< Nova's error message (for bad_request / not_acceptable)
};

/// Picks the request's compute microversion the way Nova does: the last `compute X.Y`
/// entry of `OpenStack-API-Version` wins; without one, the last value of
/// `X-OpenStack-Nova-API-Version`; without either, `range.min`. "latest" means `range.max`.
/// Pass each header's value (repeated header lines joined with ','), or nullopt if absent.
microversion_result negotiate_microversion(std::optional<std::string_view> openstack_api_version,
                                           std::optional<std::string_view> nova_api_version,
                                           const microversion_range& range = {});

/// The versions Cinder Zed's Block Storage v3 accepts (3.0 to 3.70; its REST API
/// version history).
inline constexpr microversion_range cinder_zed_range{{3, 0}, {3, 70}};

/// Picks the request's Block Storage microversion as Cinder does (it took Nova's
/// mechanism: cinder/api/openstack/api_version_request.py): the last `volume X.Y`
/// entry of `OpenStack-API-Version`, "latest" meaning `range.max`; without one,
/// `range.min`. Cinder has no legacy header of its own.
microversion_result negotiate_volume_microversion(std::optional<std::string_view> openstack_api_version,
                                                  const microversion_range& range = cinder_zed_range);

/// Value for the `OpenStack-API-Version` response header of a volume answer: "volume X.Y".
std::string volume_api_version_header(microversion v);

/// Value for the `OpenStack-API-Version` response header: "compute X.Y".
std::string openstack_api_version_header(microversion v);

/// Value for the `X-OpenStack-Nova-API-Version` response header: "X.Y".
std::string nova_api_version_header(microversion v);

/// Value for the `Vary` response header that Nova adds to versioned answers.
inline constexpr std::string_view microversion_vary_header =
    "OpenStack-API-Version, X-OpenStack-Nova-API-Version";

/// The versions accepted by every cloud: max of the minimums, min of the maximums;
/// nullopt if they do not overlap.
std::optional<microversion_range> intersect(const microversion_range& a,
                                            const microversion_range& b);

/// The range a Nova advertises in its version document (`{"version": {"min_version":
/// "2.1", "version": "2.93", ...}}`) or version list (the entry with id "v2.1").
std::optional<microversion_range> range_from_version_document(const nlohmann::json& doc);

} // namespace fedstack::api
