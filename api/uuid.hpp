#pragma once
// UUIDs: generation, recognition, and the substitution that translates IDs between the
// federation's global IDs and each cloud's local IDs in bodies, URLs and headers.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fedstack::api {

/// A fresh random (version 4, variant 1) UUID in lower case, e.g.
/// "f41c2887-41bd-43d6-85a8-aaac0b0b383d". Its 122 random bits come from the kernel's
/// CSPRNG (getrandom(2)), so IDs cannot be predicted from others. Thread-safe.
std::string make_uuid();

/// True if `text` is exactly a UUID: 8-4-4-4-12 hex digits (either case) separated by '-'.
/// Any version and variant is accepted, since clouds generate their own IDs.
bool is_uuid(std::string_view text) noexcept;

/// True if `text` is 32 hex digits, the form of Keystone project, user and endpoint IDs.
bool is_hex_id(std::string_view text) noexcept;

/// Looks a UUID up; returns its replacement, or nullopt to leave it as it is.
using uuid_map = std::function<std::optional<std::string>(std::string_view)>;

/// Returns `text` with every UUID-shaped substring that `map` knows replaced by its answer.
/// A substring counts only when it is not part of a longer hex/dash run (the characters
/// just before and after it are neither hex digits nor '-'), so a UUID inside a URL, a JSON
/// string or a header value is found, but a fragment of a longer token is not.
/// `map` receives the UUID exactly as written (case preserved); normalise inside it if needed.
std::string rewrite_uuids(std::string_view text, const uuid_map& map);

/// The position of the first UUID-shaped substring of `text` at or after `from` (same
/// boundary rule as rewrite_uuids, which continues after each one it finds), or npos.
std::size_t find_uuid(std::string_view text, std::size_t from) noexcept;

/// Every UUID-shaped substring of `text` (same boundary rule as rewrite_uuids), each once,
/// in order of first appearance. Lets the caller batch its registry lookups.
std::vector<std::string> collect_uuids(std::string_view text);

} // namespace fedstack::api
