#pragma once
// Percent-encoding (RFC 3986) for paths and query strings.

#include <optional>
#include <string>
#include <string_view>

namespace fedstack::api {

/// Decodes %XX escapes in `text`; with `plus_as_space`, '+' becomes ' ' (form encoding,
/// as webob reads query strings). Returns nullopt if an escape is truncated or not hex.
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space = false);

/// Encodes every byte except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~) and
/// the bytes listed in `keep`. Hex digits are upper case.
std::string percent_encode(std::string_view text, std::string_view keep = {});

/// Encodes one path segment: keeps unreserved, sub-delims (!$&'()*+,;=), ':' and '@',
/// so that IDs and names round-trip unchanged while '/', '?', '#', '%' and spaces are escaped.
std::string percent_encode_segment(std::string_view segment);

} // namespace fedstack::api
