#include "tests/agent/flows/fake_registry.hpp"

#include <algorithm>
#include <utility>

#include "api/global_id.hpp"

namespace fedstack::agent::testing {

using storage::registry_entry;

fake_registry::fake_registry(std::string host, std::uint16_t port) : host_(std::move(host)), port_(port) {}

void fake_registry::enter(const std::string& call) {
  calls_.push_back(call);
  if (fail_next_.erase(call)) throw registry_unavailable("the fake registry lost the message (" + call + ")");
  if (unavailable_ && (unavailable_calls_.empty() || unavailable_calls_.contains(call)))
    throw registry_unavailable("the fake registry is unavailable (" + call + ")");
}

void fake_registry::set_unavailable(bool unavailable, std::set<std::string> calls) {
  unavailable_ = unavailable;
  unavailable_calls_ = std::move(calls);
}

std::string fake_registry::new_global_id() { return api::make_global_id({host_, port_}).value(); }

http::awaitable<std::optional<registry_entry>> fake_registry::get(std::string project, std::string global_id) {
  enter("get");
  // Not a global ID, or another project's entry: nothing is recorded, as the store says.
  if (!api::global_id_owner(global_id)) co_return std::nullopt;
  auto it = entries_.find(global_id);
  if (it == entries_.end() || it->second.project_id != project) co_return std::nullopt;
  co_return it->second;
}

http::awaitable<std::optional<registry_entry>> fake_registry::get_any_project(std::string global_id) {
  enter("get_any_project");
  if (!api::global_id_owner(global_id)) co_return std::nullopt;
  auto it = entries_.find(global_id);
  if (it == entries_.end()) co_return std::nullopt;
  co_return it->second;
}

http::awaitable<std::vector<storage::id_mapping>> fake_registry::to_global(std::string project, std::string cloudlet,
                                                                           std::vector<std::string> local_ids) {
  enter("to_global");
  std::vector<storage::id_mapping> out;
  for (const auto& local : local_ids)
    for (const auto& [global, entry] : entries_)
      if (entry.project_id == project && !elsewhere_.contains(global))
        if (const auto* copy = entry.copy_on(cloudlet); copy && copy->local_id == local) {
          out.push_back({local, global});
          break;
        }
  co_return out;
}

http::awaitable<void> fake_registry::put(registry_entry entry) {
  enter("put");
  // The store's refusals (wrong project, another kind, a local ID of another
  // entry) reach the flows as registry_unavailable.
  if (auto it = entries_.find(entry.global_id); it != entries_.end()) {
    if (it->second.project_id != entry.project_id)
      throw registry_unavailable("global ID " + entry.global_id + " belongs to another project");
    if (it->second.kind != entry.kind) throw registry_unavailable("global ID " + entry.global_id + " has another kind");
  }
  for (const auto& copy : entry.copies)
    for (const auto& [global, other] : entries_)
      if (global != entry.global_id)
        if (const auto* theirs = other.copy_on(copy.cloudlet); theirs && theirs->local_id == copy.local_id)
          throw registry_unavailable("local ID " + copy.local_id + " on " + copy.cloudlet + " belongs to another entry");
  entries_[entry.global_id] = std::move(entry);
  co_return;
}

http::awaitable<std::optional<registry_entry>> fake_registry::add_copy(std::string project, std::string global_id,
                                                                        storage::cloud_copy copy) {
  enter("add_copy");
  auto it = entries_.find(global_id);
  if (it == entries_.end() || it->second.project_id != project) co_return std::nullopt;
  auto& entry = it->second;
  if (auto winner = winners_.find(global_id); winner != winners_.end()) {
    entry.copies.push_back(winner->second);
    winners_.erase(winner);
  }
  if (const auto* existing = entry.copy_on(copy.cloudlet)) {
    if (existing->local_id == copy.local_id) co_return entry;
    co_return std::nullopt;   // another copy on that cloudlet won
  }
  entry.copies.push_back(std::move(copy));
  co_return entry;
}

http::awaitable<std::vector<registry_entry>> fake_registry::reserved(std::int64_t before_unix_ms) {
  enter("reserved");
  std::vector<registry_entry> out;
  for (const auto& [global, entry] : entries_)
    if (entry.state == storage::entry_state::reserved && entry.created_unix_ms < before_unix_ms)
      out.push_back(entry);
  co_return out;
}

http::awaitable<bool> fake_registry::erase(std::string project, std::string global_id) {
  enter("erase");
  auto it = entries_.find(global_id);
  if (it == entries_.end() || it->second.project_id != project) co_return false;
  if (it->second.state == storage::entry_state::deleted) co_return false;
  // As registry_store::erase: a bound server leaves its tombstone.
  if (storage::leaves_tombstone(it->second)) {
    it->second.state = storage::entry_state::deleted;
    it->second.attempt.reset();
  } else {
    entries_.erase(it);
  }
  // What actor_registry_client.cpp throws when the owner's answer misses the ask's timeout.
  if (lost_answers_.contains("erase")) throw registry_unavailable("the registry of the owner agent: request_timeout");
  co_return true;
}

http::awaitable<std::optional<registry_entry>> fake_registry::give(std::string global_id, std::string to_project) {
  enter("give");
  auto it = entries_.find(global_id);
  if (it == entries_.end()) co_return std::nullopt;
  it->second.project_id = std::move(to_project);
  co_return it->second;
}

http::awaitable<std::optional<registry_entry>> fake_registry::rebind(std::string project, std::string global_id,
                                                                      storage::cloud_copy expected,
                                                                      storage::cloud_copy copy) {
  if (auto hook = std::exchange(before_rebind_, nullptr)) hook();
  enter("rebind");
  auto it = entries_.find(global_id);
  // As the owner: its project's bound floating IP only (actors/node.cpp checks a peer's on the cloud too),
  // while its primary is the one the mover expected; a repeat of a done rebind answers the entry.
  if (it == entries_.end() || it->second.project_id != project ||
      it->second.kind != storage::resource_kind::floating_ip || it->second.copies.empty() || refuse_rebinds_)
    co_return std::nullopt;
  auto& primary = it->second.copies.front();
  if (primary != copy && primary != expected) co_return std::nullopt;
  it->second.copies.assign(1, std::move(copy));
  if (lost_answers_.erase("rebind")) throw registry_unavailable("the registry of the owner agent: request_timeout");
  co_return it->second;
}

http::awaitable<void> fake_registry::abandon(storage::abandoned_attempt attempt) {
  enter("abandon");
  if (!api::is_attempt_token(attempt.token)) throw registry_unavailable("invalid attempt token");
  auto token = attempt.token;
  abandoned_[token] = std::move(attempt);
  co_return;
}

http::awaitable<std::vector<storage::abandoned_attempt>> fake_registry::abandoned(std::int64_t before_unix_ms) {
  enter("abandoned");
  std::vector<storage::abandoned_attempt> out;
  for (const auto& [token, attempt] : abandoned_)
    if (attempt.abandoned_unix_ms < before_unix_ms) out.push_back(attempt);
  co_return out;
}

http::awaitable<bool> fake_registry::forget_abandoned(std::string token) {
  enter("forget_abandoned");
  co_return abandoned_.erase(token) > 0;
}

http::awaitable<void> fake_registry::put_meta(std::string key, std::string value) {
  enter("put_meta");
  // The store's limits (storage/registry_store.cpp, check_meta_key).
  if (key.empty() || key.size() > 200 || key.find('\0') != std::string::npos)
    throw registry_unavailable("meta key must be 1..200 bytes without NUL");
  meta_[key] = std::move(value);
  co_return;
}

http::awaitable<std::optional<std::string>> fake_registry::get_meta(std::string key) {
  enter("get_meta");
  auto it = meta_.find(key);
  if (it == meta_.end()) co_return std::nullopt;
  co_return it->second;
}

std::vector<registry_entry> fake_registry::entries() const {
  std::vector<registry_entry> out;
  for (const auto& [global, entry] : entries_) out.push_back(entry);
  return out;
}

std::optional<registry_entry> fake_registry::entry(const std::string& global_id) const {
  auto it = entries_.find(global_id);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void fake_registry::seed(registry_entry entry) {
  auto id = entry.global_id;
  entries_[id] = std::move(entry);
}

void fake_registry::seed_at_another_agent(registry_entry entry) {
  elsewhere_.insert(entry.global_id);
  seed(std::move(entry));
}

} // namespace fedstack::agent::testing
