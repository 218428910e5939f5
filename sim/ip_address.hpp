#pragma once
// IPv4/IPv6 addresses and CIDRs, just enough arithmetic for subnet gateways,
// allocation pools and fixed-IP allocation.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fedstack::sim {

struct ip_address {
  int version = 4;                      // 4 or 6
  std::array<std::uint8_t, 16> bytes{};   // IPv4 uses the first 4, big-endian
  auto operator<=>(const ip_address&) const = default;
  std::string to_string() const;
};

std::optional<ip_address> parse_ip(std::string_view text);
/// `address` + n (wraps silently; callers stay inside their network).
ip_address add(const ip_address& address, std::uint64_t n);
/// to - from, saturating at UINT64_MAX; 0 when to < from.
std::uint64_t distance(const ip_address& from, const ip_address& to);

struct ip_network {
  ip_address base;   // host bits cleared
  int prefix = 0;
  std::string to_string() const;
  bool contains(const ip_address& a) const;
  bool overlaps(const ip_network& other) const;
  /// The highest address (IPv4 broadcast).
  ip_address last() const;
};

/// Parses "10.0.0.0/24". `exact` is false when host bits were set ("10.0.0.5/24").
struct parsed_cidr {
  ip_network network;
  bool exact = true;
};
std::optional<parsed_cidr> parse_cidr(std::string_view text);

} // namespace fedstack::sim
