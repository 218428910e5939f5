#include "agent/services/cloudlets.hpp"

#include <chrono>
#include <mutex>

#include "agent/services/discovery.hpp"
#include "agent/services/service_session.hpp"
#include "agent/services/upstream_call.hpp"

namespace fedstack::agent {

std::optional<cloudlet_endpoints> find_cloudlet(agent_context& context, const std::string& region) {
  {
    std::lock_guard lock{context.cloudlets_mutex};
    for (const auto& c : context.cloudlets)
      if (c.region == region) return c;
  }
  if (!context.session) return std::nullopt;
  auto fresh = cloudlets_in_catalog(context.session->catalog());
  std::lock_guard lock{context.cloudlets_mutex};
  if (!fresh.empty()) {
    name_upstreams(fresh);
    context.cloudlets = std::move(fresh);
  }
  for (const auto& c : context.cloudlets)
    if (c.region == region) return c;
  return std::nullopt;
}

std::vector<cloudlet_endpoints> all_cloudlets(agent_context& context) {
  std::vector<cloudlet_endpoints> result{context.cloudlet};
  std::lock_guard lock{context.cloudlets_mutex};
  for (const auto& c : context.cloudlets)
    if (c.region != context.cloudlet.region) result.push_back(c);
  return result;
}

const http::endpoint& endpoint_of(const cloudlet_endpoints& cloudlet, api::service_type service) {
  switch (service) {
    case api::service_type::image: return cloudlet.image;
    case api::service_type::network: return cloudlet.network;
    default: return cloudlet.compute;
  }
}

std::string root_url(const http::endpoint& endpoint) { return endpoint.to_string(); }

http::awaitable<http::response> call_cloudlet(agent_context& context, const cloudlet_endpoints& cloudlet,
                                              api::service_type service, bhttp::verb method,
                                              const std::string& target, const bhttp::fields& headers,
                                              const std::string& body) {
  auto sent = body;
  co_return co_await context.upstream->call(endpoint_of(cloudlet, service), method, target, headers,
                                            std::move(sent), context.upstream_timeout(), &context.pool, {});
}

} // namespace fedstack::agent
