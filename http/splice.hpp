#pragma once
// Relaying a body of known length from one socket to another without copying
// it through user space: splice(2) through a pipe (Linux). Image downloads use
// it; the bytes then cost the agent two system calls per piece and no memcpy.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>

#include "http/asio.hpp"

namespace fedstack::http {

/// A relay's failure, and on which side: the source (the cloud) or the sink
/// (the client). A source that ends before all bytes came is an `eof` at it.
struct relay_error : boost::system::system_error {
  relay_error(const beast::error_code& ec, const char* what, bool at_source)
    : system_error(ec, what), at_source(at_source) {}
  bool at_source;
};

struct relay_timeouts {
  std::chrono::milliseconds source;   // for each wait for the source's next bytes
  std::chrono::milliseconds sink;     // for each wait for room at the sink
};

/// Writes `ahead` (bytes the caller already read from `source`) to `sink`, then
/// moves exactly `bytes` more from `source` to `sink` with splice(2). Both are
/// connected stream sockets that nothing else reads or writes meanwhile, on the
/// calling coroutine's executor. Calls `moved(n)` as bytes reach the sink.
/// Returns false, having read and written nothing, when the kernel refuses to
/// splice these sockets (the caller then copies). Throws relay_error.
awaitable<bool> splice_exactly(tcp::socket& source, tcp::socket& sink, std::string_view ahead,
                               std::uint64_t bytes, relay_timeouts timeouts,
                               const std::function<void(std::size_t)>& moved);

} // namespace fedstack::http
