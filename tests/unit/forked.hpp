#pragma once
// What a generator gives in a forked child and in its parent right after the fork:
// both start from the same memory, so a seeded engine would give the same answer.

#include <string>
#include <utility>

#include <sys/wait.h>
#include <unistd.h>

namespace fedstack::testing {

template <class Make>
std::pair<std::string, std::string> make_in_parent_and_child(Make make) {
  make();   // any per-thread generator state now exists, and is copied by the fork
  int fds[2];
  if (pipe(fds) != 0) return {};
  pid_t child = fork();
  if (child == 0) {
    auto id = make();
    auto written = write(fds[1], id.data(), id.size());
    _exit(written == static_cast<ssize_t>(id.size()) ? 0 : 1);
  }
  close(fds[1]);
  auto own = make();
  std::string theirs(128, '\0');
  auto got = read(fds[0], theirs.data(), theirs.size());
  theirs.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  return {own, theirs};
}

} // namespace fedstack::testing
