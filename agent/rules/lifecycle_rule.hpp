#pragma once
// Pure decisions for calls on a server, network, subnet or port that lives on
// any cloudlet (docs/federation.md, "Lifecycle anywhere"): which server
// actions need something made ready on the server's cloudlet first (resize:
// the flavor; rebuild: the image; createImage: a federation image to record;
// unshelve: a zone that must be the server's own), and how a call that
// replaces every tag (Neutron) or all metadata (Nova) keeps the agent's markers.

#include <optional>
#include <string>
#include <vector>

#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include "api/route.hpp"

namespace fedstack::agent {

/// What the agent does around a call about one recorded resource before and
/// after it is forwarded to the resource's cloudlet.
enum class lifecycle_step {
  none,              // forwarded as any other call
  resize,            // the flavorRef becomes the server's cloudlet's flavor of the same shape
  rebuild,           // the image is copied to the server's cloudlet first
  create_image,      // the snapshot is recorded as a federation image
  unshelve,          // a zone other than the server's cloudlet is refused
  replace_tags,      // Neutron PUT .../tags: the markers are kept
  delete_tags,       // Neutron DELETE .../tags: every tag but the markers goes
  read_tags,         // Neutron GET .../tags: the list without the federation's tags
  replace_metadata,  // Nova's or Cinder's PUT of all metadata, a Cinder update with metadata: the markers are kept
};

/// The step for a call (its route and method; `body` a server action's JSON).
lifecycle_step lifecycle_step_of(const api::route& route, boost::beast::http::verb method,
                                 const nlohmann::json& body);

/// A read Nova still answers about a server it deleted: its instance actions
/// (`GET /servers/{id}/os-instance-actions[/{request_id}]`, from 2.21), and the
/// server itself (`GET /servers/{id}`) while Nova finishes the delete it
/// answered 204 at once (clients such as Tempest wait for that 404).
bool reads_deleted_server(const api::route& route, boost::beast::http::verb method);

/// Whether a caller may be sent on to a server deleted in `owner_project`
/// (Nova then judges with the caller's token): its own project, or an admin.
bool may_follow_deleted(const std::string& owner_project, const std::string& caller_project, bool is_admin);

/// The ID a reference names (an ID, or a link whose last segment is one).
std::string id_of_ref(const nlohmann::json& ref);

/// True for the agent's own Neutron tags (marker, copy marker, attempt token,
/// any in its `fedstack_` namespace: rules/marker_guard.hpp).
bool is_marker_tag(const std::string& tag);
/// True for the agent's Nova and Cinder metadata keys and Glance properties (its namespace).
bool is_marker_key(const std::string& key);

/// A Neutron answer's tags as a client sees them: every one in the
/// federation's namespace left out (a read of one of them is a 404, marker_guard.hpp).
nlohmann::json client_tags(const nlohmann::json& tags);

/// The tags to PUT: the client's, minus any in a marker's shape, then the
/// markers `current` holds. nullopt when `client` is not {"tags": [strings]}.
std::optional<std::vector<std::string>> tags_to_put(const nlohmann::json& client,
                                                    const std::vector<std::string>& current);

/// The metadata object a call replaces as a whole, inside `body`: a PUT of
/// all metadata (Nova, Cinder: {"metadata": {...}}), a Cinder item update's
/// ({"volume": {"metadata": ...}}), a rebuild's (Nova replaces the server's
/// metadata with it). nullptr when the call replaces none.
nlohmann::json* replaced_metadata(nlohmann::json& body, const api::route& route);

/// The metadata to PUT: the client's, minus marker keys, then the markers
/// `current` holds. nullopt when `client` is not {"metadata": {...}}.
std::optional<nlohmann::json> metadata_to_put(const nlohmann::json& client, const nlohmann::json& current);

/// Why an unshelve is refused: a zone (2.77) naming another cloudlet than the
/// server's `region` (a shelved server is not moved between clouds).
std::optional<std::string> refuse_unshelve_zone(const nlohmann::json& body, const std::string& region,
                                                const std::string& server_id);

/// The image a createImage answer names: {"image_id": ...} (2.45 on) or the
/// last segment of its Location header (before).
std::optional<std::string> snapshot_image_id(const nlohmann::json& body, const std::string& location);

/// How many servers a boot asks Nova for (max_count, at least min_count); 1 when unset.
long requested_servers(const nlohmann::json& server);

} // namespace fedstack::agent
