#pragma once
// One GET asked of several cloudlets at once under --list-deadline-ms, each
// answer kept as the cloud gave it: what the flavor and volume type flows read
// every cloudlet's list and locate one item with.

#include <memory>
#include <string>
#include <vector>

#include "agent/flows/request.hpp"
#include "agent/rules/operator_sums.hpp"

namespace fedstack::agent {

/// One cloudlet's answer.
struct cloud_answer {
  bool answered = false;
  bool timed_out = false;
  http::response response;
  std::string error;
};

/// Every cloudlet of `cloudlets` asked, in that order.
struct asked {
  std::vector<cloudlet_endpoints> cloudlets;
  std::vector<std::shared_ptr<cloud_answer>> answers;
  std::vector<bool> done;
  /// Answered at all, in time.
  bool ok(std::size_t i) const { return done[i] && answers[i]->answered; }
};

/// `GET target` of `service` on each of `cloudlets` at once, with `headers`.
http::awaitable<asked> ask_all(request& r, std::vector<cloudlet_endpoints> cloudlets, api::service_type service,
                               const std::string& target, const bhttp::fields& headers);

/// What a view combined from `calls` answers (rules/operator_sums.hpp, decide_view).
view_outcome outcome_of(const asked& calls);

} // namespace fedstack::agent
