#include "sim/faults.hpp"

namespace fedstack::sim {
namespace {

/// True with probability `rate` (0 never, 1 always).
bool roll(double rate) {
  return rate > 0 && static_cast<double>(random_between(0, 999'999)) < rate * 1e6;
}

/// What each API says when it fails unexpectedly, as the real services word it.
std::string_view internal_error_message(std::string_view service_kind) {
  if (service_kind == "nova") {
    return "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the "
           "Nova API log if possible.\n<class 'oslo_messaging.exceptions.MessagingTimeout'>";
  }
  if (service_kind == "neutron") return "Request Failed: internal server error while processing your request.";
  return "The server has either erred or is incapable of performing the requested operation.";
}

bool is_rate(const json& value) {
  return value.is_number() && value.get<double>() >= 0 && value.get<double>() <= 1;
}

} // namespace

json fault_json(const fault_plan& plan) {
  return {{"latency_ms", plan.latency.count()},
          {"error_rate", plan.error_rate},
          {"create_error_rate", plan.create_error_rate},
          {"lost_answer_rate", plan.lost_answer_rate},
          {"create_answer_delay_ms", plan.create_answer_delay.count()},
          {"create_hold_ms", plan.create_hold.count()},
          {"tag_hold_ms", plan.tag_hold.count()},
          {"down", plan.down},
          {"max_concurrent", plan.max_concurrent}};
}

outcome<fault_plan> parse_fault_plan(const json& body, fault_plan base) {
  if (!body.is_object()) return bad_request("The body must be a JSON object.");
  for (const auto& [key, value] : body.items()) {
    if (key == "latency_ms" || key == "create_answer_delay_ms" || key == "create_hold_ms" || key == "tag_hold_ms") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 0) return bad_request(key + " must be an integer >= 0");
      (key == "latency_ms"               ? base.latency
       : key == "create_answer_delay_ms" ? base.create_answer_delay
       : key == "create_hold_ms"         ? base.create_hold
                                         : base.tag_hold) = std::chrono::milliseconds{value.get<std::int64_t>()};
    } else if (key == "error_rate" || key == "create_error_rate" || key == "lost_answer_rate") {
      if (!is_rate(value)) return bad_request(key + " must be a number in [0, 1]");
      (key == "error_rate"          ? base.error_rate
       : key == "create_error_rate" ? base.create_error_rate
                                    : base.lost_answer_rate) = value.get<double>();
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

bool creates_resource(std::string_view service_kind, const request& r) {
  if (r.method != "POST") return false;
  const auto& s = r.segments;
  if (service_kind == "glance") return match(r, {"v2", "images"}).has_value();
  // The legacy form carries the project ID: /v2.1/{project_id}/servers.
  if (service_kind == "nova") return match(r, {"v2.1", "servers"}) || match(r, {"v2.1", "*", "servers"});
  // Cinder: /v3/{project_id}/volumes, or /v3/volumes from 3.67.
  if (service_kind == "cinder") return match(r, {"v3", "*", "volumes"}) || match(r, {"v3", "volumes"});
  if (service_kind == "neutron" && s.size() == 2 && s[0] == "v2.0") {
    // Older clients append ".json", which Neutron accepts.
    for (std::string_view collection : {"networks", "subnets", "ports"}) {
      if (s[1] == collection || s[1] == std::string{collection} + ".json") return true;
    }
  }
  return false;
}

std::optional<reply> unavailable_error(const fault_plan& plan, const service& svc) {
  if (!roll(plan.error_rate)) return std::nullopt;
  return svc.error_reply(503, "The server is currently unavailable. Please try again at a later time.");
}

std::optional<reply> create_error(const fault_plan& plan, const service& svc, const request& r) {
  if (plan.create_error_rate <= 0 || !creates_resource(svc.kind(), r) || !roll(plan.create_error_rate)) {
    return std::nullopt;
  }
  return svc.error_reply(500, internal_error_message(svc.kind()));
}

std::optional<reply> lost_answer(const fault_plan& plan, const service& svc, const request& r, const reply& made) {
  if (plan.lost_answer_rate <= 0 || made.status >= 300 || !creates_resource(svc.kind(), r) ||
      !roll(plan.lost_answer_rate))
    return std::nullopt;
  return svc.error_reply(502, "Bad Gateway: the upstream closed the connection before it answered.");
}

std::chrono::milliseconds answer_delay(const fault_plan& plan, const service& svc, const request& r) {
  if (plan.create_answer_delay.count() <= 0 || !creates_resource(svc.kind(), r)) return std::chrono::milliseconds{0};
  return plan.create_answer_delay;
}

std::chrono::milliseconds hold_before(const fault_plan& plan, const service& svc, const request& r) {
  bool tag_write = svc.kind() == "neutron" && (r.method == "PUT" || r.method == "DELETE") &&
                   r.segments.size() >= 4 && r.segments[0] == "v2.0" && r.segments[3] == "tags";
  if (tag_write) return plan.tag_hold;
  return creates_resource(svc.kind(), r) ? plan.create_hold : std::chrono::milliseconds{0};
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
      item["held"] = state->held();
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
