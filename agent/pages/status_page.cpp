// The status page: /fedstack/ (HTML), /fedstack/overlay.svg and
// /fedstack/status.json, from the agent's own actors and an overlay walk
// (docs/status-page.md). Every part is asked concurrently and under a
// deadline; a part that does not answer in time is shown as unavailable
// rather than holding the page up.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/bridges/actor_handles.hpp"
#include "agent/bridges/ask.hpp"
#include "agent/services/cloudlets.hpp"
#include "agent/services/fan_out.hpp"
#include "agent/pages/operator_pages.hpp"
#include "agent/pages/overlay_svg.hpp"
#include "agent/pages/overlay_walk.hpp"
#include "agent/pages/status_view.hpp"

namespace fedstack::agent {
namespace {

using namespace std::chrono_literals;

/// Close enough to the agent's start: the agent is the process.
const auto process_started = std::chrono::steady_clock::now();

/// Time the agent's own actors have to answer.
constexpr std::chrono::milliseconds local_timeout = 2000ms;
/// Bounds of the page's overlay walk (agent/pages/overlay_walk.hpp).
const overlay_walk_limits walk_limits{64, 16, 1500ms, 5000ms};

/// No script, nothing from elsewhere: styles are inline, the graph is inline SVG.
constexpr const char* content_policy =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; "
  "form-action 'none'; frame-ancestors 'none'";

enum class page_kind { html, svg, json, redirect, unknown };

page_kind page_of(std::string_view target) {
  auto path = target.substr(0, target.find('?'));
  if (path == "/fedstack") return page_kind::redirect;
  if (path == "/fedstack/" || path == "/fedstack/index.html") return page_kind::html;
  if (path == "/fedstack/overlay.svg") return page_kind::svg;
  if (path == "/fedstack/status.json") return page_kind::json;
  return page_kind::unknown;
}

http::awaitable<void> send_page(request& r, unsigned status, const char* content_type, const std::string& body,
                                const bhttp::fields* extra_headers = nullptr) {
  bhttp::response<bhttp::string_body> response{static_cast<bhttp::status>(status), 11};
  if (extra_headers)
    for (const auto& f : *extra_headers) response.set(f.name_string(), f.value());
  response.set(bhttp::field::content_type, content_type);
  response.set(bhttp::field::cache_control, "no-store");
  response.set("Content-Security-Policy", content_policy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("X-Frame-Options", "DENY");
  response.set("Referrer-Policy", "no-referrer");
  response.set("X-Openstack-Request-Id", r.request_id);
  if (r.header().method() != bhttp::verb::head) response.body() = body;
  r.status = status;
  co_await r.exchange.send(std::move(response));
}

std::string describe(caf::actor_system& system, const caf::error& error, std::chrono::milliseconds timeout) {
  if (error == caf::sec::request_timeout) return "no answer within " + std::to_string(timeout.count()) + " ms";
  return system.render(error);
}

/// Asks one of the agent's actors; the answer or why not goes to `out`.
template <class Result, class Handle, class... Args>
http::awaitable<void> ask_part(std::shared_ptr<const actor_handles> actors, Handle handle,
                               std::shared_ptr<status_part<Result>> out, const char* when_not_found,
                               Args... args) {
  std::optional<std::string> thrown;
  try {
    auto result = co_await ask<Result>(actors->system, handle, caf::timespan{local_timeout}, args...);
    if (result)
      out->value = std::move(*result);
    else if (when_not_found && result.error() == ec::not_found)
      out->error = when_not_found;
    else
      out->error = describe(actors->system, result.error(), local_timeout);
  } catch (const std::exception& e) {
    thrown = e.what();
  }
  if (thrown) out->error = *thrown;
}

http::awaitable<void> walk_part(std::shared_ptr<const actor_handles> actors,
                                std::shared_ptr<status_part<overlay_graph>> out) {
  std::optional<std::string> thrown;
  try {
    out->value = co_await walk_overlay(actors, walk_limits);
  } catch (const std::exception& e) {
    thrown = e.what();
  }
  if (thrown) out->error = *thrown;
}

/// Copies a finished task's part; one that missed the deadline is unavailable
/// (and is never read: its task may still write to it).
template <class T>
void take_part(status_part<T>& into, const std::shared_ptr<status_part<T>>& from, bool done,
               std::chrono::milliseconds deadline) {
  if (done)
    into = *from;
  else
    into.error = "no answer within " + std::to_string(deadline.count()) + " ms";
}

/// What the page shows. `everything` false: the overlay walk only (overlay.svg).
http::awaitable<status_snapshot> gather(agent_context& context, bool everything) {
  status_snapshot s;
  s.uptime_s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                 process_started).count();
  auto actors = context.actors;
  if (!actors) {
    s.self.region = context.options.region;
    s.self.http_url = context.base_url;
    s.self.address = peer_address{context.options.node_address, 0};
    std::string why = "the agent's actors are not running yet";
    s.capacity.error = s.neighbours.error = s.neighbour_capacity.error = s.overlay.error = s.decisions.error = why;
    s.now_unix_ms = now_unix_ms();
    co_return s;
  }
  s.self = actors->self;

  auto capacity = std::make_shared<status_part<capacity_report>>();
  auto view = std::make_shared<status_part<capacity_view>>();
  auto members = std::make_shared<status_part<std::vector<peer_entry>>>();
  auto decisions = std::make_shared<status_part<std::vector<placement_decision>>>();
  auto overlay = std::make_shared<status_part<overlay_graph>>();
  std::vector<std::function<http::awaitable<void>()>> tasks;
  tasks.push_back([actors, overlay]() { return walk_part(actors, overlay); });
  if (everything) {
    tasks.push_back([actors, capacity]() {
      return ask_part<capacity_report>(actors, actors->capacity, capacity,
                                       "no reading of the cloudlet yet", atom::capacity_v);
    });
    tasks.push_back([actors, view]() {
      return ask_part<capacity_view>(actors, actors->capacity, view, nullptr, atom::capacity_v, atom::all_v);
    });
    tasks.push_back([actors, members]() {
      return ask_part<std::vector<peer_entry>>(actors, actors->membership, members, nullptr, atom::members_v);
    });
    tasks.push_back([actors, decisions]() {
      return ask_part<std::vector<placement_decision>>(actors, actors->scheduler, decisions, nullptr,
                                                       atom::decisions_v);
    });
  }
  // The walk bounds itself; this is the backstop for everything at once.
  auto deadline = walk_limits.deadline + walk_limits.per_node + 500ms;
  auto done = co_await run_all(std::move(tasks), deadline);
  take_part(s.overlay, overlay, done[0], deadline);
  if (everything) {
    take_part(s.capacity, capacity, done[1], deadline);
    status_part<capacity_view> all;
    take_part(all, view, done[2], deadline);
    if (all.value) {
      s.neighbour_capacity.value = std::move(all.value->reports);
      s.unreachable_neighbours = std::move(all.value->unreachable);
    } else {
      s.neighbour_capacity.error = all.error;
    }
    take_part(s.neighbours, members, done[3], deadline);
    take_part(s.decisions, decisions, done[4], deadline);
  }
  s.now_unix_ms = now_unix_ms();
  co_return s;
}

} // namespace

http::awaitable<void> serve_status_page(request& r) {
  auto kind = page_of(r.header().target());
  if (kind == page_kind::unknown) co_return co_await send_error(r, 404, "The resource could not be found.");
  if (kind == page_kind::redirect) {
    bhttp::fields headers;
    headers.set(bhttp::field::location, "/fedstack/");
    std::string body = "See /fedstack/\n";
    co_return co_await send_page(r, 301, "text/plain; charset=utf-8", body, &headers);
  }
  auto snapshot = co_await gather(r.context, kind != page_kind::svg);
  std::string body;
  if (kind == page_kind::html) {
    body = render_status_html(snapshot);
    co_return co_await send_page(r, 200, "text/html; charset=utf-8", body);
  }
  if (kind == page_kind::json) {
    body = status_json(snapshot).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    co_return co_await send_page(r, 200, "application/json", body);
  }
  if (!snapshot.overlay.value)
    co_return co_await send_error(r, 503, "The overlay walk failed: " + snapshot.overlay.error);
  body = render_overlay_svg(*snapshot.overlay.value, snapshot.self.address);
  co_await send_page(r, 200, "image/svg+xml; charset=utf-8", body);
}

} // namespace fedstack::agent
