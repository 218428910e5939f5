#pragma once
// Microversion negotiation. Nova: OpenStack-API-Version ("compute 2.N") wins over
// the legacy X-OpenStack-Nova-API-Version; absent means 2.1. Cinder: only
// OpenStack-API-Version ("volume 3.N"); absent means 3.0. "latest" is the maximum.

#include <string>

#include "sim/types.hpp"

namespace fedstack::sim {

inline constexpr int min_compute_minor = 1;
inline constexpr int max_compute_minor = 93;
inline constexpr int min_volume_minor = 0;
inline constexpr int max_volume_minor = 70;   // Zed (cinder/api/openstack/api_version_request.py)

struct microversion_result {
  int minor = min_compute_minor;   // <major>.<minor>
  unsigned status = 0;             // 0 on success, else 400 (bad format), 406 (out of range) or
                                   // 404 (Cinder: the header names no volume version)
  std::string message;
  std::string requested;           // the version asked for, as written ("" when none)
};

microversion_result negotiate_compute_version(const request& r);
microversion_result negotiate_volume_version(const request& r);

} // namespace fedstack::sim
