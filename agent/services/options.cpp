#include "agent/services/options.hpp"

namespace fedstack::agent {

void describe(config::option_set& set, agent_options& o) {
  set.add_string("listen-address", &o.listen_address, "address the OpenStack API is served on");
  set.add_port("port", &o.port, "port the OpenStack API is served on (0: any free port)");
  set.add_string("public-url", &o.public_url,
                 "base URL clients reach this agent at, written into catalogs and links "
                 "(empty: http://LISTEN-ADDRESS:PORT)");
  set.add_string("keystone-url", &o.keystone_url, "the shared Keystone's identity v3 URL");
  set.add_string("cloud-ca-file", &o.cloud_ca_file,
                 "CA certificates (PEM) that https:// Keystone and cloud endpoints must chain to, "
                 "their names checked against the URLs' hosts (empty: the system's CAs)");
  set.add_string("region", &o.region, "this agent's cloudlet: its region in the Keystone catalog");
  set.add_string("service-user", &o.service_user,
                 "user the agent authenticates as to read its cloudlet's catalog and capacity");
  set.add_string("service-password", &o.service_password, "password of --service-user (required; there is no default)");
  set.add_string("service-project", &o.service_project, "project of --service-user");
  set.add_string("service-domain", &o.service_domain, "domain of the service user and project");
  set.add_string("data-dir", &o.data_dir, "directory of the registry (LMDB); created if missing");
  set.add_int("upstream-timeout-ms", &o.upstream_timeout_ms, 1, 3'600'000,
              "time an upstream cloud may take to answer before the client gets 504");
  set.add_int("connect-timeout-ms", &o.connect_timeout_ms, 1, 600'000,
              "time allowed to connect to an upstream cloud");
  set.add_int("max-body-bytes", &o.max_body_bytes, 1024, 1LL << 30,
              "largest request body accepted outside image upload (413 above)");
  set.add_int("max-header-bytes", &o.max_header_bytes, 1024, 1 << 20,
              "largest request header accepted (431 above)");
  set.add_int("max-json-depth", &o.max_json_depth, 4, 1000,
              "deepest nesting of arrays and objects accepted in a request body (400 above)");
  set.add_int("header-timeout-ms", &o.header_timeout_ms, 100, 600'000,
              "time a client has to send a request header (slow clients are cut off)");
  set.add_int("idle-timeout-ms", &o.idle_timeout_ms, 100, 3'600'000,
              "time an idle keep-alive client connection is kept open");
  set.add_int("body-timeout-ms", &o.body_timeout_ms, 100, 3'600'000,
              "a request body must arrive within this time plus one second per --min-body-rate "
              "bytes received (408 beyond): one deadline for the whole body, not per read");
  set.add_int("min-body-rate", &o.min_body_rate, 0, 1LL << 40,
              "bytes per second a request body (an image upload) earns beyond --body-timeout-ms "
              "(0: no body deadline)");
  set.add_int("max-connections", &o.max_connections, 1, 1'000'000,
              "client connections held at once (503 beyond; the agent raises its file limit to fit)");
  set.add_int("max-client-connections", &o.max_client_connections, 1, 1'000'000,
              "client connections held at once from one IP address (503 beyond)");
  set.add_int("token-cache-entries", &o.token_cache_entries, 0, 10'000'000,
              "validated tokens kept (0 disables the cache)");
  set.add_int("token-expiry-slack-s", &o.token_expiry_slack_s, 0, 86'400,
              "a cached token is dropped this long before it expires");
  set.add_int("token-refusal-ttl-ms", &o.token_refusal_ttl_ms, 0, 600'000,
              "a token Keystone refused is refused again without asking for this long "
              "(as many as --token-cache-entries; 0: always ask)");
  set.add_int("io-threads", &o.io_threads, 1, 64, "threads serving HTTP");
  set.add_flag("copy-downloads", &o.copy_downloads,
               "relay image downloads through the agent's buffers instead of moving them socket "
               "to socket with splice(2) (which is used only where the kernel allows it)");
  set.add_int("compute-max-microversion", &o.compute_max_microversion_minor, 1, 999,
              "highest compute microversion 2.N advertised and accepted (N)");
  set.add_string("log-level", &o.log_level, "trace, debug, info, warn or error");
  set.add_string("log-format", &o.log_format,
                 "text, or json: one object per line (time, level, request_id, message) for log shippers");
  set.add_string("node-address", &o.node_address,
                 "address the node actor (CYCLON, capacity, introspection) is published on");
  set.add_port("node-port", &o.node_port, "port of the node actor (0: any free port)");
  set.add_string("peer-networks", &o.peer_networks,
                 "comma-separated IPv4 CIDRs other agents' nodes live in; the agent connects to no "
                 "other node address, whatever a global ID or a peer names (empty: any, but never "
                 "0.0.0.0/8, 169.254.0.0/16 or 224.0.0.0/3)");
  set.add_string("node-ca", &o.node_ca,
                 "PEM file of the federation CA: peers must present a certificate it issued "
                 "(required with node-cert and node-key, unless insecure-plain-node-port)");
  set.add_string("node-cert", &o.node_cert,
                 "PEM file of this node's certificate, issued by the federation CA for this "
                 "agent's region (scripts/fedstack-certs.sh node)");
  set.add_string("node-key", &o.node_key, "PEM file of node-cert's private key (unencrypted; readable by the agent only)");
  set.add_flag("insecure-plain-node-port", &o.insecure_plain_node_port,
               "INSECURE: plain TCP on the node port without node-ca/cert/key; any process that "
               "reaches it can read the registry, change copies and steer placement");
  set.add_string("join", &o.join,
                 "comma-separated HOST:PORT of other agents' nodes to join through "
                 "(empty: first node, or rejoin from the saved neighbour cache)");
  set.add_int("cache-size", &o.cache_size, 1, 1000, "CYCLON neighbour-cache size c");
  set.add_int("shuffle-length", &o.shuffle_length, 1, 1000,
              "CYCLON shuffle length l (1 <= l <= c)");
  set.add_int("shuffle-period-ms", &o.shuffle_period_ms, 10, 86'400'000,
              "CYCLON period T between two shuffles this node starts");
  set.add_int("shuffle-timeout-ms", &o.shuffle_timeout_ms, 10, 600'000,
              "time a neighbour has to answer a shuffle before it is dropped");
  set.add_int("capacity-period-ms", &o.capacity_period_ms, 10, 86'400'000,
              "how often the cloudlet's capacity is read and neighbours are asked for theirs");
  set.add_int("neighbour-capacity-period-ms", &o.neighbour_capacity_period_ms, 0, 86'400'000,
              "how often neighbours are asked for their capacity (0: capacity-period-ms); the "
              "scheduler's live probe reads a finalist's own latest reading instead");
  set.add_int("heartbeat-ms", &o.heartbeat_ms, 10, 600'000,
              "CAF heartbeat interval between connected nodes");
  set.add_int("connection-timeout-ms", &o.connection_timeout_ms, 10, 3'600'000,
              "a connected node silent this long is considered gone");
  set.add_flag("live-probe", &o.live_probe,
               "ask the scheduler's two finalists for fresh capacity at decision time "
               "(beyond the thesis: against herding on stale reports)");
  set.add_string("server-filters", &o.server_filters,
                 "scheduler filters for servers, in order (resource, availability_zone, two_choices)");
  set.add_string("server-weighers", &o.server_weighers,
                 "scheduler weighers for servers, name:multiplier (ram, disk, image)");
  set.add_string("image-filters", &o.image_filters, "scheduler filters for images");
  set.add_string("image-weighers", &o.image_weighers, "scheduler weighers for images");
  set.add_int("list-deadline-ms", &o.list_deadline_ms, 10, 600'000,
              "how long a list waits for every cloudlet; late ones are named in "
              "X-Fedstack-Unreachable");
  set.add_int("reservation-timeout-ms", &o.reservation_timeout_ms, 1, 86'400'000,
              "a create's reservation not bound after this long (and not running here) is "
              "adopted if a cloudlet holds its marked resource, else dropped");
  set.add_int("reservation-sweep-ms", &o.reservation_sweep_ms, 10, 86'400'000,
              "how often stale reservations and this agent's abandoned create attempts are looked "
              "for (also once at start)");
  set.add_int("orphan-sweep-ms", &o.orphan_sweep_ms, 0, 86'400'000,
              "how often the own cloudlet is searched for marked resources no registry explains "
              "(older than reservation-timeout-ms), which are listed, never deleted (0: never)");
  set.add_int("tombstone-retention-s", &o.tombstone_retention_s, 1, 3'650LL * 86'400,
              "a deleted server's registry tombstone (its instance actions stay readable through "
              "every agent) is pruned this long after the delete; looked for every hour, or every "
              "tenth of this if shorter");
}

std::string public_base_url(const agent_options& o) {
  if (!o.public_url.empty()) {
    auto url = o.public_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
  }
  return "http://" + o.listen_address + ":" + std::to_string(o.port);
}

} // namespace fedstack::agent
