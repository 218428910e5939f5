#pragma once
// One GET asked of several cloudlets at once under --list-deadline-ms, each
// answer kept as the cloud gave it: what the flavor and volume type flows read
// every cloudlet's list and locate one item with; and a change one cloudlet
// accepted made on the equal items of the others (spread_change).

#include <functional>
#include <memory>
#include <optional>
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

/// Answers the client when `calls` give no view to combine: every cloudlet refused alike
/// (that refusal, as the cloud gave it), none answered, or `nothing` (no list was read):
/// an error saying `none_answered`. False: the view is the caller's to build.
http::awaitable<bool> answered_without_a_view(request& r, const asked& calls, bool nothing,
                                              const std::string& none_answered);

/// An item on another cloudlet equal to the one a change was made on (a flavor, a volume type).
struct equal_item {
  std::string region;
  std::string id;
};

/// Where the change goes for another cloudlet's ID of the item; nullopt: nowhere.
using path_rule = std::function<std::optional<std::string>(const std::string& id)>;
/// Whether a cloudlet's answer to the change (its method, the route's action) leaves it in step.
using in_step_rule = bool (*)(bhttp::verb method, const std::string& action, unsigned status);

/// The usual in-step rule: 2xx, or the state asked for already there (a delete of
/// what is gone; for an `action`, access already given, 409, or already removed, 404).
bool change_in_step(bhttp::verb method, const std::string& action, unsigned status);

/// The client's change (its method, `headers` and `body`) made on each of `items` of
/// `service` in turn, at `path` of its ID; the regions it did not leave in step, logged
/// with `what` (the kind of item) named.
http::awaitable<std::vector<std::string>> spread_change(request& r, api::service_type service,
                                                        const std::vector<equal_item>& items, const path_rule& path,
                                                        in_step_rule in_step, const bhttp::fields& headers,
                                                        const std::string& body, const std::string& what);

} // namespace fedstack::agent
