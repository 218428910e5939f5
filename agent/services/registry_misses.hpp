#pragma once
// Local IDs this agent's registry did not map to a global ID
// (registry_client::to_global), so that a list showing a cloud's own security
// group, or an image another agent owns, does not ask the registry actor about
// it again on every call (a CAF round trip and an LMDB read each time).
//
// A miss is only as good as the registry it was read from. Each ask reads the
// registry's write count before it is sent (the registry bumps it after each
// write transaction ends: storage::lmdb_options::writes); misses are kept only
// when no write happened between that read and the answer, and the whole table
// is forgotten as soon as the count moves. So an entry recorded after a miss
// is never hidden by it: a wrong answer here would name a resource by its
// cloud's ID instead of its global one.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "storage/registry_types.hpp"

namespace fedstack::agent {

class registry_misses {
public:
  /// Without a write count (null) nothing is ever known missing: every ID is asked.
  explicit registry_misses(std::shared_ptr<const std::atomic<std::uint64_t>> writes,
                           std::size_t capacity = 100'000)
    : writes_(std::move(writes)), capacity_(capacity) {}

  /// The registry's write count now: read it before asking, hand it to record().
  std::uint64_t writes() const { return writes_ ? writes_->load() : 0; }

  /// Of `local_ids`, in order, those the registry is not known to miss for
  /// (`project`, `cloudlet`) as it is now: the ones to ask about.
  std::vector<std::string> to_ask(std::string_view project, std::string_view cloudlet,
                                  const std::vector<std::string>& local_ids) {
    if (!writes_) return local_ids;
    std::lock_guard lock{mutex_};
    forget_if_written();
    std::vector<std::string> out;
    out.reserve(local_ids.size());
    std::string k;
    for (const auto& id : local_ids)
      if (!misses_.count(key(k, project, cloudlet, id))) out.push_back(id);
    return out;
  }

  /// The registry answered `found` for `asked`, an ask sent when the write
  /// count was `before`: the rest of `asked` is missing, unless it wrote since.
  void record(std::uint64_t before, std::string_view project, std::string_view cloudlet,
              const std::vector<std::string>& asked, const std::vector<storage::id_mapping>& found) {
    if (!writes_) return;
    std::lock_guard lock{mutex_};
    forget_if_written();
    if (before != generation_) return;   // written since the ask: its misses may be stale
    std::unordered_set<std::string_view> mapped;
    for (const auto& m : found) mapped.insert(m.local_id);
    std::string k;
    for (const auto& id : asked) {
      if (mapped.count(id)) continue;
      if (misses_.size() >= capacity_) misses_.clear();
      misses_.insert(key(k, project, cloudlet, id));
    }
  }

private:
  /// Lengths first: no separator can make two keys equal.
  static const std::string& key(std::string& out, std::string_view project, std::string_view cloudlet,
                                std::string_view id) {
    out = std::to_string(project.size());
    out += ':';
    out += project;
    out += std::to_string(cloudlet.size());
    out += ':';
    out += cloudlet;
    out += id;
    return out;
  }
  void forget_if_written() {
    auto now = writes_->load();
    if (now == generation_) return;
    misses_.clear();
    generation_ = now;
  }

  std::shared_ptr<const std::atomic<std::uint64_t>> writes_;
  std::size_t capacity_;
  std::mutex mutex_;
  std::uint64_t generation_ = 0;
  std::unordered_set<std::string> misses_;
};

} // namespace fedstack::agent
