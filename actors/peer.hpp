#pragma once

// Value types of the membership protocol: where a peer lives and what a
// neighbour-cache entry says about it. Plain C++17, no CAF: actors/actors.hpp
// adds the inspect overloads that let these travel in messages.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fedstack {

/// Where a node's CAF node actor is published.
struct peer_address {
  std::string host;
  std::uint16_t port = 0;
};

/// One neighbour-cache entry: CYCLON's (address, age) plus what the node
/// says about itself.
struct peer_entry {
  peer_address address;
  /// Cycles since the node at `address` created this entry about itself.
  std::uint32_t age = 0;
  /// The node's region (cloudlet name), as it announced it.
  std::string region;
  /// The node's HTTP API, as it announced it.
  std::string http_url;
};

/// Longest host name we accept (DNS names are at most 253 characters).
constexpr std::size_t max_host_size = 253;

/// Longest region or URL we keep from a peer; longer entries are dropped so
/// that a confused or hostile peer cannot bloat every cache it reaches.
constexpr std::size_t max_peer_text_size = 1024;

bool operator==(const peer_address& x, const peer_address& y);
bool operator!=(const peer_address& x, const peer_address& y);
/// Orders by host, then port (for maps and sorted output).
bool operator<(const peer_address& x, const peer_address& y);

bool operator==(const peer_entry& x, const peer_entry& y);
bool operator!=(const peer_entry& x, const peer_entry& y);

/// "host:port"; an IPv6 literal is bracketed: "[::1]:4000".
std::string to_string(const peer_address& x);

/// Parses "host:port" or "[v6]:port"; nullopt unless the host is non-empty,
/// at most max_host_size characters without spaces, control characters or brackets,
/// and the port is 1..65535.
std::optional<peer_address> parse_peer_address(std::string_view text);

/// True if the address could have come from parse_peer_address.
bool is_valid(const peer_address& x);

/// A valid address and region/URL within max_peer_text_size.
bool is_valid(const peer_entry& x);

/// The cache as a self-describing JSON document, for persistence:
/// {"version":1,"entries":[{"host":..,"port":..,"age":..,"region":..,"url":..}]}.
std::string encode_peer_entries(const std::vector<peer_entry>& entries);

/// Inverse of encode_peer_entries; nullopt if the text is not such a
/// document. Invalid entries inside a valid document are skipped.
std::optional<std::vector<peer_entry>> decode_peer_entries(std::string_view text);

}  // namespace fedstack
