#include <gtest/gtest.h>

#include "actors/peer_networks.hpp"
#include "api/ipv4.hpp"

using namespace fedstack;

namespace {

peer_address at(const char* host, std::uint16_t port = 4790) { return {host, port}; }

TEST(peer_networks, by_default_allows_any_address_but_the_never_ranges) {
  peer_networks any;
  EXPECT_TRUE(any.allows(at("10.1.2.3")));
  EXPECT_TRUE(any.allows(at("127.0.0.1")));
  EXPECT_TRUE(any.allows(at("controller-2")));   // a host name, when nothing is restricted
  EXPECT_FALSE(any.allows(at("169.254.169.254", 80)));   // cloud metadata
  EXPECT_FALSE(any.allows(at("0.0.0.0")));
  EXPECT_FALSE(any.allows(at("224.0.0.1")));
  EXPECT_FALSE(any.allows(at("255.255.255.255")));
  EXPECT_FALSE(any.allows(at("", 1)));
  EXPECT_EQ(any.describe(), "any");
}

TEST(peer_networks, a_list_allows_only_its_networks) {
  auto nets = peer_networks::parse("10.1.0.0/16, 192.0.2.7");
  ASSERT_TRUE(nets);
  EXPECT_TRUE(nets->allows(at("10.1.255.1")));
  EXPECT_TRUE(nets->allows(at("192.0.2.7")));
  EXPECT_FALSE(nets->allows(at("192.0.2.8")));
  EXPECT_FALSE(nets->allows(at("10.2.0.1")));
  EXPECT_FALSE(nets->allows(at("127.0.0.1")));
  EXPECT_FALSE(nets->allows(at("controller-2")));   // could resolve anywhere
  EXPECT_EQ(nets->describe(), "10.1.0.0/16,192.0.2.7/32");
}

TEST(peer_networks, never_ranges_stay_refused_inside_an_allowed_network) {
  auto all = peer_networks::parse("0.0.0.0/0");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->allows(at("8.8.8.8")));
  EXPECT_FALSE(all->allows(at("169.254.1.1")));
}

TEST(peer_networks, host_bits_are_masked_off) {
  auto nets = peer_networks::parse("10.1.2.3/24");
  ASSERT_TRUE(nets);
  EXPECT_TRUE(nets->allows(at("10.1.2.200")));
  EXPECT_EQ(nets->describe(), "10.1.2.0/24");
}

TEST(peer_networks, malformed_lists_are_refused) {
  for (const char* bad : {"", ",", "10.1.0.0/33", "10.1.0.0/", "10.1.0/24", "10.1.0.0.1", "256.1.1.1",
                          "010.1.1.1", "10.1.1.1/-1", "10.1.1.1/8x", "host/24", "10.0.0.0/8,"})
    EXPECT_FALSE(peer_networks::parse(bad)) << bad;
}

TEST(parse_ipv4, reads_dotted_quads_only) {
  using api::parse_ipv4;
  EXPECT_EQ(parse_ipv4("1.2.3.4"), 0x01020304u);
  EXPECT_EQ(parse_ipv4("255.255.255.255"), 0xFFFFFFFFu);
  EXPECT_FALSE(parse_ipv4("1.2.3"));
  EXPECT_FALSE(parse_ipv4("1.2.3.4 "));
  EXPECT_FALSE(parse_ipv4("1.2.3.1234"));
  EXPECT_FALSE(parse_ipv4("::1"));
}

}  // namespace
