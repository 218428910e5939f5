#pragma once
// Nova microversion negotiation: OpenStack-API-Version ("compute 2.N") wins over
// the legacy X-OpenStack-Nova-API-Version; absent means 2.1; "latest" the maximum.

#include <string>

#include "sim/types.hpp"

namespace fedstack::sim {

inline constexpr int min_compute_minor = 1;
inline constexpr int max_compute_minor = 93;

struct microversion_result {
  int minor = min_compute_minor;   // 2.<minor>
  unsigned status = 0;             // 0 on success, else 400 (bad format) or 406 (out of range)
  std::string message;
  std::string requested;           // the version asked for, as written ("" when none)
};

microversion_result negotiate_compute_version(const request& r);

} // namespace fedstack::sim
