#pragma once
// Upstream endpoints ("http://host:port/base"): parsing and printing. Plain C++17
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
  std::string to_string() const;   // "http://host:port" + base_path, IPv6 bracketed
};

/// Parses "http://host[:port][/path]"; nullopt for anything else (https is not supported).
std::optional<endpoint> parse_endpoint(std::string_view url);

} // namespace fedstack::http
