#pragma once
// Faults injected into one cloudlet on command (product.md, "Simulated
// cloudlets"): added latency, a rate of 503 answers, a rate of 500 answers to
// creates only, a cloudlet that stops answering, and a cap on concurrent
// requests (an overloaded controller), and creates that are made but answered
// 502 (a proxy that lost the cloud's answer) or answered late, and creates or
// Neutron tag writes held before they are made (made after the caller gave up
// or died). Set at run time
// through the Keystone port: GET /sim/faults, PUT /sim/faults/{region}
// {"latency_ms", "error_rate", "create_error_rate", "lost_answer_rate",
// "create_answer_delay_ms", "create_hold_ms", "tag_hold_ms", "down", "max_concurrent"}, DELETE /sim/faults/{region}.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "sim/service.hpp"

namespace fedstack::sim {

struct fault_plan {
  std::chrono::milliseconds latency{0};   // waited before each answer
  double error_rate = 0;                  // share of requests answered 503
  double create_error_rate = 0;           // share of creates answered 500 (see creates_resource)
  double lost_answer_rate = 0;            // share of creates made, then answered 502
  std::chrono::milliseconds create_answer_delay{0};   // creates made at once, answered after this
  std::chrono::milliseconds create_hold{0};   // creates wait this long, then are made
  std::chrono::milliseconds tag_hold{0};      // Neutron tag writes wait this long, then are made
  bool down = false;                      // requests are held without an answer
  int max_concurrent = 0;                 // 0: unlimited; beyond it requests queue
};

json fault_json(const fault_plan& plan);
/// Parses a PUT body; fields left out keep their value in `base`.
outcome<fault_plan> parse_fault_plan(const json& body, fault_plan base);

/// True for the creates the federation places on a cloudlet: Glance POST
/// /v2/images, Nova POST /v2.1[/{project_id}]/servers, Neutron POST
/// /v2.0/{networks,subnets,ports} (bulk included), Cinder POST
/// /v3[/{project_id}]/volumes. `service_kind` is service::kind().
bool creates_resource(std::string_view service_kind, const request& r);

/// The service's 503 with probability error_rate; answered before the body is read.
std::optional<reply> unavailable_error(const fault_plan& plan, const service& svc);
/// For a create, the service's own 500 with probability create_error_rate. The
/// bridge asks after reading the body: the request arrived and then failed, and
/// no unread body is left on the connection.
std::optional<reply> create_error(const fault_plan& plan, const service& svc, const request& r);

/// The faults of one cloudlet; shared by its three services. Thread-safe.
class fault_state {
public:
  fault_plan plan() const;
  void set(const fault_plan& plan);
  /// Takes a request slot when fewer than `limit` are in flight.
  bool try_enter(int limit);
  void leave();
  int in_flight() const { return in_flight_.load(); }
  /// Requests that arrived while the cloudlet was down and are not yet fully
  /// handled: a test waits for none before it judges what they made.
  void hold() { held_.fetch_add(1); }
  void release() { held_.fetch_sub(1); }
  int held() const { return held_.load(); }

private:
  mutable std::mutex mutex_;
  fault_plan plan_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> held_{0};
};

/// For a create the service made (`made` is its answer): a proxy's 502 in its
/// place with probability lost_answer_rate; the resource stays.
std::optional<reply> lost_answer(const fault_plan& plan, const service& svc, const request& r, const reply& made);

/// How long to hold the answer to `r`, a request the service has handled:
/// create_answer_delay for creates, else zero.
std::chrono::milliseconds answer_delay(const fault_plan& plan, const service& svc, const request& r);

/// How long to hold `r` before the service handles it: create_hold for a
/// create (creates_resource), tag_hold for a Neutron tag write (PUT or DELETE
/// on /v2.0/{collection}/{id}/tags[/{tag}]), else zero.
std::chrono::milliseconds hold_before(const fault_plan& plan, const service& svc, const request& r);

/// The /sim/faults control API.
class faults_api {
public:
  void add(std::string region, fault_state& state) { states_[std::move(region)] = &state; }
  /// True for paths this API owns ("/sim/...").
  static bool owns(const request& r) { return !r.segments.empty() && r.segments[0] == "sim"; }
  reply handle(const request& r);

private:
  std::map<std::string, fault_state*> states_;
};

} // namespace fedstack::sim
