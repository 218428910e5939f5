#include "agent/services/token_cache.hpp"

#include <cstdio>
#include <cstring>
#include <ctime>

#include <openssl/sha.h>

namespace fedstack::agent {

std::optional<token_identity> token_cache::find(const std::string& token,
                                                std::chrono::system_clock::time_point now) {
  std::lock_guard lock{mutex_};
  auto it = slots_.find(token);
  if (it == slots_.end()) {
    ++misses_;
    return std::nullopt;
  }
  if (it->second.identity.expires_at - slack_ <= now) {
    order_.erase(it->second.position);
    slots_.erase(it);
    ++misses_;
    return std::nullopt;
  }
  order_.splice(order_.begin(), order_, it->second.position);
  ++hits_;
  return it->second.identity;
}

void token_cache::insert(const std::string& token, token_identity identity) {
  std::lock_guard lock{mutex_};
  if (capacity_ == 0) return;
  if (auto it = slots_.find(token); it != slots_.end()) {
    it->second.identity = std::move(identity);
    order_.splice(order_.begin(), order_, it->second.position);
    return;
  }
  if (slots_.size() >= capacity_) {
    slots_.erase(order_.back());
    order_.pop_back();
  }
  order_.push_front(token);
  slots_.emplace(token, slot{std::move(identity), order_.begin()});
}

void token_cache::erase(const std::string& token) {
  std::lock_guard lock{mutex_};
  if (auto it = slots_.find(token); it != slots_.end()) {
    order_.erase(it->second.position);
    slots_.erase(it);
  }
}

std::size_t token_cache::size() const {
  std::lock_guard lock{mutex_};
  return slots_.size();
}
std::size_t token_cache::hits() const {
  std::lock_guard lock{mutex_};
  return hits_;
}
std::size_t token_cache::misses() const {
  std::lock_guard lock{mutex_};
  return misses_;
}

refused_tokens::digest refused_tokens::digest_of(const std::string& token) {
  digest d{};
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), d.data());
  return d;
}

std::size_t refused_tokens::digest_hash::operator()(const digest& d) const noexcept {
  std::size_t h = 0;
  std::memcpy(&h, d.data(), sizeof h);   // a cryptographic digest is uniform already
  return h;
}

void refused_tokens::drop_expired(clock::time_point now) {
  while (!order_.empty() && (order_.front().second <= now || order_.size() > capacity_)) {
    expires_.erase(order_.front().first);
    order_.pop_front();
  }
}

bool refused_tokens::contains(const std::string& token, clock::time_point now) {
  auto d = digest_of(token);
  std::lock_guard lock{mutex_};
  drop_expired(now);
  return expires_.count(d) != 0;
}

void refused_tokens::insert(const std::string& token, clock::time_point now) {
  if (capacity_ == 0 || ttl_.count() <= 0) return;
  auto d = digest_of(token);
  std::lock_guard lock{mutex_};
  drop_expired(now);
  // A refusal already held stands until it expires: each digest is in order_ once.
  if (!expires_.emplace(d, now + ttl_).second) return;
  order_.emplace_back(d, now + ttl_);
  drop_expired(now);
}

void refused_tokens::erase(const std::string& token) {
  auto d = digest_of(token);
  std::lock_guard lock{mutex_};
  if (expires_.erase(d) == 0) return;
  for (auto it = order_.begin(); it != order_.end(); ++it)
    if (it->first == d) {
      order_.erase(it);
      break;
    }
}

std::size_t refused_tokens::size() const {
  std::lock_guard lock{mutex_};
  return expires_.size();
}

std::optional<std::chrono::system_clock::time_point> parse_keystone_time(const std::string& text) {
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  char zone = 0;
  // Fractional seconds are optional and ignored; the time is UTC.
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &month, &day, &hour, &minute,
                  &second) != 6)
    return std::nullopt;
  zone = text.empty() ? 0 : text.back();
  if (zone != 'Z' && text.find('+') == std::string::npos) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

} // namespace fedstack::agent
