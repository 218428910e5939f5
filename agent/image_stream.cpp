// Image bytes through the agent: relayed piece by piece between client and
// cloud, so memory stays bounded whatever the image size.

#include "agent/request.hpp"
#include "agent/upstream_call.hpp"
#include "metrics/catalog.hpp"

namespace fedstack::agent {

http::awaitable<void> handle_image_upload(request& r, const std::string& local_path) {
  const auto& to = r.target.image;
  auto timeout = r.context.upstream_timeout();
  http::upstream up{co_await http::asio::this_coro::executor};
  try {
    co_await up.connect(to, r.context.connect_timeout());
    bhttp::request_header<> head;
    head.method(bhttp::verb::put);
    head.target(to.base_path + local_path);
    head.version(11);
    copy_request_headers(r.header(), head);
    head.set(bhttp::field::host, to.host + ":" + std::to_string(to.port));
    head.set("X-Openstack-Request-Id", r.request_id);
    // Keep the client's framing: a known length stays a length, otherwise chunked.
    if (auto length = r.header()[bhttp::field::content_length]; !length.empty())
      head.set(bhttp::field::content_length, length);
    else
      head.set(bhttp::field::transfer_encoding, "chunked");
    co_await up.send_header(std::move(head), timeout);
  } catch (const boost::system::system_error& error) {
    throw_upstream_failure(to, error);
  }
  auto& uploaded = metrics::fedstack().image_bytes;
  for (;;) {
    auto piece = co_await r.exchange.read_some();   // a client failure ends the request
    if (piece.empty()) break;
    try {
      co_await up.send_some(piece, timeout);
    } catch (const boost::system::system_error& error) {
      throw_upstream_failure(to, error);
    }
    uploaded.add({"upload"}, static_cast<double>(piece.size()));
  }
  http::response answer;
  try {
    co_await up.finish(timeout);
    co_await up.read_header(timeout);
    answer.status = up.header().result_int();
    for (const auto& f : up.header()) answer.headers.insert(f.name_string(), f.value());
    answer.body = co_await up.read_body(1 << 20, timeout);
  } catch (const boost::system::system_error& error) {
    throw_upstream_failure(to, error);
  }
  co_await send_upstream_response(r, answer, std::move(answer.body));
}

http::awaitable<void> handle_image_download(request& r, const std::string& local_path) {
  const auto& to = r.target.image;
  auto timeout = r.context.upstream_timeout();
  http::upstream up{co_await http::asio::this_coro::executor};
  try {
    co_await up.connect(to, r.context.connect_timeout());
    bhttp::request<bhttp::string_body> request{bhttp::verb::get, to.base_path + local_path, 11};
    copy_request_headers(r.header(), request.base());
    request.set(bhttp::field::host, to.host + ":" + std::to_string(to.port));
    request.set("X-Openstack-Request-Id", r.request_id);
    co_await up.send(std::move(request), timeout);
    co_await up.read_header(timeout);
  } catch (const boost::system::system_error& error) {
    throw_upstream_failure(to, error);
  }
  bhttp::response_header<> head;
  head.result(up.header().result_int());
  head.version(11);
  copy_response_headers(up.header(), head);
  keep_location_on_agent(r, head);
  if (auto length = up.header()[bhttp::field::content_length]; !length.empty())
    head.set(bhttp::field::content_length, length);
  if (head.find("X-Openstack-Request-Id") == head.end()) head.set("X-Openstack-Request-Id", r.request_id);
  r.status = up.header().result_int();
  co_await r.exchange.send_header(std::move(head));
  for (;;) {
    std::string_view piece;
    try {
      piece = co_await up.read_some(timeout);
    } catch (const boost::system::system_error& error) {
      // Headers are out: the only honest signal left is cutting the connection.
      throw_upstream_failure(to, error);
    }
    if (piece.empty()) break;
    co_await r.exchange.send_some(piece);
    metrics::fedstack().image_bytes.add({"download"}, static_cast<double>(piece.size()));
  }
  co_await r.exchange.finish();
}

} // namespace fedstack::agent
