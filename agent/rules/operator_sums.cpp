#include "agent/rules/operator_sums.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <string>

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

bool is_unlimited(const json& v) { return v.is_number_integer() && v.get<std::int64_t>() == -1; }

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// A quota-set detail field: {"in_use", "limit", "reserved"}.
bool is_quota_detail(const json& v) { return v.is_object() && v.contains("limit"); }

json combine_detail(combine how, const std::vector<json>& details) {
  std::vector<json> limits, used, neutron_used, reserved;
  for (const auto& d : details) {
    if (d.contains("limit")) limits.push_back(d["limit"]);
    if (d.contains("in_use")) used.push_back(d["in_use"]);
    if (d.contains("used")) neutron_used.push_back(d["used"]);   // Neutron's name for it
    if (d.contains("reserved")) reserved.push_back(d["reserved"]);
  }
  // Usage of a kind the cloudlets hold copies of is the fullest cloudlet's; else it adds up.
  auto usage = how == combine::sum ? combine::sum : combine::maximum;
  json out = json::object();
  if (!used.empty()) out["in_use"] = combine_values(usage, used);
  if (!neutron_used.empty()) out["used"] = combine_values(usage, neutron_used);
  out["limit"] = combine_values(how, limits);
  if (!reserved.empty()) out["reserved"] = combine_values(usage, reserved);
  return out;
}

} // namespace

combine limit_combination(std::string_view field) {
  // Kinds each cloudlet counts on its own: what a project may use and uses is their sum.
  static const std::set<std::string_view> summed{
      "maxTotalCores",  "maxTotalInstances",  "maxTotalRAMSize",    "maxTotalFloatingIps",
      "totalCoresUsed", "totalInstancesUsed", "totalRAMUsed",       "totalFloatingIpsUsed"};
  // Kinds the federation copies to every cloudlet a boot needs them on: each holds the same set.
  static const std::set<std::string_view> copied_usage{"totalServerGroupsUsed", "totalSecurityGroupsUsed",
                                                       "totalKeyPairsUsed"};
  if (summed.contains(field)) return combine::sum;
  if (copied_usage.contains(field)) return combine::maximum;
  // Per-request maxima (metadata, personality) and limits of copied kinds
  // (keypairs, server groups, security groups): what holds wherever a boot lands.
  if (starts_with(field, "max")) return combine::minimum;
  if (starts_with(field, "total") && ends_with(field, "Used")) return combine::sum;
  return combine::first;
}

combine quota_combination(std::string_view field) {
  static const std::set<std::string_view> summed{"instances", "cores", "ram", "floating_ips", "fixed_ips"};
  if (field == "id") return combine::first;
  if (summed.contains(field)) return combine::sum;
  return combine::minimum;   // metadata_items, injected_*, key_pairs, server_group*, security_group*
}

combine network_quota_combination(std::string_view field) {
  static const std::set<std::string_view> copied{"network", "subnet", "security_group", "security_group_rule"};
  return copied.contains(field) ? combine::minimum : combine::sum;
}

combine volume_limit_combination(std::string_view field) {
  if (starts_with(field, "maxTotal") || (starts_with(field, "total") && ends_with(field, "Used"))) return combine::sum;
  return combine::first;
}

combine volume_quota_combination(std::string_view field) {
  if (field == "id") return combine::first;
  // What holds for one volume wherever the scheduler puts it.
  if (field == "per_volume_gigabytes") return combine::minimum;
  return combine::sum;
}

json combine_values(combine how, const std::vector<json>& values) {
  if (values.empty()) return nullptr;
  if (how == combine::first) return values.front();
  std::vector<std::int64_t> numbers;
  for (const auto& v : values) {
    if (!v.is_number_integer()) return values.front();   // not Nova's integers: left as the first said
    numbers.push_back(v.get<std::int64_t>());
  }
  bool any_unlimited = std::any_of(values.begin(), values.end(), is_unlimited);
  switch (how) {
    case combine::sum: {
      if (any_unlimited) return -1;
      std::int64_t total = 0;
      for (auto n : numbers) total += n;
      return total;
    }
    case combine::maximum:
      return any_unlimited ? std::int64_t{-1} : *std::max_element(numbers.begin(), numbers.end());
    case combine::minimum: {
      std::optional<std::int64_t> least;
      for (auto n : numbers)
        if (n != -1 && (!least || n < *least)) least = n;
      return least.value_or(-1);
    }
    case combine::first: break;
  }
  return values.front();
}

json combine_objects(const std::vector<json>& objects, combine (*rule)(std::string_view)) {
  json out = json::object();
  std::vector<std::string> fields;   // in the first answer's order, then any others'
  for (const auto& o : objects) {
    if (!o.is_object()) continue;
    for (const auto& [key, value] : o.items())
      if (std::find(fields.begin(), fields.end(), key) == fields.end()) fields.push_back(key);
  }
  for (const auto& field : fields) {
    std::vector<json> values;
    for (const auto& o : objects)
      if (o.is_object() && o.contains(field)) values.push_back(o[field]);
    auto how = rule(field);
    if (is_quota_detail(values.front()))
      out[field] = combine_detail(how, values);
    else
      out[field] = combine_values(how, values);
  }
  return out;
}

json sum_hypervisor_statistics(const std::vector<json>& statistics) {
  return combine_objects(statistics, [](std::string_view) { return combine::sum; });
}

void federate_hypervisor_ids(json& hypervisors, std::size_t cloudlet_number) {
  auto federate = [&](json& id) {
    if (id.is_number_integer())
      id = static_cast<std::int64_t>(cloudlet_number) * hypervisor_id_stride + id.get<std::int64_t>();
  };
  if (!hypervisors.is_array()) return;
  for (auto& h : hypervisors) {
    if (!h.is_object()) continue;
    if (h.contains("id")) federate(h["id"]);
    if (h.contains("service") && h["service"].is_object() && h["service"].contains("id")) federate(h["service"]["id"]);
  }
}

std::optional<local_hypervisor_id> split_hypervisor_id(std::string_view federation_id) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(federation_id.data(), federation_id.data() + federation_id.size(), value);
  if (error != std::errc{} || end != federation_id.data() + federation_id.size() || value < hypervisor_id_stride)
    return std::nullopt;
  return local_hypervisor_id{static_cast<std::size_t>(value / hypervisor_id_stride), value % hypervisor_id_stride};
}

view_outcome decide_view(const std::vector<cloudlet_reply>& replies, const std::vector<bool>& timed_out) {
  view_outcome out;
  std::optional<std::size_t> refusal;
  bool all_timed_out = !replies.empty();
  for (std::size_t i = 0; i < replies.size(); ++i) {
    const auto& reply = replies[i];
    if (reply.answered && reply.status == 200) {
      out.what = view_outcome::kind::combine;
      return out;
    }
    if (reply.answered && reply.status >= 400 && reply.status < 500 && !refusal) refusal = i;
    bool timeout = i < timed_out.size() && timed_out[i];
    all_timed_out = all_timed_out && timeout;
  }
  if (refusal) {
    out.what = view_outcome::kind::relay;
    out.relay_index = *refusal;
    return out;
  }
  out.what = view_outcome::kind::failed;
  out.status = all_timed_out ? 504 : 503;
  return out;
}

} // namespace fedstack::agent
