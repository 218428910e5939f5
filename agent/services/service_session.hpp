#pragma once
// The agent's own Keystone session: a token for its service user, renewed
// before it expires, for the calls the agent makes on its own behalf
// (discovery, capacity). Users' calls always carry the user's token.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/services/options.hpp"
#include "http/client.hpp"

namespace fedstack::agent {

class service_session {
public:
  service_session(agent_options options, http::endpoint keystone)
    : options_(std::move(options)), keystone_(std::move(keystone)) {}

  /// A valid token, fetched anew when the cached one is near its expiry.
  /// Throws upstream_failure or std::runtime_error.
  http::awaitable<std::string> token();
  /// Uses `token` until `expires_at` instead of asking Keystone (a token the
  /// caller obtained otherwise; the flow tests' service user).
  void use_token(std::string token, std::chrono::system_clock::time_point expires_at) {
    std::lock_guard lock{mutex_};
    token_ = std::move(token);
    expires_at_ = expires_at;
  }
  /// The catalog that came with the last token.
  nlohmann::json catalog() const;

private:
  http::awaitable<void> authenticate();
  agent_options options_;
  http::endpoint keystone_;
  mutable std::mutex mutex_;
  std::string token_;
  std::chrono::system_clock::time_point expires_at_{};
  nlohmann::json catalog_;
};

} // namespace fedstack::agent
