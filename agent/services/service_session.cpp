#include "agent/services/service_session.hpp"

#include "agent/services/token_cache.hpp"
#include "agent/services/upstream_call.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

json password_auth(const agent_options& o) {
  return {{"auth",
           {{"identity",
             {{"methods", {"password"}},
              {"password",
               {{"user",
                 {{"name", o.service_user},
                  {"domain", {{"name", o.service_domain}}},
                  {"password", o.service_password}}}}}}},
            {"scope",
             {{"project", {{"name", o.service_project}, {"domain", {{"name", o.service_domain}}}}}}}}}};
}

} // namespace

http::awaitable<std::string> service_session::token() {
  {
    std::lock_guard lock{mutex_};
    if (!token_.empty() && std::chrono::system_clock::now() + std::chrono::minutes{2} < expires_at_)
      co_return token_;
  }
  co_await authenticate();
  std::lock_guard lock{mutex_};
  co_return token_;
}

json service_session::catalog() const {
  std::lock_guard lock{mutex_};
  return catalog_;
}

http::awaitable<void> service_session::authenticate() {
  bhttp::fields headers;
  headers.set(bhttp::field::content_type, "application/json");
  headers.set(bhttp::field::accept, "application/json");
  // A loaded Keystone can take longer than any fixed guess (the OpenStack lab's took over
  // 10 s): the service token gets the same --upstream-timeout-ms as every other call.
  auto answer = co_await call_upstream(keystone_, bhttp::verb::post, "/v3/auth/tokens", headers,
                                       password_auth(options_).dump(),
                                       std::chrono::milliseconds{options_.upstream_timeout_ms});
  if (answer.status != 201)
    throw std::runtime_error("Keystone refused the service user '" + options_.service_user +
                             "' (HTTP " + std::to_string(answer.status) + ")");
  auto body = json::parse(answer.body, nullptr, false);
  if (!body.is_object() || !body.contains("token") || !body["token"].is_object())
    throw std::runtime_error("Keystone's token answer is not a token");
  auto expires = parse_keystone_time(body["token"].value("expires_at", std::string{}));
  std::lock_guard lock{mutex_};
  token_ = std::string(answer.headers["X-Subject-Token"]);
  expires_at_ = expires.value_or(std::chrono::system_clock::now() + std::chrono::minutes{5});
  catalog_ = body["token"].value("catalog", json::array());
}

} // namespace fedstack::agent
