#pragma once
// Query strings: parse, edit and re-encode, keeping repeated keys and their order
// (Neutron and Glance filters repeat keys, e.g. `?status=ACTIVE&status=BUILD`).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fedstack::api {

/// One `key=value` pair, percent-decoded. `has_value` is false for a bare `key`.
struct query_param {
  std::string key;
  std::string value;
  bool has_value = true;
  friend bool operator==(const query_param& a, const query_param& b) {
    return a.key == b.key && a.value == b.value && a.has_value == b.has_value;
  }
};

/// The result of reading `limit`: absent, a valid non-negative integer, or invalid.
struct limit_value {
  bool present = false;
  bool valid = true;        ///< false if present but not a non-negative decimal integer
  std::uint64_t value = 0;  ///< meaningful only when present && valid
};

/// An ordered list of query parameters.
class query_string {
public:
  query_string() = default;

  /// Parses `raw` (without the leading '?'): splits on '&', decodes %XX and '+' (as ' '),
  /// skips empty pieces. Malformed escapes are kept literally rather than rejected.
  static query_string parse(std::string_view raw);

  /// Re-encodes as `k=v&k2=v2` (no leading '?'); only unreserved bytes stay unescaped,
  /// spaces become %20. Empty string if there are no parameters.
  std::string encode() const;

  /// The parameters, in order.
  const std::vector<query_param>& params() const noexcept { return params_; }
  /// True if there are no parameters.
  bool empty() const noexcept { return params_.empty(); }

  /// The first value of `key`, if present.
  std::optional<std::string> get(std::string_view key) const;
  /// Every value of `key`, in order.
  std::vector<std::string> get_all(std::string_view key) const;
  /// True if `key` occurs at least once.
  bool has(std::string_view key) const;
  /// Appends `key=value` after the existing parameters.
  void add(std::string key, std::string value);
  /// Replaces the first `key` in place (dropping later repeats), or appends it.
  void set(std::string_view key, std::string value);
  /// Removes every occurrence of `key`; returns how many were removed.
  std::size_t remove(std::string_view key);

  /// Reads `limit` (the first occurrence).
  limit_value limit() const;
  /// Sets `limit` to `value`.
  void set_limit(std::uint64_t value);
  /// The first `marker`, if present.
  std::optional<std::string> marker() const { return get("marker"); }
  /// Sets `marker` to `value`.
  void set_marker(std::string value) { set("marker", std::move(value)); }

  friend bool operator==(const query_string& a, const query_string& b) {
    return a.params_ == b.params_;
  }

private:
  std::vector<query_param> params_;
};

} // namespace fedstack::api
