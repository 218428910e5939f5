#pragma once
// Concurrent calls under one deadline: a merged list's reads of every cloud,
// the status page's and the overlay walk's questions to every peer.

#include <chrono>
#include <functional>
#include <vector>

#include "http/asio.hpp"

namespace fedstack::agent {

/// Runs `tasks` concurrently and waits until all are done or `deadline`
/// passed: which finished in time. Tasks must not touch the request (they may
/// outlive it) and must catch their own exceptions.
http::awaitable<std::vector<bool>> run_all(std::vector<std::function<http::awaitable<void>()>> tasks,
                                           std::chrono::milliseconds deadline);

/// Runs `tasks` concurrently and waits until every one has ended, however long
/// that takes: unlike run_all's, these tasks may use the caller's frame (the
/// request), which outlives them. They run on one strand, so they never run at
/// the same time, and must catch their own exceptions.
http::awaitable<void> run_all_to_end(std::vector<std::function<http::awaitable<void>()>> tasks);

} // namespace fedstack::agent
