// The whole simulator on real ports, driven with fedstack's own HTTP client.
#include <algorithm>
#include <future>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "http/client.hpp"
#include "sim/sim.hpp"
#include "sim/util.hpp"

namespace fedstack::sim {
namespace {

using namespace std::chrono_literals;
namespace asio = http::asio;
namespace bhttp = http::bhttp;

class sim_server_test : public ::testing::Test {
protected:
  void SetUp() override {
    sim_options options;
    options.cloudlets = 2;
    options.build_delay = 0ms;
    sim_ = std::make_unique<simulator>(io_, options);
    endpoints_ = sim_->start();
    thread_ = std::thread{[this] { io_.run(); }};
  }
  void TearDown() override {
    sim_->stop();
    io_.stop();
    thread_.join();
  }

  http::response fetch(const std::string& base, bhttp::verb method, const std::string& target,
                       std::string body = {}, std::vector<std::pair<std::string, std::string>> headers = {}) {
    auto to = http::parse_endpoint(base);
    EXPECT_TRUE(to);
    bhttp::request<bhttp::string_body> request{method, to->base_path + target, 11};
    request.set(bhttp::field::host, to->host + ":" + std::to_string(to->port));
    if (!body.empty()) request.set(bhttp::field::content_type, "application/json");
    if (!token_.empty()) request.set("X-Auth-Token", token_);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    return asio::co_spawn(io_, http::fetch(*to, std::move(request), 10s), asio::use_future).get();
  }

  void login() {
    json auth = {{"auth", {{"identity", {{"methods", {"password"}},
                                         {"password", {{"user", {{"name", "admin"}, {"domain", {{"name", "Default"}}},
                                                                 {"password", "secret"}}}}}}},
                           {"scope", {{"project", {{"name", "admin"}, {"domain", {{"name", "Default"}}}}}}}}}};
    auto out = fetch(endpoints_.keystone_url, bhttp::verb::post, "/v3/auth/tokens", auth.dump());
    ASSERT_EQ(out.status, 201u) << out.body;
    token_ = std::string{out.headers["X-Subject-Token"]};
  }

  asio::io_context io_;
  std::unique_ptr<simulator> sim_;
  sim_endpoints endpoints_;
  std::thread thread_;
  std::string token_;
};

TEST_F(sim_server_test, endpoints_and_discovery) {
  ASSERT_EQ(endpoints_.cloudlets.size(), 2u);
  EXPECT_EQ(endpoints_.cloudlets[1].region, "cloudlet-2");
  EXPECT_EQ(endpoints_.cloudlets[0].compute_url.substr(endpoints_.cloudlets[0].compute_url.size() - 5), "/v2.1");
  auto doc = json::parse(endpoints_json(endpoints_));
  EXPECT_EQ(doc["auth_url"], endpoints_.keystone_url + "/v3");

  auto v3 = fetch(endpoints_.keystone_url, bhttp::verb::get, "/v3");
  EXPECT_EQ(v3.status, 200u);
  EXPECT_EQ(std::string{v3.headers["X-Openstack-Request-Id"]}.substr(0, 4), "req-");
  EXPECT_EQ(std::string{v3.headers[bhttp::field::content_type]}, "application/json");
  auto root = fetch(endpoints_.cloudlets[0].image_url, bhttp::verb::get, "/");
  EXPECT_EQ(root.status, 300u);
  EXPECT_NE(root.body.find(endpoints_.cloudlets[0].image_url + "/v2/"), std::string::npos);
}

TEST_F(sim_server_test, token_catalog_and_compute_headers) {
  login();
  auto unauthorized = [&] {
    auto saved = token_;
    token_.clear();
    auto out = fetch(endpoints_.cloudlets[0].network_url, bhttp::verb::get, "/v2.0/networks");
    token_ = saved;
    return out;
  }();
  EXPECT_EQ(unauthorized.status, 401u);
  EXPECT_EQ(std::string{unauthorized.headers["WWW-Authenticate"]}, "Keystone uri=\"" + endpoints_.keystone_url + "\"");

  auto servers = fetch(endpoints_.cloudlets[1].compute_url, bhttp::verb::get, "/servers", {},
                       {{"X-OpenStack-Nova-API-Version", "2.60"}, {"X-Openstack-Request-Id", "req-test-1"}});
  EXPECT_EQ(servers.status, 200u);
  EXPECT_EQ(std::string{servers.headers["OpenStack-API-Version"]}, "compute 2.60");
  EXPECT_EQ(std::string{servers.headers["X-Openstack-Request-Id"]}, "req-test-1");
  EXPECT_EQ(std::string{servers.headers["X-Compute-Request-Id"]}, "req-test-1");
  auto bad = fetch(endpoints_.cloudlets[1].compute_url, bhttp::verb::get, "/servers", {},
                   {{"X-OpenStack-Nova-API-Version", "2.999"}});
  EXPECT_EQ(bad.status, 406u);
}

TEST_F(sim_server_test, image_round_trip_and_boot) {
  login();
  const auto& cloud = endpoints_.cloudlets[0];
  auto created = fetch(cloud.image_url, bhttp::verb::post, "/v2/images",
                       R"({"name":"blob","disk_format":"raw","container_format":"bare"})");
  ASSERT_EQ(created.status, 201u) << created.body;
  auto id = json::parse(created.body)["id"].get<std::string>();

  // Big enough to arrive in several chunks.
  std::string data(700 * 1024, '\0');
  std::mt19937 random{42};
  for (auto& c : data) c = static_cast<char>(random());
  auto uploaded = fetch(cloud.image_url, bhttp::verb::put, "/v2/images/" + id + "/file", data,
                        {{"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(uploaded.status, 204u) << uploaded.body;
  auto downloaded = fetch(cloud.image_url, bhttp::verb::get, "/v2/images/" + id + "/file");
  ASSERT_EQ(downloaded.status, 200u);
  EXPECT_EQ(downloaded.body.size(), data.size());
  EXPECT_TRUE(downloaded.body == data);
  auto shown = json::parse(fetch(cloud.image_url, bhttp::verb::get, "/v2/images/" + id).body);
  EXPECT_EQ(std::string{downloaded.headers["Content-MD5"]}, shown["checksum"]);
  EXPECT_EQ(shown["size"], data.size());

  auto flavors = json::parse(fetch(cloud.compute_url, bhttp::verb::get, "/flavors").body)["flavors"];
  auto tiny = std::find_if(flavors.begin(), flavors.end(), [](const auto& f) { return f["name"] == "m1.tiny"; });
  ASSERT_NE(tiny, flavors.end());
  auto flavor = (*tiny)["id"].get<std::string>();
  auto boot = fetch(cloud.compute_url, bhttp::verb::post, "/servers",
                    R"({"server":{"name":"vm","imageRef":")" + id + R"(","flavorRef":")" + flavor + R"("}})");
  ASSERT_EQ(boot.status, 202u) << boot.body;
  auto server_id = json::parse(boot.body)["server"]["id"].get<std::string>();
  EXPECT_EQ(std::string{boot.headers[bhttp::field::location]}, cloud.compute_url + "/servers/" + server_id);
  auto server = json::parse(fetch(cloud.compute_url, bhttp::verb::get, "/servers/" + server_id).body)["server"];
  EXPECT_EQ(server["status"], "ACTIVE");   // build_delay 0
  // The other cloudlet knows nothing of it.
  EXPECT_EQ(fetch(endpoints_.cloudlets[1].compute_url, bhttp::verb::get, "/servers/" + server_id).status, 404u);
  EXPECT_EQ(fetch(cloud.compute_url, bhttp::verb::delete_, "/servers/" + server_id).status, 204u);
  EXPECT_EQ(fetch(cloud.image_url, bhttp::verb::delete_, "/v2/images/" + id).status, 204u);
}

TEST_F(sim_server_test, injected_faults) {
  login();
  const auto& cloud = endpoints_.cloudlets[0];
  auto set = [&](const std::string& plan) {
    auto out = fetch(endpoints_.keystone_url, bhttp::verb::put, "/sim/faults/cloudlet-1", plan);
    ASSERT_EQ(out.status, 200u) << out.body;
  };
  set(R"({"error_rate": 1})");
  auto failing = fetch(cloud.compute_url, bhttp::verb::get, "/servers");
  EXPECT_EQ(failing.status, 503u);
  EXPECT_NE(failing.body.find("serviceUnavailable"), std::string::npos);
  // The other cloudlet is unaffected.
  EXPECT_EQ(fetch(endpoints_.cloudlets[1].compute_url, bhttp::verb::get, "/servers").status, 200u);

  set(R"({"error_rate": 0, "latency_ms": 150})");
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(fetch(cloud.network_url, bhttp::verb::get, "/v2.0/networks").status, 200u);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 150ms);

  set(R"({"latency_ms": 0, "down": true})");
  auto to = http::parse_endpoint(cloud.image_url);
  bhttp::request<bhttp::string_body> request{bhttp::verb::get, "/", 11};
  request.set(bhttp::field::host, "127.0.0.1");
  auto held = asio::co_spawn(io_, http::fetch(*to, std::move(request), 300ms), asio::use_future);
  EXPECT_THROW(held.get(), boost::system::system_error);

  EXPECT_EQ(fetch(endpoints_.keystone_url, bhttp::verb::delete_, "/sim/faults/cloudlet-1").status, 204u);
  EXPECT_EQ(fetch(cloud.image_url, bhttp::verb::get, "/").status, 300u);
}

TEST_F(sim_server_test, create_faults_fail_only_creates) {
  login();
  const auto& failing = endpoints_.cloudlets[0];
  const auto& healthy = endpoints_.cloudlets[1];
  auto set = fetch(endpoints_.keystone_url, bhttp::verb::put, "/sim/faults/cloudlet-1", R"({"create_error_rate": 1})");
  ASSERT_EQ(set.status, 200u) << set.body;
  auto shown = json::parse(fetch(endpoints_.keystone_url, bhttp::verb::get, "/sim/faults").body);
  EXPECT_EQ(shown["faults"]["cloudlet-1"]["create_error_rate"], 1.0);
  EXPECT_EQ(shown["faults"]["cloudlet-2"]["create_error_rate"], 0.0);
  EXPECT_EQ(fetch(endpoints_.keystone_url, bhttp::verb::put, "/sim/faults/cloudlet-1", R"({"create_error_rate": -1})").status,
            400u);

  const std::string image = R"({"name":"x","disk_format":"raw","container_format":"bare"})";
  const std::string network = R"({"network":{"name":"n"}})";
  const std::string server = R"({"server":{"name":"vm","imageRef":"00000000-0000-4000-8000-000000000000","flavorRef":"1"}})";
  auto refused_image = fetch(failing.image_url, bhttp::verb::post, "/v2/images", image);
  EXPECT_EQ(refused_image.status, 500u);
  EXPECT_NE(refused_image.body.find("500 Internal Server Error"), std::string::npos);
  auto refused_network = fetch(failing.network_url, bhttp::verb::post, "/v2.0/networks", network);
  EXPECT_EQ(refused_network.status, 500u);
  EXPECT_EQ(json::parse(refused_network.body)["NeutronError"]["type"], "HTTPInternalServerError");
  auto refused_server = fetch(failing.compute_url, bhttp::verb::post, "/servers", server);
  EXPECT_EQ(refused_server.status, 500u);
  EXPECT_EQ(json::parse(refused_server.body)["computeFault"]["code"], 500);
  // Nothing was made, and everything but creates still works there.
  EXPECT_TRUE(json::parse(fetch(failing.image_url, bhttp::verb::get, "/v2/images").body)["images"].empty());
  EXPECT_TRUE(json::parse(fetch(failing.network_url, bhttp::verb::get, "/v2.0/networks").body)["networks"].empty());
  EXPECT_EQ(fetch(failing.compute_url, bhttp::verb::get, "/os-hypervisors/statistics").status, 200u);

  // The same creates succeed on the other cloudlet, as the federation's retry would.
  auto created = fetch(healthy.image_url, bhttp::verb::post, "/v2/images", image);
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(fetch(healthy.network_url, bhttp::verb::post, "/v2.0/networks", network).status, 201u);
  auto id = json::parse(created.body)["id"].get<std::string>();
  EXPECT_EQ(fetch(healthy.image_url, bhttp::verb::delete_, "/v2/images/" + id).status, 204u);

  EXPECT_EQ(fetch(endpoints_.keystone_url, bhttp::verb::delete_, "/sim/faults/cloudlet-1").status, 204u);
  EXPECT_EQ(fetch(failing.network_url, bhttp::verb::post, "/v2.0/networks", network).status, 201u);
}

} // namespace
} // namespace fedstack::sim
