#pragma once
// What this agent learned about (cloudlet, local ID) -> global ID from markers
// and its own translations, for resources whose entries other agents own.
// A local ID keeps its global ID, so entries need no invalidation, but for one
// case: Cinder's backup import revives a deleted backup under its old ID, with its
// old marker (flows/federation.cpp, own_markers_on, forgets it then). The table is
// bounded and simply starts over when full.

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace fedstack::agent {

class id_aliases {
public:
  explicit id_aliases(std::size_t capacity = 100'000) : capacity_(capacity) {}

  void learn(const std::string& cloudlet, const std::string& local_id, const std::string& global_id) {
    std::lock_guard lock{mutex_};
    if (table_.size() >= capacity_) table_.clear();
    table_[key(cloudlet, local_id)] = global_id;
  }

  std::optional<std::string> find(const std::string& cloudlet, const std::string& local_id) const {
    std::lock_guard lock{mutex_};
    auto it = table_.find(key(cloudlet, local_id));
    if (it == table_.end()) return std::nullopt;
    return it->second;
  }

  /// Forgets (cloudlet, local ID) if it maps to `global_id`.
  void forget(const std::string& cloudlet, const std::string& local_id, const std::string& global_id) {
    std::lock_guard lock{mutex_};
    auto it = table_.find(key(cloudlet, local_id));
    if (it != table_.end() && it->second == global_id) table_.erase(it);
  }

private:
  static std::string key(const std::string& cloudlet, const std::string& local_id) {
    return cloudlet + '\n' + local_id;
  }
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> table_;
};

} // namespace fedstack::agent
