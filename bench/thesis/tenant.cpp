#include "bench/thesis/tenant.hpp"

#include <random>
#include <stdexcept>

#include <nlohmann/json.hpp>

// GCC 12's bogus -Wmismatched-new-delete on Asio coroutine frames (see scenario.cpp).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace fedstack::bench {

using namespace http;
using json = nlohmann::json;
using verb = bhttp::verb;

tenant::tenant(asio::any_io_executor ex, std::string auth_url, credentials admin)
  : auth_url_(std::move(auth_url)), admin_(std::move(admin)), http_(ex, std::chrono::milliseconds{30'000}) {}

awaitable<std::string> tenant::call(verb method, std::string url, std::string body, unsigned status) {
  auto answer = co_await http_.call(method, url, token_, body);
  if (answer.status != status) {
    throw std::runtime_error(std::string{to_string(method)} + " " + url + ": HTTP " + std::to_string(answer.status) +
                             " " + answer.body.substr(0, 200));
  }
  co_return answer.body;
}

awaitable<void> tenant::create(scenario_options& scenario) {
  auto auth = password_auth_body(admin_.user, admin_.password, admin_.project, admin_.domain);
  auto token = co_await http_.call(verb::post, auth_url_ + "/auth/tokens", "", auth);
  if (token.status != 201) throw std::runtime_error("admin token: HTTP " + std::to_string(token.status));
  token_ = token.subject_token;

  auto suffix = std::to_string(std::random_device{}() % 1'000'000);
  // Bodies are built before the co_await: no braced temporaries across it (GCC 12).
  json project_body = {{"project", {{"name", "thesis-bench-" + suffix}, {"domain_id", "default"}}}};
  auto project_text = co_await call(verb::post, auth_url_ + "/projects", project_body.dump(), 201);
  auto project = json::parse(project_text);
  project_id_ = project["project"]["id"];
  scenario.project = project["project"]["name"];
  scenario.user = "thesis-bench-user-" + suffix;
  scenario.password = "bench-" + suffix;
  scenario.domain = "Default";
  json user_body = {{"user", {{"name", scenario.user}, {"password", scenario.password},
                              {"domain_id", "default"}, {"default_project_id", project_id_}}}};
  auto user_text = co_await call(verb::post, auth_url_ + "/users", user_body.dump(), 201);
  auto user = json::parse(user_text);
  user_id_ = user["user"]["id"];
  auto roles_text = co_await call(verb::get, auth_url_ + "/roles?name=member", "", 200);
  auto roles = json::parse(roles_text);
  if (roles["roles"].empty()) throw std::runtime_error("Keystone has no role named member");
  std::string role = roles["roles"][0]["id"];
  co_await call(verb::put, auth_url_ + "/projects/" + project_id_ + "/users/" + user_id_ + "/roles/" + role, "", 204);
}

awaitable<void> tenant::remove() {
  if (!user_id_.empty()) co_await http_.call(verb::delete_, auth_url_ + "/users/" + user_id_, token_);
  if (!project_id_.empty()) co_await http_.call(verb::delete_, auth_url_ + "/projects/" + project_id_, token_);
}

} // namespace fedstack::bench
