#pragma once
// The proxy's view of the registry: awaitable calls that the CAF registry actor
// answers. Kept abstract so the proxy logic does not depend on CAF.

#include <optional>
#include <string>
#include <vector>

#include "http/asio.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// Raised when the registry cannot be reached or fails; the client gets 503.
struct registry_unavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class registry_client {
public:
  virtual ~registry_client() = default;
  /// The entry for `global_id` if it belongs to `project`.
  virtual http::awaitable<std::optional<storage::registry_entry>> get(std::string project,
                                                                       std::string global_id) = 0;
  /// For each of `local_ids` that is a copy on `cloudlet` of one of `project`'s
  /// resources: the pair (local, global).
  virtual http::awaitable<std::vector<storage::id_mapping>>
  to_global(std::string project, std::string cloudlet, std::vector<std::string> local_ids) = 0;
  /// Records a confirmed resource.
  virtual http::awaitable<void> put(storage::registry_entry entry) = 0;
  /// Forgets a resource the cloud confirmed deleted; false if it was not there.
  virtual http::awaitable<bool> erase(std::string project, std::string global_id) = 0;
};

} // namespace fedstack::agent
