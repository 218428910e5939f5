// A create's candidates and what it does after each attempt (agent/rules/create_policy.hpp).

#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agent/rules/create_policy.hpp"

namespace fedstack::agent {
namespace {

using storage::resource_kind;
using regions = std::vector<std::string>;

placement_decision placed(const std::string& winner, const regions& fallbacks = {}) {
  placement_decision d;
  d.placed = true;
  d.winner.region = winner;
  for (const auto& f : fallbacks) d.fallback.push_back({f, {}});
  return d;
}

std::function<bool(const std::string&)> directory(std::set<std::string> known) {
  return [known = std::move(known)](const std::string& region) { return known.contains(region); };
}

const auto all = directory({"c1", "c2", "c3", "c4"});

TEST(CreatePolicy, TheSchedulerPlacesImagesAndServersNetworksStayAndTheRestFollowTheirNetwork) {
  EXPECT_EQ(home_of(resource_kind::image), create_home::scheduler);
  EXPECT_EQ(home_of(resource_kind::server), create_home::scheduler);
  EXPECT_EQ(home_of(resource_kind::network), create_home::own_cloudlet);
  EXPECT_EQ(home_of(resource_kind::subnet), create_home::network_home);
  EXPECT_EQ(home_of(resource_kind::port), create_home::network_home);
}

TEST(CreatePolicy, CandidatesAreTheWinnerThenTheFallbacksEachOnce) {
  auto choice = choose_candidates(placed("c2", {"c3", "c2", "c1", "c3"}), "", all, "c1");
  EXPECT_FALSE(choice.refusal);
  EXPECT_EQ(choice.regions, (regions{"c2", "c3", "c1"}));
}

TEST(CreatePolicy, CloudletsOutsideTheDirectoryAreLeftOut) {
  auto choice = choose_candidates(placed("gone", {"c3", "also-gone"}), "", all, "c1");
  EXPECT_EQ(choice.regions, (regions{"c3"}));
}

TEST(CreatePolicy, NothingPlacedOrNothingKnownGoesToTheOwnCloudlet) {
  EXPECT_EQ(choose_candidates(placement_decision{}, "", all, "c1").regions, (regions{"c1"}));
  EXPECT_EQ(choose_candidates(placed("gone"), "", all, "c1").regions, (regions{"c1"}));
  // A decision that placed nothing names no winner worth trying, even if it has one.
  auto unplaced = placed("c2");
  unplaced.placed = false;
  EXPECT_EQ(choose_candidates(unplaced, "", all, "c1").regions, (regions{"c1"}));
}

TEST(CreatePolicy, APinnedZoneIsTheOnlyCandidateWhateverTheSchedulerSays) {
  EXPECT_EQ(choose_candidates(placed("c2", {"c3"}), "c4", all, "c1").regions, (regions{"c4"}));
  EXPECT_EQ(choose_candidates(placement_decision{}, "c4", all, "c1").regions, (regions{"c4"}));
}

TEST(CreatePolicy, APinnedZoneOutsideTheDirectoryIsRefused) {
  auto choice = choose_candidates(placed("c2"), "c9", all, "c1");
  EXPECT_TRUE(choice.regions.empty());
  ASSERT_TRUE(choice.refusal);
  EXPECT_EQ(*choice.refusal, "The requested availability zone is not available");
}

TEST(CreatePolicy, A5xxOrNoAnswerLeavesTheAttemptUnknown) {
  EXPECT_EQ(read_call(201), call_result::made);
  EXPECT_EQ(read_call(202), call_result::made);
  EXPECT_EQ(read_call(302), call_result::refused);
  EXPECT_EQ(read_call(400), call_result::refused);
  EXPECT_EQ(read_call(409), call_result::refused);
  EXPECT_EQ(read_call(499), call_result::refused);
  EXPECT_EQ(read_call(500), call_result::unknown);
  EXPECT_EQ(read_call(502), call_result::unknown);
  EXPECT_EQ(read_call(std::nullopt), call_result::unknown);
}

TEST(CreatePolicy, ImagesServersAndPendingNeutronCreatesCanBeLookedFor) {
  EXPECT_TRUE(searchable(resource_kind::image, false));
  EXPECT_TRUE(searchable(resource_kind::server, false));
  EXPECT_TRUE(searchable(resource_kind::network, true));
  EXPECT_TRUE(searchable(resource_kind::port, true));
  EXPECT_FALSE(searchable(resource_kind::network, false)) << "a bulk create carries no pending description";
  EXPECT_FALSE(searchable(resource_kind::subnet, false));
}

bool same(const next_step& a, const next_step& b) {
  return a.bind == b.bind && a.record_abandoned == b.record_abandoned && a.delete_made == b.delete_made &&
         a.try_next == b.try_next;
}

TEST(CreatePolicy, ACreatedOrFoundAttemptIsBound) {
  EXPECT_TRUE(same(after(attempt_outcome::created), {.bind = true}));
}

TEST(CreatePolicy, ARefusalIsFinal) {
  EXPECT_TRUE(same(after(attempt_outcome::refused), {}));
}

TEST(CreatePolicy, AnAttemptNotFoundIsAbandonedBeforeTheNextCandidate) {
  EXPECT_TRUE(same(after(attempt_outcome::not_found), {.record_abandoned = true, .try_next = true}));
  EXPECT_TRUE(same(after(attempt_outcome::unmarked), {.record_abandoned = true, .try_next = true}));
}

TEST(CreatePolicy, NoValidHostIsAbandonedThenDeletedBeforeTheNextCandidate) {
  EXPECT_TRUE(same(after(attempt_outcome::no_valid_host),
                   {.record_abandoned = true, .delete_made = true, .try_next = true}));
}

TEST(CreatePolicy, WhatLeavesNothingToReclaimGoesStraightToTheNextCandidate) {
  EXPECT_TRUE(same(after(attempt_outcome::unsearchable), {.try_next = true}));
  EXPECT_TRUE(same(after(attempt_outcome::not_prepared), {.try_next = true}));
}

TEST(CreatePolicy, ACloudletsQuotaRefusalMadeNothingSoTheNextCandidateIsTried) {
  EXPECT_TRUE(same(after(attempt_outcome::over_quota), {.try_next = true}));
}

TEST(CreatePolicy, OnlyNovasQuotaRefusalsOfABootAreQuotaRefusals) {
  auto forbidden = [](const std::string& message) {
    return nlohmann::json{{"forbidden", {{"code", 403}, {"message", message}}}}.dump();
  };
  auto quota = forbidden("Quota exceeded for instances: Requested 1, but already used 0 of 0 instances");
  EXPECT_TRUE(refused_by_quota(resource_kind::server, 403, quota));
  EXPECT_TRUE(refused_by_quota(resource_kind::server, 403, forbidden("Quota exceeded for cores, ram: Requested 1, 512, "
                                                                     "but already used 2, 1024 of 2, 1024 cores, ram")));
  EXPECT_TRUE(refused_by_quota(resource_kind::server, 403, forbidden("Maximum number of ports exceeded")));
  // A policy refusal is final, and so is anything that is not Nova's 403 about a boot.
  EXPECT_FALSE(refused_by_quota(resource_kind::server, 403,
                                forbidden("Policy doesn't allow os_compute_api:servers:create to be performed.")));
  EXPECT_FALSE(refused_by_quota(resource_kind::server, 400, quota));
  EXPECT_FALSE(refused_by_quota(resource_kind::image, 403, quota));
  EXPECT_FALSE(refused_by_quota(resource_kind::server, 403, "Quota exceeded"));
  EXPECT_FALSE(refused_by_quota(resource_kind::server, 403, R"({"forbidden": {"message": 7}})"));
  EXPECT_FALSE(refused_by_quota(resource_kind::server, 403, R"({"forbidden": "Quota exceeded"})"));
}

TEST(CreatePolicy, AnAbandonmentThatCannotBeRecordedEndsTheCreate) {
  for (auto outcome : {attempt_outcome::not_found, attempt_outcome::unmarked, attempt_outcome::no_valid_host}) {
    auto step = after_unrecorded_abandonment(after(outcome));
    EXPECT_FALSE(step.try_next);
    EXPECT_FALSE(step.delete_made) << "what it made stays: the record that would let it be reclaimed is missing";
    EXPECT_FALSE(step.bind);
  }
}

} // namespace
} // namespace fedstack::agent
