// A relayed answer that names no resource (agent/rules/id_free_answer.hpp) is
// passed as the cloud sent it, even where it holds a recorded resource's cloud
// ID as text. That a resource's answer is still translated:
// ResourceFlow.ShowOfARecordedImageGoesToItsPrimaryWithIdsTranslatedBothWays
// and ResourceFlow.ACloudsOwnIdPassesThroughToTheOwnCloudletUnasked.

#include <gtest/gtest.h>

#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

/// The fake clouds, but the answer to one path is `body` (a document the
/// simulator does not serve: a schema with an ID-shaped example).
class answer_replaced final : public upstream_calls {
public:
  answer_replaced(std::unique_ptr<upstream_calls> inner, std::string path, std::string body)
      : inner_(std::move(inner)), path_(std::move(path)), body_(std::move(body)) {}

  http::awaitable<http::response> call(const http::endpoint& to, bhttp::verb method, const std::string& target,
                                       const bhttp::fields& client_headers, std::string body,
                                       std::chrono::milliseconds timeout, http::connection_pool* pool,
                                       std::string_view request_id) override {
    auto answer = co_await inner_->call(to, method, target, client_headers, std::move(body), timeout, pool, request_id);
    if (target == path_) answer.body = body_;
    co_return answer;
  }

private:
  std::unique_ptr<upstream_calls> inner_;
  std::string path_;
  std::string body_;
};

class IdFreeAnswer : public ::testing::Test {
protected:
  /// A recorded image on the agent's own cloudlet: its cloud ID, which a scan would translate.
  std::string recorded_image() {
    auto gid = h.registry().new_global_id();
    auto local = h.clouds().seed_image("cloudlet-1", h.demo_token(), {{"name", "x"}, {std::string(api::gid_key), gid}});
    h.record(storage::resource_kind::image, h.clouds().demo_project_id(), {{"cloudlet-1", local}}, "x", gid);
    return local;
  }

  flow_harness h;
};

TEST_F(IdFreeAnswer, AGlanceSchemaIsPassedByteForByte) {
  auto local = recorded_image();
  // Spacing and key order json::dump would change; the cloud ID a scan would replace.
  std::string schema = "{\"name\": \"image\",  \"properties\": {\"id\": {\"type\": \"string\", "
                       "\"description\": \"e.g. " + local + "\"}}, \"additionalProperties\": {\"type\": \"string\"}}";
  h.context().upstream = std::make_unique<answer_replaced>(std::move(h.context().upstream), "/v2/schemas/image", schema);

  auto answer = h.send(bhttp::verb::get, "/image/v2/schemas/image");
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(answer.body, schema);
}

TEST_F(IdFreeAnswer, NeutronsExtensionListIsPassedByteForByte) {
  auto local = recorded_image();
  std::string extensions = "{\"extensions\": [{\"alias\": \"x\", \"description\": \"" + local + "\"}]}";
  h.context().upstream = std::make_unique<answer_replaced>(std::move(h.context().upstream), "/v2.0/extensions", extensions);

  auto answer = h.send(bhttp::verb::get, "/network/v2.0/extensions");
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(answer.body, extensions);
}

} // namespace
} // namespace fedstack::agent::testing
