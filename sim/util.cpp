#include "sim/util.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <mutex>
#include <optional>
#include <random>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "sim/types.hpp"

namespace fedstack::sim {
namespace {

// One engine for the process; requests may run on several io threads.
std::mutex random_mutex;
std::mt19937_64& engine() {
  static std::mt19937_64 instance{[] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64{seed};
  }()};
  return instance;
}

void random_bytes(unsigned char* out, std::size_t n) {
  // Tokens are credentials: prefer the OS generator, fall back to the engine.
  if (RAND_bytes(out, static_cast<int>(n)) == 1) return;
  std::lock_guard lock{random_mutex};
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<unsigned char>(engine()());
}

constexpr char hex_digits[] = "0123456789abcdef";

std::string format_uuid(std::array<unsigned char, 16> b, unsigned char version) {
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | version);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex_digits[b[i] >> 4]);
    out.push_back(hex_digits[b[i] & 0x0f]);
  }
  return out;
}

} // namespace

clock_fn system_clock_fn() {
  return [] { return std::chrono::system_clock::now(); };
}

std::string new_uuid() {
  std::array<unsigned char, 16> b{};
  random_bytes(b.data(), b.size());
  return format_uuid(b, 0x40);
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

std::string name_uuid(std::string_view name) {
  // RFC 4122 appendix C's URL namespace: any fixed namespace keeps the IDs stable.
  static constexpr std::array<unsigned char, 16> name_space{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                                            0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  std::string input(name_space.begin(), name_space.end());
  input.append(name);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha1(), nullptr);
  std::array<unsigned char, 16> b{};
  std::copy_n(digest, b.size(), b.begin());
  return format_uuid(b, 0x50);
}

std::string new_hex_id() {
  auto id = new_uuid();
  std::erase(id, '-');
  return id;
}

std::string new_random_token(std::size_t bytes) {
  static constexpr char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string raw(bytes, '\0');
  random_bytes(reinterpret_cast<unsigned char*>(raw.data()), raw.size());
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

std::string new_request_id() { return "req-" + new_uuid(); }

std::uint64_t random_between(std::uint64_t low, std::uint64_t high) {
  std::lock_guard lock{random_mutex};
  return std::uniform_int_distribution<std::uint64_t>{low, high}(engine());
}

std::string format_time(time_point at, time_style style) {
  auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(at);
  if (seconds > at) seconds -= std::chrono::seconds{1};   // floor for times before 1970
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(at - seconds).count();
  std::time_t t = std::chrono::system_clock::to_time_t(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  switch (style) {
  case time_style::seconds_z:
    return out + "Z";
  case time_style::micros_z:
  case time_style::micros_naive: {
    char frac[32];
    std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(micros));
    out += frac;
    if (style == time_style::micros_z) out += "Z";
    return out;
  }
  }
  return out;
}

std::string url_decode(std::string_view text, bool plus_is_space) {
  auto hex_value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::string url_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back("0123456789ABCDEF"[c >> 4]);
      out.push_back("0123456789ABCDEF"[c & 0x0f]);
    }
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string to_lower(std::string_view text) {
  std::string out{text};
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<bool> parse_bool(std::string_view text) {
  auto lower = to_lower(text);
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") return false;
  return std::nullopt;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string to_hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(hex_digits[c >> 4]);
    out.push_back(hex_digits[c & 0x0f]);
  }
  return out;
}

std::string sha224_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha224(), nullptr);
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

// --- types.hpp ---

bool header_less::operator()(std::string_view a, std::string_view b) const {
  auto n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    auto x = std::tolower(static_cast<unsigned char>(a[i]));
    auto y = std::tolower(static_cast<unsigned char>(b[i]));
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

std::string request::header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string{} : it->second;
}

std::optional<std::string> request::query_value(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::vector<std::string> request::query_values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : query) {
    if (key == name) out.push_back(value);
  }
  return out;
}

request make_request(std::string method, std::string_view target, std::string body,
                     header_map headers) {
  request r;
  r.method = std::move(method);
  r.body = std::move(body);
  r.headers = std::move(headers);
  auto question = target.find('?');
  r.path = std::string{target.substr(0, question)};
  if (question != std::string_view::npos) {
    auto rest = target.substr(question + 1);
    while (!rest.empty()) {
      auto amp = rest.find('&');
      auto part = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
      if (part.empty()) continue;
      auto eq = part.find('=');
      auto key = url_decode(part.substr(0, eq), true);
      auto value = eq == std::string_view::npos ? std::string{} : url_decode(part.substr(eq + 1), true);
      r.query.emplace_back(std::move(key), std::move(value));
    }
  }
  std::string_view path = r.path;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    r.segments.push_back(url_decode(path.substr(0, slash)));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  return r;
}

} // namespace fedstack::sim
