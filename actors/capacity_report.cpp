#include "actors/capacity_report.hpp"

namespace fedstack {

bool operator==(const capacity_report& x, const capacity_report& y) {
  return x.region == y.region && x.node == y.node && x.http_url == y.http_url &&
         x.free_ram_mb == y.free_ram_mb && x.free_disk_gb == y.free_disk_gb &&
         x.free_vcpus == y.free_vcpus && x.total_ram_mb == y.total_ram_mb &&
         x.total_disk_gb == y.total_disk_gb && x.total_vcpus == y.total_vcpus &&
         x.running_vms == y.running_vms && x.hypervisors == y.hypervisors &&
         x.image_checksums == y.image_checksums && x.volume_pools == y.volume_pools &&
         x.free_volume_gb == y.free_volume_gb && x.total_volume_gb == y.total_volume_gb &&
         x.measured_unix_ms == y.measured_unix_ms;
}

} // namespace fedstack
