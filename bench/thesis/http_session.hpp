#pragma once
// One benchmark client's HTTP: a keep-alive connection per host:port, as a
// python-requests session (what Rally's clients use) keeps them.

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "http/client.hpp"

namespace fedstack::bench {

struct http_answer {
  unsigned status = 0;
  std::string body;
  std::string subject_token;   // X-Subject-Token, for token requests
};

class http_session {
public:
  http_session(http::asio::any_io_executor ex, std::chrono::milliseconds timeout)
    : executor_(std::move(ex)), timeout_(timeout) {}

  /// One request to an absolute http:// URL; throws on a transport failure.
  http::awaitable<http_answer> call(http::bhttp::verb method, const std::string& url,
                                    const std::string& token, const std::string& body = {},
                                    const std::string& content_type = "application/json");

  /// Connections opened so far (more than the hosts used: the server closed some).
  int connects() const { return connects_; }

private:
  struct connection {
    explicit connection(http::asio::any_io_executor ex) : stream(std::move(ex)) {}
    http::beast::tcp_stream stream;
    http::beast::flat_buffer buffer;
    bool open = false;
  };

  http::awaitable<void> open(connection& c, const http::endpoint& to);

  http::asio::any_io_executor executor_;
  std::chrono::milliseconds timeout_;
  std::map<std::string, std::unique_ptr<connection>> connections_;
  int connects_ = 0;
};

} // namespace fedstack::bench
