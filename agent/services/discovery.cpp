#include "agent/services/discovery.hpp"

#include "agent/services/upstream_names.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "agent/services/upstream_call.hpp"
#include "api/catalog.hpp"
#include "api/urls.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

http::endpoint endpoint_for(const json& catalog, api::service_type type, const std::string& region) {
  auto name = std::string(api::to_string(type));
  auto url = api::find_endpoint_url(catalog, name, "public", region);
  if (!url) throw std::runtime_error("the catalog has no public " + name + " endpoint in region '" + region + "'");
  // Routes carry the API version in their paths, so the agent keeps service roots.
  auto root = api::upstream_service_root(type, *url);
  auto parsed = http::parse_endpoint(root);
  if (!parsed) throw std::runtime_error("the " + name + " endpoint '" + *url + "' is not an http:// or https:// URL");
  return *parsed;
}

/// Block Storage v3 is optional: a region without it is still a cloudlet.
http::endpoint volume_endpoint(const json& catalog, const std::string& region) {
  for (const char* type : {"volumev3", "block-storage"}) {
    auto url = api::find_endpoint_url(catalog, type, "public", region);
    if (!url) continue;
    if (auto parsed = http::parse_endpoint(api::upstream_service_root(api::service_type::volume, *url))) return *parsed;
    spdlog::warn("region {}: the {} endpoint '{}' is not an http:// or https:// URL", region, type, *url);
  }
  return {};
}

} // namespace

std::vector<cloudlet_endpoints> cloudlets_in_catalog(const json& catalog) {
  std::vector<std::string> regions;
  const auto* entries = api::find_catalog(catalog);
  if (!entries || !entries->is_array()) return {};
  for (const auto& service : *entries) {
    if (!service.is_object() || service.value("type", std::string{}) != "compute") continue;
    for (const auto& e : service.value("endpoints", json::array())) {
      if (!e.is_object() || e.value("interface", std::string{}) != "public") continue;
      auto region = e.value("region_id", e.value("region", std::string{}));
      if (!region.empty() && std::find(regions.begin(), regions.end(), region) == regions.end())
        regions.push_back(region);
    }
  }
  std::sort(regions.begin(), regions.end());
  std::vector<cloudlet_endpoints> found;
  for (const auto& region : regions) {
    try {
      found.push_back({region, endpoint_for(catalog, api::service_type::image, region),
                       endpoint_for(catalog, api::service_type::network, region),
                       endpoint_for(catalog, api::service_type::compute, region),
                       volume_endpoint(catalog, region)});
    } catch (const std::runtime_error& e) {
      spdlog::warn("region {} is not a cloudlet: {}", region, e.what());
    }
  }
  return found;
}

http::awaitable<cloudlet_endpoints> discover_cloudlet(service_session& session,
                                                      const std::string& region,
                                                      std::chrono::seconds patience) {
  auto executor = co_await http::asio::this_coro::executor;
  auto deadline = std::chrono::steady_clock::now() + patience;
  for (int attempt = 1;; ++attempt) {
    try {
      co_await session.token();
      auto catalog = session.catalog();
      cloudlet_endpoints result;
      result.region = region;
      result.image = endpoint_for(catalog, api::service_type::image, region);
      result.network = endpoint_for(catalog, api::service_type::network, region);
      result.compute = endpoint_for(catalog, api::service_type::compute, region);
      result.volume = volume_endpoint(catalog, region);
      co_return result;
    } catch (const upstream_failure& failure) {
      if (std::chrono::steady_clock::now() >= deadline)
        throw std::runtime_error(std::string("cannot reach Keystone: ") + failure.what());
      spdlog::info("waiting for Keystone (attempt {}): {}", attempt, failure.what());
    }
    http::asio::steady_timer pause{executor, std::chrono::milliseconds{500}};
    co_await pause.async_wait(http::use_awaitable);
  }
}

void name_upstreams(const std::vector<cloudlet_endpoints>& cloudlets) {
  auto& names = upstream_names::global();
  for (const auto& c : cloudlets) {
    names.set(c.image, {c.region, "image"});
    names.set(c.network, {c.region, "network"});
    names.set(c.compute, {c.region, "compute"});
    if (!c.volume.host.empty()) names.set(c.volume, {c.region, "volume"});
  }
}

} // namespace fedstack::agent
