#pragma once
// How a start-up step gives up: it logs why and throws start_failure. The
// owners the earlier steps returned then unwind in reverse order (actors
// stopped and awaited, servers stopped) before `serve` returns the exit code.

#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace fedstack::agent {

/// Exit codes of `fedstack agent` at start: an option is wrong (2), or something
/// the agent needs failed (1): Keystone, a port, the data directory.
inline constexpr int exit_bad_option = 2;
inline constexpr int exit_start_failed = 1;

struct start_failure : std::runtime_error {
  start_failure(int code, const std::string& message) : std::runtime_error(message), exit_code(code) {}
  int exit_code;
};

/// Logs the message as an error first, so it precedes whatever the unwinding logs.
template <class... Args>
[[noreturn]] void fail_start(int exit_code, fmt::format_string<Args...> format, Args&&... args) {
  auto message = fmt::format(format, std::forward<Args>(args)...);
  spdlog::error("{}", message);
  throw start_failure(exit_code, message);
}

} // namespace fedstack::agent
