#include "sim/sim.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "http/server.hpp"
#include "sim/cinder.hpp"
#include "sim/cloudlet.hpp"
#include "sim/faults.hpp"
#include "sim/glance.hpp"
#include "sim/http_bridge.hpp"
#include "sim/identity.hpp"
#include "sim/keystone.hpp"
#include "sim/neutron.hpp"
#include "sim/nova.hpp"

namespace fedstack::sim {

std::string region_name(int index) { return "cloudlet-" + std::to_string(index + 1); }

std::string endpoints_json(const sim_endpoints& endpoints) {
  json cloudlets = json::array();
  for (const auto& c : endpoints.cloudlets) {
    cloudlets.push_back({{"region", c.region},
                         {"image_url", c.image_url},
                         {"network_url", c.network_url},
                         {"compute_url", c.compute_url},
                         {"volume_url", c.volume_url}});
  }
  return json{{"keystone_url", endpoints.keystone_url},
              {"auth_url", endpoints.keystone_url + "/v3"},
              {"cloudlets", cloudlets}}
    .dump();
}

struct simulator::impl {
  struct cloudlet_services {
    std::unique_ptr<cloudlet> state;
    std::unique_ptr<glance_api> glance;
    std::unique_ptr<neutron_api> neutron;
    std::unique_ptr<nova_api> nova;
    std::unique_ptr<cinder_api> cinder;
    std::unique_ptr<fault_state> faults = std::make_unique<fault_state>();
  };

  impl(boost::asio::io_context& io_context, sim_options opts)
    : io(io_context), options(std::move(opts)),
      ids(identity_options{options.admin_user, options.admin_password, options.admin_project, "demo", "demo",
                           "demo", options.token_ttl},
          system_clock_fn()),
      keystone(ids) {
    if (options.data_dir.empty()) {
      // A private scratch directory, removed again with the simulator.
      data_dir = std::filesystem::temp_directory_path() / ("fedstack-sim-" + new_hex_id().substr(0, 12));
      owns_data_dir = true;
    } else {
      data_dir = options.data_dir;
    }
    std::filesystem::create_directories(data_dir);
    compute_options compute{options.build_delay, options.hypervisors_per_cloudlet, options.hypervisor_ram_mb,
                            options.hypervisor_disk_gb, options.hypervisor_vcpus};
    for (int i = 0; i < std::max(options.cloudlets, 1); ++i) {
      // Image records live in memory only, so bytes left by an earlier run are orphans.
      std::error_code ignored;
      std::filesystem::remove_all(data_dir / region_name(i) / "images", ignored);
      cloudlet_services c;
      c.state = std::make_unique<cloudlet>(region_name(i), data_dir, compute, system_clock_fn(),
                                           volume_options{options.volume_delay, options.volume_capacity_gb});
      c.glance = std::make_unique<glance_api>(ids, *c.state);
      c.neutron = std::make_unique<neutron_api>(ids, *c.state);
      c.nova = std::make_unique<nova_api>(ids, *c.state);
      c.cinder = std::make_unique<cinder_api>(ids, *c.state);
      if (!options.external_network.empty())
        c.state->networks.seed_external_network(options.external_network, "172.24." + std::to_string(4 + i) + ".0/24",
                                                ids.admin_project_id());
      control.add(c.state->region, *c.faults);
      clouds.push_back(std::move(c));
    }
  }

  ~impl() {
    servers.clear();
    if (owns_data_dir) {
      std::error_code ignored;
      std::filesystem::remove_all(data_dir, ignored);
    }
  }

  std::string listen(service& svc, const std::string& label, bridge_options bridge, std::uint16_t port) {
    auto server = std::make_unique<http::server>(io, make_http_handler(svc, label, bridge));
    auto bound = server->listen(options.address, port);
    servers.push_back(std::move(server));
    return "http://" + options.address + ":" + std::to_string(bound);
  }

  boost::asio::io_context& io;
  sim_options options;
  std::filesystem::path data_dir;
  bool owns_data_dir = false;
  identity ids;
  keystone_api keystone;
  faults_api control;
  std::vector<cloudlet_services> clouds;
  std::vector<std::unique_ptr<http::server>> servers;
  sim_endpoints endpoints;
};

simulator::simulator(boost::asio::io_context& io, sim_options options)
  : impl_(std::make_unique<impl>(io, std::move(options))) {}

simulator::~simulator() = default;

sim_endpoints simulator::start() {
  auto& s = *impl_;
  sim_endpoints endpoints;
  endpoints.keystone_url = s.listen(s.keystone, "keystone", {nullptr, nullptr, &s.control}, s.options.keystone_port);
  s.keystone.set_base_url(endpoints.keystone_url);
  for (auto& c : s.clouds) {
    const auto& region = c.state->region;
    cloudlet_endpoints urls;
    urls.region = region;
    urls.image_url = s.listen(*c.glance, "glance/" + region, {c.glance.get(), c.faults.get(), nullptr}, 0);
    urls.network_url = s.listen(*c.neutron, "neutron/" + region, {nullptr, c.faults.get(), nullptr}, 0);
    auto compute_root = s.listen(*c.nova, "nova/" + region, {nullptr, c.faults.get(), nullptr}, 0);
    urls.compute_url = compute_root + "/v2.1";
    urls.volume_url = s.listen(*c.cinder, "cinder/" + region, {nullptr, c.faults.get(), nullptr}, 0);
    c.cinder->set_base_url(urls.volume_url);
    c.glance->set_base_url(urls.image_url);
    c.neutron->set_base_url(urls.network_url);
    c.nova->set_base_url(compute_root);
    c.nova->set_image_url(urls.image_url);
    endpoints.cloudlets.push_back(urls);
  }
  s.ids.set_endpoints(endpoints);
  s.endpoints = endpoints;
  spdlog::info("sim: keystone at {} with {} cloudlet(s), data in {}", endpoints.keystone_url,
               endpoints.cloudlets.size(), s.data_dir.string());
  return endpoints;
}

void simulator::stop() {
  for (auto& server : impl_->servers) server->stop();
}

const sim_endpoints& simulator::endpoints() const { return impl_->endpoints; }
identity& simulator::keystone_state() { return impl_->ids; }
cloudlet& simulator::cloudlet_state(int index) { return *impl_->clouds.at(static_cast<std::size_t>(index)).state; }

} // namespace fedstack::sim
