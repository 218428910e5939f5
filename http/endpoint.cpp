#include "http/endpoint.hpp"

#include <charconv>

namespace fedstack::http {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// A DNS name or IPv4 address: anything else (userinfo '@', brackets, '%') would be
// read differently by the resolver, a log reader or to_string().
bool is_name_host(std::string_view host) {
  for (char c : host)
    if (!is_alnum(c) && c != '-' && c != '.' && c != '_' && c != '~') return false;
  return !host.empty();
}

bool is_ipv6_literal(std::string_view host) {
  for (char c : host)
    if (!is_hex(c) && c != ':' && c != '.') return false;
  return host.find(':') != std::string_view::npos;
}

// Endpoint URLs end up in request lines: no spaces, controls, non-ASCII or fragments,
// and no '\\', which some servers read as '/' (the agent refuses it too, api/route.hpp).
bool has_bad_byte(std::string_view url) {
  for (char c : url) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '#' || c == '\\') return true;
  }
  return false;
}

} // namespace

std::string endpoint::origin() const {
  auto authority = host.find(':') == std::string::npos ? host : "[" + host + "]";
  auto scheme = tls ? "https://" : "http://";
  if (port_implied) return scheme + authority;
  return scheme + authority + ":" + std::to_string(port);
}

std::string endpoint::to_string() const { return origin() + base_path; }

std::optional<endpoint> parse_endpoint(std::string_view url) {
  constexpr std::string_view http = "http://";
  constexpr std::string_view https = "https://";
  if (has_bad_byte(url)) return std::nullopt;
  endpoint result;
  if (url.substr(0, http.size()) == http) {
    url.remove_prefix(http.size());
  } else if (url.substr(0, https.size()) == https) {
    url.remove_prefix(https.size());
    result.tls = true;
    result.port = 443;
  } else {
    return std::nullopt;
  }
  auto slash = url.find('/');
  auto authority = url.substr(0, slash);
  if (slash != std::string_view::npos) result.base_path = std::string(url.substr(slash));
  while (!result.base_path.empty() && result.base_path.back() == '/') result.base_path.pop_back();
  if (authority.empty()) return std::nullopt;
  if (authority.front() == '[') {   // [v6]:port
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    result.host = std::string(authority.substr(1, close - 1));
    if (!is_ipv6_literal(result.host)) return std::nullopt;
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') return std::nullopt;
  } else {
    auto colon = authority.find(':');
    result.host = std::string(authority.substr(0, colon));
    if (!is_name_host(result.host)) return std::nullopt;
    authority.remove_prefix(colon == std::string_view::npos ? authority.size() : colon);
  }
  if (result.host.empty()) return std::nullopt;
  result.port_implied = authority.empty();
  if (!authority.empty()) {   // ":port"
    auto digits = authority.substr(1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || end != digits.data() + digits.size() || value == 0 || value > 65535)
      return std::nullopt;
    result.port = static_cast<std::uint16_t>(value);
  }
  return result;
}

} // namespace fedstack::http
