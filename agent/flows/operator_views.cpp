// Federation-wide operator views (docs/federation.md, "Operator views"): Nova's
// hypervisor statistics, absolute limits and quota sets combined over every
// cloudlet that answered, and hypervisor lists merged with IDs unique across
// cloudlets; Cinder's limits and quota sets over every cloudlet with Block
// Storage ("Volumes"); Neutron's quotas. Each cloudlet is asked in parallel under --list-deadline-ms with
// the client's token (so each Nova's policy decides, as for the lists); one
// that does not answer is named in X-Fedstack-Unreachable, as the lists do.
// What combines how is rules/operator_sums.hpp.

#include <algorithm>
#include <memory>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/flows/federation.hpp"
#include "agent/flows/request.hpp"
#include "agent/rules/list_paging.hpp"
#include "agent/rules/operator_sums.hpp"
#include "agent/services/upstream_call.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// One cloudlet's answer to the view's call.
struct view_answer {
  bool answered = false;
  bool timed_out = false;
  unsigned status = 0;
  std::string body;
  std::string error;
};

http::awaitable<void> ask_cloudlet(agent_context* context, bhttp::fields headers, cloudlet_endpoints c,
                                   api::service_type service, std::string target, std::shared_ptr<view_answer> out) {
  try {
    auto answer = co_await call_cloudlet(*context, c, service, bhttp::verb::get, target, headers);
    out->answered = true;
    out->status = answer.status;
    out->body = std::move(answer.body);
  } catch (const upstream_failure& e) {
    out->error = e.what();
    out->timed_out = e.status == 504;
  } catch (const std::exception& e) {
    out->error = e.what();
  }
}

/// The cloudlet's place (from 1) among the regions sorted by name: the same at every agent.
std::size_t cloudlet_number(const std::vector<cloudlet_endpoints>& cloudlets, const std::string& region) {
  std::vector<std::string> regions;
  for (const auto& c : cloudlets) regions.push_back(c.region);
  std::sort(regions.begin(), regions.end());
  return static_cast<std::size_t>(std::find(regions.begin(), regions.end(), region) - regions.begin()) + 1;
}

/// The combined document from the 200 answers, each with its cloudlet's number.
json combine_answers(const api::route& route, const std::vector<std::pair<std::size_t, json>>& docs) {
  auto inner = [&](const char* key) {
    std::vector<json> parts;
    for (const auto& [number, doc] : docs)
      if (doc.contains(key)) parts.push_back(doc[key]);
    return parts;
  };
  bool volume = route.service == api::service_type::volume;
  json out = json::object();
  if (route.resource == "limits") {
    std::vector<json> absolutes;
    for (const auto& limits : inner("limits")) absolutes.push_back(limits.value("absolute", json::object()));
    auto rates = inner("limits");
    out["limits"] = {{"rate", rates.empty() ? json::array() : rates.front().value("rate", json::array())},
                     {"absolute", combine_objects(absolutes, volume ? volume_limit_combination : limit_combination)}};
  } else if (route.service == api::service_type::network) {
    out["quota"] = combine_objects(inner("quota"), network_quota_combination);
  } else if (route.resource == "os-quota-sets") {
    out["quota_set"] = combine_objects(inner("quota_set"), volume ? volume_quota_combination : quota_combination);
  } else if (route.action == "statistics") {
    out["hypervisor_statistics"] = sum_hypervisor_statistics(inner("hypervisor_statistics"));
  } else {
    json merged = json::array();
    for (const auto& [number, doc] : docs) {
      auto items = doc.value("hypervisors", json::array());
      federate_hypervisor_ids(items, number);
      for (auto& item : items) merged.push_back(std::move(item));
    }
    out["hypervisors"] = std::move(merged);
  }
  return out;
}

/// The cloudlets asked for one hypervisor (`GET /os-hypervisors/{id}`), and the
/// path each is asked: a federation ID's own cloudlet with its own ID; any other
/// ID (a UUID, from 2.53 on) every cloudlet, the first that knows it answers.
struct hypervisor_target {
  std::vector<cloudlet_endpoints> cloudlets;
  std::string path;
};

hypervisor_target target_of_hypervisor(const request& r, const std::vector<cloudlet_endpoints>& cloudlets) {
  auto split = split_hypervisor_id(r.route.resource_id);
  if (!split) return {cloudlets, r.route.upstream_path};
  for (const auto& c : cloudlets)
    if (cloudlet_number(cloudlets, c.region) == split->cloudlet_number)
      return {{c}, "/" + r.route.api_version + "/os-hypervisors/" + std::to_string(split->id)};
  return {{}, {}};
}

/// One hypervisor as its cloudlet showed it, with the federation's IDs.
http::awaitable<void> send_hypervisor(request& r, std::size_t number, const std::string& body) {
  auto doc = json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("hypervisor"))
    co_return co_await send_error(r, 502, "The cloudlet answered a hypervisor without one.");
  auto one = json::array({doc["hypervisor"]});
  federate_hypervisor_ids(one, number);
  doc["hypervisor"] = one[0];
  co_await send_json(r, 200, doc.dump());
}

} // namespace

http::awaitable<void> handle_operator_view(request& r) {
  auto all = all_cloudlets(r.context);
  auto service = r.route.service;
  // Cinder's views: the cloudlets that have one.
  if (service == api::service_type::volume)
    std::erase_if(all, [](const cloudlet_endpoints& c) { return c.volume.host.empty(); });
  if (all.empty()) co_return co_await send_error(r, 503, "No cloudlet of the federation has Block Storage.");
  auto cloudlets = all;
  auto headers = client_call_headers(r);
  auto path = r.route.upstream_path;
  bool one_hypervisor = r.route.resource == "os-hypervisors" && !r.route.resource_id.empty();
  if (one_hypervisor) {
    auto where = target_of_hypervisor(r, all);
    if (where.cloudlets.empty())
      co_return co_await send_error(r, 404, "Hypervisor " + r.route.resource_id + " could not be found.");
    cloudlets = std::move(where.cloudlets);
    path = std::move(where.path);
  }
  auto target = path + (r.route.query.empty() ? "" : "?" + r.route.query);
  std::vector<std::shared_ptr<view_answer>> answers;
  std::vector<std::function<http::awaitable<void>()>> tasks;
  for (const auto& c : cloudlets) {
    auto answer = std::make_shared<view_answer>();
    answers.push_back(answer);
    tasks.push_back([context = &r.context, headers, c, service, target, answer]() {
      return ask_cloudlet(context, headers, c, service, target, answer);
    });
  }
  auto done = co_await run_all(std::move(tasks), std::chrono::milliseconds{r.context.options.list_deadline_ms});

  std::vector<cloudlet_reply> replies;
  std::vector<bool> timed_out;
  for (std::size_t i = 0; i < cloudlets.size(); ++i) {
    replies.push_back({done[i] && answers[i]->answered, answers[i]->status});
    timed_out.push_back(!done[i] || answers[i]->timed_out);
  }
  if (one_hypervisor)
    for (std::size_t i = 0; i < cloudlets.size(); ++i)
      if (replies[i].answered && replies[i].status == 200)
        co_return co_await send_hypervisor(r, cloudlet_number(all, cloudlets[i].region), answers[i]->body);
  auto outcome = decide_view(replies, timed_out);
  if (outcome.what == view_outcome::kind::relay) {
    const auto& refused = *answers[outcome.relay_index];
    co_return co_await send_json(r, refused.status, refused.body);
  }
  if (outcome.what == view_outcome::kind::failed)
    co_return co_await send_error(r, outcome.status, "No cloudlet answered.");

  std::vector<std::pair<std::size_t, json>> docs;
  std::vector<std::string> unreachable;
  for (std::size_t i = 0; i < cloudlets.size(); ++i) {
    auto doc = replies[i].answered && replies[i].status == 200 ? json::parse(answers[i]->body, nullptr, false)
                                                               : json();
    if (!doc.is_object()) {
      unreachable.push_back(cloudlets[i].region);
      spdlog::warn("{} {}: cloudlet {} {}", r.request_id, r.route.upstream_path, cloudlets[i].region,
                   !done[i] ? "missed the deadline"
                   : replies[i].answered ? "answered " + std::to_string(replies[i].status)
                                         : "failed: " + answers[i]->error);
      continue;
    }
    docs.emplace_back(cloudlet_number(all, cloudlets[i].region), std::move(doc));
  }
  if (docs.empty()) co_return co_await send_error(r, 503, "No cloudlet answered.");
  auto text = combine_answers(r.route, docs).dump();
  bhttp::fields extra;
  if (!unreachable.empty()) extra.set("X-Fedstack-Unreachable", unreachable_header(unreachable));
  co_await send_json(r, 200, std::move(text), &extra);
}

} // namespace fedstack::agent
