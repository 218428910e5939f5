#include "metrics/catalog.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace fedstack::metrics {
namespace {

fedstack_metrics make(registry& r) {
  return fedstack_metrics{
    r.make_counter("fedstack_http_requests_total", "Requests answered by this agent.",
                   {"api", "method", "status"}),
    r.make_histogram("fedstack_http_request_duration_seconds",
                     "Time from a request's header to the end of its answer.", {"api"}, latency_buckets()),
    r.make_counter("fedstack_http_connections_refused_total",
                   "Client connections refused with 503 because a connection limit was reached.", {"reason"}),
    r.make_histogram("fedstack_upstream_request_duration_seconds",
                     "Calls to a cloudlet's services or to Keystone, failed ones included.",
                     {"cloudlet", "service"}, latency_buckets()),
    r.make_counter("fedstack_upstream_failures_total",
                   "Upstream calls that failed: 503 unreachable, 504 timed out.",
                   {"cloudlet", "service", "status"}),
    r.make_counter("fedstack_token_cache_lookups_total",
                   "Token validations answered from the cache (hit), refused again as Keystone refused them "
                   "lately (refused), or asked of Keystone (miss).", {"result"}),
    r.make_counter("fedstack_keystone_token_validations_total",
                   "Tokens this agent asked Keystone to validate, by answer.", {"result"}),
    r.make_counter("fedstack_image_bytes_streamed_total",
                   "Image bytes relayed: client uploads, client downloads, copies between cloudlets.",
                   {"direction"}),
    r.make_counter("fedstack_cyclon_shuffles_total",
                   "CYCLON shuffles this node started: sent, answered, failed (timed out or refused).",
                   {"result"}),
    r.make_counter("fedstack_cyclon_shuffles_received_total", "CYCLON shuffle requests from other nodes."),
    r.make_counter("fedstack_node_refusals_total",
                   "Peer messages refused because the sender's certificate does not allow them.",
                   {"message", "sender"}),
    r.make_gauge("fedstack_neighbours", "Entries in this node's CYCLON neighbour cache."),
    r.make_gauge("fedstack_registry_entries", "Registry entries this node owns, by kind.", {"kind"}),
    r.make_counter("fedstack_scheduler_decisions_total",
                   "Scheduler decisions by kind, winning cloudlet (none: nothing fits) and reason.",
                   {"kind", "winner", "reason"}),
    r.make_counter("fedstack_create_retries_total",
                   "Creates tried again on the next cloudlet, by cause.", {"kind", "cause"}),
    r.make_gauge("fedstack_orphans",
                 "Marked resources on this cloudlet that no registry explains, at the last orphan sweep (kept).",
                 {"kind"}),
    r.make_counter("fedstack_abandoned_attempts_total",
                   "Create attempts recorded as abandoned before a retry elsewhere.", {"kind"}),
    r.make_counter("fedstack_abandoned_deleted_total",
                   "Resources of this agent's abandoned create attempts, deleted by their owner.", {"kind"}),
    r.make_counter("fedstack_creates_found_total",
                   "Creates answered 5xx or timed out that the cloud had made: found by their marker and bound.",
                   {"kind"}),
    r.make_gauge("fedstack_build_info", "Always 1; the version is a label.", {"version"}),
    r.make_gauge("process_start_time_seconds", "Start time of the process since the Unix epoch."),
    r.make_gauge("process_resident_memory_bytes", "Resident memory size."),
    r.make_gauge("process_open_fds", "Open file descriptors."),
  };
}

} // namespace

const fedstack_metrics& fedstack() {
  static const fedstack_metrics instance = [] {
    auto m = make(global());
    auto now = std::chrono::system_clock::now().time_since_epoch();
    m.start_time.set({}, std::chrono::duration<double>(now).count());
    m.build_info.set({FEDSTACK_VERSION}, 1);
    return m;
  }();
  return instance;
}

void sample_process() {
  const auto& m = fedstack();
  std::ifstream statm{"/proc/self/statm"};
  long long pages_total = 0, pages_resident = 0;
  if (statm >> pages_total >> pages_resident)
    m.resident_memory.set({}, static_cast<double>(pages_resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)));
  std::error_code error;
  std::size_t fds = 0;
  for (std::filesystem::directory_iterator it{"/proc/self/fd", error}, end; !error && it != end;
       it.increment(error))
    ++fds;
  if (!error) m.open_fds.set({}, static_cast<double>(fds));
}

} // namespace fedstack::metrics
