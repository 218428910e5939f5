#pragma once
// Every client connection may hold an upstream connection too, so the agent
// needs about two descriptors a connection; the default soft limit (1024) is
// too low for --max-connections. The hard limit is the operator's (systemd
// LimitNOFILE=); we raise the soft one towards it.

#include <cstdint>

namespace fedstack::agent {

/// Descriptors --max-connections needs: two a connection, plus room for
/// LMDB, CAF's peers, logs and the listeners.
std::uint64_t descriptors_needed(std::uint64_t max_connections) noexcept;

/// Raises RLIMIT_NOFILE's soft limit to `wanted`, or as far as the hard limit
/// allows; returns the soft limit in force afterwards.
std::uint64_t raise_descriptor_limit(std::uint64_t wanted);

} // namespace fedstack::agent
