#pragma once
// What a cloudlet can still take, as its agent last read it from the cloud.
// Plain C++17; actors/actors.hpp adds the inspect overload.

#include <cstdint>
#include <string>
#include <vector>

#include "actors/peer.hpp"

namespace fedstack {

struct capacity_report {
  /// The cloudlet (region) and the agent that reported it.
  std::string region;
  peer_address node;
  std::string http_url;
  /// Free and total resources over the cloudlet's hypervisors.
  std::int64_t free_ram_mb = 0;
  std::int64_t free_disk_gb = 0;
  std::int64_t free_vcpus = 0;
  std::int64_t total_ram_mb = 0;
  std::int64_t total_disk_gb = 0;
  std::int64_t total_vcpus = 0;
  std::int64_t running_vms = 0;
  std::int64_t hypervisors = 0;
  /// Checksums (MD5, as Glance reports them) of the active images the cloud
  /// holds: content, unlike IDs, means the same on every cloud.
  std::vector<std::string> image_checksums;
  /// Cinder's pools (`GET /scheduler-stats/get_pools?detail=true`): how many
  /// were read (0: no Block Storage, or it could not be read), the most free
  /// space of one pool (a volume lives in one pool; -1 when every pool reports
  /// "infinite" or "unknown"), and the pools' total.
  std::int64_t volume_pools = 0;
  std::int64_t free_volume_gb = 0;
  std::int64_t total_volume_gb = 0;
  /// When the agent read these figures from its cloud (Unix ms); a reader
  /// computes the report's age from it.
  std::int64_t measured_unix_ms = 0;
};

bool operator==(const capacity_report& x, const capacity_report& y);

} // namespace fedstack
