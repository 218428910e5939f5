#pragma once
// An in-memory registry_client with the semantics of the real one
// (bridges/actor_registry_client.cpp over storage/registry_store.hpp) for one
// agent whose node owns every ID it makes: entries scoped to their project,
// copies at most one per cloudlet, abandoned attempts by token. It can be made
// unavailable (every call, or only some, throw registry_unavailable).

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/services/registry_client.hpp"

namespace fedstack::agent::testing {

class fake_registry final : public registry_client {
public:
  /// IDs are owned by the node at `host`:`port` (api/global_id.hpp).
  explicit fake_registry(std::string host = "10.0.0.1", std::uint16_t port = 4790);

  std::string new_global_id() override;
  http::awaitable<std::optional<storage::registry_entry>> get(std::string project, std::string global_id) override;
  http::awaitable<std::optional<storage::registry_entry>> get_any_project(std::string global_id) override;
  http::awaitable<std::vector<storage::id_mapping>> to_global(std::string project, std::string cloudlet,
                                                              std::vector<std::string> local_ids) override;
  http::awaitable<void> put(storage::registry_entry entry) override;
  http::awaitable<std::optional<storage::registry_entry>> add_copy(std::string project, std::string global_id,
                                                                    storage::cloud_copy copy) override;
  http::awaitable<std::vector<storage::registry_entry>> reserved(std::int64_t before_unix_ms) override;
  http::awaitable<bool> erase(std::string project, std::string global_id) override;
  http::awaitable<std::optional<storage::registry_entry>> give(std::string global_id,
                                                                std::string to_project) override;
  http::awaitable<std::optional<storage::registry_entry>> rebind(std::string project, std::string global_id,
                                                                  storage::cloud_copy expected,
                                                                  storage::cloud_copy copy) override;
  http::awaitable<void> abandon(storage::abandoned_attempt attempt) override;
  http::awaitable<std::vector<storage::abandoned_attempt>> abandoned(std::int64_t before_unix_ms) override;
  http::awaitable<bool> forget_abandoned(std::string token) override;
  http::awaitable<void> put_meta(std::string key, std::string value) override;
  http::awaitable<std::optional<std::string>> get_meta(std::string key) override;

  // --- for tests ---
  /// While set, every call in `calls` (names as above: "get", "put", "abandon", ...;
  /// empty: all) throws registry_unavailable.
  void set_unavailable(bool unavailable, std::set<std::string> calls = {});
  /// Each call in `calls` ("erase", "rebind") does its work and then throws
  /// registry_unavailable: an owner that answered after the asker's timeout
  /// (a rebind's answer is lost once: a repeat gets the owner's answer).
  void lose_answers(std::set<std::string> calls) { lost_answers_ = std::move(calls); }
  /// While set, rebind answers nullopt: an owner that did not find the moved floating IP marked.
  void refuse_rebinds(bool refuse) { refuse_rebinds_ = refuse; }
  /// The next add_copy of `global_id` finds `theirs` recorded first: another
  /// agent's copy on that cloudlet won the race.
  void win_next_copy(const std::string& global_id, storage::cloud_copy theirs) {
    winners_[global_id] = std::move(theirs);
  }
  /// The next call named `call` throws registry_unavailable without doing
  /// anything: its message was lost on the way to the owner.
  void fail_next(std::string call) { fail_next_.insert(std::move(call)); }
  /// Runs `hook` once, as the next rebind reaches the owner, before the owner
  /// looks at the entry: whatever it does (another move) came first.
  void before_next_rebind(std::function<void()> hook) { before_rebind_ = std::move(hook); }
  /// Every entry, whatever its project.
  std::vector<storage::registry_entry> entries() const;
  std::optional<storage::registry_entry> entry(const std::string& global_id) const;
  /// Seeds an entry as if a create had bound it (not through the client's calls).
  void seed(storage::registry_entry entry);
  /// Seeds an entry another agent recorded: its owner answers get and get_any_project
  /// for it, but this agent's to_global (what it recorded itself) does not know it.
  void seed_at_another_agent(storage::registry_entry entry);
  const std::map<std::string, storage::abandoned_attempt>& abandoned_attempts() const { return abandoned_; }
  /// What put_meta stored.
  const std::map<std::string, std::string>& meta() const { return meta_; }
  /// The names of the calls made, in order.
  const std::vector<std::string>& call_log() const { return calls_; }

private:
  void enter(const std::string& call);

  std::string host_;
  std::uint16_t port_;
  std::map<std::string, storage::registry_entry> entries_;   // by global ID
  std::set<std::string> elsewhere_;   // global IDs of entries other agents recorded
  std::map<std::string, storage::abandoned_attempt> abandoned_;
  std::map<std::string, std::string> meta_;
  bool unavailable_ = false;
  std::set<std::string> unavailable_calls_;
  std::set<std::string> lost_answers_;
  bool refuse_rebinds_ = false;
  std::map<std::string, storage::cloud_copy> winners_;
  std::function<void()> before_rebind_;
  std::set<std::string> fail_next_;
  std::vector<std::string> calls_;
};

} // namespace fedstack::agent::testing
