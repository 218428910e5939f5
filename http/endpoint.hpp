#pragma once
// Upstream endpoints ("http://host:port/base" or "https://..."): parsing and printing. Plain C++17
// without Beast, so that it can be fuzzed with clang (tests/fuzz).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fedstack::http {

/// "http://host:port/base" split into its parts.
struct endpoint {
  std::string host;        // an IPv6 literal without its brackets
  std::uint16_t port = 80;
  std::string base_path;   // without trailing '/', may be empty
  bool tls = false;        // https: TLS, verified (http/tls_client.hpp)
  bool port_implied = false;   // the URL named no port: the scheme's
  /// "http://host:port" (the port left out when the URL did), IPv6 bracketed:
  /// how the URL began, so that a cloud's links can be recognised in its answers.
  std::string origin() const;
  std::string to_string() const;   // origin() + base_path
};

/// Parses "http://host[:port][/path]" or "https://host[:port][/path]" (port 80
/// or 443 when none is given); nullopt for anything else.
std::optional<endpoint> parse_endpoint(std::string_view url);

} // namespace fedstack::http
