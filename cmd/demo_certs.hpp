#pragma once
// The demo's federation CA and certificates, made with OpenSSL's API (no
// openssl command needed): what scripts/fedstack-certs.sh makes for a real
// deployment, in the demo's data directory, reused by the next run.

#include <optional>
#include <string>
#include <vector>

namespace fedstack::cmd {

struct demo_cert_paths {
  std::string ca;     ///< ca.crt
  std::string cert;   ///< NAME.crt
  std::string key;    ///< NAME.key
};

/// Makes DIR/ca.{crt,key} unless both exist. Nullopt on success, else why not.
std::optional<std::string> ensure_demo_ca(const std::string& dir);

/// A node certificate of the CA in DIR for `region` (SAN IP:127.0.0.1 and
/// URI:urn:fedstack:cloudlet:REGION) at DIR/NAME.{crt,key}, made unless both
/// exist; or, with `region` empty, an operator's (URI:urn:fedstack:operator).
std::optional<std::string> ensure_demo_cert(const std::string& dir, const std::string& name,
                                            const std::string& region, demo_cert_paths& out);

} // namespace fedstack::cmd
