#pragma once
// The OpenStack services an agent serves, and their catalog type names.

#include <optional>
#include <string_view>

namespace fedstack::api {

/// An OpenStack service the agent serves (or `none` for paths outside every API).
enum class service_type { none, identity, image, network, compute, volume };

/// The Keystone catalog type of `s`: "identity", "image", "network", "compute", "volumev3"
/// (Block Storage v3) ("" for none).
std::string_view to_string(service_type s) noexcept;

/// The service whose Keystone catalog type is `type` ("block-storage", the service-types
/// authority's name for Block Storage, is `volume` too); nullopt for any other type.
std::optional<service_type> service_from_string(std::string_view type) noexcept;

} // namespace fedstack::api
