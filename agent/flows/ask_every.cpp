#include "agent/flows/ask_every.hpp"

#include <functional>

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

} // namespace fedstack::agent
