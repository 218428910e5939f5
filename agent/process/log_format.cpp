#include "agent/process/log_format.hpp"

#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace fedstack::agent {
namespace {

class json_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    auto since_epoch = msg.time.time_since_epoch();
    auto seconds = duration_cast<std::chrono::seconds>(since_epoch);
    auto millis = duration_cast<milliseconds>(since_epoch - seconds).count();
    auto time = fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z",
                            fmt::gmtime(static_cast<std::time_t>(seconds.count())), millis);
    std::string_view text{msg.payload.data(), msg.payload.size()};
    nlohmann::json line{{"time", time},
                        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                              spdlog::level::to_string_view(msg.level).size())},
                        {"logger", std::string(msg.logger_name.data(), msg.logger_name.size())}};
    // The agent's convention: request logs begin with the request id.
    if (text.rfind("req-", 0) == 0) {
      auto end = text.find(' ');
      line["request_id"] = std::string(text.substr(0, end));
      text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    }
    // Invalid UTF-8 (a client's path, say) is replaced rather than thrown on.
    line["message"] = std::string(text);
    auto out = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(out.data(), out.data() + out.size());
    dest.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<json_formatter>(); }
};

} // namespace

std::unique_ptr<spdlog::formatter> make_json_log_formatter() { return std::make_unique<json_formatter>(); }

std::optional<std::string> set_log_format(const std::string& format) {
  if (format == "text") return std::nullopt;
  if (format != "json") return "--log-format must be text or json, not '" + format + "'";
  spdlog::set_formatter(make_json_log_formatter());
  return std::nullopt;
}

} // namespace fedstack::agent
