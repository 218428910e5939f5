#pragma once
// Who sent a message to the node actor, as its certificate says
// (docs/decisions.md, "Each message is authorized by the sender's certificate").
//
// A node certificate names the cloudlet (region) its agent serves with the
// subjectAltName URI urn:fedstack:cloudlet:<region>; an operator's names
// urn:fedstack:operator and may only read (introspection).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fedstack {

struct peer_identity {
  enum class kind {
    /// An actor of this process.
    local,
    /// An agent serving `cloudlet`.
    cloudlet,
    /// An operator's introspection command: read-only.
    operator_,
    /// A peer whose certificate names no fedstack identity, or one whose
    /// node ID was claimed by two different certificates: refused.
    unknown,
  };
  kind who = kind::unknown;
  /// The region, for kind::cloudlet.
  std::string cloudlet;
  /// The IPv4 addresses the certificate names (subjectAltName IP), dotted;
  /// a cloudlet's agent may announce only these as its node's host. Empty:
  /// any (a certificate without IP names).
  std::vector<std::string> addresses;

  static peer_identity local() { return {kind::local, {}, {}}; }
  static peer_identity of_cloudlet(std::string region) { return {kind::cloudlet, std::move(region), {}}; }
  static peer_identity operator_() { return {kind::operator_, {}, {}}; }
  static peer_identity unknown() { return {kind::unknown, {}, {}}; }

  friend bool operator==(const peer_identity& x, const peer_identity& y) {
    return x.who == y.who && x.cloudlet == y.cloudlet && x.addresses == y.addresses;
  }

  /// True if this identity may announce `host` as its node's address.
  bool may_use_host(const std::string& host) const {
    if (addresses.empty()) return true;
    for (const auto& a : addresses)
      if (a == host) return true;
    return false;
  }
};

/// "local", "cloudlet", "operator" or "unknown" (a metric label).
std::string to_string(peer_identity::kind x);

/// "cloudlet RegionOne", "operator", "local", "unknown" (for logs and errors).
std::string to_string(const peer_identity& x);

/// The URI prefix of a node certificate; the region follows.
inline constexpr std::string_view cloudlet_uri_prefix = "urn:fedstack:cloudlet:";
/// The URI of an operator certificate.
inline constexpr std::string_view operator_uri = "urn:fedstack:operator";

/// The identity a subjectAltName URI names; nullopt for anything else
/// (another scheme, an empty region, or one a region name cannot hold).
std::optional<peer_identity> parse_identity_uri(std::string_view uri);

} // namespace fedstack
