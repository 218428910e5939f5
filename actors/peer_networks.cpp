#include "actors/peer_networks.hpp"

#include <charconv>

#include "api/ipv4.hpp"

namespace fedstack {

namespace {

struct range {
  std::uint32_t base;
  std::uint32_t mask;
};

// Never a peer, whatever the operator allows.
constexpr range refused_always[] = {
  {0x00000000u, 0xFF000000u},   // 0.0.0.0/8: "this network"
  {0xA9FE0000u, 0xFFFF0000u},   // 169.254.0.0/16: link-local, cloud metadata
  {0xE0000000u, 0xE0000000u},   // 224.0.0.0/3: multicast, reserved, broadcast
};

std::uint32_t mask_of(int prefix) {
  return prefix == 0 ? 0u : ~std::uint32_t{0} << (32 - prefix);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

peer_networks::peer_networks() = default;

std::optional<peer_networks> peer_networks::parse(std::string_view list) {
  peer_networks out;
  out.everything_ = false;
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = trim(list.substr(0, comma));
    if (comma != std::string_view::npos && comma + 1 == list.size()) return std::nullopt;   // "a,"
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (item.empty()) return std::nullopt;
    int prefix = 32;
    if (auto slash = item.find('/'); slash != std::string_view::npos) {
      auto digits = item.substr(slash + 1);
      auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
      if (error != std::errc{} || end != digits.data() + digits.size() || prefix < 0 || prefix > 32)
        return std::nullopt;
      item = item.substr(0, slash);
    }
    auto base = api::parse_ipv4(item);
    if (!base) return std::nullopt;
    auto mask = mask_of(prefix);
    out.allowed_.push_back({*base & mask, mask});
  }
  if (out.allowed_.empty()) return std::nullopt;
  return out;
}

bool peer_networks::allows(const peer_address& address) const {
  auto ip = api::parse_ipv4(address.host);
  if (!ip) return everything_ && is_valid(address);
  for (const auto& r : refused_always)
    if ((*ip & r.mask) == r.base) return false;
  if (everything_) return true;
  for (const auto& n : allowed_)
    if ((*ip & n.mask) == n.base) return true;
  return false;
}

std::string peer_networks::describe() const {
  if (everything_) return "any";
  std::string out;
  for (const auto& n : allowed_) {
    if (!out.empty()) out += ",";
    for (int shift = 24; shift >= 0; shift -= 8) {
      out += std::to_string(n.base >> shift & 0xFF);
      if (shift > 0) out += ".";
    }
    int prefix = 0;
    for (auto m = n.mask; m != 0; m <<= 1) ++prefix;
    out += "/" + std::to_string(prefix);
  }
  return out;
}

}  // namespace fedstack
