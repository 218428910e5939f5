#include "api/ipv4.hpp"

#include <charconv>

namespace fedstack::api {

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  std::uint32_t value = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (text.empty() || text.front() != '.') return std::nullopt;
      text.remove_prefix(1);
    }
    // Digits only, no leading zeros (0127 would read as octal elsewhere).
    std::size_t digits = 0;
    while (digits < text.size() && digits < 4 && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits == 0 || digits > 3 || (digits > 1 && text[0] == '0')) return std::nullopt;
    unsigned octet = 0;
    std::from_chars(text.data(), text.data() + digits, octet);
    if (octet > 255) return std::nullopt;
    value = value << 8 | octet;
    text.remove_prefix(digits);
  }
  if (!text.empty()) return std::nullopt;
  return value;
}

} // namespace fedstack::api
