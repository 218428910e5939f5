#include "api/percent.hpp"

#include <gtest/gtest.h>

namespace fedstack::api {
namespace {

TEST(percent, decodes_escapes_in_either_case) {
  EXPECT_EQ(percent_decode("a%20b%2fc%2F"), "a b/c/");
  EXPECT_EQ(percent_decode("%e2%82%AC"), "\xe2\x82\xac");
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_EQ(percent_decode("plain"), "plain");
}

TEST(percent, plus_is_space_only_when_asked) {
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a%2Bb", true), "a+b");
}

TEST(percent, rejects_malformed_escapes) {
  EXPECT_EQ(percent_decode("%"), std::nullopt);
  EXPECT_EQ(percent_decode("a%2"), std::nullopt);
  EXPECT_EQ(percent_decode("%g0"), std::nullopt);
  EXPECT_EQ(percent_decode("%0g"), std::nullopt);
  EXPECT_EQ(percent_decode("%%41"), std::nullopt);
}

TEST(percent, decodes_nul_so_callers_can_reject_it) {
  auto decoded = percent_decode("a%00b");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->size(), 3u);
  EXPECT_EQ((*decoded)[1], '\0');
}

TEST(percent, encodes_all_but_unreserved) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b&c=d/e?f#g%h+"), "a%20b%26c%3Dd%2Fe%3Ff%23g%25h%2B");
  EXPECT_EQ(percent_encode(std::string("\0\xff", 2)), "%00%FF");
  EXPECT_EQ(percent_encode("a/b", "/"), "a/b");
}

TEST(percent, segment_encoding_keeps_sub_delims) {
  EXPECT_EQ(percent_encode_segment("m1.tiny"), "m1.tiny");
  EXPECT_EQ(percent_encode_segment("a:b@c!$&'()*+,;="), "a:b@c!$&'()*+,;=");
  EXPECT_EQ(percent_encode_segment("a/b?c#d e%"), "a%2Fb%3Fc%23d%20e%25");
}

TEST(percent, round_trips_every_byte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(percent_decode(percent_encode(all)), all);
  EXPECT_EQ(percent_decode(percent_encode_segment(all)), all);
}

} // namespace
} // namespace fedstack::api
