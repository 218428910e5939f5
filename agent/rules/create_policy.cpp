#include "agent/rules/create_policy.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace fedstack::agent {

create_home home_of(storage::resource_kind kind) {
  switch (kind) {
    case storage::resource_kind::image:
    case storage::resource_kind::server:
      return create_home::scheduler;
    case storage::resource_kind::network:
      return create_home::own_cloudlet;
    default:
      return create_home::network_home;
  }
}

candidate_choice choose_candidates(const placement_decision& decision, const std::string& pinned_zone,
                                   const std::function<bool(const std::string&)>& in_directory,
                                   const std::string& own) {
  candidate_choice out;
  if (!pinned_zone.empty()) {
    if (in_directory(pinned_zone)) out.regions.push_back(pinned_zone);
    else out.refusal = "The requested availability zone is not available";
    return out;
  }
  auto add = [&](const std::string& region) {
    if (std::find(out.regions.begin(), out.regions.end(), region) != out.regions.end()) return;
    if (in_directory(region)) out.regions.push_back(region);
  };
  if (decision.placed) {
    add(decision.winner.region);
    for (const auto& f : decision.fallback) add(f.region);
  }
  if (out.regions.empty()) out.regions.push_back(own);
  return out;
}

call_result read_call(std::optional<unsigned> status) {
  if (!status || *status >= 500) return call_result::unknown;
  if (*status >= 300) return call_result::refused;
  return call_result::made;
}

bool searchable(storage::resource_kind kind, bool pending) {
  using storage::resource_kind;
  return kind == resource_kind::image || kind == resource_kind::server || kind == resource_kind::volume ||
         kind == resource_kind::volume_snapshot || kind == resource_kind::volume_backup || pending;
}

bool refused_by_quota(storage::resource_kind kind, unsigned status, std::string_view body) {
  if (kind != storage::resource_kind::server || status != 403) return false;
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object()) return false;
  auto fault = doc.find("forbidden");
  if (fault == doc.end() || !fault->is_object()) return false;
  auto text = fault->find("message");
  if (text == fault->end() || !text->is_string()) return false;
  const auto& message = text->get_ref<const std::string&>();
  return message.starts_with("Quota exceeded") || message.starts_with("Maximum number of ports exceeded");
}

next_step after(attempt_outcome outcome) {
  next_step step;
  switch (outcome) {
    case attempt_outcome::created:
      step.bind = true;
      break;
    case attempt_outcome::refused:
      break;
    case attempt_outcome::not_found:
    case attempt_outcome::unmarked:
      step.record_abandoned = true;
      step.try_next = true;
      break;
    case attempt_outcome::no_valid_host:
      step.record_abandoned = true;
      step.delete_made = true;
      step.try_next = true;
      break;
    case attempt_outcome::unsearchable:
    case attempt_outcome::not_prepared:
    case attempt_outcome::over_quota:
      step.try_next = true;
      break;
  }
  return step;
}

next_step after_unrecorded_abandonment(next_step step) {
  step.delete_made = false;
  step.try_next = false;
  return step;
}

} // namespace fedstack::agent
