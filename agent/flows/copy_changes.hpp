#pragma once
// A client's change made on the federation's copies of a resource before the
// resource itself, so that a refusal leaves the resource as it was and the
// same request again completes the change: an image's PATCH (resource_proxy.cpp,
// rules/image_patch_rule.hpp) and an adopted network's PUT (direct_networks.cpp).

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/flows/request.hpp"
#include "storage/registry_types.hpp"

namespace fedstack::agent {

/// A copy's refusal (not a 404: a copy already gone counts as done) is the
/// client's answer; true when `answer` was one (and it was sent).
http::awaitable<bool> refused_by_copy(request& r, const storage::registry_entry& entry, const storage::cloud_copy& copy,
                                      const cloudlet_endpoints& cloudlet, http::response& answer, std::string_view what);

/// How one copy gets the change.
struct copy_change {
  api::service_type service;
  std::function<std::string(const storage::cloud_copy& copy)> path;   // the copy's path on its cloudlet
  bhttp::verb method;
  bhttp::fields headers;   // the change's (the read goes without its content type)
  /// The change's body for the copy as its cloud shows it; empty: nothing reaches it.
  std::function<std::string(const nlohmann::json& shown)> body;
};

/// `change` made on each of `entry`'s copies from index `first` on, in turn,
/// with the client's token: each read first, then changed. A copy already gone
/// (404) is skipped; on any other refusal the client gets that answer and
/// false, and the copies after it are left as they are.
http::awaitable<bool> change_copies(request& r, const storage::registry_entry& entry, std::size_t first,
                                    const copy_change& change);

/// An image's JSON-patch `ops` as each copy (at `path`) gets it, with the client's
/// token: what of it reaches a copy (rules/image_patch_rule.hpp, copy_patch).
copy_change image_patch_change(request& r, nlohmann::json ops,
                               std::function<std::string(const storage::cloud_copy& copy)> path);

} // namespace fedstack::agent
