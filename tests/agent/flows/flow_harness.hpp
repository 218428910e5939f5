#pragma once
// The hermetic flow-test harness (issue 17): an agent_context whose clouds,
// registry and placement are fakes (fake_clouds.hpp, fake_registry.hpp,
// fake_placement.hpp), with the simulator's admin and demo tokens already in
// the token cache, and a way to run one client request through
// make_proxy_handler to completion on an io_context: no sockets, no sleeps.
//
//   flow_harness h;                          // three cloudlets, own is cloudlet-1
//   h.placement().place_on("cloudlet-2");
//   auto answer = h.send(bhttp::verb::post, "/image/v2/images", {{"name", "x"}});
//   EXPECT_EQ(answer.status, 201);
//
// Faults: h.clouds().add_fault(call_fault("cloudlet-2", bhttp::verb::post,
// "/v2/images", fault_effect::no_answer_after_making)); h.clouds().set_down(...);
// h.registry().set_unavailable(true, {"abandon"}). A coroutine given to run()
// names its arguments: GCC 12 destroys a temporary passed to a coroutine twice.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/services/context.hpp"
#include "tests/agent/flows/fake_clouds.hpp"
#include "tests/agent/flows/fake_exchange.hpp"
#include "tests/agent/flows/fake_placement.hpp"
#include "tests/agent/flows/fake_registry.hpp"

namespace fedstack::agent::testing {

class flow_harness {
public:
  /// The agent serves the first cloudlet ("cloudlet-1").
  explicit flow_harness(fake_clouds_options options = {});

  agent_context& context() { return context_; }
  fake_clouds& clouds() { return *clouds_; }
  fake_registry& registry() { return *registry_; }
  fake_placement& placement() { return *placement_; }

  /// Tokens of the simulator's admin (admin role, project "admin") and demo users.
  const std::string& admin_token() const { return admin_token_; }
  const std::string& demo_token() const { return demo_token_; }

  /// One client request through the agent's handler, run to completion.
  /// `target` is as a client sends it ("/image/v2/images"); `token` defaults
  /// to the demo user's; a null body sends none.
  captured_response send(bhttp::verb method, const std::string& target, const nlohmann::json& body = nullptr,
                         const std::string& token = {}, const bhttp::fields& headers = {});

  /// Runs `body()` (an awaitable<void> coroutine that may use the context) to completion.
  void run(std::function<http::awaitable<void>()> body);

  /// A resource as the registry records it once a create bound it (for tests
  /// that start from existing resources).
  storage::registry_entry record(storage::resource_kind kind, const std::string& project,
                                 std::vector<storage::cloud_copy> copies, const std::string& name = {});

private:
  fake_clouds* clouds_;
  fake_registry* registry_;
  fake_placement* placement_;
  agent_context context_;
  std::string admin_token_;
  std::string demo_token_;
};

} // namespace fedstack::agent::testing
