#include "http/connection_slots.hpp"

namespace fedstack::http {

std::string_view to_string(connection_refusal r) noexcept {
  return r == connection_refusal::per_client ? "per_client" : "total";
}

connection_slots::connection_slots(std::size_t max_total, std::size_t max_per_client)
  : max_total_(max_total), max_per_client_(max_per_client) {}

connection_slots::slot::slot(std::shared_ptr<connection_slots> owner, std::string client)
  : owner_(std::move(owner)), client_(std::move(client)) {}

connection_slots::slot::~slot() {
  if (owner_) owner_->give_back(client_);
}

connection_slots::admission connection_slots::try_take(const std::string& client) {
  std::lock_guard lock{mutex_};
  if (max_total_ != 0 && total_ >= max_total_) return {std::nullopt, connection_refusal::total};
  auto it = per_client_.find(client);
  std::size_t held = it == per_client_.end() ? 0 : it->second;
  if (max_per_client_ != 0 && held >= max_per_client_) return {std::nullopt, connection_refusal::per_client};
  ++total_;
  if (it == per_client_.end()) per_client_.emplace(client, 1);
  else ++it->second;
  return {slot{shared_from_this(), client}, {}};
}

void connection_slots::give_back(const std::string& client) {
  std::lock_guard lock{mutex_};
  --total_;
  auto it = per_client_.find(client);
  if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
}

std::size_t connection_slots::open() const {
  std::lock_guard lock{mutex_};
  return total_;
}

std::size_t connection_slots::open_from(const std::string& client) const {
  std::lock_guard lock{mutex_};
  auto it = per_client_.find(client);
  return it == per_client_.end() ? 0 : it->second;
}

} // namespace fedstack::http
