#pragma once
// One simulated cloudlet (a Keystone region): the state behind its Glance,
// Neutron, Nova and Cinder. One mutex guards them all, because a boot touches each.

#include <filesystem>
#include <mutex>
#include <string>

#include "sim/compute_store.hpp"
#include "sim/image_store.hpp"
#include "sim/network_store.hpp"
#include "sim/volume_store.hpp"

namespace fedstack::sim {

struct cloudlet {
  /// Image bytes go to `data_dir/<region>/images/<id>`.
  cloudlet(std::string region_name, const std::filesystem::path& data_dir, compute_options options,
           clock_fn clock, volume_options volume = {})
    : region(region_name),
      images(data_dir / region_name / "images", clock),
      networks(clock),
      compute(region_name, options, clock),
      volumes(region_name, volume, clock) {}

  std::string region;
  std::mutex mutex;
  image_store images;
  network_store networks;
  compute_store compute;
  volume_store volumes;
};

} // namespace fedstack::sim
