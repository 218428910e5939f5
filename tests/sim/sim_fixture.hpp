#pragma once
// A Keystone plus one cloudlet, driven through the pure request -> reply APIs
// with a manual clock, so tests never sleep.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "sim/cinder.hpp"
#include "sim/cloudlet.hpp"
#include "sim/glance.hpp"
#include "sim/identity.hpp"
#include "sim/keystone.hpp"
#include "sim/neutron.hpp"
#include "sim/nova.hpp"

namespace fedstack::sim::testing {

class sim_fixture : public ::testing::Test {
protected:
  sim_fixture()
    : data_dir_(std::filesystem::temp_directory_path() / ("sim-test-" + new_hex_id().substr(0, 12))),
      ids_(identity_options{}, clock()),
      keystone_(ids_),
      cloud_("cloudlet-1", data_dir_, options(), clock(), volume_options{std::chrono::seconds{1}, 100}),
      glance_(ids_, cloud_),
      neutron_(ids_, cloud_),
      nova_(ids_, cloud_),
      cinder_(ids_, cloud_) {
    sim_endpoints endpoints{"http://127.0.0.1:5000",
                            {{"cloudlet-1", "http://127.0.0.1:9292", "http://127.0.0.1:9696",
                              "http://127.0.0.1:8774/v2.1", "http://127.0.0.1:8776"},
                             {"cloudlet-2", "http://127.0.0.1:10292", "http://127.0.0.1:10696",
                              "http://127.0.0.1:9774/v2.1", "http://127.0.0.1:9776"}}};
    ids_.set_endpoints(endpoints);
    keystone_.set_base_url("http://127.0.0.1:5000");
    glance_.set_base_url("http://127.0.0.1:9292");
    neutron_.set_base_url("http://127.0.0.1:9696");
    nova_.set_base_url("http://127.0.0.1:8774");
    cinder_.set_base_url("http://127.0.0.1:8776");
  }

  ~sim_fixture() override {
    std::error_code ignored;
    std::filesystem::remove_all(data_dir_, ignored);
  }

  static compute_options options() {
    compute_options o;
    o.build_delay = std::chrono::seconds{2};
    o.hypervisors = 1;
    o.hypervisor_ram_mb = 4096;
    o.hypervisor_disk_gb = 100;
    o.hypervisor_vcpus = 8;
    return o;
  }

  clock_fn clock() {
    return [this] { return now_; };
  }
  void advance(std::chrono::milliseconds by) { now_ += by; }

  /// A token for user/password scoped to the project of the same name.
  std::string token(const std::string& user = "admin", const std::string& password = "secret",
                    const std::string& project = "") {
    json body = {{"auth",
                  {{"identity",
                    {{"methods", {"password"}},
                     {"password", {{"user", {{"name", user}, {"domain", {{"name", "Default"}}}, {"password", password}}}}}}},
                   {"scope", {{"project", {{"name", project.empty() ? user : project}, {"domain", {{"id", "default"}}}}}}}}}};
    auto out = keystone_.handle(make_request("POST", "/v3/auth/tokens", body.dump()));
    EXPECT_EQ(out.status, 201u) << out.body;
    return out.headers["X-Subject-Token"];
  }
  std::string admin_token() { return token("admin", "secret"); }
  std::string demo_token() { return token("demo", "demo"); }

  static reply call(service& svc, const std::string& method, const std::string& target, const std::string& token,
                    const json& body = nullptr, header_map headers = {}) {
    if (!token.empty()) headers["X-Auth-Token"] = token;
    return svc.handle(make_request(method, target, body.is_null() ? std::string{} : body.dump(), std::move(headers)));
  }
  static json body_of(const reply& r) { return json::parse(r.body); }

  std::filesystem::path data_dir_;
  time_point now_ = std::chrono::system_clock::from_time_t(1'800'000'000);
  identity ids_;
  keystone_api keystone_;
  cloudlet cloud_;
  glance_api glance_;
  neutron_api neutron_;
  nova_api nova_;
  cinder_api cinder_;
};

} // namespace fedstack::sim::testing
