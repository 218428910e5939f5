#pragma once
// The proxy's view of the federation's registries: awaitable calls that CAF
// actors answer. Each global ID names the agent node that owns its entry
// (api/global_id.hpp); calls about it go to that node's registry, this agent's
// own when it is the owner. Kept abstract so the proxy logic does not depend on CAF.

#include <optional>
#include <string>
#include <vector>

#include "http/asio.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// Raised when a registry cannot be reached or fails; the client gets 503.
struct registry_unavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class registry_client {
public:
  virtual ~registry_client() = default;
  /// A fresh global ID owned by this agent.
  virtual std::string new_global_id() = 0;
  /// The entry for `global_id` if it belongs to `project`, asked of its owner.
  virtual http::awaitable<std::optional<storage::registry_entry>> get(std::string project,
                                                                       std::string global_id) = 0;
  /// The entry for `global_id` whatever project it belongs to, asked of its
  /// owner. Never shown or used for a client as is: flows/visible_entry.hpp
  /// lets the owning cloud decide whether the client may see it.
  virtual http::awaitable<std::optional<storage::registry_entry>> get_any_project(std::string global_id) = 0;
  /// For each of `local_ids` that this agent recorded as a copy on `cloudlet`
  /// of one of `project`'s resources: the pair (local, global).
  virtual http::awaitable<std::vector<storage::id_mapping>>
  to_global(std::string project, std::string cloudlet, std::vector<std::string> local_ids) = 0;
  /// Records an entry this agent owns (reservation or binding).
  virtual http::awaitable<void> put(storage::registry_entry entry) = 0;
  /// Adds a copy at the owner: the updated entry, or nullopt when the entry is
  /// gone or another copy on that cloudlet won a race (ask `get` again).
  virtual http::awaitable<std::optional<storage::registry_entry>>
  add_copy(std::string project, std::string global_id, storage::cloud_copy copy) = 0;
  /// This agent's reservations (every project) created before `before_unix_ms`.
  virtual http::awaitable<std::vector<storage::registry_entry>> reserved(std::int64_t before_unix_ms) = 0;
  /// Forgets a resource at its owner; false if it was not there.
  virtual http::awaitable<bool> erase(std::string project, std::string global_id) = 0;
  /// Gives `global_id`'s entry, at its owner, to `to_project` (a volume transfer
  /// accepted: the owner checks the cloud first when asked by another agent).
  /// The updated entry; nullopt when there is none or the owner refused.
  virtual http::awaitable<std::optional<storage::registry_entry>> give(std::string global_id,
                                                                        std::string to_project) = 0;
  /// Makes `copy` the only copy of a floating IP's entry, at its owner (a
  /// floating IP moved to another cloudlet; the owner checks it there when
  /// another agent asks), only while its primary is still `expected` (the
  /// owner runs an entry's rebinds one at a time). The updated entry, also for
  /// a repeat of a rebind done already (its answer lost); nullopt when there
  /// is none, another move came first or the owner refused.
  virtual http::awaitable<std::optional<storage::registry_entry>>
  rebind(std::string project, std::string global_id, storage::cloud_copy expected, storage::cloud_copy copy) = 0;
  /// Records in this agent's registry a create attempt it gave up on.
  virtual http::awaitable<void> abandon(storage::abandoned_attempt attempt) = 0;
  /// This agent's abandoned attempts recorded before `before_unix_ms`.
  virtual http::awaitable<std::vector<storage::abandoned_attempt>> abandoned(std::int64_t before_unix_ms) = 0;
  /// Forgets an abandoned attempt; false if it was not there.
  virtual http::awaitable<bool> forget_abandoned(std::string token) = 0;
  /// Stores a small value beside this agent's registry (the orphan list, the
  /// keypair copies it made). Keys: 1..200 bytes without NUL.
  virtual http::awaitable<void> put_meta(std::string key, std::string value) = 0;
  /// A value put_meta stored; nullopt when there is none.
  virtual http::awaitable<std::optional<std::string>> get_meta(std::string key) = 0;
};

} // namespace fedstack::agent
