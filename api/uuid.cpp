#include "api/uuid.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <sys/random.h>
#include <unordered_set>

namespace fedstack::api {
namespace {

constexpr std::size_t uuid_length = 36;

// One table read per byte: find_uuid runs over every long string of every list.
constexpr std::array<bool, 256> hex_digits = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'f'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'F'; ++c) t[c] = true;
  return t;
}();

bool is_hex(char c) noexcept { return hex_digits[static_cast<unsigned char>(c)]; }

bool is_run_char(char c) noexcept { return is_hex(c) || c == '-'; }

// Every random bit comes from the kernel's CSPRNG (getrandom(2)): IDs must not be
// predictable from earlier ones, and a forked process must not repeat its parent's
// (a seeded engine would do both).
void random_bytes(void* out, std::size_t size) {
  auto* at = static_cast<unsigned char*>(out);
  while (size > 0) {
    auto got = ::getrandom(at, size, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    at += got;
    size -= static_cast<std::size_t>(got);
  }
}

// Calls `found(position)` for every bounded UUID in `text`.
template <class Callback>
void scan_uuids(std::string_view text, Callback&& found) {
  for (auto i = find_uuid(text, 0); i != std::string_view::npos; i = find_uuid(text, i + uuid_length))
    found(i);
}

} // namespace

std::string make_uuid() {
  std::array<std::uint64_t, 2> words{};
  random_bytes(words.data(), sizeof words);
  std::uint64_t high = words[0];
  std::uint64_t low = words[1];
  high = (high & ~std::uint64_t{0xf000}) | 0x4000;                // version 4
  low = (low & ~(std::uint64_t{0xc} << 60)) | (std::uint64_t{0x8} << 60); // variant 10xx
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(uuid_length);
  auto put = [&](std::uint64_t word, int first_nibble, int count) {
    for (int n = first_nibble; n > first_nibble - count; --n)
      out.push_back(digits[(word >> (4 * n)) & 0xf]);
  };
  put(high, 15, 8);
  out.push_back('-');
  put(high, 7, 4);
  out.push_back('-');
  put(high, 3, 4);
  out.push_back('-');
  put(low, 15, 4);
  out.push_back('-');
  put(low, 11, 12);
  return out;
}

bool is_uuid(std::string_view text) noexcept {
  if (text.size() != uuid_length) return false;
  if (text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') return false;
  for (std::size_t i = 0; i < uuid_length; ++i)
    if (!is_hex(text[i]) && i != 8 && i != 13 && i != 18 && i != 23) return false;
  return true;
}

std::size_t find_uuid(std::string_view text, std::size_t from) noexcept {
  std::size_t i = from;
  while (i + uuid_length <= text.size()) {
    // A UUID starting at i has its first dash at i + 8: memchr finds the next such i
    // (most strings hold no dash at all), then one byte rules out most of those.
    const auto* dash = static_cast<const char*>(
      std::memchr(text.data() + i + 8, '-', text.size() - uuid_length + 1 - i));
    if (dash == nullptr) break;
    i = static_cast<std::size_t>(dash - text.data()) - 8;
    if (!is_hex(text[i])) {
      ++i;
      continue;
    }
    bool bounded_left = i == 0 || !is_run_char(text[i - 1]);
    bool bounded_right = i + uuid_length == text.size() || !is_run_char(text[i + uuid_length]);
    if (bounded_left && bounded_right && is_uuid(text.substr(i, uuid_length))) return i;
    ++i;
  }
  return std::string_view::npos;
}

bool is_hex_id(std::string_view text) noexcept {
  return text.size() == 32 && std::all_of(text.begin(), text.end(), is_hex);
}

std::string rewrite_uuids(std::string_view text, const uuid_map& map) {
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;
  scan_uuids(text, [&](std::size_t position) {
    auto replacement = map(text.substr(position, uuid_length));
    if (!replacement) return;
    out.append(text.substr(copied, position - copied));
    out.append(*replacement);
    copied = position + uuid_length;
  });
  out.append(text.substr(copied));
  return out;
}

std::vector<std::string> collect_uuids(std::string_view text) {
  std::vector<std::string> found;
  std::unordered_set<std::string_view> seen; // views into `text`, which outlives the call
  scan_uuids(text, [&](std::size_t position) {
    auto uuid = text.substr(position, uuid_length);
    if (seen.insert(uuid).second) found.emplace_back(uuid);
  });
  return found;
}

} // namespace fedstack::api
