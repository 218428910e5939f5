#pragma once
// Test helper: runs one client coroutine against servers on the same io_context.

#include <exception>
#include <optional>
#include <utility>

#include "http/asio.hpp"

namespace fedstack::http::test_support {

/// Runs `body()` (a coroutine returning awaitable<T>) on `io` until it ends,
/// then calls `done()`, which must let io.run() return (stop the servers).
/// Returns the coroutine's result or rethrows its failure.
template <class Body, class Done>
auto run_until_done(asio::io_context& io, Body&& body, Done&& done) {
  using result_type = typename decltype(body())::value_type;
  std::optional<result_type> result;
  std::exception_ptr error;
  asio::co_spawn(io, body(), [&](std::exception_ptr e, result_type r) {
    error = e;
    result = std::move(r);
    done();
  });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

} // namespace fedstack::http::test_support
