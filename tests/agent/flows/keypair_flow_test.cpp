// Keypairs follow the boot (agent/flows/keypairs.hpp, rules/keypair_rule.hpp):
// through the agent's handler against fake clouds running the simulator's
// Nova, with a fake registry: the copy a boot on another cloudlet needs, the
// same-named keypair of another key that is never replaced, and the delete
// that removes the federation's copies and nothing the user made directly.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>

#include "agent/rules/keypair_rule.hpp"
#include "agent/services/keypair_copy_records.hpp"
#include "api/global_id.hpp"
#include "tests/agent/flows/flow_harness.hpp"

namespace fedstack::agent::testing {
namespace {

using json = nlohmann::json;
using storage::resource_kind;

const std::string alice_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAlice alice@laptop";
const std::string other_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOther someone@else";

/// The harness's registry, plus what other agents recorded about their keypair
/// copies, as the production client reaches them through their nodes
/// (keypair_copy_records.hpp): by the node a marker's global ID names.
class registry_with_other_agents final : public registry_client, public keypair_copy_records {
public:
  explicit registry_with_other_agents(std::unique_ptr<registry_client> own) : own_(std::move(own)) {}

  /// The agent at `host` (port 4790) stored `value` under meta `key`.
  void record_at(const std::string& host, std::string key, std::string value) {
    records_[host][std::move(key)] = std::move(value);
  }
  void set_down(const std::string& host, bool down) {
    if (down) down_.insert(host);
    else down_.erase(host);
  }

  http::awaitable<std::optional<std::string>> keypair_copy_record_at(std::string global_id,
                                                                    std::string key) override {
    auto owner = api::global_id_owner(global_id);
    if (!owner) co_return std::nullopt;
    if (owner->host == "10.0.0.1") co_return co_await own_->get_meta(std::move(key));   // this agent
    if (down_.contains(owner->host)) throw registry_unavailable("the agent at " + owner->host + " is unreachable");
    auto& theirs = records_[owner->host];
    auto it = theirs.find(key);
    if (it == theirs.end()) co_return std::nullopt;
    co_return it->second;
  }

  std::string new_global_id() override { return own_->new_global_id(); }
  http::awaitable<std::optional<storage::registry_entry>> get(std::string p, std::string g) override {
    return own_->get(std::move(p), std::move(g));
  }
  http::awaitable<std::optional<storage::registry_entry>> get_any_project(std::string g) override {
    return own_->get_any_project(std::move(g));
  }
  http::awaitable<std::vector<storage::id_mapping>> to_global(std::string p, std::string c,
                                                              std::vector<std::string> l) override {
    return own_->to_global(std::move(p), std::move(c), std::move(l));
  }
  http::awaitable<void> put(storage::registry_entry e) override { return own_->put(std::move(e)); }
  http::awaitable<std::optional<storage::registry_entry>> add_copy(std::string p, std::string g,
                                                                    storage::cloud_copy c) override {
    return own_->add_copy(std::move(p), std::move(g), std::move(c));
  }
  http::awaitable<std::vector<storage::registry_entry>> reserved(std::int64_t before) override {
    return own_->reserved(before);
  }
  http::awaitable<bool> erase(std::string p, std::string g) override { return own_->erase(std::move(p), std::move(g)); }
  http::awaitable<std::optional<storage::registry_entry>> give(std::string g, std::string to) override {
    return own_->give(std::move(g), std::move(to));
  }
  http::awaitable<std::optional<storage::registry_entry>> rebind(std::string p, std::string g,
                                                                  storage::cloud_copy e,
                                                                  storage::cloud_copy c) override {
    return own_->rebind(std::move(p), std::move(g), std::move(e), std::move(c));
  }
  http::awaitable<void> abandon(storage::abandoned_attempt a) override { return own_->abandon(std::move(a)); }
  http::awaitable<std::vector<storage::abandoned_attempt>> abandoned(std::int64_t before) override {
    return own_->abandoned(before);
  }
  http::awaitable<bool> forget_abandoned(std::string t) override { return own_->forget_abandoned(std::move(t)); }
  http::awaitable<void> put_meta(std::string k, std::string v) override {
    return own_->put_meta(std::move(k), std::move(v));
  }
  http::awaitable<std::optional<std::string>> get_meta(std::string k) override { return own_->get_meta(std::move(k)); }

private:
  std::unique_ptr<registry_client> own_;
  std::map<std::string, std::map<std::string, std::string>> records_;
  std::set<std::string> down_;
};

class KeypairFlow : public ::testing::Test {
protected:
  KeypairFlow() {
    auto wrapped = std::make_unique<registry_with_other_agents>(std::move(h.context().registry));
    others = wrapped.get();
    h.context().registry = std::move(wrapped);
  }

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

  /// The keypair copies the agent's registry records (meta keys with a value: the marker).
  std::vector<std::string> keypair_records() {
    std::vector<std::string> out;
    for (const auto& [key, value] : h.registry().meta())
      if (key.rfind("keypair_copy\n", 0) == 0 && value != keypair_copy_gone) out.push_back(key);
    return out;
  }

  std::string user_of(const std::string& token) { return h.clouds().identity_of(token).user_id; }

  /// The meta key of the demo user's keypair `name` of `fingerprint` on `region`.
  std::string record_key(const std::string& region, const std::string& fingerprint, const std::string& name = "k") {
    return keypair_copy_key(region, user_of(h.demo_token()), name, fingerprint).value();
  }

  /// Agent 3 (node 10.0.0.3) made and recorded a copy of `key` on `region` for the
  /// user of `token`, as its keypairs.cpp does: the marker it gave the copy.
  std::string copy_by_agent_three(const std::string& region, const std::string& key, const std::string& token) {
    auto marker = api::make_global_id({agent_three, 4790}).value();
    auto made = h.clouds().direct(region, api::service_type::compute, bhttp::verb::post, "/v2.1/os-keypairs", token,
                                  {{"keypair", {{"name", "k"}, {"public_key", marked_public_key(key, marker)}}}});
    EXPECT_TRUE(made.status == 200 || made.status == 201) << made.body;
    auto fingerprint = json::parse(made.body).at("keypair").at("fingerprint").get<std::string>();
    others->record_at(agent_three, keypair_copy_key(region, user_of(token), "k", fingerprint).value(), marker);
    return marker;
  }

  flow_harness h;
  registry_with_other_agents* others = nullptr;
  const std::string agent_three = "10.0.0.3";

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
};

TEST_F(KeypairFlow, ABootPlacedElsewhereGetsTheKeypairCopiedThereAndRecorded) {
  make_through_agent(alice_key);
  h.placement().place_on("cloudlet-2");
  auto answer = boot_with_key();
  ASSERT_EQ(answer.status, 202u) << answer.body;
  auto copy = keypair_on("cloudlet-2");
  ASSERT_TRUE(copy) << "the target holds the keypair the boot names";
  auto marker = keypair_marker(*copy);
  ASSERT_TRUE(marker) << copy->public_key;
  EXPECT_EQ(copy->public_key, alice_key + " fedstack_copy=" + *marker) << "the key and comment, marked";
  EXPECT_EQ(api::global_id_owner(*marker)->host, "10.0.0.1") << "the marker names the agent that made the copy";
  EXPECT_EQ(copy->fingerprint, keypair_on("cloudlet-1")->fingerprint) << "Nova's fingerprint leaves out the comment";
  EXPECT_EQ(servers_on("cloudlet-2"), 1u);
  EXPECT_FALSE(keypair_on("cloudlet-3")) << "only where the boot went";
  auto records = keypair_records();
  ASSERT_EQ(records.size(), 1u);
  auto user = h.clouds().identity_of(h.demo_token()).user_id;
  EXPECT_EQ(records[0], keypair_copy_key("cloudlet-2", user, "k", copy->fingerprint));
  EXPECT_EQ(h.registry().meta().at(records[0]), *marker) << "the record is the copy's marker";

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
  auto copy = keypair_on("cloudlet-3");
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->public_key, marked_public_key(alice_key, keypair_marker(*copy).value_or("")));
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

TEST_F(KeypairFlow, ACopyThatCannotBeRecordedIsNeverMadeAndTheTargetSkipped) {
  make_through_agent(alice_key);
  h.registry().set_unavailable(true, {"put_meta"});
  h.placement().place_on("cloudlet-2", {"cloudlet-1"});
  h.clouds().clear_log();
  ASSERT_EQ(boot_with_key().status, 202u);
  EXPECT_FALSE(keypair_on("cloudlet-2")) << "an unrecorded copy could never be told from the user's own";
  EXPECT_TRUE(h.clouds().calls_to("cloudlet-2", bhttp::verb::post, "/v2.1/os-keypairs").empty())
    << "recorded before it is made: nothing is made unrecorded";
  EXPECT_EQ(servers_on("cloudlet-2"), 0u);
  EXPECT_EQ(servers_on("cloudlet-1"), 1u);
}

TEST_F(KeypairFlow, ACopyLeftByACrashAfterItWasMadeIsStillDeleted) {
  make_through_agent(alice_key);
  // The record is written first; the agent then stops after Nova made the copy.
  auto marker = h.registry().new_global_id();
  make_directly("cloudlet-2", marked_public_key(alice_key, marker));
  auto fingerprint = keypair_on("cloudlet-2")->fingerprint;
  h.run([&]() -> http::awaitable<void> { co_await h.registry().put_meta(record_key("cloudlet-2", fingerprint), marker); });
  auto gone = h.send(bhttp::verb::delete_, "/compute/v2.1/os-keypairs/k");
  EXPECT_EQ(gone.status, 202u) << gone.body;
  EXPECT_FALSE(keypair_on("cloudlet-2"));
}

TEST_F(KeypairFlow, ACopyRecordedBeforeCopiesWereMarkedIsStillDeleted) {
  make_through_agent(alice_key);
  make_directly("cloudlet-2", alice_key);
  auto fingerprint = keypair_on("cloudlet-2")->fingerprint;
  h.run([&]() -> http::awaitable<void> {
    co_await h.registry().put_meta(record_key("cloudlet-2", fingerprint), std::string(keypair_copy_recorded));
  });
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/compute/v2.1/os-keypairs/k").status, 202u);
  EXPECT_FALSE(keypair_on("cloudlet-2")) << "this agent's unmarked record, as before";
}

TEST_F(KeypairFlow, AMarkedCopyOfThisAgentReplacedByTheUsersOwnSameKeyIsKept) {
  make_through_agent(alice_key);
  h.placement().place_on("cloudlet-2");
  ASSERT_EQ(boot_with_key().status, 202u);
  delete_directly("cloudlet-2");
  make_directly("cloudlet-2", alice_key);   // the same key, made by the user: no marker
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/compute/v2.1/os-keypairs/k").status, 202u);
  ASSERT_TRUE(keypair_on("cloudlet-2")) << "the record names the copy's marker, which this one lacks";
  EXPECT_EQ(keypair_on("cloudlet-2")->public_key, alice_key);
}

TEST_F(KeypairFlow, ADeleteRemovesACopyAnotherAgentMadeAndRecorded) {
  make_through_agent(alice_key);
  auto marker = copy_by_agent_three("cloudlet-2", alice_key, h.demo_token());
  auto gone = h.send(bhttp::verb::delete_, "/compute/v2.1/os-keypairs/k");
  EXPECT_EQ(gone.status, 202u) << gone.body;
  EXPECT_FALSE(keypair_on("cloudlet-1"));
  EXPECT_FALSE(keypair_on("cloudlet-2")) << "agent 3 recorded copy " << marker << ": it goes with the delete";
}

TEST_F(KeypairFlow, AForgedMarkerIsNeverTakenForACopy) {
  make_through_agent(alice_key);
  // The user's own keypair there, same key, with a marker naming agent 3 that recorded nothing.
  auto forged = api::make_global_id({agent_three, 4790}).value();
  make_directly("cloudlet-2", marked_public_key(alice_key, forged));
  // And on cloudlet-3 one naming a marker agent 3 did record, but for another copy (another marker).
  copy_by_agent_three("cloudlet-3", alice_key, h.demo_token());
  auto recorded = keypair_on("cloudlet-3")->public_key;
  delete_directly("cloudlet-3");
  make_directly("cloudlet-3", marked_public_key(alice_key, api::make_global_id({agent_three, 4790}).value()));
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/compute/v2.1/os-keypairs/k").status, 202u);
  EXPECT_FALSE(keypair_on("cloudlet-1"));
  EXPECT_TRUE(keypair_on("cloudlet-2")) << "a marker no record backs proves nothing";
  ASSERT_TRUE(keypair_on("cloudlet-3")) << "agent 3 recorded another marker for it";
  EXPECT_NE(keypair_on("cloudlet-3")->public_key, recorded);
}

TEST_F(KeypairFlow, AnotherUsersRecordedMarkerDoesNotMakeThisUsersKeypairACopy) {
  make_through_agent(alice_key);
  // Agent 3 made the admin's copy on cloudlet-2; the demo user's keypair there carries its marker.
  auto marker = copy_by_agent_three("cloudlet-2", alice_key, h.admin_token());
  make_directly("cloudlet-2", marked_public_key(alice_key, marker));
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/compute/v2.1/os-keypairs/k").status, 202u);
  EXPECT_TRUE(keypair_on("cloudlet-2")) << "the record is the admin's, not this user's";
  auto admins = h.clouds().direct("cloudlet-2", api::service_type::compute, bhttp::verb::get, "/v2.1/os-keypairs/k",
                                  h.admin_token());
  EXPECT_EQ(admins.status, 200u) << "another user's copy is never reached";
}

TEST_F(KeypairFlow, AnotherKeyCarryingARecordedMarkerIsKept) {
  make_through_agent(alice_key);
  auto marker = copy_by_agent_three("cloudlet-2", alice_key, h.demo_token());
  // The user puts another key there under the name, with the recorded copy's marker.
  delete_directly("cloudlet-2");
  make_directly("cloudlet-2", marked_public_key(other_key, marker));
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/compute/v2.1/os-keypairs/k").status, 202u);
  ASSERT_TRUE(keypair_on("cloudlet-2")) << "the record names alice's fingerprint, not this key's";
  EXPECT_EQ(keypair_on("cloudlet-2")->public_key, marked_public_key(other_key, marker));
}

TEST_F(KeypairFlow, ACopyWhoseRecorderIsDownStaysAndTheDeleteIsAnsweredAsBefore) {
  make_through_agent(alice_key);
  copy_by_agent_three("cloudlet-2", alice_key, h.demo_token());
  others->set_down(agent_three, true);
  auto gone = h.send(bhttp::verb::delete_, "/compute/v2.1/os-keypairs/k");
  EXPECT_EQ(gone.status, 202u) << gone.body;
  EXPECT_FALSE(keypair_on("cloudlet-1")) << "the own cloudlet's keypair goes";
  EXPECT_TRUE(keypair_on("cloudlet-2")) << "unproven while agent 3 cannot answer";
  // Once agent 3 answers, a delete through this agent removes the copy.
  others->set_down(agent_three, false);
  EXPECT_EQ(h.send(bhttp::verb::delete_, "/compute/v2.1/os-keypairs/k").status, 202u);
  EXPECT_FALSE(keypair_on("cloudlet-2"));
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
