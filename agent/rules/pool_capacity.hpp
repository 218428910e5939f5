#pragma once
// A cloudlet's Cinder pools as the scheduler weighs a volume on them
// (docs/scheduler.md, "Volumes"): from the admin's
// `GET /v3/scheduler-stats/get_pools?detail=true`, each pool's
// `capabilities.free_capacity_gb` and `total_capacity_gb`, less its
// `reserved_percentage` of the total, as Cinder's CapacityWeigher reads them
// (cinder/scheduler/weights/capacity.py, thick provisioning). Pure.

#include <cstdint>

#include <nlohmann/json.hpp>

namespace fedstack::agent {

struct pool_capacity {
  std::int64_t pools = 0;      // pools read
  std::int64_t free_gb = 0;    // the most free of one pool; -1 when every pool says "infinite" or "unknown"
  std::int64_t total_gb = 0;   // the sum of the pools' totals that are numbers
};

/// The pools of a get_pools answer (`{"pools": [...]}`); none for anything else.
pool_capacity read_pool_capacity(const nlohmann::json& answer);

} // namespace fedstack::agent
