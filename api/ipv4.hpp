#pragma once
// Dotted-quad IPv4 addresses as numbers: global IDs carry one, and the peer
// networks an agent may connect to are compared against them.

#include <cstdint>
#include <optional>
#include <string_view>

namespace fedstack::api {

/// The address as a number (first octet highest); nullopt unless `text` is
/// exactly four decimal octets 0..255 without leading zeros (which other
/// parsers read as octal, so "010.0.0.1" could name two different hosts).
std::optional<std::uint32_t> parse_ipv4(std::string_view text);

} // namespace fedstack::api
