#include "agent/process/fd_limit.hpp"

#include <algorithm>

#include <sys/resource.h>

namespace fedstack::agent {

std::uint64_t descriptors_needed(std::uint64_t max_connections) noexcept { return 2 * max_connections + 256; }

std::uint64_t raise_descriptor_limit(std::uint64_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
    auto target = limit.rlim_max == RLIM_INFINITY ? wanted : std::min<std::uint64_t>(wanted, limit.rlim_max);
    rlimit raised{static_cast<rlim_t>(target), limit.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit.rlim_cur = raised.rlim_cur;
  }
  return limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : limit.rlim_cur;
}

} // namespace fedstack::agent
