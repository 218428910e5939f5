// Where a boot on ports of the federation goes (agent/rules/port_rule.hpp).
#include "agent/rules/port_rule.hpp"

#include <gtest/gtest.h>

namespace fedstack::agent {
namespace {

TEST(PortRule, WithoutPortsThePinnedZoneStands) {
  auto placed = place_boot_on_ports("cloudlet-3", {});
  EXPECT_FALSE(placed.refusal);
  EXPECT_EQ(placed.cloudlet, "cloudlet-3");
  EXPECT_EQ(place_boot_on_ports("", {}).cloudlet, "");
}

TEST(PortRule, PortsPinTheBootToTheirCloudlet) {
  auto placed = place_boot_on_ports("", {{"p1", "cloudlet-2"}, {"p2", "cloudlet-2"}});
  EXPECT_FALSE(placed.refusal);
  EXPECT_EQ(placed.cloudlet, "cloudlet-2");
  EXPECT_EQ(place_boot_on_ports("cloudlet-2", {{"p1", "cloudlet-2"}}).cloudlet, "cloudlet-2");
}

TEST(PortRule, AnotherZoneOrPortsOnTwoCloudletsAreRefused) {
  auto pinned = place_boot_on_ports("cloudlet-3", {{"p1", "cloudlet-2"}});
  ASSERT_TRUE(pinned.refusal);
  EXPECT_NE(pinned.refusal->find("Port p1 is in availability zone cloudlet-2"), std::string::npos) << *pinned.refusal;
  EXPECT_NE(pinned.refusal->find("cannot be in availability zone cloudlet-3"), std::string::npos) << *pinned.refusal;
  auto split = place_boot_on_ports("", {{"p1", "cloudlet-2"}, {"p2", "cloudlet-1"}});
  ASSERT_TRUE(split.refusal);
  EXPECT_NE(split.refusal->find("p2 in cloudlet-1"), std::string::npos) << *split.refusal;
}

} // namespace
} // namespace fedstack::agent
