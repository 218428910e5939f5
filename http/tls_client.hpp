#pragma once
// TLS to https:// upstreams (clouds and Keystone): one client context for the
// process, verifying every peer against the system's CAs or a configured CA
// file, and the peer's name against the endpoint's host (SNI sent for names).

#include <string>

#include <boost/asio/ssl/context.hpp>

#include "http/asio.hpp"

namespace fedstack::http {

namespace ssl = boost::asio::ssl;

/// Sets the CAs upstream certificates must chain to: `ca_file` (PEM, one or more
/// certificates) when given, else the system's. Call before the first https
/// call; throws std::runtime_error naming the file when it cannot be read.
void configure_upstream_tls(const std::string& ca_file);

/// The process's client context (the system's CAs until configured).
ssl::context& upstream_tls_context();

/// Prepares `ssl_handle` (an OpenSSL SSL*) to talk to `host`: SNI for a DNS name,
/// and the certificate must name `host` (DNS name or IP address).
void expect_peer(void* ssl_handle, const std::string& host);

/// Why a TLS handshake failed, for an error message: the certificate check's
/// verdict when it failed ("certificate verify failed: Hostname mismatch"),
/// else the error's own message.
std::string describe_handshake_failure(void* ssl_handle, const boost::system::error_code& ec);

} // namespace fedstack::http
