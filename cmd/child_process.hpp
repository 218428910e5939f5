#pragma once
// A child `fedstack` process of the demo: its stdout is read line by line
// (ready events), its stderr goes to a log file.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace fedstack::cmd {

class child_process {
public:
  /// Starts `program args...` with stderr appended to `log_path`. Throws on failure.
  child_process(const std::string& program, const std::vector<std::string>& args,
                const std::string& log_path);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// The next stdout line, or nullopt on timeout or end of output.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  /// Sends SIGTERM, waits up to `grace`, then SIGKILL. Returns the exit status.
  int stop(std::chrono::milliseconds grace);
  /// True (and reaps it) if the process has exited.
  bool exited();
  pid_t pid() const { return pid_; }

private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string pending_;
  bool reaped_ = false;
  int status_ = 0;
};

} // namespace fedstack::cmd
