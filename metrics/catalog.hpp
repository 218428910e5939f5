#pragma once
// Every metric fedstack exports, in one place so that names, labels and help
// stay consistent (docs/operations.md lists them). All families are made on
// the first call, in this order, in metrics::global().

#include "metrics/metrics.hpp"

namespace fedstack::metrics {

struct fedstack_metrics {
  /// {api, method, status}: requests answered by this agent.
  counter& http_requests;
  /// {api}: time from request header to the end of the answer.
  histogram& http_request_duration;
  /// {reason}: client connections answered 503 and closed: per_client or total limit.
  counter& connections_refused;
  /// {cloudlet, service}: calls to a cloud's services or Keystone, by outcome in upstream_failures.
  histogram& upstream_duration;
  /// {cloudlet, service, status}: upstream calls that failed (503: unreachable, 504: timed out).
  counter& upstream_failures;
  /// {result = hit | miss}: token validations answered from the cache or not.
  counter& token_cache_lookups;
  /// {result = valid | invalid}: token validations Keystone was asked for.
  counter& keystone_validations;
  /// {direction = upload | download | copy}: image bytes relayed.
  counter& image_bytes;
  /// {result = sent | answered | failed}: CYCLON shuffles this node started.
  counter& shuffles;
  /// Shuffle requests other nodes sent to this one.
  counter& shuffles_received;
  /// {message, sender = unknown | operator | cloudlet}: peer messages the node refused
  /// (actors/node.hpp), and neighbours' capacity reports for another cloudlet.
  counter& node_refusals;
  /// Entries in the neighbour cache (read at scrape time).
  gauge& neighbours;
  /// {kind}: registry entries this node owns (read at scrape time).
  gauge& registry_entries;
  /// {kind, winner, reason}: scheduler decisions; winner "none" when nothing fits.
  counter& scheduler_decisions;
  /// {kind, cause}: creates tried again on the next cloudlet.
  counter& create_retries;
  /// {kind}: marked resources on this cloudlet that no registry explains, at the
  /// orphan sweep's last pass (listed, never deleted: docs/faults.md).
  gauge& orphans;
  /// {kind}: create attempts this agent recorded as abandoned before a retry.
  counter& abandoned_attempts;
  /// {kind}: resources of abandoned attempts this agent deleted (at most one each).
  counter& abandoned_deleted;
  /// {kind}: creates answered 5xx or timed out that the cloud had made: found by marker and bound.
  counter& creates_found;
  /// {version}: always 1.
  gauge& build_info;
  /// Process start, resident memory and open file descriptors (set at scrape time).
  gauge& start_time;
  gauge& resident_memory;
  gauge& open_fds;
};

const fedstack_metrics& fedstack();

/// Reads /proc/self into the process gauges (Linux).
void sample_process();

} // namespace fedstack::metrics
