#include "agent/rules/list_paging.hpp"

#include <algorithm>

#include "api/global_id.hpp"
#include "api/query.hpp"
#include "api/uuid.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// The page size a list gets without `limit`: Glance's limit_param_default;
/// Nova's max_limit; Cinder's osapi_max_limit; Neutron lists everything.
std::optional<std::uint64_t> default_limit(api::service_type service) {
  if (service == api::service_type::image) return 25;
  if (service == api::service_type::compute || service == api::service_type::volume) return 1000;
  return std::nullopt;
}

} // namespace

list_request read_list_request(const api::route& route) {
  list_request out;
  auto service = route.service;
  auto sort = api::parse_list_sort(service, route.resource, route.query);
  if (!sort.ok()) {
    out.error = sort.error;
    return out;
  }
  out.keys = std::move(sort.keys);
  auto query = api::query_string::parse(route.query);
  auto limit = query.limit();
  if (limit.present && !limit.valid) {
    out.error = "Invalid limit: it must be a non-negative integer.";
    return out;
  }
  out.limit = limit.present ? std::optional{limit.value} : default_limit(service);
  if (out.limit) out.limit = std::min(*out.limit, cloud_page_max);
  out.marker = query.marker();
  query.remove("marker");
  query.remove("limit");
  out.filters = query.encode();
  // Nova's and Cinder's plain volume and backup lists show `id`, `links` and `name` of the detail
  // list's items (Cinder's snapshot summary holds its metadata: it is read as it is).
  out.summary = (service == api::service_type::compute ||
                 (service == api::service_type::volume && (route.resource == "volumes" || route.resource == "backups"))) &&
                route.action.empty();
  out.list_path = route.upstream_path;
  out.item_path = route.upstream_path;
  if (service == api::service_type::compute) out.item_path = "/v2.1/" + route.resource;
  if (service == api::service_type::volume && route.action == "detail")
    out.item_path = route.upstream_path.substr(0, route.upstream_path.size() - std::string_view("/detail").size());
  if (out.summary) out.list_path += "/detail";
  return out;
}

std::optional<std::string> filters_on_cloudlet(std::string_view filters, const id_map& to_local) {
  auto lookup = lookup_in(to_local);
  bool unmatched = false;
  auto local = api::rewrite_uuids(filters, [&](std::string_view id) {
    auto found = lookup(id);
    if (!found && api::global_id_owner(id)) unmatched = true;
    return found;
  });
  if (unmatched) return std::nullopt;
  return local;
}

cloud_read_plan plan_cloud_read(std::optional<std::uint64_t> limit, const std::vector<api::sort_key>& keys,
                                const json* after) {
  cloud_read_plan plan;
  if (limit) {
    plan.first_call = std::min<std::uint64_t>(*limit + 1, cloud_page_max);
    plan.wanted = *limit + 1;
  }
  if (after) plan.after = *after;
  plan.keys_without_id = keys;
  if (!plan.keys_without_id.empty() && plan.keys_without_id.back().field == "id")
    plan.keys_without_id.pop_back();
  return plan;
}

cloud_step first_cloud_step(const cloud_read_plan& plan) {
  return {cloud_step::action::call, {plan.first_call, {}}};
}

bool exhausts_cloud(const cloud_call& call, std::size_t returned) {
  return !call.limit || returned < *call.limit;
}

cloud_step next_cloud_step(const cloud_read_plan& plan, const std::vector<json>& items, bool exhausted) {
  cloud_step step;
  step.next = cloud_step::action::done;
  if (exhausted || items.empty()) return step;
  // The wanted-th item past the marker, if read: the read ends with its tie group.
  const json* boundary = nullptr;
  std::uint64_t past_marker = 0;
  for (const auto& item : items)
    if (!plan.after || api::compare_items(item, *plan.after, plan.keys_without_id) > 0)
      if (++past_marker == plan.wanted) {
        boundary = &item;
        break;
      }
  const auto& last = items.back();
  if (boundary && api::compare_items(last, *boundary, plan.keys_without_id) != 0) return step;
  if (!last.contains("id") || !last["id"].is_string()) return step;
  if (items.size() >= max_items_per_cloud) {
    step.next = cloud_step::action::capped;
    return step;
  }
  // Later calls (to reach the marker or finish a tie group) ask for as much as a cloud gives at once.
  step.next = cloud_step::action::call;
  step.call.limit = plan.first_call ? std::optional{cloud_page_max} : std::nullopt;
  step.call.marker = last["id"].get<std::string>();
  return step;
}

std::optional<list_failure> failed_list(std::size_t clouds_asked, std::size_t clouds_answered,
                                        bool all_timed_out) {
  if (clouds_answered > 0 || clouds_asked == 0) return std::nullopt;
  if (all_timed_out) return list_failure{504, "No cloudlet answered the list in time."};
  return list_failure{503, "No cloudlet could answer the list."};
}

std::string unreachable_header(const std::vector<std::string>& regions) {
  std::string names;
  for (const auto& region : regions) names += (names.empty() ? "" : ",") + region;
  return names;
}

} // namespace fedstack::agent
