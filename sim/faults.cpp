#include "sim/faults.hpp"

namespace fedstack::sim {

json fault_json(const fault_plan& plan) {
  return {{"latency_ms", plan.latency.count()},
          {"error_rate", plan.error_rate},
          {"down", plan.down},
          {"max_concurrent", plan.max_concurrent}};
}

outcome<fault_plan> parse_fault_plan(const json& body, fault_plan base) {
  if (!body.is_object()) return bad_request("The body must be a JSON object.");
  for (const auto& [key, value] : body.items()) {
    if (key == "latency_ms") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 0) return bad_request("latency_ms must be an integer >= 0");
      base.latency = std::chrono::milliseconds{value.get<std::int64_t>()};
    } else if (key == "error_rate") {
      if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1) {
        return bad_request("error_rate must be a number in [0, 1]");
      }
      base.error_rate = value.get<double>();
    } else if (key == "down") {
      if (!value.is_boolean()) return bad_request("down must be a boolean");
      base.down = value.get<bool>();
    } else if (key == "max_concurrent") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 0) return bad_request("max_concurrent must be an integer >= 0");
      base.max_concurrent = value.get<int>();
    } else {
      return bad_request("unknown fault '" + key + "'");
    }
  }
  return base;
}

fault_plan fault_state::plan() const {
  std::lock_guard lock{mutex_};
  return plan_;
}

void fault_state::set(const fault_plan& plan) {
  std::lock_guard lock{mutex_};
  plan_ = plan;
}

bool fault_state::try_enter(int limit) {
  auto current = in_flight_.load();
  while (limit <= 0 || current < limit) {
    if (in_flight_.compare_exchange_weak(current, current + 1)) return true;
  }
  return false;
}

void fault_state::leave() { in_flight_.fetch_sub(1); }

reply faults_api::handle(const request& r) {
  auto all = [&] {
    json out = json::object();
    for (const auto& [region, state] : states_) {
      auto item = fault_json(state->plan());
      item["in_flight"] = state->in_flight();
      out[region] = item;
    }
    return json{{"faults", out}};
  };
  if (match(r, {"sim", "faults"})) {
    if (r.method != "GET") return keystone_error(405, "The method is not allowed for the requested URL.");
    return json_reply(200, all());
  }
  auto m = match(r, {"sim", "faults", "*"});
  if (!m) return keystone_error(404, "The resource could not be found.");
  auto it = states_.find((*m)[0]);
  if (it == states_.end()) return keystone_error(404, "Could not find region: " + (*m)[0] + ".");
  auto& state = *it->second;
  if (r.method == "GET") return json_reply(200, {{"fault", fault_json(state.plan())}});
  if (r.method == "DELETE") {
    state.set({});
    return empty_reply(204);
  }
  if (r.method != "PUT") return keystone_error(405, "The method is not allowed for the requested URL.");
  auto body = parse_json(r);
  if (!body) return keystone_error(400, "Malformed request body.");
  auto plan = parse_fault_plan(*body, state.plan());
  if (failed(plan)) return keystone_error(400, error_of(plan).message);
  state.set(std::get<fault_plan>(plan));
  return json_reply(200, {{"fault", fault_json(std::get<fault_plan>(plan))}});
}

} // namespace fedstack::sim
