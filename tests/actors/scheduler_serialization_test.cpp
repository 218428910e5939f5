// placement_request and placement_decision through CAF's binary serializer,
// as `fedstack decisions` fetches them from a remote node.

#include <gtest/gtest.h>

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

TEST_F(scheduler_serialization, a_request_with_an_unknown_kind_is_rejected) {
  placement_request q;
  q.kind = static_cast<placement_kind>(7);
  auto buf = save(q);
  placement_request back;
  EXPECT_TRUE(load(buf, back));
}

} // namespace
} // namespace fedstack
