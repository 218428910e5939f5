// placement_request and placement_decision through CAF's binary serializer,
// as `fedstack decisions` fetches them from a remote node.

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "actors/actors.hpp"
#include "actors/register_types.hpp"
#include "serialization_fixture.hpp"

namespace fedstack {
namespace {

using scheduler_serialization = test::serialization_fixture;

TEST_F(scheduler_serialization, a_decision_round_trips) {
  capacity_report own;
  own.region = "own";
  own.node = {"own", 4000};
  own.free_ram_mb = 1000;
  capacity_report n1 = own;
  n1.region = "n1";
  n1.node = {"n1", 4000};
  n1.free_ram_mb = 3000;
  n1.image_checksums = {"img"};
  placement_request q;
  q.ram_mb = 512;
  q.image_checksum = "img";
  q.availability_zone = "";
  std::mt19937 rng{1};
  auto d = decide_placement(default_policy(), q, {own, n1}, {}, rng, 123);
  auto buf = save(d);
  placement_decision back;
  ASSERT_FALSE(load(buf, back));
  EXPECT_EQ(back.summary, d.summary);
  EXPECT_EQ(back.request.image_checksum, "img");
  EXPECT_EQ(back.winner.region, "n1");
  EXPECT_EQ(back.winner.node, d.winner.node);
  ASSERT_EQ(back.candidates.size(), 2u);
  EXPECT_EQ(back.candidates[0].report, d.candidates[0].report);
  ASSERT_EQ(back.candidates[0].scores.size(), 2u);
  EXPECT_EQ(back.candidates[0].scores[1].weigher, "image");
  EXPECT_DOUBLE_EQ(back.candidates[0].total, d.candidates[0].total);
  EXPECT_EQ(back.fallback.size(), 1u);
  EXPECT_EQ(back.reason, d.reason);
  EXPECT_EQ(back.decided_unix_ms, 123);
  EXPECT_TRUE(back.placed);
}

// Found by tests/fuzz/peer_messages.cpp: bytes that decode to an infinite score made
// the re-encoding loop forever inside CAF (pack754 halves infinity), so such
// scores are refused on loading.
TEST_F(scheduler_serialization, infinite_scores_are_rejected) {
  weigher_score score{"ram", 1.0, 0.5, 2.0};
  auto buf = save(score);
  const std::vector<char> one = {'\x3f', '\xf0', 0, 0, 0, 0, 0, 0}; // 1.0, network order
  auto at = std::search(buf.begin(), buf.end(), one.begin(), one.end());
  ASSERT_NE(at, buf.end());
  weigher_score back;
  ASSERT_FALSE(load(buf, back));
  EXPECT_EQ(back.raw, 1.0);
  at[0] = '\x7f'; // exponent all ones: infinity
  EXPECT_EQ(load(buf, back), ec::invalid_argument);

  scored_candidate candidate;
  candidate.total = 1.0;
  auto candidate_buf = save(candidate);
  auto total = std::search(candidate_buf.begin(), candidate_buf.end(), one.begin(), one.end());
  ASSERT_NE(total, candidate_buf.end());
  total[0] = '\x7f';
  scored_candidate candidate_back;
  EXPECT_EQ(load(candidate_buf, candidate_back), ec::invalid_argument);
}

TEST_F(scheduler_serialization, a_request_with_an_unknown_kind_is_rejected) {
  placement_request q;
  q.kind = static_cast<placement_kind>(7);
  auto buf = save(q);
  placement_request back;
  EXPECT_TRUE(load(buf, back));
}

} // namespace
} // namespace fedstack
