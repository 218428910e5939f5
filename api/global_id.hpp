#pragma once
// The federation's global IDs, and the markers that tie each cloud resource to one.
//
// A global ID is a UUID whose last group (12 hex digits, the "node" field that
// RFC 4122's version 1 fills with a MAC address) holds the IPv4 address and port
// of the agent node that owns the resource's registry entry, and whose version
// nibble is 8 (RFC 9562: custom layout). Any agent can therefore tell, from the
// ID alone, whom to ask about it: no directory has to be gossiped (docs/federation.md).
// Cloud-made UUIDs are version 4, so they never pass for global IDs.
//
// Every cloud resource the federation makes carries its global ID: a primary
// copy as a "gid" marker, a copy made for a boot elsewhere as a "copy-of" marker
// (images: extra properties; servers: metadata; Neutron: tags). Lists hide
// copies and show primaries under their global IDs; after a crash, the markers
// let an unbound reservation be found again.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/service.hpp"

namespace fedstack::api {

struct node_address {
  std::string host;     // dotted IPv4
  std::uint16_t port = 0;
};

/// A fresh global ID owned by `owner`; nullopt when its host is not a dotted IPv4 address.
std::optional<std::string> make_global_id(const node_address& owner);

/// The global ID of the server `local_id` made by a boot of several whose
/// marker carries `shared` (a global ID): the same owner, the other digits a
/// hash of both, so that every agent derives it from the server alone.
/// nullopt when `shared` is not a global ID.
std::optional<std::string> server_global_id(std::string_view shared, std::string_view local_id);

/// The owner encoded in `id`; nullopt when `id` is not a global ID (any other UUID).
std::optional<node_address> global_id_owner(std::string_view id);

/// The marker a cloud resource carries.
struct marker {
  std::string global_id;
  bool is_copy = false;   // a copy made for a boot on another cloudlet
  /// The token of the create attempt that made it (32 lowercase hex digits,
  /// unguessable: docs/faults.md, "The reconciler's rule"); empty on resources
  /// made before attempts carried one, and on Neutron resources whose tag was
  /// never added.
  std::string attempt;
  /// A server of a boot that made several (min_count/max_count above 1): Nova
  /// gives all of them the same metadata, so that carries the boot's global ID,
  /// and each server's own is derived from it and the server's cloud ID
  /// (server_global_id); global_id is that derived one, shared_id the boot's.
  /// Empty for every other resource.
  std::string shared_id{};

  /// The global ID the create carried in its marker (the boot's, for such a server).
  const std::string& created_as() const { return shared_id.empty() ? global_id : shared_id; }
};

/// Image extra property and server metadata keys; Neutron tags are "<key>=<id>".
/// "fedstack_attempt=" and 32 hex digits make 49 characters: Neutron allows 60
/// per tag; Nova metadata and Glance properties allow 255.
inline constexpr std::string_view gid_key = "fedstack_gid";
inline constexpr std::string_view copy_of_key = "fedstack_copy_of";
inline constexpr std::string_view attempt_key = "fedstack_attempt";
/// Server metadata "1": the marker names a boot of several servers, not this
/// one (marker::shared_id; docs/federation.md, "min_count > 1").
inline constexpr std::string_view multi_key = "fedstack_multi";
/// A snapshot the federation records (Nova's createImage) names the server it
/// was taken of: Nova copies the base image's properties, markers included,
/// into every snapshot and shelve image, so a derived image's marker is its
/// own only when this equals its `instance_uuid` (docs/federation.md, "Lifecycle anywhere").
inline constexpr std::string_view snapshot_of_key = "fedstack_snapshot_of";

/// True for 32 lowercase hex digits, the form of an attempt token.
bool is_attempt_token(std::string_view text);

/// The Neutron tag for an attempt token ("fedstack_attempt=<token>").
std::string attempt_tag(std::string_view token);

/// The transient marker a Neutron create carries in its `description` (Neutron
/// takes no tags in a create body): "fedstack_pending=<token>", 49 characters
/// (Neutron allows 255). It lets a create whose answer was lost, or whose
/// tagging was cut, be found by its token; the tags are then added and the
/// client's description restored (docs/decisions.md, "Neutron creates").
std::string pending_description(std::string_view token);

/// The attempt token of a pending description; nullopt for any other text.
std::optional<std::string> pending_token(std::string_view description);

/// The marker of one item as the cloud shows it (a Glance image, a Nova server,
/// a Neutron network, subnet or port); nullopt when it has none.
std::optional<marker> read_marker(service_type service, const nlohmann::json& item);

/// Removes the marker from an item before it is shown to a client (a Neutron
/// item's pending description becomes empty).
void strip_marker(service_type service, nlohmann::json& item);

/// The Neutron tag for a marker ("fedstack_gid=<id>").
std::string marker_tag(const marker& m);

/// Adds the marker (and its attempt token, if any) to a create's body:
/// Glance's top-level properties, or the server's metadata. Neutron cannot
/// take tags at create; use marker_tag and attempt_tag. A boot of several
/// servers passes its global ID as `shared_id` as well: the metadata then
/// carries it with multi_key.
void add_marker(service_type service, nlohmann::json& create_body, const marker& m);

} // namespace fedstack::api
