#include "http/upstream_stream.hpp"

#include "http/tls_client.hpp"

namespace fedstack::http {

awaitable<void> upstream_stream::connect(const endpoint& to, std::chrono::milliseconds timeout) {
  // An IP address (what catalogs usually hold) skips the resolver, whose lookup
  // would run on a thread of its own.
  beast::error_code not_an_address;
  auto address = asio::ip::make_address(to.host, not_an_address);
  if (!not_an_address) {
    tcp::endpoint at(address, to.port);   // named: GCC 12 and temporaries across co_await
    plain_.expires_after(timeout);
    co_await plain_.async_connect(at, use_awaitable);
  } else {
    tcp::resolver resolver{plain_.get_executor()};
    auto results = co_await resolver.async_resolve(to.host, std::to_string(to.port), use_awaitable);
    plain_.expires_after(timeout);
    co_await plain_.async_connect(results, use_awaitable);
  }
  plain_.socket().set_option(tcp::no_delay(true));
  if (!to.tls) co_return;
  tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(plain_), upstream_tls_context());
  expect_peer(tls_->native_handle(), to.host);
  tls_->next_layer().expires_after(timeout);
  beast::error_code ec;
  co_await tls_->async_handshake(ssl::stream_base::client, asio::redirect_error(use_awaitable, ec));
  if (ec) {
    auto why = describe_handshake_failure(tls_->native_handle(), ec);
    throw boost::system::system_error(ec, "TLS with " + to.origin() + ": " + why);
  }
}

} // namespace fedstack::http
