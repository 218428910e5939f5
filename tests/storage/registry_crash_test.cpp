// kill -9 at arbitrary moments while a child process writes: the registry
// must reopen consistent (no index row pointing at nothing, counters right).
//
// The child runs with MDB_NOSYNC. A process crash (as opposed to an OS
// crash) loses nothing in any LMDB mode, so this still tests what matters
// here, that each mutation and its index rows share one transaction, and it
// lets many kill points fit in a short test.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "storage/registry_store.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace fedstack::storage;
using fedstack::test::temp_dir;

namespace {

lmdb_options no_sync() {
  lmdb_options options;
  options.flags = MDB_NOSYNC;
  options.map_size = std::size_t{1} << 20;  // small: exercises growth too
  return options;
}

registry_entry entry_for(const std::string& id, int n, std::string local_id) {
  registry_entry entry;
  entry.kind = n % 2 == 0 ? resource_kind::image : resource_kind::network;
  entry.global_id = id;
  entry.project_id = "p" + std::to_string(n % 3);
  entry.state = entry_state::bound;
  entry.copies = {{"c1", std::move(local_id)}};
  return entry;
}

// Every operation below succeeds on a correct store, so each one writes:
// create, add a copy, re-index, remove a copy, erase. Fresh IDs per round
// keep index rows new, so a torn write cannot hide behind an old row.
[[noreturn]] void churn(const std::string& dir, int round, int fd) {
  try {
    registry_db db{dir, no_sync()};
    auto& store = db.store();
    auto id = [round](int i) { return "r" + std::to_string(round) + "-g" + std::to_string(i); };
    for (int i = 0;; ++i) {
      auto entry = entry_for(id(i), i, id(i) + "-a");
      if (!store.put(entry))
        _exit(3);
      if (!store.add_copy(entry.project_id, id(i), {"c2", id(i) + "-b"}))
        _exit(4);
      entry.copies = {{"c1", id(i) + "-c"}, {"c2", id(i) + "-b"}};
      if (!store.put(entry))
        _exit(5);
      if (i >= 1 && !store.remove_copy("p" + std::to_string((i - 1) % 3), id(i - 1), "c1"))
        _exit(6);
      if (i >= 3 && !store.erase("p" + std::to_string((i - 3) % 3), id(i - 3)))
        _exit(7);
      // Progress report; never block on it (the parent stops reading).
      char tick = 't';
      (void) !write(fd, &tick, 1);
    }
  } catch (...) {
    _exit(1);
  }
}

// Never leave a churning child behind when an assertion fails.
struct child_guard {
  pid_t pid = -1;
  ~child_guard() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

TEST(registry_crash, kill_9_leaves_a_consistent_registry) {
  temp_dir dir;
  for (int round = 0; round < 50; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      fcntl(fds[1], F_SETFL, O_NONBLOCK);
      churn(dir.path(), round, fds[1]);
    }
    close(fds[1]);
    child_guard guard{child};
    // Kill after a different amount of progress each round; the child runs
    // ahead of the reader, so it dies at some arbitrary point of an operation.
    for (int ticks = 0; ticks < 1 + round % 10 * 5; ++ticks) {
      char tick = 0;
      ASSERT_EQ(read(fds[0], &tick, 1), 1) << "child stopped early";
    }
    ASSERT_EQ(kill(child, SIGKILL), 0);
    close(fds[0]);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    guard.pid = -1;
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
    registry_db db{dir.path(), no_sync()};
    auto problems = db.store().check_consistency();
    ASSERT_TRUE(problems.empty()) << "round " << round << ": "
                                  << ::testing::PrintToString(problems);
    EXPECT_GT(db.store().count(resource_kind::image) + db.store().count(resource_kind::network),
              0u);
  }
}

}  // namespace
