#include "sim/ip_address.hpp"

#include <arpa/inet.h>

#include <limits>

namespace fedstack::sim {
namespace {

int width(int version) { return version == 4 ? 32 : 128; }
std::size_t byte_count(int version) { return version == 4 ? 4 : 16; }

ip_address masked(ip_address a, int prefix, bool set_host_bits) {
  auto n = byte_count(a.version);
  for (std::size_t i = 0; i < n; ++i) {
    int bit_start = static_cast<int>(i) * 8;
    for (int b = 0; b < 8; ++b) {
      if (bit_start + b < prefix) continue;
      auto mask = static_cast<std::uint8_t>(0x80 >> b);
      if (set_host_bits) a.bytes[i] |= mask;
      else a.bytes[i] &= static_cast<std::uint8_t>(~mask);
    }
  }
  return a;
}

} // namespace

std::string ip_address::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(version == 4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<ip_address> parse_ip(std::string_view text) {
  std::string s{text};
  ip_address a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.version = 4;
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.version = 6;
    return a;
  }
  return std::nullopt;
}

ip_address add(const ip_address& address, std::uint64_t n) {
  auto out = address;
  auto i = static_cast<int>(byte_count(address.version)) - 1;
  unsigned carry = 0;
  while (i >= 0 && (n > 0 || carry)) {
    unsigned sum = out.bytes[static_cast<std::size_t>(i)] + static_cast<unsigned>(n & 0xff) + carry;
    out.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(sum & 0xff);
    carry = sum >> 8;
    n >>= 8;
    --i;
  }
  return out;
}

std::uint64_t distance(const ip_address& from, const ip_address& to) {
  if (to <= from) return 0;
  auto n = byte_count(from.version);
  // Subtract byte-wise, then fold into 64 bits with saturation.
  std::array<int, 16> diff{};
  int borrow = 0;
  for (int i = static_cast<int>(n) - 1; i >= 0; --i) {
    int d = to.bytes[static_cast<std::size_t>(i)] - from.bytes[static_cast<std::size_t>(i)] - borrow;
    borrow = d < 0;
    diff[static_cast<std::size_t>(i)] = d < 0 ? d + 256 : d;
  }
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (value > (std::numeric_limits<std::uint64_t>::max() >> 8)) return std::numeric_limits<std::uint64_t>::max();
    value = (value << 8) | static_cast<std::uint64_t>(diff[i]);
  }
  return value;
}

std::string ip_network::to_string() const { return base.to_string() + "/" + std::to_string(prefix); }

bool ip_network::contains(const ip_address& a) const {
  return a.version == base.version && masked(a, prefix, false) == base;
}

bool ip_network::overlaps(const ip_network& other) const {
  if (other.base.version != base.version) return false;
  return contains(other.base) || other.contains(base);
}

ip_address ip_network::last() const { return masked(base, prefix, true); }

std::optional<parsed_cidr> parse_cidr(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = parse_ip(text.substr(0, slash));
  auto prefix_text = text.substr(slash + 1);
  if (!address || prefix_text.empty() || prefix_text.size() > 3) return std::nullopt;
  int prefix = 0;
  for (char c : prefix_text) {
    if (c < '0' || c > '9') return std::nullopt;
    prefix = prefix * 10 + (c - '0');
  }
  if (prefix > width(address->version)) return std::nullopt;
  parsed_cidr out;
  out.network.prefix = prefix;
  out.network.base = masked(*address, prefix, false);
  out.exact = out.network.base == *address;
  return out;
}

} // namespace fedstack::sim
