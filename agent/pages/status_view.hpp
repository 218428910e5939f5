#pragma once
// What the status page (/fedstack/) shows, gathered by agent/pages/status_page.cpp
// from the agent's actors, and how it is shown: HTML, and JSON for scripts
// (/fedstack/status.json). Pure C++17 and no CAF, so the rendering and its
// escaping are unit-tested.
//
// The page needs no token, so it shows nothing a token protects: no tokens,
// passwords or project resources. The scheduler's summaries name an image by
// checksum; the page replaces the checksum with "yes" (public_summary).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "actors/capacity_report.hpp"
#include "actors/peer.hpp"
#include "actors/scheduler_logic.hpp"
#include "agent/pages/overlay_graph.hpp"

namespace fedstack::agent {

/// One part of the page: its value, or why it is unavailable.
template <class T>
struct status_part {
  std::optional<T> value;
  std::string error = "not asked";
};

struct status_snapshot {
  /// This node as it announces itself.
  peer_entry self;
  std::int64_t now_unix_ms = 0;
  /// Seconds since the agent process started; negative: unknown.
  std::int64_t uptime_s = -1;
  /// This cloudlet's latest reading.
  status_part<capacity_report> capacity;
  /// The neighbour cache, in slot order.
  status_part<std::vector<peer_entry>> neighbours;
  /// The last report of each neighbour, and those whose circuit breaker is open.
  status_part<std::vector<capacity_report>> neighbour_capacity;
  std::vector<peer_address> unreachable_neighbours;
  status_part<overlay_graph> overlay;
  /// Oldest first, as the scheduler keeps them.
  status_part<std::vector<placement_decision>> decisions;
};

/// Decisions shown on the page, newest first; the JSON has all.
constexpr std::size_t status_page_decisions = 20;

// -- JSON shared with the introspection commands (cmd/introspect.cpp) ---------

/// {node, age, region, http_url}
nlohmann::json entry_json(const peer_entry& e);
/// {region, node, http_url, free_*, total_*, running_vms, images, age_s}
nlohmann::json capacity_json(const capacity_report& r, std::int64_t now_unix_ms);
/// {summary, placed, winner, winner_node, reason, decided_unix_ms,
///  candidates: [{region, node, score, probed, weighers}], filtered_out: [{region, node, filter, reason}]}.
/// `summary` is public_summary's when `public_view`, else the scheduler's own.
nlohmann::json decision_json(const placement_decision& d, bool public_view);

/// summarize() with the image checksum replaced by "yes" (or "none").
std::string public_summary(const placement_request& request);

// -- the page ------------------------------------------------------------------

/// Everything in the snapshot; parts that are unavailable are null, with the
/// reason under "unavailable". Dump with error_handler_t::replace.
nlohmann::json status_json(const status_snapshot& s);

/// The whole page: self-contained HTML (inline CSS and SVG, no script, no
/// external resource), every text escaped.
std::string render_status_html(const status_snapshot& s);

} // namespace fedstack::agent
