#pragma once
// Tokens the agent has seen Keystone accept, kept until shortly before they
// expire, so that most calls need no round trip to the shared Keystone.

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace fedstack::agent {

/// Who a token belongs to, as Keystone said.
struct token_identity {
  std::string user_id;
  std::string project_id;
  std::chrono::system_clock::time_point expires_at;
  bool is_admin = false;
};

/// A bounded LRU cache of validated tokens. Thread-safe.
class token_cache {
public:
  token_cache(std::size_t capacity, std::chrono::seconds expiry_slack)
    : capacity_(capacity), slack_(expiry_slack) {}

  /// The identity of `token` if it is cached and not about to expire.
  std::optional<token_identity> find(const std::string& token,
                                     std::chrono::system_clock::time_point now);
  void insert(const std::string& token, token_identity identity);
  void erase(const std::string& token);

  std::size_t size() const;
  std::size_t hits() const;
  std::size_t misses() const;

private:
  using lru_list = std::list<std::string>;
  struct slot {
    token_identity identity;
    lru_list::iterator position;
  };
  mutable std::mutex mutex_;
  std::size_t capacity_;
  std::chrono::seconds slack_;
  lru_list order_;   // most recently used first
  std::unordered_map<std::string, slot> slots_;
  std::size_t hits_ = 0;
  std::size_t misses_ = 0;
};

/// Parses Keystone's "2026-11-30T00:32:52.000000Z"; nullopt if malformed.
std::optional<std::chrono::system_clock::time_point> parse_keystone_time(const std::string& text);

} // namespace fedstack::agent
