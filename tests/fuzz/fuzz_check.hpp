#pragma once
// Invariant checks for the fuzz targets: a broken invariant aborts, so libFuzzer
// saves the input as a crash just as it does for a sanitizer report.

#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(condition, what)                                                        \
  do {                                                                                     \
    if (!(condition)) {                                                                    \
      std::fprintf(stderr, "invariant broken at %s:%d: %s\n", __FILE__, __LINE__, what);   \
      std::abort();                                                                        \
    }                                                                                      \
  } while (false)

namespace fedstack::fuzz {

/// Reads fuzz input front to back: a byte at a time for choices, then the rest.
class input {
public:
  input(const unsigned char* data, std::size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  /// The next byte, or 0 once the input is used up.
  unsigned char byte() {
    if (rest_.empty()) return 0;
    auto b = static_cast<unsigned char>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  /// Text up to the next `separator` (consumed) or the end.
  std::string_view until(char separator) {
    auto at = rest_.find(separator);
    auto piece = rest_.substr(0, at);
    rest_.remove_prefix(at == std::string_view::npos ? rest_.size() : at + 1);
    return piece;
  }
  /// Everything not read yet.
  std::string_view rest() const { return rest_; }

private:
  std::string_view rest_;
};

} // namespace fedstack::fuzz
