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
#include <caf/node_id.hpp>
#include <caf/openssl/publish.hpp>

#include "actors/peer_identity.hpp"

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

/// The fedstack identity the certificate in `cert_file` names (SAN URI,
/// peer_identity.hpp); nullopt if it names none or more than one.
std::optional<peer_identity> certificate_identity(const std::string& cert_file);

// -- What a TLS node connection may carry -------------------------------------
//
// The hooks below also read the BASP stream of every node connection (CAF's
// sessions; Asio's TLS streams use memory BIOs and are left alone) and close
// the connection, before CAF sees the message, when a peer sends:
//  - a header announcing more than max_basp_payload bytes (CAF would
//    allocate them);
//  - a routed message (its source node is whatever the sender writes);
//  - a message to the node actor without a sending actor.
// A request or other non-response message to any actor but the published
// node actor, or to a named actor, is dropped (its destination rewritten to
// none before CAF reads the header), so no other local actor can be reached
// by its ID, exit messages included; if its header came in two reads, the
// connection is closed instead.
// From each connection's BASP handshake they bind the peer's node ID to the
// identity its certificate names, until the connection closes: the node
// actor authorizes each message by its sender's node (node.hpp).

/// Largest BASP payload a node connection may announce.
inline constexpr std::uint32_t max_basp_payload = 16u << 20;

/// The actor a peer may send requests to (the published node actor); 0, the
/// default: none (an introspection client).
void set_reachable_actor(caf::actor_id id);

/// The identity bound to `node` by a TLS connection's certificate; nullopt
/// when no TLS connection to that node is open. kind::unknown when its
/// certificate names none or two certificates claimed the node ID.
std::optional<peer_identity> identity_of_node(const caf::node_id& node);

/// Connections closed for what they carried (the list above), since start.
std::uint64_t basp_frames_refused();

/// Handshakes refused or failed since start (both directions): logged as
/// warnings by the hooks in tls.cpp, counted here for tests and metrics.
std::uint64_t tls_handshake_failures();

}  // namespace fedstack
