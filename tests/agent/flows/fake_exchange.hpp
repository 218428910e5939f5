#pragma once
// An in-memory http::exchange: one request (header and body) a test made up,
// and the response the handler sent, whole or streamed.

#include <functional>
#include <optional>
#include <string>

#include "http/server.hpp"

namespace fedstack::agent::testing {

/// What the handler answered.
struct captured_response {
  unsigned status = 0;
  bhttp::fields headers;
  std::string body;
  bool streamed = false;   // sent with send_header / send_some / finish
  bool finished = false;   // the whole answer was sent
  std::string header(std::string_view name) const { return std::string(headers[name]); }
};

class fake_exchange final : public http::exchange {
public:
  fake_exchange(bhttp::request_header<> header, std::string body)
    : header_(std::move(header)), body_(std::move(body)) {}

  const bhttp::request_header<>& request() const override { return header_; }
  std::string remote() const override { return "test-client"; }

  http::awaitable<std::optional<std::string>> read_body(std::size_t limit) override {
    if (body_.size() - read_ > limit) co_return std::nullopt;
    auto rest = body_.substr(read_);
    read_ = body_.size();
    co_return rest;
  }
  http::awaitable<std::string_view> read_some() override {
    std::string_view rest = std::string_view(body_).substr(read_);
    read_ = body_.size();
    co_return rest;
  }
  bool body_done() const override { return read_ == body_.size(); }

  http::awaitable<void> send(bhttp::response<bhttp::string_body> response) override {
    take_header(response.base());
    response_.body = std::move(response.body());
    response_.finished = true;
    co_return;
  }
  http::awaitable<void> send_header(bhttp::response_header<> header) override {
    take_header(header);
    response_.streamed = true;
    co_return;
  }
  http::awaitable<void> send_some(std::string_view data) override {
    response_.body.append(data);
    co_return;
  }
  http::awaitable<void> finish() override {
    response_.finished = true;
    co_return;
  }
  http::awaitable<bool> send_spliced(std::string_view, http::tcp::socket&, std::uint64_t, std::chrono::milliseconds,
                                     const std::function<void(std::size_t)>&) override {
    co_return false;   // no sockets here: the caller copies the bytes instead
  }
  bool responded() const override { return responded_; }

  void on_client_gone(std::function<void()> gone) override { gone_ = std::move(gone); }
  void stop_watching_client() override { gone_ = nullptr; }
  bool client_gone() const override { return client_gone_; }

  /// The client closes its connection (calls the watch, if one is set).
  void client_leaves() {
    client_gone_ = true;
    if (gone_) gone_();
  }

  const captured_response& response() const { return response_; }

private:
  void take_header(const bhttp::response_header<>& header) {
    responded_ = true;
    response_.status = header.result_int();
    for (const auto& field : header) response_.headers.insert(field.name_string(), field.value());
  }

  bhttp::request_header<> header_;
  std::string body_;
  std::size_t read_ = 0;
  bool responded_ = false;
  captured_response response_;
  std::function<void()> gone_;
  bool client_gone_ = false;
};

} // namespace fedstack::agent::testing
