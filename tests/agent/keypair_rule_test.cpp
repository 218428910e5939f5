// The keypair rules (agent/rules/keypair_rule.hpp): what a boot's target
// needs, and which same-named keypairs a delete may remove.

#include <gtest/gtest.h>

#include "agent/rules/keypair_rule.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

keypair_view key(const std::string& fingerprint, const std::string& public_key = "ssh-rsa AAAA x") {
  return {"k", public_key, fingerprint, "ssh"};
}

TEST(KeypairRule, ReadsNovasShapesAndRefusesIncompleteOnes) {
  auto shown = read_keypair(json::parse(
    R"({"keypair": {"name": "k", "public_key": "ssh-rsa AAAA x", "fingerprint": "aa:bb", "type": "ssh", "id": 1}})"));
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->name, "k");
  EXPECT_EQ(shown->fingerprint, "aa:bb");
  EXPECT_EQ(shown->type, "ssh");
  auto untyped = read_keypair(json::parse(R"({"name": "k", "public_key": "ssh-rsa AAAA x", "fingerprint": "aa"})"));
  ASSERT_TRUE(untyped);
  EXPECT_EQ(untyped->type, "");
  EXPECT_FALSE(read_keypair(json::parse(R"({"keypair": {"name": "k", "public_key": "ssh-rsa AAAA x"}})")));
  EXPECT_FALSE(read_keypair(json::parse(R"({"keypair": {"name": 3, "public_key": "x", "fingerprint": "a"}})")));
  EXPECT_FALSE(read_keypair(json::parse(R"({"itemNotFound": {"code": 404}})")));
  EXPECT_FALSE(read_keypair(json::parse("[]")));
}

TEST(KeypairRule, TheTargetsKeypairIsUsedOnlyWithTheSameFingerprint) {
  EXPECT_EQ(keypair_step_for(key("aa"), std::nullopt), keypair_step::copy);
  EXPECT_EQ(keypair_step_for(key("aa"), key("aa")), keypair_step::use);
  EXPECT_EQ(keypair_step_for(key("aa"), key("bb")), keypair_step::refuse);
  // The comment of a public key is not part of its fingerprint: the same key.
  EXPECT_EQ(keypair_step_for(key("aa", "ssh-rsa AAAA me@a"), key("aa", "ssh-rsa AAAA me@b")), keypair_step::use);
}

TEST(KeypairRule, ACopyCarriesTheNameKeyAndKnownType) {
  auto body = keypair_copy_body(key("aa"));
  EXPECT_EQ(body, json::parse(R"({"keypair": {"name": "k", "public_key": "ssh-rsa AAAA x", "type": "ssh"}})"));
  auto untyped = key("aa");
  untyped.type.clear();
  EXPECT_FALSE(keypair_copy_body(untyped)["keypair"].contains("type"));
  EXPECT_FALSE(keypair_copy_body(untyped)["keypair"].contains("fingerprint"));
}

TEST(KeypairRule, ACopysKeyNamesCloudletUserNameAndFingerprint) {
  auto k = keypair_copy_key("cloudlet-2", "u1", "k", "aa:bb");
  ASSERT_TRUE(k);
  EXPECT_NE(k, keypair_copy_key("cloudlet-3", "u1", "k", "aa:bb"));
  EXPECT_NE(k, keypair_copy_key("cloudlet-2", "u2", "k", "aa:bb")) << "keypairs are per user";
  EXPECT_NE(k, keypair_copy_key("cloudlet-2", "u1", "k2", "aa:bb"));
  EXPECT_NE(k, keypair_copy_key("cloudlet-2", "u1", "k", "aa:cc")) << "another key under the name is not the copy";
  // The store takes keys of at most 200 bytes: a longer one is not recorded (and not copied).
  EXPECT_FALSE(keypair_copy_key("cloudlet-2", std::string(32, 'u'), std::string(200, 'n'), "aa:bb"));
  EXPECT_LE(keypair_copy_key("cloudlet-2", std::string(32, 'u'), std::string(80, 'n'),
                             "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff")->size(), 200u);
}

TEST(KeypairRule, ADeleteRemovesOnlyARecordedCopyThatIsThere) {
  std::string recorded(keypair_copy_recorded);
  EXPECT_TRUE(delete_keypair_there(key("aa"), recorded));
  EXPECT_FALSE(delete_keypair_there(key("aa"), std::nullopt)) << "the user's own keypair";
  EXPECT_FALSE(delete_keypair_there(key("aa"), std::string(keypair_copy_gone))) << "a copy deleted since";
  EXPECT_FALSE(delete_keypair_there(std::nullopt, recorded)) << "nothing there";
}

} // namespace
} // namespace fedstack::agent
