#include "agent/services/cloudlets.hpp"

#include <chrono>
#include <mutex>

#include "agent/services/discovery.hpp"
#include "agent/services/service_session.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/microversion.hpp"
#include "api/uuid.hpp"

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
    case api::service_type::volume: return cloudlet.volume;
    default: return cloudlet.compute;
  }
}

namespace {

/// `/v3/volumes/...` without the project: Cinder routes it from microversion 3.67 on
/// (PROJECT_ID_OPTIONAL_IN_URL), which the agent's own calls ask for.
bool project_less_volume_path(const std::string& target) {
  if (target.rfind("/v3/", 0) != 0) return false;
  auto rest = std::string_view(target).substr(4);
  auto segment = rest.substr(0, rest.find_first_of("/?"));
  return !api::is_hex_id(segment);
}

bool asks_for_project_less(const bhttp::fields& headers) {
  auto it = headers.find("OpenStack-API-Version");
  if (it == headers.end()) return false;
  auto asked = api::negotiate_volume_microversion(it->value());
  return asked.status == api::microversion_status::ok && asked.version >= api::microversion{3, 67};
}

} // namespace

std::string root_url(const http::endpoint& endpoint) { return endpoint.to_string(); }

http::awaitable<http::response> call_cloudlet(agent_context& context, const cloudlet_endpoints& cloudlet,
                                              api::service_type service, bhttp::verb method,
                                              const std::string& target, const bhttp::fields& headers,
                                              const std::string& body) {
  if (service == api::service_type::volume && cloudlet.volume.host.empty())
    throw upstream_failure(503, "cloudlet " + cloudlet.region + " has no Block Storage v3 endpoint");
  auto sent = body;
  if (service == api::service_type::volume && project_less_volume_path(target) && !asks_for_project_less(headers)) {
    bhttp::fields with_version = headers;
    with_version.set("OpenStack-API-Version", api::volume_api_version_header({3, 67}));
    co_return co_await context.upstream->call(endpoint_of(cloudlet, service), method, target, with_version,
                                              std::move(sent), context.upstream_timeout(), &context.pool, {});
  }
  co_return co_await context.upstream->call(endpoint_of(cloudlet, service), method, target, headers,
                                            std::move(sent), context.upstream_timeout(), &context.pool, {});
}

} // namespace fedstack::agent
