// GET /metrics: the process's metrics in Prometheus' text format. Gauges that
// live in actors (neighbour cache, registry sizes) are read at scrape time.

#include <chrono>

#include "agent/bridges/actor_handles.hpp"
#include "agent/bridges/ask.hpp"
#include "agent/pages/operator_pages.hpp"
#include "metrics/catalog.hpp"

namespace fedstack::agent {
namespace {

/// A scrape must not wait long for an actor; a gauge that could not be read
/// keeps its last value.
constexpr caf::timespan scrape_timeout = std::chrono::seconds{2};

http::awaitable<void> read_actor_gauges(const actor_handles& actors) {
  const auto& m = metrics::fedstack();
  auto members = co_await ask<std::vector<peer_entry>>(actors.system, actors.membership, scrape_timeout,
                                                       atom::members_v);
  if (members) m.neighbours.set({}, static_cast<double>(members->size()));
  using storage::resource_kind;
  for (auto kind : {resource_kind::image, resource_kind::network, resource_kind::subnet, resource_kind::port,
                    resource_kind::server, resource_kind::flavor, resource_kind::floating_ip, resource_kind::router,
                    resource_kind::volume, resource_kind::volume_snapshot, resource_kind::volume_backup}) {
    auto count = co_await ask<std::uint64_t>(actors.system, actors.registry, scrape_timeout, atom::count_v, kind);
    if (count) m.registry_entries.set({storage::to_string(kind)}, static_cast<double>(*count));
  }
}

} // namespace

http::awaitable<void> serve_metrics(request& r) {
  if (r.context.actors) co_await read_actor_gauges(*r.context.actors);
  metrics::sample_process();
  bhttp::response<bhttp::string_body> response{bhttp::status::ok, 11};
  response.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  response.set(bhttp::field::cache_control, "no-store");
  response.set("X-Openstack-Request-Id", r.request_id);
  if (r.header().method() != bhttp::verb::head) response.body() = metrics::global().render();
  r.status = 200;
  co_await r.exchange.send(std::move(response));
}

} // namespace fedstack::agent
