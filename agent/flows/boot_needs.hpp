#pragma once
// What a boot needs on the cloudlet it goes to (create_flow.cpp): read from
// the client's body before it is placed (the flavor's shape, the image's
// checksum and size, the networks' entries, a pinned zone), then made ready on
// each candidate in turn (copies.hpp).

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/scheduler_logic.hpp"
#include "agent/flows/direct_images.hpp"
#include "agent/flows/direct_networks.hpp"
#include "agent/flows/request.hpp"
#include "agent/flows/security_groups.hpp"
#include "agent/flows/server_groups.hpp"
#include "agent/rules/keypair_rule.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// What the scheduler needs to know of a boot, and the entries it refers to.
struct boot_needs {
  placement_request request;
  std::string flavor_id;
  nlohmann::json flavor;   // as the cloudlet that holds it shows it; other clouds may number it differently
  std::string flavor_region;   // that cloudlet: this agent's when it has the flavor, else the first that does
  /// A boot pinned to another cloudlet: that cloudlet and its flavor like this
  /// one, looked up while the image was read (nothing when it has none).
  std::optional<std::pair<std::string, std::string>> flavor_there;
  std::optional<storage::registry_entry> image;
  /// The image named by a cloud's ID that a cloudlet shows the caller (direct_images.hpp).
  std::optional<direct_image> direct;
  /// `image` is the entry of the copies of an image named by a cloud ID whose
  /// holder cannot answer now: the body names the cloud ID, so the copy's ID is put in.
  bool image_by_cloud_id = false;
  std::vector<storage::registry_entry> networks;
  /// The body's networks named by a cloud's ID that a cloudlet shows the caller
  /// (direct_networks.hpp), with their index in the body's "networks".
  std::vector<std::pair<std::size_t, direct_network>> direct_networks;
  /// The key_name's keypair on this agent's cloudlet, copied to another target (keypairs.hpp).
  std::optional<keypair_view> keypair;
  /// The security groups of the client's project here that the boot names (security_groups.hpp).
  std::vector<boot_group> groups;
  /// The server group the body's scheduler hint names (server_groups.hpp).
  std::optional<boot_server_group> server_group;
  /// Why the boot cannot be placed (400): its volumes on several cloudlets, or pinned
  /// away from them (rules/volume_rule.hpp).
  std::optional<std::string> refusal;
};

/// Why a boot body is refused before anything is asked (no server object;
/// counts that are not numbers); nullopt when it is not.
std::optional<std::string> refuse_boot(const nlohmann::json& body);

/// Reads what `server` (the body's "server") needs; takes its availability
/// zone out (zones are cloudlets here; inside the chosen cloud its own default applies).
http::awaitable<boot_needs> read_boot(request& r, nlohmann::json& server);

/// Why `c` could not be made ready for the boot.
struct not_ready {
  unsigned status = 503;   // what the client is answered if no candidate is left
  std::string message;
};

/// Makes the flavor, the keypair, the security groups, the server group, the
/// image and the networks exist on `c`, all at once (each copy ends as it would
/// alone; the first failure in that order says why `c` is not ready), and points
/// `doc`'s server at `c`'s flavor (and its scheduler hint at `c`'s copy of the server group).
http::awaitable<std::optional<not_ready>> prepare_boot_on(request& r, boot_needs& boot, nlohmann::json& doc,
                                                          const cloudlet_endpoints& c);

} // namespace fedstack::agent
