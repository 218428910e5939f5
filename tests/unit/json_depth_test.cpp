#include "api/json_depth.hpp"

#include <string>

#include <gtest/gtest.h>

namespace fedstack::api {
namespace {

TEST(JsonDepth, CountsArraysAndObjects) {
  EXPECT_EQ(json_nesting_depth("", 100), 0u);
  EXPECT_EQ(json_nesting_depth("1", 100), 0u);
  EXPECT_EQ(json_nesting_depth("{}", 100), 1u);
  EXPECT_EQ(json_nesting_depth(R"({"server": {"networks": [{"uuid": "x"}]}})", 100), 4u);
  EXPECT_EQ(json_nesting_depth("[[],[[]],[]]", 100), 3u);
}

TEST(JsonDepth, IgnoresBracketsInStrings) {
  EXPECT_EQ(json_nesting_depth(R"({"name": "[[[{{{"})", 100), 1u);
  EXPECT_EQ(json_nesting_depth(R"({"name": "a\"[[[\\"})", 100), 1u);
  EXPECT_EQ(json_nesting_depth(R"(["\\", [1]])", 100), 2u);
}

TEST(JsonDepth, StopsCountingAtTheLimit) {
  std::string deep(200000, '[');
  EXPECT_EQ(json_nesting_depth(deep, 64), 64u);
  std::string hostile;
  for (int i = 0; i < 150000; ++i) hostile += "{\"a\":";
  EXPECT_EQ(json_nesting_depth(hostile, 100), 100u);
}

TEST(JsonDepth, MalformedTextDoesNotUnderflow) {
  EXPECT_EQ(json_nesting_depth("]]]}}}[", 100), 1u);
  EXPECT_EQ(json_nesting_depth("\"unterminated [[[", 100), 0u);
}

} // namespace
} // namespace fedstack::api
