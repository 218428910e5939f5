#include "agent/flows/flavor_filter.hpp"

#include "agent/flows/copies.hpp"
#include "agent/flows/flavors.hpp"
#include "api/query.hpp"

namespace fedstack::agent {

http::awaitable<std::optional<nlohmann::json>> filtered_flavor(request& r, const std::string& filters) {
  if (r.route.service != api::service_type::compute || r.route.resource != "servers") co_return std::nullopt;
  auto id = api::query_string::parse(filters).get("flavor");
  if (!id || id->empty()) co_return std::nullopt;
  auto found = co_await locate_flavor(r, *id);
  if (!found) co_return std::nullopt;
  co_return found->flavor;
}

http::awaitable<std::optional<std::string>> flavor_filter_on(request& r, const nlohmann::json& flavor,
                                                             const std::string& filters,
                                                             const cloudlet_endpoints& c) {
  auto id_there = co_await flavor_like_on(r, flavor, c);
  if (!id_there) co_return std::nullopt;
  auto query = api::query_string::parse(filters);
  query.set("flavor", *id_there);
  co_return query.encode();
}

} // namespace fedstack::agent
