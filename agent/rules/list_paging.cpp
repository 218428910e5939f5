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
  out.by_global_id = sort.client_sorts_by_id ||
                     (service == api::service_type::network && route.resource == "networks");
  if (!out.by_global_id && !out.keys.empty() && out.keys.back().field == "id") out.keys.pop_back();
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

api::merge_marker cloud_read_plan::merge_after() const {
  return {after ? &*after : nullptr, after_cloudlet, marker_on_its_cloud()};
}

cloud_read_plan plan_cloud_read(std::optional<std::uint64_t> limit, const std::vector<api::sort_key>& keys,
                                const json* after, std::string after_cloudlet, std::string after_local_id) {
  cloud_read_plan plan;
  if (limit) {
    plan.first_call = std::min<std::uint64_t>(*limit + 1, cloud_page_max);
    plan.wanted = *limit + 1;
  }
  if (after) {
    plan.after = *after;
    plan.after_cloudlet = std::move(after_cloudlet);
    plan.after_local_id = std::move(after_local_id);
  }
  plan.keys = keys;
  auto id = std::find_if(keys.begin(), keys.end(), [](const api::sort_key& k) { return k.field == "id"; });
  plan.by_global_id = id != keys.end();
  if (plan.by_global_id) plan.tie_keys.assign(keys.begin(), id);
  return plan;
}

cloud_step first_cloud_step(const cloud_read_plan& plan, std::string_view cloudlet) {
  cloud_step step{cloud_step::action::call, {plan.first_call, {}}};
  if (plan.marker_on_its_cloud() && cloudlet == plan.after_cloudlet) step.call.marker = plan.after_local_id;
  return step;
}

bool exhausts_cloud(const cloud_call& call, std::size_t returned) {
  return !call.limit || returned < *call.limit;
}

cloud_step next_cloud_step(const cloud_read_plan& plan, std::string_view cloudlet, const std::vector<json>& items,
                           bool exhausted, const std::vector<bool>& hidden) {
  cloud_step step;
  step.next = cloud_step::action::done;
  if (exhausted || items.empty()) return step;
  // Whether an item is past the marker for certain (the merge's rule, api::order_merge).
  bool read_after = plan.marker_on_its_cloud() && cloudlet == plan.after_cloudlet;
  bool ties_follow = !plan.by_global_id && !plan.after_cloudlet.empty() && cloudlet > plan.after_cloudlet;
  const auto& order = plan.by_global_id ? plan.tie_keys : plan.keys;
  auto past_marker = [&](const json& item) {
    if (!plan.after || read_after) return true;
    int c = api::compare_items(item, *plan.after, order);
    return c > 0 || (c == 0 && ties_follow);
  };
  // The wanted-th item past the marker, if read.
  const json* boundary = nullptr;
  std::uint64_t past = 0;
  for (std::size_t i = 0; i < items.size() && !boundary; ++i)
    if ((i >= hidden.size() || !hidden[i]) && past_marker(items[i]) && ++past == plan.wanted) boundary = &items[i];
  const auto& last = items.back();
  // In the cloud's order the page ends there; in global-ID order with its tie group.
  if (boundary && (!plan.by_global_id || api::compare_items(last, *boundary, plan.tie_keys) != 0)) return step;
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
