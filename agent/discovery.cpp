#include "agent/discovery.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/upstream_call.hpp"
#include "api/catalog.hpp"
#include "api/urls.hpp"

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

http::endpoint endpoint_for(const json& catalog, api::service_type type, const std::string& region) {
  auto name = std::string(api::to_string(type));
  auto url = api::find_endpoint_url(catalog, name, "public", region);
  if (!url) throw std::runtime_error("the catalog has no public " + name + " endpoint in region '" + region + "'");
  // Routes carry the API version in their paths, so the agent keeps service roots.
  auto root = api::upstream_service_root(type, *url);
  auto parsed = http::parse_endpoint(root);
  if (!parsed) throw std::runtime_error("the " + name + " endpoint '" + *url + "' is not an http:// URL");
  return *parsed;
}

} // namespace

http::awaitable<cloudlet_endpoints> discover_cloudlet(const agent_options& options,
                                                      const http::endpoint& keystone,
                                                      std::chrono::seconds patience) {
  auto executor = co_await http::asio::this_coro::executor;
  auto deadline = std::chrono::steady_clock::now() + patience;
  bhttp::fields headers;
  headers.set(bhttp::field::content_type, "application/json");
  headers.set(bhttp::field::accept, "application/json");
  for (int attempt = 1;; ++attempt) {
    try {
      auto answer = co_await call_upstream(keystone, bhttp::verb::post, "/v3/auth/tokens", headers,
                                           password_auth(options).dump(), std::chrono::seconds{10});
      if (answer.status != 201)
        throw std::runtime_error("Keystone refused the service user '" + options.service_user +
                                 "' (HTTP " + std::to_string(answer.status) + ")");
      auto body = json::parse(answer.body, nullptr, false);
      if (!body.is_object() || !body.contains("token") || !body["token"].contains("catalog"))
        throw std::runtime_error("Keystone's token answer has no catalog");
      cloudlet_endpoints result;
      result.region = options.region;
      result.image = endpoint_for(body, api::service_type::image, options.region);
      result.network = endpoint_for(body, api::service_type::network, options.region);
      result.compute = endpoint_for(body, api::service_type::compute, options.region);
      co_return result;
    } catch (const upstream_failure& failure) {
      if (std::chrono::steady_clock::now() >= deadline)
        throw std::runtime_error(std::string("cannot reach Keystone: ") + failure.what());
      spdlog::info("waiting for Keystone at {} (attempt {}): {}", keystone.to_string(), attempt,
                   failure.what());
    }
    http::asio::steady_timer pause{executor, std::chrono::milliseconds{500}};
    co_await pause.async_wait(http::use_awaitable);
  }
}

} // namespace fedstack::agent
