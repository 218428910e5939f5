// Finding a Neutron create by the pending description it carried until it was
// tagged (agent/flows/neutron_pending.hpp): which items count as an attempt's resource.

#include <gtest/gtest.h>

#include "agent/flows/neutron_pending.hpp"
#include "agent/rules/reclaim_rule.hpp"
#include "api/global_id.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

const std::string gid = *api::make_global_id({"127.0.0.1", 4790});
const std::string other_gid = *api::make_global_id({"127.0.0.1", 4791});
const std::string token = "00112233445566778899aabbccddeeff";
const std::string other_token = "ffeeddccbbaa99887766554433221100";
const std::string project = "project-a";

json network(std::string id, std::string description, json tags = json::array(), std::string owner = project) {
  return {{"id", std::move(id)}, {"name", "net"}, {"project_id", owner}, {"tenant_id", owner},
          {"description", std::move(description)}, {"tags", std::move(tags)}};
}

json tagged(const std::string& id, const std::string& global_id, const std::string& attempt,
            std::string description = "") {
  return network(id, std::move(description),
                 json::array({"blue", api::marker_tag({global_id, false, {}}), api::attempt_tag(attempt)}));
}

TEST(PendingDescription, RoundTripsOnlyAnAttemptToken) {
  EXPECT_EQ(api::pending_token(api::pending_description(token)), token);
  EXPECT_LE(api::pending_description(token).size(), 255u);   // Neutron's limit
  for (const std::string& text : std::vector<std::string>{"", "fedstack_pending=", "fedstack_pending=" + token + " ", "x" + api::pending_description(token),
                           "fedstack_pending=" + token.substr(1), "fedstack_pending=00112233445566778899AABBCCDDEEFF",
                           "fedstack_attempt=" + token, "my network"})
    EXPECT_EQ(api::pending_token(text), std::nullopt) << text;
}

TEST(PendingDescription, IsHiddenFromClientsAndOtherDescriptionsAreNot) {
  auto item = tagged("n1", gid, token, api::pending_description(token));
  api::strip_marker(api::service_type::network, item);
  EXPECT_EQ(item["description"], "");
  EXPECT_EQ(item["tags"], json::array({"blue"}));
  auto mine = network("n2", "fedstack_pending is a fine word");
  api::strip_marker(api::service_type::network, mine);
  EXPECT_EQ(mine["description"], "fedstack_pending is a fine word");
}

TEST(MatchPending, FindsTheAttemptsResourceUntaggedOrTaggedWithItsToken) {
  for (const auto& item : {network("n1", api::pending_description(token)),
                           tagged("n1", gid, token, api::pending_description(token)), tagged("n1", gid, token)}) {
    auto found = match_pending(json::array({item}), token, gid, project);
    ASSERT_EQ(found.found, pending_match::result::one) << item;
    EXPECT_EQ(found.item["id"], "n1");
  }
}

TEST(MatchPending, NeverCountsWhatIsNotProvablyThisAttempts) {
  std::vector<json> strangers = {
    // The tenant's own network of the same name, made on the cloud directly.
    network("t1", ""),
    network("t2", "a description of its own"),
    // Another attempt's pending resource, or this token in another project.
    network("t3", api::pending_description(other_token)),
    network("t4", api::pending_description(token), json::array(), "project-b"),
    // Marked for another global ID or attempt (its pending description notwithstanding).
    tagged("t5", other_gid, token, api::pending_description(token)),
    tagged("t6", gid, other_token, api::pending_description(token)),
    network("t7", api::pending_description(token), json::array({api::marker_tag({gid, true, {}}),
                                                                 api::attempt_tag(token)})),   // a copy
    json{{"name", "no id"}, {"project_id", project}, {"description", api::pending_description(token)}},
  };
  for (const auto& item : strangers)
    EXPECT_EQ(match_pending(json::array({item}), token, gid, project).found, pending_match::result::none) << item;
  EXPECT_EQ(match_pending(json::array(), token, gid, project).found, pending_match::result::none);
  EXPECT_EQ(match_pending(json::object(), token, gid, project).found, pending_match::result::none);
  EXPECT_EQ(match_pending(json::array({network("n1", api::pending_description("not-a-token"))}), "not-a-token",
                          gid, project).found,
            pending_match::result::none);
  // Among strangers, the one that is ours is found.
  auto all = json(strangers);
  all.push_back(network("n1", api::pending_description(token)));
  auto found = match_pending(all, token, gid, project);
  ASSERT_EQ(found.found, pending_match::result::one);
  EXPECT_EQ(found.item["id"], "n1");
}

TEST(MatchPending, TwoWithTheTokenAreAmbiguousAndNeitherIsBound) {
  auto found = match_pending(json::array({network("n1", api::pending_description(token)),
                                          tagged("n2", gid, token)}),
                             token, gid, project);
  EXPECT_EQ(found.found, pending_match::result::ambiguous);
  EXPECT_TRUE(found.item.is_null());
}

TEST(PendingMarkedItem, CarriesTheRecordsGlobalIdAndTheDescriptionsToken) {
  auto item = pending_marked_item(network("n1", api::pending_description(token)), gid);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->local_id, "n1");
  EXPECT_EQ(item->marker.global_id, gid);
  EXPECT_EQ(item->marker.attempt, token);
  EXPECT_FALSE(item->marker.is_copy);
  EXPECT_EQ(item->project_id, project);
  // Tagged items are read_marker's; anything else is no attempt's.
  EXPECT_FALSE(pending_marked_item(tagged("n1", gid, token, api::pending_description(token)), gid));
  EXPECT_FALSE(pending_marked_item(network("n1", ""), gid));
  EXPECT_FALSE(pending_marked_item(network("n1", "anything"), gid));
  EXPECT_FALSE(pending_marked_item(json{{"description", api::pending_description(token)}}, gid));
}

TEST(PendingMarkedItem, TheReclaimRuleDeletesTheOneUntaggedResourceOfAnExpiredAttemptOnly) {
  storage::abandoned_attempt record{token, storage::resource_kind::network, gid, project, "cloudlet-1", 0};
  std::vector<marked_item> found;
  for (const auto& n : {network("n1", api::pending_description(token)), network("t1", "")})
    if (auto m = pending_marked_item(n, gid)) found.push_back(*m);
  auto decision = decide_reclaim(record, found, std::nullopt, 100'000, 1'000, 60'000);
  EXPECT_EQ(decision.action, reclaim_action::delete_one);
  EXPECT_EQ(decision.local_id, "n1");
  // Another project's resource with the token is not the attempt's.
  found.clear();
  found.push_back(*pending_marked_item(network("n1", api::pending_description(token), json::array(), "project-b"), gid));
  EXPECT_NE(decide_reclaim(record, found, std::nullopt, 100'000, 1'000, 60'000).action, reclaim_action::delete_one);
}

} // namespace
} // namespace fedstack::agent
