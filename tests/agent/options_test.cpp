#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "agent/services/options.hpp"

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

namespace {
std::string write_temp(const std::string& name, const std::string& text) {
  auto path = std::string(::testing::TempDir()) + name;
  std::ofstream{path} << text;
  return path;
}

bool has_line(const std::string& text, const std::string& wanted) {
  std::istringstream lines{text};
  for (std::string line; std::getline(lines, line);)
    if (line == wanted) return true;
  return false;
}
} // namespace

TEST(agent_options, config_file_comments_out_every_option_and_parses_back_to_the_defaults) {
  parsed p;
  auto text = p.set.config_file("a header");
  EXPECT_EQ(text.rfind("# a header\n", 0), 0u);
  for (const auto& o : p.set.options()) {
    auto line = "# " + o.name + " =" + (o.default_value.empty() ? "" : " " + o.default_value);
    EXPECT_TRUE(has_line(text, line)) << line;
  }
  std::istringstream lines{text};
  for (std::string line; std::getline(lines, line);) {
    EXPECT_LE(line.size(), 78u) << line;
    EXPECT_TRUE(line.empty() || line[0] == '#') << line;
  }
  // Uncommenting every `# name = default` line gives a file that parses to the defaults.
  std::string uncommented;
  std::istringstream again{text};
  for (std::string line; std::getline(again, line);)
    for (const auto& o : p.set.options())
      if (line.rfind("# " + o.name + " =", 0) == 0) uncommented += line.substr(2) + "\n";
  for (bool applied : {false, true}) {
    auto path = write_temp("fedstack-config-file-test.conf", applied ? uncommented : text);
    parsed q;
    q.options.region = q.options.data_dir = "changed";
    q.options.port = 1;
    q.options.live_probe = true;
    EXPECT_FALSE(q.set.parse_file(path));
    std::remove(path.c_str());
    agent::agent_options defaults;
    EXPECT_EQ(q.options.region, applied ? defaults.region : "changed");
    EXPECT_EQ(q.options.data_dir, applied ? defaults.data_dir : "changed");
    EXPECT_EQ(q.options.port, applied ? defaults.port : 1);
    EXPECT_EQ(q.options.live_probe, applied ? defaults.live_probe : true);
    EXPECT_EQ(q.options.public_url, defaults.public_url);
  }
}

TEST(agent_options, config_file_sets_the_options_given) {
  parsed p;
  EXPECT_FALSE(p.set.parse({"--data-dir", "/var/lib/fedstack", "--public-url=", "--live-probe"}));
  auto text = p.set.config_file("header");
  EXPECT_TRUE(has_line(text, "# data-dir = data/agent"));
  EXPECT_TRUE(has_line(text, "data-dir = /var/lib/fedstack"));
  EXPECT_TRUE(has_line(text, "public-url ="));
  EXPECT_TRUE(has_line(text, "live-probe = true"));
  EXPECT_TRUE(has_line(text, "# region = cloudlet-1"));
  EXPECT_FALSE(has_line(text, "region = cloudlet-1"));
  auto path = write_temp("fedstack-config-file-test.conf", text);
  parsed q;
  q.options.public_url = "http://changed";
  EXPECT_FALSE(q.set.parse({"--config", path}));
  std::remove(path.c_str());
  EXPECT_EQ(q.options.data_dir, "/var/lib/fedstack");
  EXPECT_EQ(q.options.public_url, "");
  EXPECT_TRUE(q.options.live_probe);
  EXPECT_EQ(q.options.region, "cloudlet-1");

  parsed bad;
  EXPECT_FALSE(bad.set.parse({"--region", "a#b"}));
  EXPECT_THROW(bad.set.config_file("header"), std::invalid_argument);
}

TEST(agent_options, public_url_defaults_to_the_listen_address) {
  agent::agent_options o;
  o.port = 8123;
  EXPECT_EQ(agent::public_base_url(o), "http://127.0.0.1:8123");
  o.public_url = "http://cloud.example:80/";
  EXPECT_EQ(agent::public_base_url(o), "http://cloud.example:80");
}
