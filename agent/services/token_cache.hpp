#pragma once
// Tokens the agent has seen Keystone accept, kept until shortly before they
// expire, so that most calls need no round trip to the shared Keystone.

#include <array>
#include <chrono>
#include <cstddef>
#include <deque>
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

/// Tokens Keystone refused lately, so that a client repeating an unknown token
/// costs no Keystone call each time. Keyed by the token's SHA-256 (the token itself
/// is not kept); bounded (the oldest refusal goes first); each refusal lives only
/// `ttl`, so a token that Keystone refused while it was not yet valid everywhere
/// is asked about again soon. Thread-safe.
class refused_tokens {
public:
  using clock = std::chrono::steady_clock;
  refused_tokens(std::size_t capacity, std::chrono::milliseconds ttl) : capacity_(capacity), ttl_(ttl) {}

  /// True when Keystone refused `token` less than `ttl` ago.
  bool contains(const std::string& token, clock::time_point now);
  void insert(const std::string& token, clock::time_point now);
  void erase(const std::string& token);
  std::size_t size() const;

private:
  using digest = std::array<unsigned char, 32>;
  struct digest_hash {
    std::size_t operator()(const digest& d) const noexcept;
  };
  static digest digest_of(const std::string& token);
  void drop_expired(clock::time_point now);

  mutable std::mutex mutex_;
  std::size_t capacity_;
  std::chrono::milliseconds ttl_;
  // Every refusal lives equally long: the order of insertion is the order of expiry.
  // Each digest is held once in both.
  std::deque<std::pair<digest, clock::time_point>> order_;
  std::unordered_map<digest, clock::time_point, digest_hash> expires_;
};

/// Parses Keystone's "2026-11-30T00:32:52.000000Z"; nullopt if malformed.
std::optional<std::chrono::system_clock::time_point> parse_keystone_time(const std::string& text);

} // namespace fedstack::agent
