#include <gtest/gtest.h>

#include "sim/faults.hpp"

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

} // namespace
} // namespace fedstack::sim
