#pragma once
// `--log-format json`: one JSON object per line for log shippers (journald,
// Fluent Bit, Vector). A message that starts with a request id ("req-...")
// gets it as its own field, so one call can be followed across agents.

#include <memory>
#include <optional>
#include <string>

#include <spdlog/formatter.h>

namespace fedstack::agent {

/// {"time": RFC 3339 UTC with ms, "level", "logger", "request_id"?, "message"}.
std::unique_ptr<spdlog::formatter> make_json_log_formatter();

/// Applies "text" or "json" to every logger; an error message for anything else.
std::optional<std::string> set_log_format(const std::string& format);

} // namespace fedstack::agent
