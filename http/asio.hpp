#pragma once
// Include this instead of Asio/Beast headers directly: Boost 1.74's Asio forgets
// <utility> in C++20 mode (std::exchange in awaitable.hpp).
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace fedstack {
// Short names used across the project's HTTP code.
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
} // namespace fedstack

namespace fedstack::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
} // namespace fedstack::http
