#pragma once
// A volume list filtered by zone across cloudlets (docs/federation.md, "Volumes").

#include <optional>
#include <string>

namespace fedstack::agent {

/// A volume list's query for `cloudlet`. The federation shows each volume's zone as
/// its cloudlet, so `availability_zone=Z` matches that cloudlet's volumes only:
/// there the filter is dropped (its Cinder names its own zone, "nova" on the lab),
/// and on every other cloudlet nothing matches (nullopt: not asked).
std::optional<std::string> volume_zone_filter(const std::string& query, const std::string& cloudlet);

} // namespace fedstack::agent
