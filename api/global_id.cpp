#include "api/global_id.hpp"
#include "api/global_id_check.hpp"
#include "api/ipv4.hpp"

#include <array>
#include <cstdio>

#include "api/uuid.hpp"

namespace fedstack::api {
namespace {

using json = nlohmann::json;

std::optional<std::uint64_t> parse_hex(std::string_view text) {
  std::uint64_t value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    else return std::nullopt;
    value = (value << 4) | static_cast<std::uint64_t>(digit);
  }
  return value;
}

const char* tag_prefix(bool is_copy) { return is_copy ? "fedstack_copy_of=" : "fedstack_gid="; }

constexpr std::string_view attempt_prefix = "fedstack_attempt=";
constexpr std::string_view federation_tag_prefix = "fedstack_";
constexpr std::string_view pending_prefix = "fedstack_pending=";

// FNV-1a, then SplitMix64's finalizer: stable across builds and platforms
// (std::hash is not), spread over every bit.
std::uint64_t hash64(std::string_view text, std::uint64_t seed) {
  std::uint64_t h = seed;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

/// A server's marker read from its metadata: the boot's, per server when several.
std::optional<marker> server_marker(const json& item, std::optional<marker> m) {
  if (!m || m->is_copy) return m;
  auto multi = item["metadata"].find(std::string(multi_key));
  if (multi == item["metadata"].end() || *multi != "1") return m;
  auto id = item.find("id");
  if (id == item.end() || !id->is_string()) return m;
  auto own = server_global_id(m->global_id, id->get_ref<const std::string&>());
  if (!own) return m;
  m->shared_id = std::move(m->global_id);
  m->global_id = std::move(*own);
  return m;
}

std::optional<marker> from_object(const json& holder) {
  if (!holder.is_object()) return std::nullopt;
  for (bool is_copy : {false, true}) {
    auto key = std::string(is_copy ? copy_of_key : gid_key);
    auto it = holder.find(key);
    if (it != holder.end() && it->is_string() && global_id_owner(it->get<std::string>())) {
      marker m{it->get<std::string>(), is_copy, {}};
      auto token = holder.find(std::string(attempt_key));
      if (token != holder.end() && token->is_string() && is_attempt_token(token->get<std::string>()))
        m.attempt = token->get<std::string>();
      return m;
    }
  }
  return std::nullopt;
}

} // namespace

std::optional<std::string> make_global_id(const node_address& owner) {
  auto ip = parse_ipv4(owner.host);
  if (!ip) return std::nullopt;
  // The random part keeps make_uuid's 16 hex digits of groups 1-3 and the
  // clock-seq group, with the version nibble set to 8.
  auto id = make_uuid();
  id[14] = '8';
  char node[13];
  std::snprintf(node, sizeof node, "%08x%04x", *ip, static_cast<unsigned>(owner.port));
  id.replace(24, 12, node);
  return id;
}

std::optional<std::string> server_global_id(std::string_view shared, std::string_view local_id) {
  if (!global_id_owner(shared)) return std::nullopt;
  std::string key;
  for (char c : shared) key.push_back(c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c);
  std::string id = key;
  key.push_back('/');
  key.append(local_id);
  auto low = hash64(key, 0xcbf29ce484222325ULL);
  auto high = hash64(key, low ^ 0x84222325cbf29ce4ULL);
  // The digits make_global_id draws at random; the version nibble (14), the
  // variant (19) and the owner (24-35) stay the boot's.
  static constexpr char hex[] = "0123456789abcdef";
  int drawn = 0;
  for (std::size_t i = 0; i < 24; ++i) {
    if (i == 8 || i == 13 || i == 14 || i == 18 || i == 19 || i == 23) continue;
    auto bits = drawn < 16 ? low >> (4 * drawn) : high >> (4 * (drawn - 16));
    id[i] = hex[bits & 15];
    ++drawn;
  }
  return id;
}

bool is_global_id(std::string_view id) {
  if (!is_uuid(id) || id[14] != '8') return false;
  char variant = id[19];
  if (!(variant == '8' || variant == '9' || variant == 'a' || variant == 'b' || variant == 'A' ||
        variant == 'B'))
    return false;
  auto port = parse_hex(id.substr(32, 4));
  return parse_hex(id.substr(24, 8)) && port && *port != 0;
}

std::optional<node_address> global_id_owner(std::string_view id) {
  if (!is_global_id(id)) return std::nullopt;
  auto ip = parse_hex(id.substr(24, 8));
  auto port = parse_hex(id.substr(32, 4));
  char host[16];
  std::snprintf(host, sizeof host, "%u.%u.%u.%u", unsigned(*ip >> 24), unsigned((*ip >> 16) & 255),
                unsigned((*ip >> 8) & 255), unsigned(*ip & 255));
  return node_address{host, static_cast<std::uint16_t>(*port)};
}

bool is_attempt_token(std::string_view text) {
  if (text.size() != 32) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string pending_description(std::string_view token) {
  return std::string(pending_prefix) + std::string(token);
}

std::optional<std::string> pending_token(std::string_view description) {
  if (description.substr(0, pending_prefix.size()) != pending_prefix) return std::nullopt;
  auto token = description.substr(pending_prefix.size());
  if (!is_attempt_token(token)) return std::nullopt;
  return std::string(token);
}

std::string attempt_tag(std::string_view token) { return std::string(attempt_prefix) + std::string(token); }

std::optional<marker> read_marker(service_type service, const json& item) {
  if (!item.is_object()) return std::nullopt;
  switch (service) {
    case service_type::image: {
      // A snapshot or shelve image (Nova names its server) inherits the
      // markers of the image its server booted from: they are not its own.
      auto server = item.find("instance_uuid");
      if (server != item.end() && server->is_string()) {
        auto own = item.find(std::string(snapshot_of_key));
        if (own == item.end() || *own != *server) return std::nullopt;
      }
      return from_object(item);
    }
    case service_type::compute:
      return item.contains("metadata") ? server_marker(item, from_object(item["metadata"])) : std::nullopt;
    case service_type::volume:   // Cinder's metadata
      return item.contains("metadata") ? from_object(item["metadata"]) : std::nullopt;
    case service_type::network: {
      auto tags = item.find("tags");
      if (tags == item.end() || !tags->is_array()) return std::nullopt;
      std::optional<marker> found;
      std::string token;
      for (const auto& tag : *tags) {
        if (!tag.is_string()) continue;
        const auto& text = tag.get_ref<const std::string&>();
        if (text.compare(0, attempt_prefix.size(), attempt_prefix) == 0 &&
            is_attempt_token(std::string_view(text).substr(attempt_prefix.size())))
          token = text.substr(attempt_prefix.size());
        for (bool is_copy : {false, true}) {
          std::string_view prefix = tag_prefix(is_copy);
          if (found || text.compare(0, prefix.size(), prefix) != 0) continue;
          auto id = text.substr(prefix.size());
          if (global_id_owner(id)) found = marker{id, is_copy, {}};
        }
      }
      if (found) found->attempt = token;
      return found;
    }
    default:
      return std::nullopt;
  }
}

void strip_marker(service_type service, json& item) {
  if (!item.is_object()) return;
  switch (service) {
    case service_type::image:
      item.erase(std::string(snapshot_of_key));
      item.erase(std::string(gid_key));
      item.erase(std::string(copy_of_key));
      item.erase(std::string(attempt_key));
      return;
    case service_type::compute:
    case service_type::volume:
      if (item.contains("metadata") && item["metadata"].is_object()) {
        item["metadata"].erase(std::string(gid_key));
        item["metadata"].erase(std::string(copy_of_key));
        item["metadata"].erase(std::string(attempt_key));
        if (service == service_type::compute) item["metadata"].erase(std::string(multi_key));
      }
      return;
    case service_type::network:
      if (item.contains("tags") && item["tags"].is_array()) {
        auto& tags = item["tags"];
        json kept = json::array();
        for (const auto& tag : tags) {
          // Every tag of the federation, not only the marker: `fedstack_sg_copy_of=`, `fedstack_fip_used`
          // (clients cannot set them either: agent/rules/marker_guard.hpp).
          bool ours = tag.is_string() && tag.get_ref<const std::string&>().rfind(federation_tag_prefix, 0) == 0;
          if (!ours) kept.push_back(tag);
        }
        tags = std::move(kept);
      }
      if (auto d = item.find("description"); d != item.end() && d->is_string() &&
                                              pending_token(d->get_ref<const std::string&>()))
        *d = "";
      return;
    default:
      return;
  }
}

std::string marker_tag(const marker& m) { return tag_prefix(m.is_copy) + m.global_id; }

void add_marker(service_type service, json& create_body, const marker& m) {
  auto key = std::string(m.is_copy ? copy_of_key : gid_key);
  if (service == service_type::image && create_body.is_object()) {
    create_body[key] = m.global_id;
    if (!m.attempt.empty()) create_body[std::string(attempt_key)] = m.attempt;
    return;
  }
  // Nova's `{"server": ...}`; Cinder's `{"volume": ...}` or `{"snapshot": ...}`.
  const char* wrapper = service == service_type::compute ? "server"
                        : create_body.is_object() && create_body.contains("snapshot") ? "snapshot"
                        : create_body.is_object() && create_body.contains("backup")   ? "backup"
                                                                                      : "volume";
  if ((service == service_type::compute || service == service_type::volume) && create_body.is_object() &&
      create_body.contains(wrapper) && create_body[wrapper].is_object()) {
    auto& server = create_body[wrapper];
    if (!server.contains("metadata") || !server["metadata"].is_object()) server["metadata"] = json::object();
    server["metadata"][key] = m.created_as();
    if (!m.attempt.empty()) server["metadata"][std::string(attempt_key)] = m.attempt;
    if (service == service_type::compute && !m.shared_id.empty()) server["metadata"][std::string(multi_key)] = "1";
  }
}

} // namespace fedstack::api
