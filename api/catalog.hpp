#pragma once
// Keystone service catalogs: rewriting the one users get so that clients reach the agent,
// and reading the upstream endpoints of a cloudlet.
//
// Policy (documented for operators):
// - identity, image, network and compute each end up with exactly three endpoints
//   (public, internal, admin) per region, all pointing at the agent. The regions are the
//   agent's own region plus every region the original catalog lists for these four
//   types: whichever region a client is configured for, it reaches this agent, which is
//   an entry point for the whole federation.
// - Block Storage v3 (`volumev3`, and `block-storage`, its name in the service-types
//   authority) is given the same way, at `B/volume/v3/<project>` (devstack's layout, which
//   keeps it apart from Identity's `/v3`), when the original catalog lists it in any region.
// - Every other service (placement, object-store, ...) is dropped: the agent does
//   not proxy it, and leaving a cloudlet's endpoint in the catalog would let clients work
//   on one cloud behind the federation's back.
// - Endpoint and service IDs are deterministic (a hash of type, interface and region), so
//   repeated tokens show the same catalog.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace fedstack::api {

/// Rewrites the catalog in a Keystone answer in place, as described above. Accepts a token
/// body (`{"token":{"catalog":[...]}}`, from POST/GET /v3/auth/tokens) or a catalog body
/// (`{"catalog":[...]}`, from GET /v3/auth/catalog). Bodies without a catalog (unscoped
/// tokens, `?nocatalog`) are left alone. Returns false if `body` has neither shape.
bool rewrite_catalog(nlohmann::json& body, std::string_view agent_base_url,
                     std::string_view region);

/// The catalog array inside a token body, a catalog body, or `body` itself if it is an
/// array; nullptr if there is none.
const nlohmann::json* find_catalog(const nlohmann::json& body);

/// The URL of the first endpoint of `service_type` with `interface` ("public", "internal",
/// "admin") in `region` (matched against `region_id` or `region`; empty matches any).
/// `body` is anything find_catalog accepts. nullopt if there is no such endpoint.
std::optional<std::string> find_endpoint_url(const nlohmann::json& body,
                                             std::string_view service_type,
                                             std::string_view interface, std::string_view region);

/// A stable 32-hex-digit ID for `text` (two FNV-1a 64-bit hashes), used for the agent's
/// catalog endpoint and service IDs.
std::string stable_hex_id(std::string_view text);

} // namespace fedstack::api
