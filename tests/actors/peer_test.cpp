// peer_address parsing and printing, entry validation, and the cache codec
// used for persistence (actors/peer.hpp).

#include "actors/peer.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace fedstack;

namespace {

TEST(peer_address, parses_host_and_port) {
  auto x = parse_peer_address("127.0.0.1:4000");
  ASSERT_TRUE(x);
  EXPECT_EQ(x->host, "127.0.0.1");
  EXPECT_EQ(x->port, 4000);
  auto named = parse_peer_address("cloudlet-a.example:65535");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->port, 65535);
  auto v6 = parse_peer_address("[::1]:1");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 1);
}

TEST(peer_address, rejects_malformed_text) {
  for (const char* text : {"", "host", "host:", ":4000", "host:0", "host:65536", "host:-1",
                           "host:12ab", "host:+80", "::1:4000", "[::1]4000", "[::1]:",
                           "[]:4000", "two words:80", "tab\there:80", "host: 80",
                           "[[27.0..0]]:80", "[a]b]:80", "a[b:80", "a]b:80"})
    EXPECT_FALSE(parse_peer_address(text)) << text;
  EXPECT_FALSE(parse_peer_address(std::string(254, 'h') + ":80"));
  EXPECT_TRUE(parse_peer_address(std::string(253, 'h') + ":80"));
}

TEST(peer_address, a_bracket_in_a_host_is_not_valid) {
  // Printed, "[27.0..0]" would read back as the host "27.0..0" (found by fuzzing).
  EXPECT_FALSE(is_valid(peer_address{"[27.0..0]", 80}));
  EXPECT_FALSE(is_valid(peer_address{"a]:b", 80}));
  EXPECT_TRUE(is_valid(peer_address{"27.0..0", 80}));
}

TEST(peer_address, prints_what_it_parses) {
  for (const char* text : {"127.0.0.1:4000", "[::1]:80", "a:1"}) {
    auto x = parse_peer_address(text);
    ASSERT_TRUE(x) << text;
    EXPECT_EQ(to_string(*x), text);
  }
}

TEST(peer_address, compares_host_then_port) {
  peer_address a{"a", 2};
  peer_address b{"b", 1};
  EXPECT_TRUE(a < b);
  EXPECT_TRUE((peer_address{"a", 1}) < a);
  EXPECT_FALSE(a < a);
  EXPECT_EQ(a, (peer_address{"a", 2}));
  EXPECT_NE(a, (peer_address{"a", 3}));
}

TEST(peer_entry, validity) {
  peer_entry ok{{"h", 1}, 3, "r", "http://h:1"};
  EXPECT_TRUE(is_valid(ok));
  auto long_url = ok;
  long_url.http_url.assign(max_peer_text_size + 1, 'u');
  EXPECT_FALSE(is_valid(long_url));
  auto no_port = ok;
  no_port.address.port = 0;
  EXPECT_FALSE(is_valid(no_port));
  EXPECT_NE(ok, long_url);
}

TEST(peer_codec, round_trips) {
  std::vector<peer_entry> entries{{{"10.0.0.1", 4000}, 3, "region-a", "http://10.0.0.1:8080"},
                                  {{"::1", 1}, 0, "", ""},
                                  {{"b", 65535}, UINT32_MAX, "r\n\"quoted\"", "u"}};
  auto decoded = decode_peer_entries(encode_peer_entries(entries));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, entries);
  auto empty = decode_peer_entries(encode_peer_entries({}));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(peer_codec, rejects_other_documents) {
  for (const char* text : {"", "[]", "{}", "not json", R"({"version":2,"entries":[]})",
                           R"({"version":1,"entries":{}})"})
    EXPECT_FALSE(decode_peer_entries(text)) << text;
}

TEST(peer_codec, rejects_versions_of_another_type) {
  // Found while writing tests/fuzz/stored_records.cpp, confirmed by it: a string
  // version threw nlohmann's type_error, a huge float one was an undefined cast.
  for (const char* text : {R"({"version":"1","entries":[]})", R"({"version":1e300,"entries":[]})",
                           R"({"version":null,"entries":[]})", R"({"version":[1],"entries":[]})"})
    EXPECT_FALSE(decode_peer_entries(text)) << text;
  EXPECT_TRUE(decode_peer_entries(R"({"version":1,"entries":[]})"));
}

TEST(peer_codec, skips_bad_entries) {
  auto decoded = decode_peer_entries(R"({"version":1,"entries":[
    {"host":"ok","port":1,"age":2,"region":"r","url":"u"},
    {"host":"","port":1,"age":2,"region":"r","url":"u"},
    {"host":"p","port":70000,"age":2,"region":"r","url":"u"},
    {"host":"n","port":-1,"age":2,"region":"r","url":"u"},
    {"host":"m","port":1,"region":"r","url":"u"},
    7]})");
  ASSERT_TRUE(decoded);
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_EQ(decoded->front().address.host, "ok");
}

}  // namespace
