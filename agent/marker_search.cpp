#include "agent/marker_search.hpp"

#include "agent/federation.hpp"
#include "agent/upstream_call.hpp"
#include "api/global_id.hpp"
#include "api/percent.hpp"

namespace fedstack::agent {

using json = nlohmann::json;
using storage::resource_kind;

std::optional<marker_search> search_for_marker(resource_kind kind, const std::string& global_id,
                                               bool all_projects) {
  auto tag = api::percent_encode(api::marker_tag({global_id, false}));
  switch (kind) {
    case resource_kind::image:
      return marker_search{api::service_type::image,
                           "/v2/images?" + std::string(api::gid_key) + "=" + api::percent_encode(global_id),
                           "images"};
    case resource_kind::server:
      return marker_search{api::service_type::compute,
                           std::string("/v2.1/servers/detail") + (all_projects ? "?all_tenants=1" : ""),
                           "servers"};
    case resource_kind::network:
      return marker_search{api::service_type::network, "/v2.0/networks?tags=" + tag, "networks"};
    case resource_kind::subnet:
      return marker_search{api::service_type::network, "/v2.0/subnets?tags=" + tag, "subnets"};
    case resource_kind::port:
      return marker_search{api::service_type::network, "/v2.0/ports?tags=" + tag, "ports"};
    default:
      return std::nullopt;
  }
}

http::awaitable<std::optional<marked_resource>> find_marked_primary(agent_context& context,
                                                                     const bhttp::fields& headers,
                                                                     resource_kind kind,
                                                                     const std::string& global_id,
                                                                     bool all_projects) {
  auto search = search_for_marker(kind, global_id, all_projects);
  if (!search) co_return std::nullopt;
  std::string silent;
  for (const auto& c : all_cloudlets(context)) {
    http::response answer;
    try {
      answer = co_await call_cloudlet(context, c, search->service, bhttp::verb::get, search->path, headers);
    } catch (const upstream_failure& e) {
      silent = c.region + ": " + e.what();
      continue;
    }
    if (answer.status != 200) {
      silent = c.region + " answered " + std::to_string(answer.status);
      continue;
    }
    auto doc = json::parse(answer.body, nullptr, false);
    if (!doc.is_object() || !doc.contains(search->collection) || !doc[search->collection].is_array())
      continue;
    for (auto& item : doc[search->collection]) {
      auto m = api::read_marker(search->service, item);
      if (m && !m->is_copy && m->global_id == global_id && item.contains("id") && item["id"].is_string()) {
        auto local_id = item["id"].get<std::string>();
        co_return marked_resource{c, std::move(item), std::move(local_id)};
      }
    }
  }
  if (!silent.empty()) throw upstream_failure(503, "cannot look for " + global_id + " on " + silent);
  co_return std::nullopt;
}

} // namespace fedstack::agent
