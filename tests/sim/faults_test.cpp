#include <gtest/gtest.h>

#include "sim/faults.hpp"
#include "sim_fixture.hpp"

namespace fedstack::sim {
namespace {

TEST(faults, parse_keeps_unset_fields) {
  fault_plan base;
  base.latency = std::chrono::milliseconds{5};
  auto plan = parse_fault_plan(json{{"error_rate", 0.5}, {"down", true}}, base);
  ASSERT_FALSE(failed(plan));
  EXPECT_EQ(std::get<fault_plan>(plan).latency.count(), 5);
  EXPECT_EQ(std::get<fault_plan>(plan).error_rate, 0.5);
  EXPECT_TRUE(std::get<fault_plan>(plan).down);
  EXPECT_TRUE(failed(parse_fault_plan(json{{"error_rate", 2}}, base)));
  EXPECT_TRUE(failed(parse_fault_plan(json{{"bogus", 1}}, base)));
}

TEST(faults, concurrency_cap) {
  fault_state state;
  EXPECT_TRUE(state.try_enter(2));
  EXPECT_TRUE(state.try_enter(2));
  EXPECT_FALSE(state.try_enter(2));
  state.leave();
  EXPECT_TRUE(state.try_enter(2));
  EXPECT_TRUE(state.try_enter(0));   // 0: no cap
  EXPECT_EQ(state.in_flight(), 3);
}

TEST(faults, control_api) {
  fault_state one;
  faults_api api;
  api.add("cloudlet-1", one);
  auto set = api.handle(make_request("PUT", "/sim/faults/cloudlet-1", R"({"latency_ms": 20, "max_concurrent": 4})"));
  ASSERT_EQ(set.status, 200u) << set.body;
  EXPECT_EQ(one.plan().latency.count(), 20);
  EXPECT_EQ(one.plan().max_concurrent, 4);
  auto all = json::parse(api.handle(make_request("GET", "/sim/faults")).body);
  EXPECT_EQ(all["faults"]["cloudlet-1"]["latency_ms"], 20);
  EXPECT_EQ(api.handle(make_request("PUT", "/sim/faults/cloudlet-9", "{}")).status, 404u);
  EXPECT_EQ(api.handle(make_request("PUT", "/sim/faults/cloudlet-1", "{x")).status, 400u);
  EXPECT_EQ(api.handle(make_request("DELETE", "/sim/faults/cloudlet-1")).status, 204u);
  EXPECT_EQ(one.plan().latency.count(), 0);
}

TEST(faults, create_error_rate_is_validated_and_shown) {
  auto plan = parse_fault_plan(json{{"create_error_rate", 1}}, {});
  ASSERT_FALSE(failed(plan));
  EXPECT_EQ(std::get<fault_plan>(plan).create_error_rate, 1.0);
  EXPECT_EQ(std::get<fault_plan>(plan).error_rate, 0.0);
  EXPECT_EQ(fault_json(std::get<fault_plan>(plan))["create_error_rate"], 1.0);
  for (const auto& bad : {json(1.5), json(-0.1), json("0.5"), json(true), json(nullptr)}) {
    auto refused = parse_fault_plan(json{{"create_error_rate", bad}}, {});
    ASSERT_TRUE(failed(refused)) << bad.dump();
    EXPECT_EQ(error_of(refused).message, "create_error_rate must be a number in [0, 1]");
  }

  fault_state one;
  faults_api api;
  api.add("cloudlet-1", one);
  auto set = api.handle(make_request("PUT", "/sim/faults/cloudlet-1", R"({"create_error_rate": 0.25})"));
  ASSERT_EQ(set.status, 200u) << set.body;
  EXPECT_EQ(json::parse(set.body)["fault"]["create_error_rate"], 0.25);
  auto all = json::parse(api.handle(make_request("GET", "/sim/faults")).body);
  EXPECT_EQ(all["faults"]["cloudlet-1"]["create_error_rate"], 0.25);
  auto refused = api.handle(make_request("PUT", "/sim/faults/cloudlet-1", R"({"create_error_rate": 2})"));
  EXPECT_EQ(refused.status, 400u);
  EXPECT_EQ(json::parse(refused.body)["error"]["message"], "create_error_rate must be a number in [0, 1]");
  EXPECT_EQ(one.plan().create_error_rate, 0.25);   // a refused PUT changes nothing
  EXPECT_EQ(api.handle(make_request("DELETE", "/sim/faults/cloudlet-1")).status, 204u);
  EXPECT_EQ(one.plan().create_error_rate, 0.0);
}

TEST(faults, only_creates_of_placed_resources_count) {
  auto creates = [](std::string_view kind, const std::string& method, const std::string& target) {
    return creates_resource(kind, make_request(method, target));
  };
  EXPECT_TRUE(creates("glance", "POST", "/v2/images"));
  EXPECT_FALSE(creates("glance", "GET", "/v2/images"));
  EXPECT_FALSE(creates("glance", "PUT", "/v2/images/x/file"));
  EXPECT_FALSE(creates("glance", "POST", "/v2/images/x/actions/deactivate"));

  EXPECT_TRUE(creates("nova", "POST", "/v2.1/servers"));
  EXPECT_TRUE(creates("nova", "POST", "/v2.1/0123456789abcdef0123456789abcdef/servers"));
  EXPECT_FALSE(creates("nova", "GET", "/v2.1/servers"));
  EXPECT_FALSE(creates("nova", "GET", "/v2.1/servers/detail"));
  EXPECT_FALSE(creates("nova", "DELETE", "/v2.1/servers/x"));
  EXPECT_FALSE(creates("nova", "POST", "/v2.1/servers/x/action"));
  EXPECT_FALSE(creates("nova", "POST", "/v2.1/flavors"));
  EXPECT_FALSE(creates("nova", "POST", "/v2.1/os-keypairs"));

  for (const char* collection : {"networks", "subnets", "ports", "ports.json"}) {
    EXPECT_TRUE(creates("neutron", "POST", std::string{"/v2.0/"} + collection)) << collection;
  }
  EXPECT_FALSE(creates("neutron", "GET", "/v2.0/networks"));
  EXPECT_FALSE(creates("neutron", "POST", "/v2.0/security-groups"));
  EXPECT_FALSE(creates("neutron", "PUT", "/v2.0/networks/x/tags/fedstack_gid=y"));
  EXPECT_FALSE(creates("neutron", "DELETE", "/v2.0/ports/x"));

  // Paths count only on their own service.
  EXPECT_FALSE(creates("keystone", "POST", "/v3/auth/tokens"));
  EXPECT_FALSE(creates("glance", "POST", "/v2.0/networks"));
  EXPECT_FALSE(creates("nova", "POST", "/v2/images"));
}

class injected_error_test : public testing::sim_fixture {};

TEST_F(injected_error_test, creates_fail_with_each_services_own_500) {
  fault_plan plan;
  plan.create_error_rate = 1;
  auto glance = create_error(plan, glance_, make_request("POST", "/v2/images"));
  ASSERT_TRUE(glance);
  EXPECT_EQ(glance->status, 500u);
  EXPECT_NE(glance->body.find("<title>500 Internal Server Error</title>"), std::string::npos);

  auto nova = create_error(plan, nova_, make_request("POST", "/v2.1/servers"));
  ASSERT_TRUE(nova);
  EXPECT_EQ(nova->status, 500u);
  auto fault = json::parse(nova->body)["computeFault"];
  EXPECT_EQ(fault["code"], 500);
  EXPECT_EQ(fault["message"].get<std::string>().rfind("Unexpected API Error.", 0), 0u);

  auto neutron = create_error(plan, neutron_, make_request("POST", "/v2.0/ports"));
  ASSERT_TRUE(neutron);
  EXPECT_EQ(neutron->status, 500u);
  auto error = json::parse(neutron->body)["NeutronError"];
  EXPECT_EQ(error["type"], "HTTPInternalServerError");
  EXPECT_EQ(error["message"], "Request Failed: internal server error while processing your request.");

  // Reads, deletes and capacity calls go through, and nothing answers 503.
  EXPECT_FALSE(create_error(plan, glance_, make_request("GET", "/v2/images")));
  EXPECT_FALSE(create_error(plan, nova_, make_request("DELETE", "/v2.1/servers/x")));
  EXPECT_FALSE(create_error(plan, nova_, make_request("GET", "/v2.1/os-hypervisors/statistics")));
  EXPECT_FALSE(create_error(plan, neutron_, make_request("GET", "/v2.0/networks")));
  EXPECT_FALSE(unavailable_error(plan, nova_));
  EXPECT_FALSE(create_error(fault_plan{}, nova_, make_request("POST", "/v2.1/servers")));

  plan.error_rate = 1;
  auto unavailable = unavailable_error(plan, nova_);
  ASSERT_TRUE(unavailable);
  EXPECT_EQ(json::parse(unavailable->body)["serviceUnavailable"]["code"], 503);
}

TEST(faults, lost_answer_rate_is_validated_and_shown) {
  auto plan = parse_fault_plan(json{{"lost_answer_rate", 1}}, {});
  ASSERT_FALSE(failed(plan));
  EXPECT_EQ(std::get<fault_plan>(plan).lost_answer_rate, 1.0);
  EXPECT_EQ(std::get<fault_plan>(plan).create_error_rate, 0.0);
  EXPECT_EQ(fault_json(std::get<fault_plan>(plan))["lost_answer_rate"], 1.0);
  auto refused = parse_fault_plan(json{{"lost_answer_rate", 1.5}}, {});
  ASSERT_TRUE(failed(refused));
  EXPECT_EQ(error_of(refused).message, "lost_answer_rate must be a number in [0, 1]");

  auto delayed = parse_fault_plan(json{{"create_answer_delay_ms", 2500}}, {});
  ASSERT_FALSE(failed(delayed));
  EXPECT_EQ(std::get<fault_plan>(delayed).create_answer_delay.count(), 2500);
  EXPECT_EQ(std::get<fault_plan>(delayed).latency.count(), 0);
  EXPECT_EQ(fault_json(std::get<fault_plan>(delayed))["create_answer_delay_ms"], 2500);
  refused = parse_fault_plan(json{{"create_answer_delay_ms", -1}}, {});
  ASSERT_TRUE(failed(refused));
  EXPECT_EQ(error_of(refused).message, "create_answer_delay_ms must be an integer >= 0");
}

TEST_F(injected_error_test, creates_and_neutron_tag_writes_are_held_as_asked_and_nothing_else) {
  auto parsed = parse_fault_plan(json{{"create_hold_ms", 3000}, {"tag_hold_ms", 2000}}, {});
  ASSERT_FALSE(failed(parsed));
  auto plan = std::get<fault_plan>(parsed);
  EXPECT_EQ(fault_json(plan)["create_hold_ms"], 3000);
  EXPECT_EQ(fault_json(plan)["tag_hold_ms"], 2000);
  using std::chrono::milliseconds;
  EXPECT_EQ(hold_before(plan, neutron_, make_request("PUT", "/v2.0/networks/x/tags")), milliseconds{2000});
  EXPECT_EQ(hold_before(plan, neutron_, make_request("PUT", "/v2.0/ports/x/tags/fedstack_gid=y")), milliseconds{2000});
  EXPECT_EQ(hold_before(plan, neutron_, make_request("DELETE", "/v2.0/subnets/x/tags")), milliseconds{2000});
  EXPECT_EQ(hold_before(plan, neutron_, make_request("POST", "/v2.0/networks")), milliseconds{3000});
  EXPECT_EQ(hold_before(plan, glance_, make_request("POST", "/v2/images")), milliseconds{3000});
  EXPECT_EQ(hold_before(plan, neutron_, make_request("GET", "/v2.0/networks/x/tags")), milliseconds{0});
  EXPECT_EQ(hold_before(plan, neutron_, make_request("PUT", "/v2.0/networks/x")), milliseconds{0});
  EXPECT_EQ(hold_before(plan, glance_, make_request("PUT", "/v2/images/x/tags/y")), milliseconds{0});
  EXPECT_EQ(hold_before(fault_plan{}, neutron_, make_request("PUT", "/v2.0/networks/x/tags")), milliseconds{0});
  auto refused = parse_fault_plan(json{{"tag_hold_ms", -1}}, {});
  ASSERT_TRUE(failed(refused));
  EXPECT_EQ(error_of(refused).message, "tag_hold_ms must be an integer >= 0");
}

} // namespace
} // namespace fedstack::sim
