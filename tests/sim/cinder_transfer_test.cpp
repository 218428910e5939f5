// The simulator's volume transfers (sim/cinder_transfers.cpp) against Cinder's rules:
// the volume awaits the transfer, only its project sees the transfer, a wrong key is
// refused, and accept gives the volume to the accepting project.
#include "sim_fixture.hpp"

namespace fedstack::sim::testing {
namespace {

class cinder_transfer_test : public sim_fixture {
protected:
  void SetUp() override {
    admin_ = admin_token();
    demo_ = demo_token();
  }
  reply cinder(const std::string& method, const std::string& tail, const std::string& token, const json& body = nullptr,
               const std::string& version = "3.0") {
    auto project = token == demo_ ? ids_.demo_project_id() : ids_.admin_project_id();
    return call(cinder_, method, "/v3/" + project + tail, token, body, {{"OpenStack-API-Version", "volume " + version}});
  }
  std::string demo_volume() {
    auto out = cinder("POST", "/volumes", demo_, {{"volume", {{"size", 1}, {"name", "given"}}}});
    EXPECT_EQ(out.status, 202u) << out.body;
    advance(std::chrono::seconds{1});
    return body_of(out)["volume"]["id"];
  }
  json volume(const std::string& token, const std::string& id) {
    return body_of(cinder("GET", "/volumes/" + id, token))["volume"];
  }
  std::string admin_, demo_;
};

TEST_F(cinder_transfer_test, accept_with_the_key_gives_the_volume_to_the_accepting_project) {
  auto vid = demo_volume();
  auto made = cinder("POST", "/os-volume-transfer", demo_, {{"transfer", {{"volume_id", vid}, {"name", "t"}}}});
  ASSERT_EQ(made.status, 202u) << made.body;
  auto t = body_of(made)["transfer"];
  EXPECT_EQ(t["volume_id"], vid);
  EXPECT_EQ(t["auth_key"].get<std::string>().size(), 16u);
  EXPECT_TRUE(t.contains("created_at"));
  EXPECT_EQ(volume(demo_, vid)["status"], "awaiting-transfer");
  auto id = t["id"].get<std::string>();
  // Listed and shown to the volume's project; the key is shown once.
  auto listed = body_of(cinder("GET", "/os-volume-transfer/detail", demo_))["transfers"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_FALSE(listed[0].contains("auth_key"));
  EXPECT_EQ(cinder("GET", "/os-volume-transfer/" + id, demo_).status, 200u);
  // The same transfer at 3.55 under /volume-transfers; unknown there before 3.55.
  EXPECT_EQ(cinder("GET", "/volume-transfers/" + id, demo_, nullptr, "3.55").status, 200u);
  EXPECT_EQ(cinder("GET", "/volume-transfers/" + id, demo_).status, 404u);
  // Another project accepts with a wrong key: refused, the volume stays.
  auto wrong = cinder("POST", "/os-volume-transfer/" + id + "/accept", admin_, {{"accept", {{"auth_key", "0000"}}}});
  EXPECT_EQ(wrong.status, 400u);
  EXPECT_EQ(body_of(wrong)["badRequest"]["message"], "Invalid auth key: Attempt to transfer " + id + " with invalid auth key.");
  EXPECT_EQ(volume(demo_, vid)["status"], "awaiting-transfer");
  EXPECT_EQ(cinder("POST", "/os-volume-transfer/" + t["volume_id"].get<std::string>() + "/accept", admin_,
                   {{"accept", {{"auth_key", t["auth_key"]}}}}).status, 404u) << "a volume ID is no transfer";
  auto accepted = cinder("POST", "/os-volume-transfer/" + id + "/accept", admin_, {{"accept", {{"auth_key", t["auth_key"]}}}});
  ASSERT_EQ(accepted.status, 202u) << accepted.body;
  EXPECT_EQ(body_of(accepted)["transfer"]["volume_id"], vid);
  EXPECT_EQ(cinder("GET", "/volumes/" + vid, demo_).status, 404u) << "the donor no longer sees it";
  auto now = volume(admin_, vid);
  EXPECT_EQ(now["status"], "available");
  EXPECT_EQ(now["os-vol-tenant-attr:tenant_id"], ids_.admin_project_id());
  EXPECT_EQ(cinder("GET", "/os-volume-transfer/" + id, admin_).status, 404u) << "accepted: gone";
}

TEST_F(cinder_transfer_test, another_project_neither_sees_nor_deletes_a_transfer) {
  auto out = cinder("POST", "/volumes", admin_, {{"volume", {{"size", 1}}}});
  advance(std::chrono::seconds{1});
  auto vid = body_of(out)["volume"]["id"].get<std::string>();
  auto id = body_of(cinder("POST", "/volume-transfers", admin_, {{"transfer", {{"volume_id", vid}}}}, "3.57"))["transfer"];
  EXPECT_EQ(id["source_project_id"], ids_.admin_project_id());
  EXPECT_EQ(id["accepted"], false);
  auto tid = id["id"].get<std::string>();
  EXPECT_EQ(cinder("GET", "/os-volume-transfer/" + tid, demo_).status, 404u);
  EXPECT_EQ(cinder("DELETE", "/os-volume-transfer/" + tid, demo_).status, 404u);
  EXPECT_TRUE(body_of(cinder("GET", "/os-volume-transfer", demo_))["transfers"].empty());
  EXPECT_EQ(volume(admin_, vid)["status"], "awaiting-transfer");
}

TEST_F(cinder_transfer_test, only_an_available_volume_is_offered_and_a_delete_makes_it_available_again) {
  auto vid = demo_volume();
  auto id = body_of(cinder("POST", "/os-volume-transfer", demo_, {{"transfer", {{"volume_id", vid}}}}))["transfer"]["id"]
              .get<std::string>();
  auto again = cinder("POST", "/os-volume-transfer", demo_, {{"transfer", {{"volume_id", vid}}}});
  EXPECT_EQ(again.status, 400u);
  EXPECT_EQ(body_of(again)["badRequest"]["message"], "Invalid volume: status must be available");
  EXPECT_EQ(cinder("GET", "/os-volume-transfer/" + id, admin_, nullptr).status, 200u) << "an admin sees every transfer";
  EXPECT_TRUE(body_of(cinder("GET", "/os-volume-transfer", admin_))["transfers"].empty()) << "without all_tenants";
  EXPECT_EQ(body_of(cinder("GET", "/os-volume-transfer?all_tenants=1", admin_))["transfers"].size(), 1u);
  EXPECT_EQ(cinder("DELETE", "/os-volume-transfer/" + id, demo_).status, 202u);
  EXPECT_EQ(volume(demo_, vid)["status"], "available");
  EXPECT_EQ(cinder("GET", "/os-volume-transfer/" + id, demo_).status, 404u);
}

} // namespace
} // namespace fedstack::sim::testing
