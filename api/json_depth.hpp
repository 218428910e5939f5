#pragma once
// How deeply JSON text nests arrays and objects, found without parsing it.
// nlohmann::json builds, dumps and destroys documents recursively, so a body
// of 150,000 nested objects (750 KB, under any body limit) overflows the
// stack; the agent refuses such bodies before anything parses them.

#include <cstddef>
#include <string_view>

namespace fedstack::api {

/// The greatest nesting depth of `[` and `{` outside strings (escapes
/// honoured), counting stops at `stop_at` (so the scan ends early on hostile
/// input). Malformed text gets a number too: the parser will refuse it later.
std::size_t json_nesting_depth(std::string_view text, std::size_t stop_at);

} // namespace fedstack::api
