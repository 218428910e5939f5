#include "agent/flows/ask_every.hpp"

#include <functional>

#include <spdlog/spdlog.h>

#include "agent/services/cloudlets.hpp"
#include "agent/services/fan_out.hpp"
#include "agent/services/upstream_call.hpp"

namespace fedstack::agent {
namespace {

http::awaitable<void> ask_one(agent_context* context, bhttp::fields headers, cloudlet_endpoints c,
                              api::service_type service, std::string target, std::shared_ptr<cloud_answer> out) {
  try {
    out->response = co_await call_cloudlet(*context, c, service, bhttp::verb::get, target, headers);
    out->answered = true;
  } catch (const upstream_failure& e) {
    out->error = e.what();
    out->timed_out = e.status == 504;
  } catch (const std::exception& e) {
    out->error = e.what();
  }
}

} // namespace

http::awaitable<asked> ask_all(request& r, std::vector<cloudlet_endpoints> cloudlets, api::service_type service,
                               const std::string& target, const bhttp::fields& headers) {
  asked out;
  out.cloudlets = std::move(cloudlets);
  std::vector<std::function<http::awaitable<void>()>> tasks;
  for (const auto& c : out.cloudlets) {
    auto answer = std::make_shared<cloud_answer>();
    out.answers.push_back(answer);
    tasks.push_back([context = &r.context, headers, c, service, target, answer]() {
      return ask_one(context, headers, c, service, target, answer);
    });
  }
  out.done = co_await run_all(std::move(tasks), std::chrono::milliseconds{r.context.options.list_deadline_ms});
  co_return out;
}

view_outcome outcome_of(const asked& calls) {
  std::vector<cloudlet_reply> replies;
  std::vector<bool> timed_out;
  for (std::size_t i = 0; i < calls.cloudlets.size(); ++i) {
    replies.push_back({calls.ok(i), calls.answers[i]->response.status});
    timed_out.push_back(!calls.done[i] || calls.answers[i]->timed_out);
  }
  return decide_view(replies, timed_out);
}

http::awaitable<bool> answered_without_a_view(request& r, const asked& calls, bool nothing,
                                              const std::string& none_answered) {
  auto outcome = outcome_of(calls);
  if (outcome.what == view_outcome::kind::relay) {
    const auto& refused = calls.answers[outcome.relay_index]->response;
    co_await send_json(r, refused.status, refused.body);
    co_return true;
  }
  if (outcome.what != view_outcome::kind::failed && !nothing) co_return false;
  co_await send_error(r, outcome.what == view_outcome::kind::failed ? outcome.status : 503, none_answered);
  co_return true;
}

bool change_in_step(bhttp::verb method, const std::string& action, unsigned status) {
  if (status >= 200 && status < 300) return true;
  if (method == bhttp::verb::delete_ && status == 404) return true;
  return action == "action" && (status == 409 || status == 404);
}

http::awaitable<std::vector<std::string>> spread_change(request& r, api::service_type service,
                                                        const std::vector<equal_item>& items, const path_rule& path,
                                                        in_step_rule in_step, const bhttp::fields& headers,
                                                        const std::string& body, const std::string& what) {
  std::vector<std::string> not_synced;
  auto method = r.header().method();
  for (const auto& item : items) {
    auto cloudlet = find_cloudlet(r.context, item.region);
    auto target = path(item.id);
    if (!cloudlet || !target) continue;
    try {
      auto answer = co_await call_cloudlet(r.context, *cloudlet, service, method, *target, headers, body);
      if (in_step(method, r.route.action, answer.status)) {
        spdlog::info("{} {}: {} {} on {} too", r.request_id, what, std::string(bhttp::to_string(method)), item.id,
                     item.region);
        continue;
      }
      spdlog::warn("{} {} {} on {}: the change answered {}", r.request_id, what, item.id, item.region, answer.status);
    } catch (const upstream_failure& e) {
      spdlog::warn("{} {} {} on {}: {}", r.request_id, what, item.id, item.region, e.what());
    }
    not_synced.push_back(item.region);
  }
  co_return not_synced;
}

} // namespace fedstack::agent
