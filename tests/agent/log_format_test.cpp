#include "agent/process/log_format.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/details/log_msg.h>

namespace fedstack::agent {
namespace {

nlohmann::json format(std::string_view text, spdlog::level::level_enum level = spdlog::level::info) {
  auto formatter = make_json_log_formatter();
  spdlog::details::log_msg msg{"fedstack", level, text};
  spdlog::memory_buf_t out;
  formatter->format(msg, out);
  std::string line(out.data(), out.size());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line per message";
  return nlohmann::json::parse(line);
}

TEST(JsonLogs, RequestIdBecomesItsOwnField) {
  auto line = format("req-5f0c GET /v2/images 200 upstream=- 1.2ms");
  EXPECT_EQ(line["request_id"], "req-5f0c");
  EXPECT_EQ(line["message"], "GET /v2/images 200 upstream=- 1.2ms");
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["logger"], "fedstack");
  // RFC 3339, UTC, milliseconds: 2026-11-29T07:01:02.345Z
  auto time = line["time"].get<std::string>();
  ASSERT_EQ(time.size(), 24u);
  EXPECT_EQ(time[10], 'T');
  EXPECT_EQ(time.back(), 'Z');
}

TEST(JsonLogs, OtherMessagesHaveNoRequestId) {
  auto line = format("cloudlet cloudlet-1: image http://127.0.0.1:1", spdlog::level::warn);
  EXPECT_FALSE(line.contains("request_id"));
  EXPECT_EQ(line["level"], "warning");
  EXPECT_EQ(line["message"], "cloudlet cloudlet-1: image http://127.0.0.1:1");
}

TEST(JsonLogs, HostileTextStaysOneValidLine) {
  auto line = format("req-1 GET /a\"b\n{\"x\":1}\xff\xfe 400");
  EXPECT_EQ(line["request_id"], "req-1");
  auto message = line["message"].get<std::string>();
  EXPECT_NE(message.find("/a\"b\n{\"x\":1}"), std::string::npos);
  EXPECT_NE(message.find("\xEF\xBF\xBD"), std::string::npos) << "invalid UTF-8 replaced";
}

TEST(JsonLogs, UnknownFormatIsRefused) {
  EXPECT_TRUE(set_log_format("xml").has_value());
  EXPECT_FALSE(set_log_format("text").has_value());
}

} // namespace
} // namespace fedstack::agent
