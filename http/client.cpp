#include "http/client.hpp"

#include <cstdint>
#include <limits>

namespace fedstack::http {
namespace {

constexpr std::size_t chunk_bytes = 64 * 1024;
constexpr std::size_t answer_buffer_bytes = 16 * 1024;

void throw_if(const beast::error_code& ec, const char* what) {
  if (ec) throw boost::system::system_error(ec, what);
}

/// Idle connections are pooled per io_context as well as per upstream: a
/// connection's I/O completes on the thread of the context that opened it, so
/// a caller on another context (io_threads.hpp) would wait for that thread at
/// every step.
std::string pool_key(const endpoint& to, const asio::any_io_executor& executor) {
  const auto& context = asio::query(executor, asio::execution::context);
  return (to.tls ? "https://" : "http://") + to.host + ":" + std::to_string(to.port) + "@" +
         std::to_string(reinterpret_cast<std::uintptr_t>(&context));
}

} // namespace

upstream::upstream(asio::any_io_executor ex) : stream_(std::move(ex)) {
  chunk_.resize(chunk_bytes);
  // Beast sizes each socket read by the buffer's free capacity (512 bytes when
  // empty): without room, a 1 GiB body takes two million reads.
  buffer_.reserve(chunk_bytes);
  // Boost 1.74: body_limit(boost::none) is broken; callers cap what they keep.
  parser_.body_limit(std::numeric_limits<std::uint64_t>::max());
}

awaitable<void> upstream::connect(const endpoint& to, std::chrono::milliseconds timeout) {
  co_await stream_.connect(to, timeout);
}

awaitable<void> upstream::send_header(bhttp::request_header<> header,
                                      std::chrono::milliseconds timeout) {
  out_.emplace(std::move(header));
  auto& body = out_->body();
  body.data = nullptr;
  body.size = 0;
  body.more = true;
  serializer_.emplace(*out_);
  stream_.tcp().expires_after(timeout);
  co_await bhttp::async_write_header(stream_, *serializer_, use_awaitable);
}

awaitable<void> upstream::send_some(std::string_view data, std::chrono::milliseconds timeout) {
  if (data.empty()) co_return;
  auto& body = out_->body();
  body.data = const_cast<char*>(data.data());
  body.size = data.size();
  body.more = true;
  stream_.tcp().expires_after(timeout);
  beast::error_code ec;
  co_await bhttp::async_write(stream_, *serializer_, asio::redirect_error(use_awaitable, ec));
  if (ec == bhttp::error::need_buffer) ec = {};
  throw_if(ec, "write upstream request body");
}

awaitable<void> upstream::finish(std::chrono::milliseconds timeout) {
  auto& body = out_->body();
  body.data = nullptr;
  body.size = 0;
  body.more = false;
  stream_.tcp().expires_after(timeout);
  co_await bhttp::async_write(stream_, *serializer_, use_awaitable);
}

awaitable<void> upstream::send(bhttp::request<bhttp::string_body> request,
                               std::chrono::milliseconds timeout) {
  request.prepare_payload();
  stream_.tcp().expires_after(timeout);
  co_await bhttp::async_write(stream_, request, use_awaitable);
}

awaitable<void> upstream::read_header(std::chrono::milliseconds timeout, bool head_request) {
  if (head_request) parser_.skip(true);
  stream_.tcp().expires_after(timeout);
  co_await bhttp::async_read_header(stream_, buffer_, parser_, use_awaitable);
}

awaitable<std::string_view> upstream::read_some(std::chrono::milliseconds timeout) {
  while (!parser_.is_done()) {
    auto& body = parser_.get().body();
    body.data = chunk_.data();
    body.size = chunk_.size();
    stream_.tcp().expires_after(timeout);
    beast::error_code ec;
    co_await bhttp::async_read(stream_, buffer_, parser_, asio::redirect_error(use_awaitable, ec));
    if (ec == bhttp::error::need_buffer) ec = {};
    throw_if(ec, "read upstream response body");
    auto produced = chunk_.size() - body.size;
    if (produced > 0) co_return std::string_view(chunk_.data(), produced);
  }
  co_return std::string_view{};
}

awaitable<std::string> upstream::read_body(std::size_t limit, std::chrono::milliseconds timeout) {
  std::string body;
  for (;;) {
    auto piece = co_await read_some(timeout);
    if (piece.empty()) co_return body;
    if (body.size() + piece.size() > limit)
      throw boost::system::system_error(bhttp::error::body_limit, "upstream response too large");
    body.append(piece);
  }
}

bool upstream::body_done() const { return parser_.is_done(); }

std::optional<std::uint64_t> upstream::body_length() const {
  if (parser_.chunked()) return std::nullopt;
  auto length = parser_.content_length();
  if (!length) return std::nullopt;
  return *length;
}

std::string_view upstream::read_ahead() const {
  auto bytes = buffer_.data();
  return {static_cast<const char*>(bytes.data()), bytes.size()};
}

awaitable<response> fetch(const endpoint& to, bhttp::request<bhttp::string_body> request,
                          std::chrono::milliseconds timeout, std::size_t body_limit) {
  upstream connection{co_await asio::this_coro::executor};
  co_await connection.connect(to, timeout);
  if (request.find(bhttp::field::host) == request.end())
    request.set(bhttp::field::host, to.host + ":" + std::to_string(to.port));
  bool head = request.method() == bhttp::verb::head;
  co_await connection.send(std::move(request), timeout);
  co_await connection.read_header(timeout, head);
  const auto& header = connection.header();
  response result;
  result.status = header.result_int();
  for (const auto& field : header) result.headers.insert(field.name_string(), field.value());
  result.body = co_await connection.read_body(body_limit, timeout);
  co_return result;
}

awaitable<response> fetch(connection_pool& pool, const endpoint& to,
                          bhttp::request<bhttp::string_body> request,
                          std::chrono::milliseconds timeout, std::size_t body_limit) {
  auto host = to.host + ":" + std::to_string(to.port);
  if (request.find(bhttp::field::host) == request.end()) request.set(bhttp::field::host, host);
  request.keep_alive(true);
  request.prepare_payload();
  bool head = request.method() == bhttp::verb::head;
  auto executor = co_await asio::this_coro::executor;
  auto key = pool_key(to, executor);
  for (int attempt = 0;; ++attempt) {
    auto pooled = attempt == 0 ? pool.take(key) : std::nullopt;
    bool reused = pooled.has_value();
    upstream_stream stream = reused ? std::move(*pooled) : upstream_stream{executor};
    beast::flat_buffer buffer;
    // Room for a typical JSON answer in one read, but below 64 KiB: glibc
    // consolidates its fast bins on every free of 64 KiB or more.
    buffer.reserve(answer_buffer_bytes);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(body_limit);
    if (head) parser.skip(true);
    bool answered = false;
    try {
      if (!reused) co_await stream.connect(to, timeout);
      stream.tcp().expires_after(timeout);
      co_await bhttp::async_write(stream, request, use_awaitable);
      co_await bhttp::async_read_header(stream, buffer, parser, use_awaitable);
      answered = true;
      co_await bhttp::async_read(stream, buffer, parser, use_awaitable);
    } catch (const boost::system::system_error& error) {
      // Only a reused connection that failed before any answer is retried: the
      // upstream closed it while idle, so it never saw the request.
      if (reused && !answered && error.code() != beast::error::timeout) continue;
      throw;
    }
    auto message = parser.release();
    response result;
    result.status = message.result_int();
    bool reusable = message.keep_alive() && buffer.size() == 0;
    result.headers = std::move(static_cast<bhttp::fields&>(message.base()));   // no field copied
    result.body = std::move(message.body());
    if (reusable) pool.give(key, std::move(stream));
    co_return result;
  }
}

} // namespace fedstack::http
