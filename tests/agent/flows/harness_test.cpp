// The harness itself: the fake clouds route by endpoint, script faults per
// cloudlet and per call, and log what they saw; a list runs to completion.

#include <gtest/gtest.h>

#include "agent/services/cloudlets.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;

class Harness : public ::testing::Test {
protected:
  /// One call through the context's upstream, as the flows make it; 0 when it threw `failure`.
  unsigned call(const std::string& region, bhttp::verb method, const std::string& target, const json& body = nullptr,
                unsigned* failure = nullptr) {
    unsigned status = 0;
    bhttp::fields headers;
    headers.set("X-Auth-Token", h.demo_token());
    headers.set(bhttp::field::content_type, "application/json");
    // Named: GCC 12 destroys a temporary passed to a coroutine twice (docs/decisions.md).
    std::string text = body.is_null() ? std::string{} : body.dump();
    const auto& to = h.clouds().endpoints(region);
    h.run([&]() -> http::awaitable<void> {
      try {
        auto answer = co_await call_cloudlet(h.context(), to, api::service_type::image, method, target, headers, text);
        status = answer.status;
      } catch (const upstream_failure& e) {
        if (failure) *failure = e.status;
      }
    });
    return status;
  }

  flow_harness h;
};

TEST_F(Harness, EachCloudletIsItsOwnCloud) {
  json image{{"name", "here"}, {"disk_format", "raw"}, {"container_format", "bare"}};
  EXPECT_EQ(call("cloudlet-2", bhttp::verb::post, "/v2/images", image), 201u);
  EXPECT_EQ(h.clouds().items("cloudlet-2", "images").size(), 1u);
  EXPECT_EQ(h.clouds().items("cloudlet-1", "images").size(), 0u);
  ASSERT_EQ(h.clouds().calls().size(), 1u);
  EXPECT_EQ(h.clouds().calls()[0].cloudlet, "cloudlet-2");
  EXPECT_EQ(h.clouds().calls()[0].target, "/v2/images");
  EXPECT_EQ(h.clouds().calls()[0].status, 201u);
}

TEST_F(Harness, ScriptedFaultsHitTheirCallsAndAreSpent) {
  json image{{"name", "x"}, {"disk_format", "raw"}, {"container_format", "bare"}};
  h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::post, "/v2/images", fault_effect::answer, 503));
  EXPECT_EQ(call("cloudlet-1", bhttp::verb::post, "/v2/images", image), 201u) << "another cloudlet";
  EXPECT_EQ(call("cloudlet-2", bhttp::verb::post, "/v2/images", image), 503u);
  EXPECT_EQ(h.clouds().items("cloudlet-2", "images").size(), 0u) << "answered without making";
  EXPECT_EQ(call("cloudlet-2", bhttp::verb::post, "/v2/images", image), 201u) << "spent after one hit";

  unsigned failure = 0;
  h.clouds().add_fault(call_fault("cloudlet-3", std::nullopt, "", fault_effect::no_answer_after_making));
  EXPECT_EQ(call("cloudlet-3", bhttp::verb::post, "/v2/images", image, &failure), 0u);
  EXPECT_EQ(failure, 504u);
  EXPECT_EQ(h.clouds().items("cloudlet-3", "images").size(), 1u) << "made, not answered";
  EXPECT_TRUE(h.clouds().calls().back().handled);
}

TEST_F(Harness, ADownCloudletAnswersNothing) {
  h.clouds().set_down("cloudlet-2");
  unsigned failure = 0;
  EXPECT_EQ(call("cloudlet-2", bhttp::verb::get, "/v2/images", nullptr, &failure), 0u);
  EXPECT_EQ(failure, 503u);
  EXPECT_FALSE(h.clouds().calls().back().handled);
  h.clouds().set_down("cloudlet-2", false);
  EXPECT_EQ(call("cloudlet-2", bhttp::verb::get, "/v2/images"), 200u);
}

TEST_F(Harness, AListThroughTheHandlerRunsToCompletion) {
  h.clouds().seed_image("cloudlet-2", h.demo_token(), {{"name", "unrecorded"}});
  h.clouds().set_down("cloudlet-3");
  auto answer = h.send(bhttp::verb::get, "/image/v2/images");
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(json::parse(answer.body).at("images").size(), 1u);
  EXPECT_EQ(answer.header("X-Fedstack-Unreachable"), "cloudlet-3");
}

} // namespace
} // namespace fedstack::agent::testing
