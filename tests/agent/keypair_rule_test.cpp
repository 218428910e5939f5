// The keypair rules (agent/rules/keypair_rule.hpp): what a boot's target
// needs, and which same-named keypairs a delete may remove.

#include <gtest/gtest.h>

#include "agent/rules/keypair_rule.hpp"
#include "api/global_id.hpp"

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

/// A fresh marker of the agent at `host` (a global ID naming its node).
std::string marker_of(const std::string& host) { return api::make_global_id({host, 4790}).value(); }

keypair_view marked(const std::string& fingerprint, const std::string& marker) {
  return key(fingerprint, marked_public_key("ssh-ed25519 AAAAC3Nza alice@laptop", marker));
}

TEST(KeypairRule, ACopysPublicKeyKeepsTheKeyAndCommentAndEndsWithOneMarker) {
  auto m = marker_of("10.0.0.3");
  EXPECT_EQ(marked_public_key("ssh-ed25519 AAAAC3Nza alice@laptop", m),
            "ssh-ed25519 AAAAC3Nza alice@laptop fedstack_copy=" + m);
  EXPECT_EQ(marked_public_key("ssh-ed25519 AAAAC3Nza\n", m), "ssh-ed25519 AAAAC3Nza fedstack_copy=" + m);
  // A source that is itself a copy (made by another agent) carries only the new marker.
  auto earlier = marker_of("10.0.0.1");
  auto again = marked_public_key(marked_public_key("ssh-rsa AAAA me", earlier), m);
  EXPECT_EQ(again, "ssh-rsa AAAA me fedstack_copy=" + m);
  EXPECT_EQ(keypair_marker(key("aa", again)), m);
  EXPECT_FALSE(keypair_marker(key("aa", "ssh-rsa AAAA me"))) << "no marker";
  EXPECT_FALSE(keypair_marker(key("aa", "ssh-rsa AAAA fedstack_copy=not-a-global-id")));
  EXPECT_FALSE(keypair_marker(key("aa", "ssh-rsa fedstack_copy=" + m))) << "the key's data is no comment";
  EXPECT_TRUE(keypair_markable(key("aa", "ssh-rsa AAAA")));
  EXPECT_FALSE(keypair_markable({"k", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "aa", "x509"}));
}

TEST(KeypairRule, AMarkedCopyIsDeletedByItsOwnRecordOnlyWhileItCarriesThatMarker) {
  auto m = marker_of("10.0.0.1");
  EXPECT_TRUE(delete_keypair_there(marked("aa", m), m));
  EXPECT_FALSE(delete_keypair_there(marked("aa", marker_of("10.0.0.1")), m)) << "another marker: not this copy";
  EXPECT_FALSE(delete_keypair_there(key("aa", "ssh-ed25519 AAAAC3Nza alice@laptop"), m))
    << "the user's own keypair put in place of the copy, same key, no marker";
}

TEST(KeypairRule, AnotherAgentsCopyIsDeletedOnlyWhenThatAgentRecordedExactlyItsMarker) {
  auto m = marker_of("10.0.0.3");
  EXPECT_TRUE(delete_copy_of_another_agent(marked("aa", m), m));
  EXPECT_FALSE(delete_copy_of_another_agent(marked("aa", m), std::nullopt))
    << "a forged marker: that agent recorded nothing under this cloudlet, user, name and fingerprint";
  EXPECT_FALSE(delete_copy_of_another_agent(marked("aa", m), marker_of("10.0.0.3")))
    << "a marker that agent never gave this copy";
  EXPECT_FALSE(delete_copy_of_another_agent(marked("aa", m), std::string(keypair_copy_recorded)))
    << "an unmarked record proves nothing about a marked keypair of another agent";
  EXPECT_FALSE(delete_copy_of_another_agent(key("aa"), m)) << "no marker: nobody is asked";
  EXPECT_FALSE(delete_copy_of_another_agent(std::nullopt, m));
}

} // namespace
} // namespace fedstack::agent
