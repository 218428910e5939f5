#include "bench/thesis/scenario.hpp"

#include <nlohmann/json.hpp>

// GCC 12 at -O2 inlines Asio's coroutine-frame allocation next to the frame's
// own operator delete and reports a bogus -Wmismatched-new-delete (as in
// sim/http_bridge.cpp).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace fedstack::bench {

using namespace http;
using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;
using verb = bhttp::verb;

namespace {

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// "create image: 503" — short, without IDs, so that failures group by reason.
std::string refusal(const char* step, const http_answer& a) {
  return std::string{step} + ": HTTP " + std::to_string(a.status);
}

json parse_or_empty(const std::string& body) {
  auto parsed = json::parse(body, nullptr, false);
  return parsed.is_discarded() ? json::object() : parsed;
}

/// The first public endpoint of `type` in a token's catalog.
std::string public_endpoint(const json& token, const std::string& type) {
  for (const auto& service : token.value("catalog", json::array())) {
    if (service.value("type", "") != type) continue;
    for (const auto& e : service.value("endpoints", json::array())) {
      if (e.value("interface", "") == "public") return e.value("url", "");
    }
  }
  return {};
}

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

} // namespace

scenario_client::scenario_client(asio::any_io_executor ex, std::string auth_url, const scenario_options& options,
                                 std::chrono::milliseconds request_timeout)
  : executor_(ex), auth_url_(without_trailing_slash(std::move(auth_url))), options_(options),
    http_(ex, request_timeout) {}

awaitable<void> scenario_client::pause(std::chrono::milliseconds how_long) {
  asio::steady_timer timer{executor_};
  timer.expires_after(how_long);
  co_await timer.async_wait(use_awaitable);
}

std::string password_auth_body(const std::string& user, const std::string& password, const std::string& project,
                               const std::string& domain) {
  json scope = {{"project", {{"name", project}, {"domain", {{"name", domain}}}}}};
  json who = {{"name", user}, {"domain", {{"name", domain}}}, {"password", password}};
  json identity = {{"methods", {"password"}}, {"password", {{"user", who}}}};
  return json{{"auth", {{"identity", identity}, {"scope", scope}}}}.dump();
}

// Rally builds new clients, and so asks Keystone for a token, in every iteration.
awaitable<std::optional<std::string>> scenario_client::authenticate(iteration_result& out) {
  auto auth = password_auth_body(options_.user, options_.password, options_.project, options_.domain);
  auto start = clock_type::now();
  auto answer = co_await http_.call(verb::post, auth_url_ + "/auth/tokens", "", auth);
  out.auth = seconds_since(start);
  if (answer.status != 201 || answer.subject_token.empty()) {
    out.failure = refusal("token", answer);
    co_return std::nullopt;
  }
  if (image_url_.empty()) {
    auto token = parse_or_empty(answer.body).value("token", json::object());
    image_url_ = without_trailing_slash(public_endpoint(token, "image"));
    compute_url_ = without_trailing_slash(public_endpoint(token, "compute"));
    if (image_url_.empty() || compute_url_.empty()) {
      out.failure = "token: catalog without public image and compute endpoints";
      co_return std::nullopt;
    }
  }
  co_return answer.subject_token;
}

awaitable<std::string> scenario_client::resolve_flavor(const std::string& token) {
  if (!flavor_id_.empty()) co_return flavor_id_;
  auto listed = co_await http_.call(verb::get, compute_url_ + "/flavors", token);
  for (const auto& f : parse_or_empty(listed.body).value("flavors", json::array())) {
    if (f.value("name", std::string{}) == options_.flavor || f.value("id", std::string{}) == options_.flavor)
      flavor_id_ = f.value("id", std::string{});
  }
  co_return flavor_id_;
}

awaitable<iteration_result> scenario_client::iterate(const std::string& name) {
  iteration_result out;
  auto started = clock_type::now();
  std::string token, image, server;

  // Polls `url` until its `key`.status is `wanted` (or, with wanted empty, until 404).
  auto wait_for = [&](const std::string& url, const char* key, const std::string& wanted,
                      std::chrono::milliseconds timeout, const char* step) -> awaitable<std::string> {
    auto deadline = clock_type::now() + timeout;
    for (;;) {
      auto answer = co_await http_.call(verb::get, url, token);
      if (wanted.empty() && answer.status == 404) co_return std::string{};
      if (answer.status != 200) co_return refusal(step, answer);
      auto body = parse_or_empty(answer.body);
      // Glance answers the image itself; Nova wraps it: {"server": {...}}.
      const auto& item = key ? body.value(key, json::object()) : body;
      auto status = item.value("status", std::string{});
      if (status == wanted || (wanted.empty() && status == "DELETED")) {
        // Where the server runs: the agent names the cloudlet as its zone.
        if (key) out.zone = item.value("OS-EXT-AZ:availability_zone", out.zone);
        co_return std::string{};
      }
      if (status == "ERROR" || status == "killed" || status == "deleted") {
        co_return std::string{step} + ": status " + status;
      }
      if (clock_type::now() >= deadline) co_return std::string{step} + ": timeout";
      co_await pause(options_.poll);
    }
  };

  auto steps = [&]() -> awaitable<void> {
    auto got = co_await authenticate(out);
    if (!got) co_return;
    token = *got;
    auto flavor = co_await resolve_flavor(token);
    if (flavor.empty()) {
      out.failure = "no flavor " + options_.flavor + " at " + compute_url_;
      co_return;
    }

    // Create an image: create, upload, wait until active (Rally: glance_v2.create_image).
    auto start = clock_type::now();
    json image_body = {{"name", name}, {"container_format", "bare"}, {"disk_format", "qcow2"},
                       {"visibility", "private"}};
    auto created = co_await http_.call(verb::post, image_url_ + "/v2/images", token, image_body.dump());
    if (created.status != 201) {
      out.failure = refusal("create image", created);
      co_return;
    }
    image = parse_or_empty(created.body).value("id", std::string{});
    auto image_url = image_url_ + "/v2/images/" + image;
    // Rally waits for "queued" before it uploads (one GET here).
    out.failure = co_await wait_for(image_url, nullptr, "queued", options_.image_timeout, "image queued");
    if (!out.ok()) co_return;
    auto uploaded = co_await http_.call(verb::put, image_url + "/file", token, std::string(options_.image_bytes, '\0'),
                                        "application/octet-stream");
    if (uploaded.status != 204) {
      out.failure = refusal("upload image", uploaded);
      co_return;
    }
    out.failure = co_await wait_for(image_url, nullptr, "active", options_.image_timeout, "image active");
    out.create_image = seconds_since(start);
    if (!out.ok()) co_return;

    // Boot a server: create, wait until ACTIVE (Rally: nova.boot_server).
    start = clock_type::now();
    json server_body = {{"server", {{"name", name}, {"imageRef", image}, {"flavorRef", flavor}}}};
    auto booted = co_await http_.call(verb::post, compute_url_ + "/servers", token, server_body.dump());
    if (booted.status != 202) {
      out.failure = refusal("boot", booted);
      co_return;
    }
    server = parse_or_empty(booted.body).value("server", json::object()).value("id", std::string{});
    out.failure = co_await wait_for(compute_url_ + "/servers/" + server, "server", "ACTIVE", options_.boot_timeout,
                                    "server ACTIVE");
    out.boot = seconds_since(start);
  };

  // Clean up whatever this iteration made, also after a failure.
  auto cleanup = [&]() -> awaitable<std::string> {
    auto start = clock_type::now();
    std::string problem;
    if (!server.empty()) {
      auto deleted = co_await http_.call(verb::delete_, compute_url_ + "/servers/" + server, token);
      if (deleted.status != 204 && deleted.status != 404) problem = refusal("delete server", deleted);
      else problem = co_await wait_for(compute_url_ + "/servers/" + server, "server", "", options_.delete_timeout,
                                       "server gone");
    }
    if (!image.empty()) {
      auto deleted = co_await http_.call(verb::delete_, image_url_ + "/v2/images/" + image, token);
      if (deleted.status != 204 && deleted.status != 404 && problem.empty()) problem = refusal("delete image", deleted);
    }
    out.cleanup = seconds_since(start);
    co_return problem;
  };

  // No co_await inside a catch block (GCC 12): remember the failure, clean up after.
  try {
    co_await steps();
  } catch (const std::exception& e) {
    out.failure = std::string{"transport: "} + e.what();
  }
  std::string cleanup_problem;
  try {
    if (!token.empty()) cleanup_problem = co_await cleanup();
  } catch (const std::exception& e) {
    cleanup_problem = std::string{"cleanup transport: "} + e.what();
  }
  if (out.ok() && !cleanup_problem.empty()) out.failure = "cleanup: " + cleanup_problem;
  out.duration = seconds_since(started);
  co_return out;
}

} // namespace fedstack::bench
