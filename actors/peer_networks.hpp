#pragma once

// Which addresses this node may connect to as federation peers. Peer
// addresses reach a node from outside: gossip, join options, and the owner
// address inside every global ID a client sends. Without a check, a client
// could make the agent open connections anywhere (a crafted global ID naming
// 10.0.0.5:6379), so every outgoing node connection passes this policy first
// (the middleman connector). Plain C++17, no CAF.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/peer.hpp"

namespace fedstack {

class peer_networks {
public:
  /// Everything but the ranges no peer can live in.
  peer_networks();

  /// Parses a comma-separated list of IPv4 CIDRs ("10.1.0.0/24,192.0.2.7/32",
  /// a bare address means /32). nullopt for a malformed list or an empty one.
  static std::optional<peer_networks> parse(std::string_view list);

  /// True when `address` is a dotted IPv4 address inside an allowed network
  /// and outside the ranges refused always: 0.0.0.0/8, link-local
  /// 169.254.0.0/16 (cloud metadata services), multicast and reserved
  /// 224.0.0.0/3. A host name is allowed only when every address is (it could
  /// resolve anywhere).
  bool allows(const peer_address& address) const;

  /// The list as given, for logs.
  std::string describe() const;

private:
  struct network {
    std::uint32_t base = 0;
    std::uint32_t mask = 0;
  };
  std::vector<network> allowed_;
  bool everything_ = true;
};

}  // namespace fedstack
