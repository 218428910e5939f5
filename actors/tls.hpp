#pragma once
// Peer authentication on the node port: CAF's openssl module with a
// federation CA (docs/decisions.md, "Peers authenticate each other").
//
// With a CA, a certificate and its key, a node is published through CAF's
// openssl manager and every outgoing connection (the middleman connector,
// the introspection commands) goes through the same manager: both sides of
// every connection present a certificate signed by the CA and verify the
// other's. Without them, the node speaks plain BASP, as before.
//
// CAF reads the three files at every connection and throws (killing the
// process) when it cannot, so check_tls_files runs once at start-up and
// turns every problem into a message instead.

#include <cstdint>
#include <optional>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/expected.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/openssl/publish.hpp>

namespace fedstack {

/// A node's TLS identity: PEM files. All three set, or none.
struct tls_files {
  std::string ca;    ///< the federation CA's certificate (the only trusted issuer)
  std::string cert;  ///< this process' certificate, issued by `ca`
  std::string key;   ///< its private key (unencrypted PEM)
};

/// True when all three files are named.
bool tls_enabled(const tls_files& files);

/// What the certificate is used for: a node both accepts and opens
/// connections; an operator's client only opens them.
enum class tls_role { node, client };

/// Nullopt when `files` is usable: none named, or all three readable, the key
/// matching the certificate, and the certificate issued by the CA, valid now
/// and allowed for `role` (extended key usage). Otherwise a message that
/// names the file and the problem. `names` are the option names for the
/// message about a partial set, e.g. "--node-ca, --node-cert and --node-key".
std::optional<std::string> check_tls_files(const tls_files& files, tls_role role,
                                           const std::string& names);

/// Loads CAF's openssl module (after the io middleman) and points it at
/// `files`, which must be enabled. Also turns off BASP's automatic
/// connections, which would open plain TCP connections beside TLS ones.
void use_tls(caf::actor_system_config& cfg, const tls_files& files);

/// True if `sys` was configured with use_tls.
bool uses_tls(const caf::actor_system& sys);

/// The actor that opens node connections and publishes: the openssl
/// manager's with TLS, else the io middleman's. Requires a loaded middleman.
caf::io::middleman_actor node_middleman(caf::actor_system& sys);

/// Publishes `whom` through node_middleman(sys).
template <class Handle>
caf::expected<std::uint16_t> publish_node(caf::actor_system& sys, const Handle& whom,
                                          std::uint16_t port, const char* address,
                                          bool reuse) {
  if (uses_tls(sys))
    return caf::openssl::publish(whom, port, address, reuse);
  return sys.middleman().publish(whom, port, address, reuse);
}

/// Handshakes refused or failed since start (both directions): logged as
/// warnings by the hooks in tls.cpp, counted here for tests and metrics.
std::uint64_t tls_handshake_failures();

}  // namespace fedstack
