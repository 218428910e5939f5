#pragma once

// Value types of the registry. Plain C++17, no CAF: actors/actors.hpp adds
// the inspect overloads that let these travel in messages.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fedstack::storage {

/// What a registry entry stands for. Values travel over the wire and sit in
/// LMDB keys by name: append new kinds, never reorder.
/// floating_ip and router are named "floatingip" and "router", Neutron's
/// singular keys, since a Neutron create's body is keyed by to_string(kind).
/// volume and volume_snapshot (Cinder's) are named "volume" and "snapshot", the keys
/// Cinder wraps them in; volume_backup likewise "backup".
enum class resource_kind : std::uint8_t {
  image, network, subnet, port, server, flavor, floating_ip, router, volume, volume_snapshot, volume_backup
};

/// Two-phase create: `reserved` before the cloud confirmed the resource,
/// `bound` after. `deleted`: a server's tombstone, what erasing its bound
/// entry leaves (leaves_tombstone), so that every agent, after any restart,
/// knows it was deleted and where (docs/federation.md, "A deleted server's
/// instance actions"); never placed, listed or counted.
enum class entry_state : std::uint8_t { reserved, bound, deleted };

std::string to_string(resource_kind x);
std::string to_string(entry_state x);

/// Parses the names to_string produces; false on anything else.
bool from_string(std::string_view in, resource_kind& out);
bool from_string(std::string_view in, entry_state& out);

/// True for the enumerators above (guards against bytes from the wire).
bool is_valid(resource_kind x);
bool is_valid(entry_state x);

/// One cloudlet's copy of a resource.
struct cloud_copy {
  std::string cloudlet;
  std::string local_id;
};

/// A global resource, the project that owns it, and its per-cloud copies
/// (at most one per cloudlet).
/// The create attempt a reservation is waiting for: its token, the cloudlet it
/// went to and, for a Neutron create, the description the client asked for
/// (the create carries a pending description until it is tagged). Kept in this
/// agent's registry only: not part of the node protocol (actors.hpp).
struct reserved_attempt {
  std::string token;
  std::string cloudlet;
  std::string description;
};

bool operator==(const reserved_attempt& x, const reserved_attempt& y);

struct registry_entry {
  resource_kind kind = resource_kind::image;
  std::string global_id;
  std::string project_id;
  entry_state state = entry_state::reserved;
  std::vector<cloud_copy> copies;
  std::int64_t created_unix_ms = 0;
  std::string name;
  /// Set on a reservation while its create attempt runs; records written
  /// before it existed have none.
  std::optional<reserved_attempt> attempt;
  /// When a tombstone was made (state `deleted`), for pruning it after the
  /// retention; 0 on live entries and on tombstones written before it existed
  /// (prune_tombstones gives those a time when it first sees them). Kept in
  /// this agent's registry only, like `attempt`.
  std::int64_t deleted_unix_ms = 0;

  /// The copy on `cloudlet`, or nullptr.
  const cloud_copy* copy_on(std::string_view cloudlet) const;
};

/// A create attempt this agent gave up on before it knew whether the cloud
/// made the resource (timeout, 5xx, no valid host), so that a retry could go
/// elsewhere. Its attempt token is in the marker of whatever the cloud made;
/// only this record lets the reconciler delete that resource (docs/faults.md).
struct abandoned_attempt {
  std::string token;        // 32 hex digits from a cryptographic source
  resource_kind kind = resource_kind::image;
  std::string global_id;
  std::string project_id;   // the project the resource would belong to
  std::string cloudlet;     // where the attempt went
  std::int64_t abandoned_unix_ms = 0;
};

/// A cloud-local ID and the global ID it belongs to (resolve_many).
struct id_mapping {
  std::string local_id;
  std::string global_id;
};

bool operator==(const cloud_copy& x, const cloud_copy& y);
bool operator!=(const cloud_copy& x, const cloud_copy& y);
/// True when erasing `entry` leaves a tombstone in its place (a bound
/// server: Nova answers its instance actions after the delete).
bool leaves_tombstone(const registry_entry& entry);

bool operator==(const registry_entry& x, const registry_entry& y);
bool operator!=(const registry_entry& x, const registry_entry& y);
bool operator==(const id_mapping& x, const id_mapping& y);
bool operator==(const abandoned_attempt& x, const abandoned_attempt& y);
bool operator!=(const id_mapping& x, const id_mapping& y);

}  // namespace fedstack::storage
