#include <gtest/gtest.h>

#include "sim/ip_address.hpp"

namespace fedstack::sim {
namespace {

TEST(ip_address, parse_and_print) {
  EXPECT_EQ(parse_ip("10.0.0.1")->to_string(), "10.0.0.1");
  EXPECT_EQ(parse_ip("fd00::1")->version, 6);
  EXPECT_FALSE(parse_ip("10.0.0.256"));
}

TEST(ip_address, arithmetic_carries) {
  EXPECT_EQ(add(*parse_ip("10.0.0.255"), 1).to_string(), "10.0.1.0");
  EXPECT_EQ(distance(*parse_ip("10.0.0.2"), *parse_ip("10.0.1.1")), 255u);
  EXPECT_EQ(add(*parse_ip("fd00::ffff"), 1).to_string(), "fd00::1:0");
}

TEST(ip_address, cidrs) {
  auto c = parse_cidr("192.168.1.0/24");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->exact);
  EXPECT_EQ(c->network.last().to_string(), "192.168.1.255");
  EXPECT_TRUE(c->network.contains(*parse_ip("192.168.1.77")));
  EXPECT_FALSE(c->network.contains(*parse_ip("192.168.2.1")));
  EXPECT_FALSE(parse_cidr("192.168.1.5/24")->exact);
  EXPECT_TRUE(parse_cidr("10.0.0.0/8")->network.overlaps(parse_cidr("10.2.0.0/16")->network));
  EXPECT_FALSE(parse_cidr("10.0.0.0/33"));
}

} // namespace
} // namespace fedstack::sim
