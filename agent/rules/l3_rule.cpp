#include "agent/rules/l3_rule.hpp"

#include <algorithm>
#include <array>
#include <set>

#include <openssl/sha.h>

#include "api/global_id.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {

namespace {

// The federation's namespace for external network names (a fixed random UUID).
constexpr std::array<unsigned char, 16> external_namespace = {0x6f, 0x1e, 0x3c, 0x52, 0x9a, 0x07, 0x4d, 0x61,
                                                              0x8b, 0x2f, 0x55, 0xc0, 0xe4, 0x19, 0x73, 0xad};

bool is_true(const nlohmann::json& item, const char* key) {
  auto it = item.find(key);
  return it != item.end() && it->is_boolean() && it->get<bool>();
}

} // namespace

std::string external_network_id(std::string_view name) {
  std::string input(external_namespace.begin(), external_namespace.end());
  input.append(name);
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);   // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);   // variant RFC 4122
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 15]);
  }
  return out;
}

bool is_external_network_id(std::string_view id) { return api::is_uuid(id) && id[14] == '5'; }

bool is_operator_external(const nlohmann::json& network) {
  if (!network.is_object() || !is_true(network, "router:external")) return false;
  // A network the federation made is marked on its cloud and shown by its global ID.
  if (api::global_id_owner(network.value("id", std::string{}))) return false;
  return !api::read_marker(api::service_type::network, network);
}

void merge_external_networks(std::vector<std::vector<nlohmann::json>*>& pages) {
  std::set<std::string> seen;
  for (auto* page : pages) {
    std::vector<nlohmann::json> kept;
    for (auto& item : *page) {
      std::string id = item.is_object() ? item.value("id", std::string{}) : std::string{};
      if (is_operator_external(item)) {
        id = external_network_id(item.value("name", std::string{}));
        item["id"] = id;
      }
      if (is_external_network_id(id) && !seen.insert(id).second) continue;
      kept.push_back(std::move(item));
    }
    *page = std::move(kept);
  }
}

std::string floating_ip_home(const std::optional<std::string>& port_cloudlet, const std::string& own) {
  return port_cloudlet ? *port_cloudlet : own;
}

association_decision decide_association(const floating_ip_facts& facts, const std::string& port_cloudlet) {
  association_decision out;
  if (!facts.federation_made) {
    out.reason = "The floating IP was not allocated through the federation; associate it with a port on its own cloudlet.";
  } else if (facts.associated) {
    out.reason = "The floating IP is associated with another port; disassociate it first.";
  } else if (facts.ever_associated) {
    out.reason = "The floating IP was associated before, so its address is kept on its cloudlet; "
                 "allocate a new floating IP for a port on " + port_cloudlet + ".";
  } else if (!facts.external_there) {
    out.reason = "The port's cloudlet " + port_cloudlet + " has no external network of the floating IP's name.";
  } else {
    out.step = association_step::relocate;
  }
  return out;
}

std::vector<std::string> router_copy_targets(const std::vector<std::string>& subnet_cloudlets,
                                             const std::vector<std::string>& router_cloudlets) {
  std::vector<std::string> out;
  for (const auto& c : subnet_cloudlets) {
    if (std::find(router_cloudlets.begin(), router_cloudlets.end(), c) != router_cloudlets.end()) continue;
    if (std::find(out.begin(), out.end(), c) != out.end()) continue;
    out.push_back(c);
  }
  return out;
}

} // namespace fedstack::agent
