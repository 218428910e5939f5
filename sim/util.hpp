#pragma once
// Small helpers shared by the simulated services: IDs, timestamps, URL coding.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace fedstack::sim {

/// Keeps keys in insertion order so answers read like the captured ones.
using json = nlohmann::ordered_json;

using time_point = std::chrono::system_clock::time_point;
/// The services ask this for "now"; tests inject a manual clock.
using clock_fn = std::function<time_point()>;
clock_fn system_clock_fn();

/// "8d5e2c1a-...": a random version-4 UUID (Glance, Neutron, Nova IDs).
std::string new_uuid();
/// Whether `text` is a UUID in its 8-4-4-4-12 hex form (what Glance and Neutron validate IDs against).
bool is_uuid(std::string_view text);
/// A name-based version-5 UUID (RFC 4122, SHA-1): the same `name` always gives the same ID.
std::string name_uuid(std::string_view name);
/// 32 lowercase hex digits: a UUID without dashes (Keystone IDs).
std::string new_hex_id();
/// `bytes` random bytes in URL-safe base64 without padding (tokens, audit IDs).
std::string new_random_token(std::size_t bytes);
/// "req-<uuid>".
std::string new_request_id();
/// Uniform random integer in [low, high].
std::uint64_t random_between(std::uint64_t low, std::uint64_t high);

enum class time_style {
  seconds_z,       // 2026-11-29T00:21:42Z (Glance, Neutron, Nova)
  micros_z,        // 2026-11-29T00:32:52.000000Z (Keystone)
  micros_naive,    // 2026-11-29T00:22:16.000000 (Nova launched_at)
};
std::string format_time(time_point at, time_style style);

/// Percent-decodes; '+' stays '+' unless `plus_is_space` (query strings).
std::string url_decode(std::string_view text, bool plus_is_space = false);
/// Percent-encodes everything outside the unreserved set.
std::string url_encode(std::string_view text);

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view text);
/// Parses "true"/"false"/"1"/"0"/"yes"/"no" (any case); nullopt otherwise.
std::optional<bool> parse_bool(std::string_view text);
/// Parses a non-negative decimal integer; nullopt for anything else.
std::optional<std::int64_t> parse_int(std::string_view text);

/// Lowercase hex digits of a byte string.
std::string to_hex(std::string_view bytes);
/// SHA-224 as hex (Nova's hostId).
std::string sha224_hex(std::string_view data);

} // namespace fedstack::sim
