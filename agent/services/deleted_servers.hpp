#pragma once
// Servers this agent deleted, by global ID. Nova answers a deleted server's
// instance actions to its project from microversion 2.21 (the 404 before),
// but the registry entry is erased with the server and Nova drops the
// server's metadata, marker included, when it deletes it: what this agent
// deleted is all it can still place. Bounded; it starts over when full, and a
// restart forgets it (docs/federation.md, "A deleted server's actions").

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace fedstack::agent {

struct deleted_server {
  std::string project_id;
  std::string cloudlet;
  std::string local_id;
};

class deleted_servers {
public:
  explicit deleted_servers(std::size_t capacity = 10'000) : capacity_(capacity) {}

  void remember(const std::string& global_id, deleted_server server) {
    std::lock_guard lock{mutex_};
    if (table_.size() >= capacity_) table_.clear();
    table_[global_id] = std::move(server);
  }

  std::optional<deleted_server> find(const std::string& global_id) const {
    std::lock_guard lock{mutex_};
    auto it = table_.find(global_id);
    if (it == table_.end()) return std::nullopt;
    return it->second;
  }

private:
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, deleted_server> table_;
};

/// The process's table: one agent serves per process (kept out of
/// agent_context so that it stays a plain aggregate every flow includes).
inline deleted_servers& recently_deleted() {
  static deleted_servers table;
  return table;
}

} // namespace fedstack::agent
