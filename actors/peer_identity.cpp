#include "actors/peer_identity.hpp"

namespace fedstack {

std::string to_string(peer_identity::kind x) {
  switch (x) {
    case peer_identity::kind::local: return "local";
    case peer_identity::kind::cloudlet: return "cloudlet";
    case peer_identity::kind::operator_: return "operator";
    case peer_identity::kind::unknown: break;
  }
  return "unknown";
}

std::string to_string(const peer_identity& x) {
  if (x.who == peer_identity::kind::cloudlet) return "cloudlet " + x.cloudlet;
  return to_string(x.who);
}

std::optional<peer_identity> parse_identity_uri(std::string_view uri) {
  if (uri == operator_uri) return peer_identity::operator_();
  if (uri.substr(0, cloudlet_uri_prefix.size()) != cloudlet_uri_prefix) return std::nullopt;
  auto region = uri.substr(cloudlet_uri_prefix.size());
  if (region.empty() || region.size() > 255) return std::nullopt;
  for (unsigned char c : region)
    if (c < 0x21 || c > 0x7e) return std::nullopt;   // printable, no spaces: it becomes a label
  return peer_identity::of_cloudlet(std::string{region});
}

} // namespace fedstack
