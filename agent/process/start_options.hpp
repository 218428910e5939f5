#pragma once
// The first steps of `serve`: every option that can be wrong is checked before
// anything starts, and the process is prepared (upstream TLS, the data
// directory, SIGPIPE). Failures throw start_failure (start_failure.hpp).

#include <vector>

#include "actors/peer_networks.hpp"
#include "actors/scheduler_logic.hpp"
#include "actors/tls.hpp"
#include "agent/services/options.hpp"
#include "http/endpoint.hpp"

namespace fedstack::agent {

/// The options the later steps need in parsed form.
struct checked_options {
  tls_files node_tls;
  /// The shared Keystone's root: --keystone-url without its "/v3".
  http::endpoint keystone;
  /// --join, in order.
  std::vector<peer_address> seeds;
  peer_networks allowed_peers;
  scheduler_policy policy;
};

/// Checks the node's TLS files and the certificate's cloudlet, the service
/// password, --keystone-url, --join against --peer-networks, --node-address
/// and the scheduler chains, in that order. Reads the TLS files; starts nothing.
/// Throws start_failure (exit_bad_option) naming the option.
checked_options check_options(const agent_options& options);

/// Points upstream TLS at --cloud-ca-file (exit_bad_option), creates
/// --data-dir (exit_start_failed), and ignores SIGPIPE.
void prepare_process(const agent_options& options);

} // namespace fedstack::agent
