#include "agent/tasks/capacity_poller.hpp"

#include <caf/send.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agent/rules/pool_capacity.hpp"
#include "agent/services/upstream_call.hpp"
#include "api/urls.hpp"
#include "storage/unix_time.hpp"

namespace fedstack::agent {
namespace {

using json = nlohmann::json;

/// Pages of active images read at most; a cloud with more reports the first ones.
constexpr int max_image_pages = 20;

http::awaitable<json> get_json(const http::endpoint& to, const std::string& target,
                               const std::string& token, std::chrono::milliseconds timeout) {
  bhttp::fields headers;
  headers.set("X-Auth-Token", token);
  headers.set(bhttp::field::accept, "application/json");
  auto answer = co_await call_upstream(to, bhttp::verb::get, target, headers, {}, timeout);
  if (answer.status != 200)
    throw std::runtime_error("GET " + to.to_string() + target + " answered " + std::to_string(answer.status));
  auto body = json::parse(answer.body, nullptr, false);
  if (body.is_discarded()) throw std::runtime_error("GET " + target + ": not JSON");
  co_return body;
}

std::int64_t number(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

/// Cinder's pools into `report`; a cloud whose pools cannot be read reports
/// none (the scheduler then weighs its volumes on the hypervisors' disk).
http::awaitable<void> read_pools(const agent_context& context, const std::string& token,
                                 std::chrono::milliseconds timeout, capacity_report& report) {
  bhttp::fields headers;
  headers.set("X-Auth-Token", token);
  headers.set(bhttp::field::accept, "application/json");
  // 3.67 routes without the project in the path (PROJECT_ID_OPTIONAL_IN_URL): no project to know.
  headers.set("OpenStack-API-Version", "volume 3.67");
  try {
    auto answer = co_await call_upstream(context.cloudlet.volume, bhttp::verb::get,
                                         "/v3/scheduler-stats/get_pools?detail=true", headers, {}, timeout);
    if (answer.status != 200) throw std::runtime_error("get_pools answered " + std::to_string(answer.status));
    auto pools = read_pool_capacity(json::parse(answer.body, nullptr, false));
    report.volume_pools = pools.pools;
    report.free_volume_gb = pools.free_gb;
    report.total_volume_gb = pools.total_gb;
  } catch (const std::exception& e) {
    spdlog::warn("Block Storage pools of {} could not be read: {}", context.cloudlet.region, e.what());
  }
}

} // namespace

http::awaitable<capacity_report> read_capacity(const agent_context& context, service_session& session) {
  auto token = co_await session.token();
  auto timeout = context.upstream_timeout();
  auto stats = co_await get_json(context.cloudlet.compute, "/v2.1/os-hypervisors/statistics", token, timeout);
  const auto& s = stats.value("hypervisor_statistics", json::object());
  capacity_report report;
  report.region = context.cloudlet.region;
  report.http_url = context.base_url;
  report.free_ram_mb = number(s, "free_ram_mb");
  report.free_disk_gb = number(s, "free_disk_gb");
  report.total_vcpus = number(s, "vcpus");
  report.free_vcpus = report.total_vcpus - number(s, "vcpus_used");
  report.total_ram_mb = number(s, "memory_mb");
  report.total_disk_gb = number(s, "local_gb");
  report.running_vms = number(s, "running_vms");
  report.hypervisors = number(s, "count");

  std::string target = "/v2/images?status=active&limit=200";
  for (int page = 0; page < max_image_pages && !target.empty(); ++page) {
    auto images = co_await get_json(context.cloudlet.image, target, token, timeout);
    for (const auto& image : images.value("images", json::array()))
      if (image.contains("checksum") && image["checksum"].is_string())
        report.image_checksums.push_back(image["checksum"].get<std::string>());
    // Glance's `next` is relative to its service root.
    target = images.contains("next") && images["next"].is_string()
               ? api::next_page_path(images["next"].get<std::string>())
               : "";
  }
  if (!context.cloudlet.volume.host.empty()) co_await read_pools(context, token, timeout, report);
  report.measured_unix_ms = now_unix_ms();
  co_return report;
}

http::awaitable<void> poll_capacity(const agent_context& context, service_session& session,
                                    capacity_actor capacity, peer_address node,
                                    std::chrono::milliseconds period) {
  auto executor = co_await http::asio::this_coro::executor;
  for (;;) {
    try {
      auto report = co_await read_capacity(context, session);
      report.node = node;
      caf::anon_send(capacity, atom::update_v, std::move(report));
    } catch (const std::exception& e) {
      spdlog::warn("capacity of {} could not be read: {}", context.cloudlet.region, e.what());
    }
    http::asio::steady_timer pause{executor, period};
    co_await pause.async_wait(http::use_awaitable);
  }
}

} // namespace fedstack::agent
