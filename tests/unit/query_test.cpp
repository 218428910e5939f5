#include "api/query.hpp"

#include <gtest/gtest.h>

namespace fedstack::api {
namespace {

TEST(query, parses_in_order_with_repeats) {
  auto q = query_string::parse("status=ACTIVE&name=vm&status=BUILD");
  ASSERT_EQ(q.params().size(), 3u);
  EXPECT_EQ(q.params()[0].key, "status");
  EXPECT_EQ(q.params()[1].key, "name");
  EXPECT_EQ(q.get("status"), "ACTIVE");
  EXPECT_EQ(q.get_all("status"), (std::vector<std::string>{"ACTIVE", "BUILD"}));
  EXPECT_EQ(q.get("missing"), std::nullopt);
  EXPECT_TRUE(q.get_all("missing").empty());
}

TEST(query, decodes_percent_and_plus) {
  auto q = query_string::parse("name=dbg%20img&owner=a+b&k%3D=v%26w");
  EXPECT_EQ(q.get("name"), "dbg img");
  EXPECT_EQ(q.get("owner"), "a b");
  EXPECT_EQ(q.get("k="), "v&w");
}

TEST(query, bare_keys_and_empty_values) {
  auto q = query_string::parse("nocatalog&name=&&=x");
  ASSERT_EQ(q.params().size(), 3u);
  EXPECT_FALSE(q.params()[0].has_value);
  EXPECT_TRUE(q.has("nocatalog"));
  EXPECT_EQ(q.get("name"), "");
  EXPECT_TRUE(q.params()[1].has_value);
  EXPECT_EQ(q.params()[2].key, "");
  EXPECT_EQ(q.get(""), "x");
  EXPECT_EQ(q.encode(), "nocatalog&name=&=x");
}

TEST(query, empty_input) {
  EXPECT_TRUE(query_string::parse("").empty());
  EXPECT_TRUE(query_string::parse("&&&").empty());
  EXPECT_EQ(query_string::parse("").encode(), "");
}

TEST(query, keeps_malformed_escapes_literally) {
  auto q = query_string::parse("name=100%&x=%zz");
  EXPECT_EQ(q.get("name"), "100%");
  EXPECT_EQ(q.get("x"), "%zz");
  EXPECT_EQ(q.encode(), "name=100%25&x=%25zz");
}

TEST(query, round_trips) {
  for (const char* raw : {"a=1", "a=1&b=2&a=3", "name=dbg%20img", "k=%E2%82%AC", "flag",
                          "x=%2F%3F%23%26%3D", "limit=10&marker=f41c2887-41bd-43d6-85a8-aaac0b0b383d",
                          "a.b_c-d~e=f"}) {
    auto once = query_string::parse(raw);
    EXPECT_EQ(once.encode(), raw) << raw;
    EXPECT_EQ(query_string::parse(once.encode()), once) << raw;
  }
  // '+' is read as a space and written back as %20.
  EXPECT_EQ(query_string::parse("a=b+c").encode(), "a=b%20c");
}

TEST(query, set_replaces_first_and_drops_repeats) {
  auto q = query_string::parse("a=1&marker=x&b=2&marker=y");
  q.set("marker", "z");
  EXPECT_EQ(q.encode(), "a=1&marker=z&b=2");
  q.set("new", "v w");
  EXPECT_EQ(q.encode(), "a=1&marker=z&b=2&new=v%20w");
  auto bare = query_string::parse("flag");
  bare.set("flag", "1");
  EXPECT_EQ(bare.encode(), "flag=1");
}

TEST(query, add_and_remove) {
  auto q = query_string::parse("a=1&b=2&a=3");
  EXPECT_EQ(q.remove("a"), 2u);
  EXPECT_EQ(q.remove("a"), 0u);
  q.add("a", "4");
  EXPECT_EQ(q.encode(), "b=2&a=4");
}

TEST(query, limit_parsing) {
  EXPECT_FALSE(query_string::parse("a=1").limit().present);
  auto ok = query_string::parse("limit=25").limit();
  EXPECT_TRUE(ok.present);
  EXPECT_TRUE(ok.valid);
  EXPECT_EQ(ok.value, 25u);
  EXPECT_EQ(query_string::parse("limit=0").limit().value, 0u);
  EXPECT_TRUE(query_string::parse("limit=0").limit().valid);
  for (const char* bad : {"limit=-1", "limit=", "limit", "limit=1.5", "limit=abc", "limit=+3",
                          "limit=%201", "limit=99999999999999999999"}) {
    auto l = query_string::parse(bad).limit();
    EXPECT_TRUE(l.present) << bad;
    EXPECT_FALSE(l.valid) << bad;
  }
  EXPECT_EQ(query_string::parse("limit=9999999999999999999").limit().value,
            9999999999999999999ULL);
  // The first limit counts.
  EXPECT_EQ(query_string::parse("limit=2&limit=5").limit().value, 2u);
}

TEST(query, limit_and_marker_setters) {
  auto q = query_string::parse("name=x&limit=100&marker=old");
  q.set_limit(10);
  q.set_marker("f41c2887-41bd-43d6-85a8-aaac0b0b383d");
  EXPECT_EQ(q.encode(), "name=x&limit=10&marker=f41c2887-41bd-43d6-85a8-aaac0b0b383d");
  EXPECT_EQ(q.marker(), "f41c2887-41bd-43d6-85a8-aaac0b0b383d");
  q.remove("marker");
  EXPECT_EQ(q.marker(), std::nullopt);
  query_string empty;
  empty.set_limit(1);
  EXPECT_EQ(empty.encode(), "limit=1");
}

} // namespace
} // namespace fedstack::api
