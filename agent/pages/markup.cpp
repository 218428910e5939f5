#include "agent/pages/markup.hpp"

namespace fedstack::agent {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";   // U+FFFD

/// Length of the well-formed UTF-8 sequence at the start of `s`, 0 if malformed
/// (overlong forms, surrogates and values above U+10FFFF count as malformed).
std::size_t utf8_length(std::string_view s) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  auto continuation = [&](std::size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
  unsigned char b = byte(0);
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return continuation(1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (b == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
    if (b == 0xED && byte(1) > 0x9F) return 0;   // surrogates
    return 3;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (b == 0xF0 && byte(1) < 0x90) return 0;   // overlong
    if (b == 0xF4 && byte(1) > 0x8F) return 0;   // above U+10FFFF
    return 4;
  }
  return 0;
}

} // namespace

std::string escape_markup(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size();) {
    auto n = utf8_length(text.substr(i));
    if (n == 0) {
      out += replacement;
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    char c = text[i++];
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\t':
      case '\n': out += c; break;
      default:
        // XML 1.0 forbids most control characters; HTML shows nothing useful for them.
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) out += c;
    }
  }
  return out;
}

std::string shorten(std::string_view text, std::size_t max_chars) {
  if (max_chars == 0) return {};
  std::size_t chars = 0, i = 0, cut = 0;
  while (i < text.size()) {
    if (chars == max_chars - 1) cut = i;   // where "…" goes if the text is too long
    if (chars == max_chars) return std::string(text.substr(0, cut)) + "\xE2\x80\xA6";
    auto n = utf8_length(text.substr(i));
    i += n == 0 ? 1 : n;
    ++chars;
  }
  return std::string(text);
}

} // namespace fedstack::agent
