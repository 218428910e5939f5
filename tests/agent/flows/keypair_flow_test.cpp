// Keypairs follow the boot (agent/flows/keypairs.hpp, rules/keypair_rule.hpp):
// through the agent's handler against fake clouds running the simulator's
// Nova, with a fake registry: the copy a boot on another cloudlet needs, the
// same-named keypair of another key that is never replaced, and the delete
// that removes the federation's copies and nothing the user made directly.

#include <gtest/gtest.h>

#include "agent/rules/keypair_rule.hpp"
#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;

const std::string alice_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAlice alice@laptop";
const std::string other_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOther someone@else";

class KeypairFlow : public ::testing::Test {
protected:
  /// The demo user's keypair `name` on `region` as Nova shows it; nullopt when it has none.
  std::optional<keypair_view> keypair_on(const std::string& region, const std::string& name = "k") {
    auto shown = h.clouds().direct(region, api::service_type::compute, bhttp::verb::get, "/v2.1/os-keypairs/" + name,
                                   h.demo_token());
    if (shown.status == 404) return std::nullopt;
    EXPECT_EQ(shown.status, 200u) << shown.body;
    return read_keypair(json::parse(shown.body));
  }

  /// The demo user makes keypair `name` directly on `region`, as with that cloud's own CLI.
  void make_directly(const std::string& region, const std::string& key, const std::string& name = "k") {
    auto made = h.clouds().direct(region, api::service_type::compute, bhttp::verb::post, "/v2.1/os-keypairs",
                                  h.demo_token(), {{"keypair", {{"name", name}, {"public_key", key}}}});
    ASSERT_TRUE(made.status == 200 || made.status == 201) << made.body;   // by the microversion
  }

  /// The demo user deletes keypair `name` directly on `region`.
  void delete_directly(const std::string& region, const std::string& name = "k") {
    auto gone = h.clouds().direct(region, api::service_type::compute, bhttp::verb::delete_,
                                  "/v2.1/os-keypairs/" + name, h.demo_token());
    ASSERT_TRUE(gone.status == 202 || gone.status == 204) << gone.body;
  }

  void make_through_agent(const std::string& key, const std::string& name = "k") {
    auto made = h.send(bhttp::verb::post, "/compute/v2.1/os-keypairs",
                       {{"keypair", {{"name", name}, {"public_key", key}}}});
    ASSERT_EQ(made.status, 200u) << made.body;
  }

  /// The keypair copies the agent's registry records (meta keys whose value says so).
  std::vector<std::string> keypair_records() {
    std::vector<std::string> out;
    for (const auto& [key, value] : h.registry().meta())
      if (key.rfind("keypair_copy\n", 0) == 0 && value == keypair_copy_recorded) out.push_back(key);
    return out;
  }

  std::string flavor_id(const std::string& region, const std::string& name) {
    auto listed = h.clouds().direct(region, api::service_type::compute, bhttp::verb::get, "/v2.1/flavors",
                                    h.demo_token());
    auto doc = json::parse(listed.body);   // named: a range over a temporary's member dangles
    for (const auto& f : doc.at("flavors"))
      if (f.value("name", std::string{}) == name) return f.value("id", std::string{});
    ADD_FAILURE() << "no flavor " << name << " on " << region;
    return {};
  }

  /// A boot with key_name `k` of an image that every cloudlet holds.
  captured_response boot_with_key(const std::string& key_name = "k") {
    auto global_id = h.registry().new_global_id();
    std::vector<storage::cloud_copy> copies;
    for (const auto& c : h.clouds().cloudlets()) {
      json fields{{"name", "cirros"}};
      fields[std::string(copies.empty() ? api::gid_key : api::copy_of_key)] = global_id;
      copies.push_back({c.region, h.clouds().seed_image(c.region, h.demo_token(), fields)});
    }
    h.record(resource_kind::image, h.clouds().demo_project_id(), copies, "cirros", global_id);
    json server{{"name", "vm"}, {"imageRef", global_id}, {"flavorRef", flavor_id("cloudlet-1", "m1.tiny")},
                {"key_name", key_name}};
    return h.send(bhttp::verb::post, "/compute/v2.1/servers", json{{"server", server}});
  }

  std::size_t servers_on(const std::string& region) { return h.clouds().items(region, "servers").size(); }

  flow_harness h;
};

TEST_F(KeypairFlow, ABootPlacedElsewhereGetsTheKeypairCopiedThereAndRecorded) {
  make_through_agent(alice_key);
  h.placement().place_on("cloudlet-2");
  auto answer = boot_with_key();
  ASSERT_EQ(answer.status, 202u) << answer.body;
  auto copy = keypair_on("cloudlet-2");
  ASSERT_TRUE(copy) << "the target holds the keypair the boot names";
  EXPECT_EQ(copy->public_key, alice_key);
  EXPECT_EQ(copy->fingerprint, keypair_on("cloudlet-1")->fingerprint);
  EXPECT_EQ(servers_on("cloudlet-2"), 1u);
  EXPECT_FALSE(keypair_on("cloudlet-3")) << "only where the boot went";
  auto records = keypair_records();
  ASSERT_EQ(records.size(), 1u);
  auto user = h.clouds().identity_of(h.demo_token()).user_id;
  EXPECT_EQ(records[0], keypair_copy_key("cloudlet-2", user, "k", copy->fingerprint));

  // A second boot there uses the copy: nothing is made or recorded twice.
  h.clouds().clear_log();
  ASSERT_EQ(boot_with_key().status, 202u);
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/os-keypairs").empty());
  EXPECT_EQ(keypair_records().size(), 1u);
}

TEST_F(KeypairFlow, ABootOnTheOwnCloudletCopiesNothing) {
  make_through_agent(alice_key);
  h.placement().place_on("cloudlet-1");
  ASSERT_EQ(boot_with_key().status, 202u);
  EXPECT_FALSE(keypair_on("cloudlet-2"));
  EXPECT_FALSE(keypair_on("cloudlet-3"));
  EXPECT_TRUE(keypair_records().empty());
}

TEST_F(KeypairFlow, ASameNamedKeypairOfAnotherKeyOnTheTargetIsNotReplacedAndTheBootIsRefused) {
  make_through_agent(alice_key);
  make_directly("cloudlet-2", other_key);
  h.placement().place_on("cloudlet-2");
  auto answer = boot_with_key();
  EXPECT_EQ(answer.status, 409u) << answer.body;
  EXPECT_NE(answer.body.find("another public key"), std::string::npos) << answer.body;
  EXPECT_EQ(keypair_on("cloudlet-2")->public_key, other_key) << "the user's own keypair is untouched";
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-2", bhttp::verb::delete_, "/v2.1/os-keypairs/k").empty());
  EXPECT_EQ(servers_on("cloudlet-2"), 0u);
  EXPECT_TRUE(keypair_records().empty());
}

TEST_F(KeypairFlow, AClashingTargetIsSkippedForTheNextCandidate) {
  make_through_agent(alice_key);
  make_directly("cloudlet-2", other_key);
  h.placement().place_on("cloudlet-2", {"cloudlet-3"});
  ASSERT_EQ(boot_with_key().status, 202u);
  EXPECT_EQ(servers_on("cloudlet-2"), 0u);
  EXPECT_EQ(servers_on("cloudlet-3"), 1u);
  EXPECT_EQ(keypair_on("cloudlet-3")->public_key, alice_key);
  EXPECT_EQ(keypair_on("cloudlet-2")->public_key, other_key);
}

TEST_F(KeypairFlow, TheSameKeyAlreadyOnTheTargetIsUsedAndNotTakenForACopy) {
  make_through_agent(alice_key);
  make_directly("cloudlet-2", alice_key);
  h.placement().place_on("cloudlet-2");
  ASSERT_EQ(boot_with_key().status, 202u);
  EXPECT_TRUE(keypair_records().empty()) << "the user made it: not the federation's";
  auto gone = h.send(bhttp::verb::delete_, "/compute/v2.1/os-keypairs/k");
  EXPECT_EQ(gone.status, 202u) << gone.body;
  EXPECT_FALSE(keypair_on("cloudlet-1"));
  EXPECT_TRUE(keypair_on("cloudlet-2")) << "a delete never touches what the federation did not make";
}

TEST_F(KeypairFlow, ADeleteRemovesTheCopiesTheFederationMadeAndKeepsTheUsersOwn) {
  make_through_agent(alice_key);
  h.placement().place_on("cloudlet-2");
  ASSERT_EQ(boot_with_key().status, 202u);
  make_directly("cloudlet-3", other_key);
  auto gone = h.send(bhttp::verb::delete_, "/compute/v2.1/os-keypairs/k");
  EXPECT_EQ(gone.status, 202u) << gone.body;
  EXPECT_FALSE(keypair_on("cloudlet-1"));
  EXPECT_FALSE(keypair_on("cloudlet-2")) << "the copy went with it";
  EXPECT_EQ(keypair_on("cloudlet-3")->public_key, other_key) << "the user's keypair there is kept";
  EXPECT_TRUE(keypair_records().empty()) << "the record went with the copy";
}

TEST_F(KeypairFlow, ADeleteKeepsAKeypairTheUserRemadeWithAnotherKeyWhereTheCopyWas) {
  make_through_agent(alice_key);
  h.placement().place_on("cloudlet-2");
  ASSERT_EQ(boot_with_key().status, 202u);
  // The user replaces the copy on cloudlet-2 directly with a keypair of another key.
  delete_directly("cloudlet-2");
  make_directly("cloudlet-2", other_key);
  auto gone = h.send(bhttp::verb::delete_, "/compute/v2.1/os-keypairs/k");
  EXPECT_EQ(gone.status, 202u) << gone.body;
  EXPECT_FALSE(keypair_on("cloudlet-1"));
  ASSERT_TRUE(keypair_on("cloudlet-2"));
  EXPECT_EQ(keypair_on("cloudlet-2")->public_key, other_key);
}

TEST_F(KeypairFlow, ADeleteWhenOnlyCopiesHoldTheKeypairSucceeds) {
  make_through_agent(alice_key);
  h.placement().place_on("cloudlet-2");
  ASSERT_EQ(boot_with_key().status, 202u);
  delete_directly("cloudlet-1");
  bhttp::fields v22;
  v22.set("OpenStack-API-Version", "compute 2.2");
  auto gone = h.send(bhttp::verb::delete_, "/compute/v2.1/os-keypairs/k", nullptr, {}, v22);
  EXPECT_EQ(gone.status, 204u) << gone.body;
  EXPECT_FALSE(keypair_on("cloudlet-2"));
  auto again = h.send(bhttp::verb::delete_, "/compute/v2.1/os-keypairs/k");
  EXPECT_EQ(again.status, 404u) << "nothing is left to delete";
}

TEST_F(KeypairFlow, ACopyThatCannotBeRecordedIsDeletedAtOnceAndTheTargetSkipped) {
  make_through_agent(alice_key);
  h.registry().set_unavailable(true, {"put_meta"});
  h.placement().place_on("cloudlet-2", {"cloudlet-1"});
  ASSERT_EQ(boot_with_key().status, 202u);
  EXPECT_FALSE(keypair_on("cloudlet-2")) << "an unrecorded copy could never be told from the user's own";
  EXPECT_EQ(servers_on("cloudlet-2"), 0u);
  EXPECT_EQ(servers_on("cloudlet-1"), 1u);
}

TEST_F(KeypairFlow, AListThroughTheAgentShowsEachKeypairOnce) {
  make_through_agent(alice_key);
  h.placement().place_on("cloudlet-2");
  ASSERT_EQ(boot_with_key().status, 202u);
  auto listed = h.send(bhttp::verb::get, "/compute/v2.1/os-keypairs");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  auto items = json::parse(listed.body).at("keypairs");
  ASSERT_EQ(items.size(), 1u) << listed.body;
  EXPECT_EQ(items[0].at("keypair").at("name"), "k");
}

} // namespace
} // namespace fedstack::agent::testing
