#include "agent/rules/pool_capacity.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// A number (Cinder reports capacities in GiB as floats), else nullopt ("infinite", "unknown", missing).
std::optional<double> gigabytes(const json& capabilities, const char* key) {
  auto it = capabilities.find(key);
  if (it == capabilities.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

} // namespace

pool_capacity read_pool_capacity(const json& answer) {
  pool_capacity out;
  if (!answer.is_object() || !answer.contains("pools") || !answer["pools"].is_array()) return out;
  std::optional<std::int64_t> most_free;
  for (const auto& pool : answer["pools"]) {
    if (!pool.is_object()) continue;
    auto capabilities = pool.value("capabilities", json::object());
    if (!capabilities.is_object() || capabilities.empty()) continue;   // a list without details
    ++out.pools;
    auto free = gigabytes(capabilities, "free_capacity_gb");
    auto total = gigabytes(capabilities, "total_capacity_gb");
    if (!free || !total) continue;   // "infinite" or "unknown": Cinder's lowest weight
    auto reserved = gigabytes(capabilities, "reserved_percentage").value_or(0.0);   // a percentage, read alike
    auto usable = static_cast<std::int64_t>(std::floor(std::max(0.0, *free - *total * reserved / 100.0)));
    most_free = std::max(most_free.value_or(usable), usable);
    out.total_gb += static_cast<std::int64_t>(std::floor(*total));
  }
  out.free_gb = out.pools == 0 ? 0 : most_free.value_or(-1);
  return out;
}

} // namespace fedstack::agent
