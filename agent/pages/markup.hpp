#pragma once
// Text for HTML and SVG pages that show what peers told us (regions, URLs,
// errors): a peer may send markup, control characters or bytes that are not
// UTF-8. Plain C++17, no I/O.

#include <cstddef>
#include <string>
#include <string_view>

namespace fedstack::agent {

/// `text` made safe as element content or a quoted attribute value in HTML and
/// XML: & < > " ' escaped, control characters other than tab and newline
/// dropped, bytes that are not well-formed UTF-8 replaced by U+FFFD.
std::string escape_markup(std::string_view text);

/// `text` cut to at most `max_chars` code points, with "…" as the last one when
/// cut. Counts well-formed UTF-8; a malformed byte counts as one.
std::string shorten(std::string_view text, std::size_t max_chars);

} // namespace fedstack::agent
