#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "agent/options.hpp"

using namespace fedstack;

namespace {
struct parsed {
  agent::agent_options options;
  config::option_set set{"agent"};
  parsed() { agent::describe(set, options); }
};
} // namespace

TEST(agent_options, parse_command_line_values) {
  parsed p;
  EXPECT_FALSE(p.set.parse({"--port", "0", "--region=r2", "--upstream-timeout-ms", "500"}));
  EXPECT_EQ(p.options.port, 0);
  EXPECT_EQ(p.options.region, "r2");
  EXPECT_EQ(p.options.upstream_timeout_ms, 500);
}

TEST(agent_options, reject_bad_values_and_unknown_options_with_a_message) {
  parsed p;
  auto error = p.set.parse({"--port", "70000"});
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("--port"), std::string::npos);
  EXPECT_TRUE(p.set.parse({"--no-such-option", "1"}));
  EXPECT_TRUE(p.set.parse({"--region"}));   // missing value
  EXPECT_TRUE(p.set.parse({"--upstream-timeout-ms", "abc"}));
}

TEST(agent_options, config_file_values_are_overridden_by_the_command_line) {
  auto path = std::string(::testing::TempDir()) + "fedstack-agent-test.conf";
  std::ofstream{path} << "# a comment\nregion = from-file\nport = 9000  # trailing comment\n\n";
  parsed p;
  EXPECT_FALSE(p.set.parse({"--config", path, "--port", "9100"}));
  EXPECT_EQ(p.options.region, "from-file");
  EXPECT_EQ(p.options.port, 9100);
  std::ofstream{path} << "not an assignment\n";
  parsed q;
  auto error = q.set.parse({"--config", path});
  ASSERT_TRUE(error);
  EXPECT_NE(error->find(":1:"), std::string::npos);
  std::remove(path.c_str());
}

TEST(agent_options, help_and_docs_list_every_option) {
  parsed p;
  EXPECT_FALSE(p.set.parse({"--help"}));
  EXPECT_TRUE(p.set.help_requested());
  auto usage = p.set.usage("summary");
  auto markdown = p.set.markdown();
  for (const auto& o : p.set.options()) {
    EXPECT_NE(usage.find("--" + o.name), std::string::npos) << o.name;
    EXPECT_NE(markdown.find("`" + o.name + "`"), std::string::npos) << o.name;
  }
}

TEST(agent_options, public_url_defaults_to_the_listen_address) {
  agent::agent_options o;
  o.port = 8123;
  EXPECT_EQ(agent::public_base_url(o), "http://127.0.0.1:8123");
  o.public_url = "http://cloud.example:80/";
  EXPECT_EQ(agent::public_base_url(o), "http://cloud.example:80");
}
