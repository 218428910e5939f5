#include "actors/peer.hpp"

#include <algorithm>
#include <charconv>
#include <tuple>

#include <nlohmann/json.hpp>

namespace fedstack {

namespace {

// Hosts end up in logs, DOT output and the CLI: no spaces or control bytes.
// No brackets either: they delimit an IPv6 literal in "[v6]:port", so a host
// holding one would not parse back to itself (the fuzzer found "[27.0..0]").
bool is_host_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7f && c != '[' && c != ']';
}

bool is_valid_host(std::string_view host) {
  return !host.empty() && host.size() <= max_host_size
         && std::all_of(host.begin(), host.end(), is_host_char);
}

constexpr int codec_version = 1;

}  // namespace

bool operator==(const peer_address& x, const peer_address& y) {
  return x.port == y.port && x.host == y.host;
}

bool operator!=(const peer_address& x, const peer_address& y) {
  return !(x == y);
}

bool operator<(const peer_address& x, const peer_address& y) {
  return std::tie(x.host, x.port) < std::tie(y.host, y.port);
}

bool operator==(const peer_entry& x, const peer_entry& y) {
  return x.address == y.address && x.age == y.age && x.region == y.region
         && x.http_url == y.http_url;
}

bool operator!=(const peer_entry& x, const peer_entry& y) {
  return !(x == y);
}

std::string to_string(const peer_address& x) {
  auto port = std::to_string(x.port);
  if (x.host.find(':') != std::string::npos)
    return "[" + x.host + "]:" + port;
  return x.host + ":" + port;
}

std::optional<peer_address> parse_peer_address(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    // "[v6]:port": the brackets keep the address's colons apart from ours.
    auto close = text.find(']');
    if (close == text.npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == text.npos)
      return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != host.npos)
      return std::nullopt;  // an unbracketed IPv6 literal is ambiguous
  }
  unsigned value = 0;
  auto [end, err] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (err != std::errc{} || end != port.data() + port.size() || port.empty() || value == 0
      || value > 65535)
    return std::nullopt;
  if (!is_valid_host(host))
    return std::nullopt;
  return peer_address{std::string{host}, static_cast<std::uint16_t>(value)};
}

bool is_valid(const peer_address& x) {
  return x.port != 0 && is_valid_host(x.host);
}

bool is_valid(const peer_entry& x) {
  return is_valid(x.address) && x.region.size() <= max_peer_text_size
         && x.http_url.size() <= max_peer_text_size;
}

std::string encode_peer_entries(const std::vector<peer_entry>& entries) {
  auto list = nlohmann::json::array();
  for (const auto& entry : entries)
    list.push_back({{"host", entry.address.host},
                    {"port", entry.address.port},
                    {"age", entry.age},
                    {"region", entry.region},
                    {"url", entry.http_url}});
  nlohmann::json doc = {{"version", codec_version}, {"entries", std::move(list)}};
  return doc.dump();
}

std::optional<std::vector<peer_entry>> decode_peer_entries(std::string_view text) {
  auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object())
    return std::nullopt;
  // Compared as a JSON value: a string version threw type_error and a huge float was
  // cast to int (undefined) with value("version", 0) (tests/fuzz/stored_records.cpp).
  auto version = doc.find("version");
  if (version == doc.end() || *version != codec_version || !doc.contains("entries")
      || !doc["entries"].is_array())
    return std::nullopt;
  std::vector<peer_entry> result;
  for (const auto& item : doc["entries"]) {
    // A damaged entry costs one neighbour, not the whole cache.
    if (!item.is_object())
      continue;
    auto str = [&item](const char* key) -> std::optional<std::string> {
      auto i = item.find(key);
      if (i == item.end() || !i->is_string())
        return std::nullopt;
      return i->get<std::string>();
    };
    auto num = [&item](const char* key, std::uint64_t max) -> std::optional<std::uint64_t> {
      auto i = item.find(key);
      if (i == item.end() || !i->is_number_unsigned() || i->get<std::uint64_t>() > max)
        return std::nullopt;
      return i->get<std::uint64_t>();
    };
    auto host = str("host");
    auto port = num("port", 65535);
    auto age = num("age", UINT32_MAX);
    auto region = str("region");
    auto url = str("url");
    if (!host || !port || !age || !region || !url)
      continue;
    peer_entry entry{{*host, static_cast<std::uint16_t>(*port)},
                     static_cast<std::uint32_t>(*age), *region, *url};
    if (is_valid(entry))
      result.push_back(std::move(entry));
  }
  return result;
}

}  // namespace fedstack
