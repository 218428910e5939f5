#include "cmd/introspect.hpp"

#include <cstdlib>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/actors.hpp"
#include "actors/register_types.hpp"
#include "actors/tls.hpp"
#include "agent/pages/overlay_graph.hpp"
#include "agent/pages/status_view.hpp"
#include "config/options.hpp"
#include "storage/unix_time.hpp"

namespace fedstack::cmd {
namespace {

using json = nlohmann::json;
using agent::capacity_json;
using agent::entry_json;

/// Peers' text may not be UTF-8: print it with replacement characters rather than fail.
std::string dump(const json& j) { return j.dump(2, ' ', false, json::error_handler_t::replace); }

struct introspect_options {
  std::string node;
  bool json_output = false;
  std::string format = "dot";
  long long timeout_ms = 5000;
  long long max_nodes = 1000;
  tls_files tls;
};

/// A CAF node of its own that attaches to agents' node actors. Blocking calls:
/// fine in a command-line tool, never inside an actor.
class node_client {
public:
  node_client(std::chrono::milliseconds timeout, const tls_files& tls)
    : timeout_(timeout), tls_(tls), system_(configure(cfg_, tls)) {}

  /// Connects through the middleman actor with a deadline: CAF's blocking
  /// remote_actor waits without one, and a handshake that never completes
  /// (e.g. a TLS client at a plain node) would hang the command.
  std::optional<node_actor> connect(const peer_address& at, std::string& error) {
    std::optional<node_actor> result;
    caf::scoped_actor self{system_};
    self->request(node_middleman(system_), timeout_, caf::connect_atom_v, at.host, at.port)
      .receive(
        [&](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>& ifs) {
          if (!ptr) {
            error = "no node published there";
            return;
          }
          if (!system_.assignable(ifs, system_.message_types<node_actor>())) {
            error = "the actor published there is not a fedstack node of this version";
            return;
          }
          result = caf::actor_cast<node_actor>(std::move(ptr));
        },
        [&](caf::error& e) { error = explain(e); });
    return result;
  }

  template <class Result, class... Ts>
  std::optional<Result> ask(const node_actor& node, std::string& error, Ts... xs) {
    std::optional<Result> result;
    caf::scoped_actor self{system_};
    self->request(node, timeout_, xs...)
      .receive([&](Result& r) { result = std::move(r); },
               [&](caf::error& e) { error = system_.render(e); });
    return result;
  }

private:
  static caf::actor_system_config& configure(caf::actor_system_config& cfg, const tls_files& tls) {
    register_types(cfg);
    cfg.load<caf::io::middleman>();
    if (tls_enabled(tls)) use_tls(cfg, tls);
    return cfg;
  }

  /// A failed connect, with what most likely caused it.
  std::string explain(const caf::error& e) {
    auto text = system_.render(e);
    bool in_handshake = e == caf::sec::disconnect_during_handshake || e == caf::sec::request_timeout;
    if (!in_handshake) return text;
    if (e == caf::sec::request_timeout)
      text = "no handshake within " + std::to_string(timeout_.count()) + " ms";
    else
      text = "the node closed the connection during the handshake";
    if (tls_enabled(tls_))
      return text + " (a TLS node whose federation CA issued --cert accepts it; a plain node "
                    "or another federation's does not)";
    return text + " (a node with TLS accepts only clients with a certificate from its "
                  "federation CA: --ca, --cert, --key)";
  }

  std::chrono::milliseconds timeout_;
  tls_files tls_;
  caf::actor_system_config cfg_;
  caf::actor_system system_;
};

std::optional<introspect_options> parse(const std::string& command, const std::vector<std::string>& args,
                                        const char* summary, bool with_format) {
  introspect_options o;
  // An operator's shell can export its certificate once (docs/deploying.md).
  for (auto [name, field] : {std::pair{"FEDSTACK_NODE_CA", &o.tls.ca}, std::pair{"FEDSTACK_NODE_CERT", &o.tls.cert},
                             std::pair{"FEDSTACK_NODE_KEY", &o.tls.key}})
    if (const char* value = std::getenv(name)) *field = value;
  config::option_set set{command};
  set.add_string("node", &o.node, "HOST:PORT of an agent's node (its --node-address/--node-port)");
  set.add_flag("json", &o.json_output, "print JSON instead of a table");
  set.add_int("timeout-ms", &o.timeout_ms, 1, 600'000, "time each node has to answer");
  set.add_string("ca", &o.tls.ca, "PEM file of the federation CA (the nodes' --node-ca; default: $FEDSTACK_NODE_CA)");
  set.add_string("cert", &o.tls.cert,
                 "PEM file of an operator certificate issued by that CA (scripts/fedstack-certs.sh client; "
                 "default: $FEDSTACK_NODE_CERT)");
  set.add_string("key", &o.tls.key, "PEM file of --cert's private key (default: $FEDSTACK_NODE_KEY)");
  if (with_format) {
    set.add_string("format", &o.format, "dot or json");
    set.add_int("max-nodes", &o.max_nodes, 1, 1'000'000, "stop the walk after asking this many nodes");
  }
  if (auto error = set.parse(args)) {
    std::cerr << "fedstack " << command << ": " << *error << "\n";
    return std::nullopt;
  }
  if (set.help_requested()) {
    std::cout << set.usage(summary);
    std::exit(0);
  }
  if (o.node.empty()) {
    std::cerr << "fedstack " << command << ": --node HOST:PORT is required\n";
    return std::nullopt;
  }
  if (auto error = check_tls_files(o.tls, tls_role::client, "--ca, --cert and --key")) {
    std::cerr << "fedstack " << command << ": " << *error << "\n";
    return std::nullopt;
  }
  return o;
}

/// Connects to --node; prints the error and returns nullopt on failure.
std::optional<std::pair<peer_address, node_actor>> attach(node_client& client, const std::string& command,
                                                          const std::string& text) {
  auto address = parse_peer_address(text);
  if (!address) {
    std::cerr << "fedstack " << command << ": '" << text << "' is not HOST:PORT\n";
    return std::nullopt;
  }
  std::string error;
  auto node = client.connect(*address, error);
  if (!node) {
    std::cerr << "fedstack " << command << ": cannot attach to " << text << ": " << error << "\n";
    return std::nullopt;
  }
  return std::make_pair(*address, *node);
}

} // namespace

int run_members_command(const std::vector<std::string>& args) {
  auto o = parse("members", args, "Prints a node's neighbour cache: peer, age, cloudlet, last capacity seen.", false);
  if (!o) return 2;
  node_client client{std::chrono::milliseconds{o->timeout_ms}, o->tls};
  auto attached = attach(client, "members", o->node);
  if (!attached) return 1;
  std::string error;
  auto members = client.ask<std::vector<peer_entry>>(attached->second, error, atom::members_v);
  if (!members) {
    std::cerr << "fedstack members: " << error << "\n";
    return 1;
  }
  auto view = client.ask<capacity_view>(attached->second, error, atom::capacity_v, atom::all_v);
  std::map<std::string, capacity_report> seen;
  if (view)
    for (const auto& r : view->reports) seen[to_string(r.node)] = r;
  auto now = now_unix_ms();
  if (o->json_output) {
    json out = json::array();
    for (const auto& m : *members) {
      auto row = entry_json(m);
      auto it = seen.find(to_string(m.address));
      row["capacity"] = it == seen.end() ? json(nullptr) : capacity_json(it->second, now);
      out.push_back(row);
    }
    std::cout << dump(out) << "\n";
    return 0;
  }
  std::printf("%-22s %4s  %-14s %12s %12s %10s %9s\n", "PEER", "AGE", "CLOUDLET", "FREE RAM MB",
              "FREE DISK GB", "FREE VCPU", "SEEN (s)");
  for (const auto& m : *members) {
    auto it = seen.find(to_string(m.address));
    if (it == seen.end()) {
      std::printf("%-22s %4u  %-14s %12s %12s %10s %9s\n", to_string(m.address).c_str(), m.age,
                  m.region.c_str(), "-", "-", "-", "-");
      continue;
    }
    const auto& r = it->second;
    std::printf("%-22s %4u  %-14s %12lld %12lld %10lld %9.1f\n", to_string(m.address).c_str(), m.age,
                m.region.c_str(), static_cast<long long>(r.free_ram_mb),
                static_cast<long long>(r.free_disk_gb), static_cast<long long>(r.free_vcpus),
                static_cast<double>(now - r.measured_unix_ms) / 1000.0);
  }
  return 0;
}

int run_capacity_command(const std::vector<std::string>& args) {
  auto o = parse("capacity", args, "Prints the capacity a node knows for itself and its neighbours.", false);
  if (!o) return 2;
  node_client client{std::chrono::milliseconds{o->timeout_ms}, o->tls};
  auto attached = attach(client, "capacity", o->node);
  if (!attached) return 1;
  std::string error;
  auto view = client.ask<capacity_view>(attached->second, error, atom::capacity_v, atom::all_v);
  if (!view) {
    std::cerr << "fedstack capacity: " << error << "\n";
    return 1;
  }
  auto now = now_unix_ms();
  if (o->json_output) {
    json out{{"reports", json::array()}, {"unreachable", json::array()}};
    for (const auto& r : view->reports) out["reports"].push_back(capacity_json(r, now));
    for (const auto& u : view->unreachable) out["unreachable"].push_back(to_string(u));
    std::cout << dump(out) << "\n";
    return 0;
  }
  std::printf("%-14s %-22s %12s %12s %10s %7s %8s\n", "CLOUDLET", "NODE", "FREE RAM MB", "FREE DISK GB",
              "FREE VCPU", "IMAGES", "AGE (s)");
  for (const auto& r : view->reports)
    std::printf("%-14s %-22s %12lld %12lld %10lld %7zu %8.1f\n", r.region.c_str(),
                to_string(r.node).c_str(), static_cast<long long>(r.free_ram_mb),
                static_cast<long long>(r.free_disk_gb), static_cast<long long>(r.free_vcpus),
                r.image_checksums.size(), static_cast<double>(now - r.measured_unix_ms) / 1000.0);
  for (const auto& u : view->unreachable) std::printf("unreachable: %s\n", to_string(u).c_str());
  return 0;
}

int run_decisions_command(const std::vector<std::string>& args) {
  auto o = parse("decisions", args,
                 "Prints a node's latest scheduling decisions: candidates, scores, winner and why.", false);
  if (!o) return 2;
  node_client client{std::chrono::milliseconds{o->timeout_ms}, o->tls};
  auto attached = attach(client, "decisions", o->node);
  if (!attached) return 1;
  std::string error;
  auto decisions = client.ask<std::vector<placement_decision>>(attached->second, error, atom::decisions_v);
  if (!decisions) {
    std::cerr << "fedstack decisions: " << error << "\n";
    return 1;
  }
  if (o->json_output) {
    json out = json::array();
    for (const auto& d : *decisions) out.push_back(agent::decision_json(d, false));
    std::cout << dump(out) << "\n";
    return 0;
  }
  if (decisions->empty()) std::cout << "no decisions yet\n";
  for (const auto& d : *decisions) {
    std::cout << d.summary << " -> " << (d.placed ? d.winner.region : std::string("nowhere")) << "\n  "
              << d.reason << "\n";
    for (const auto& c : d.candidates)
      std::printf("    %-14s score %.3f%s\n", c.target.region.c_str(), c.total, c.probed ? " (probed)" : "");
    for (const auto& r : d.filtered_out)
      std::printf("    %-14s filtered by %s: %s\n", r.target.region.c_str(), r.filter.c_str(), r.why.c_str());
  }
  return 0;
}

int run_orphans_command(const std::vector<std::string>& args) {
  auto o = parse("orphans", args,
                 "Prints the marked resources on a node's cloudlet that no registry explains, as its latest "
                 "orphan sweep found them. They are kept: deleting one is the operator's decision.",
                 false);
  if (!o) return 2;
  node_client client{std::chrono::milliseconds{o->timeout_ms}, o->tls};
  auto attached = attach(client, "orphans", o->node);
  if (!attached) return 1;
  std::string error;
  auto text = client.ask<std::string>(attached->second, error, atom::orphans_v);
  if (!text) {
    std::cerr << "fedstack orphans: " << error << " (no orphan sweep has finished on that node yet?)\n";
    return 1;
  }
  auto doc = json::parse(*text, nullptr, false);
  if (!doc.is_object()) {
    std::cerr << "fedstack orphans: the node answered something other than a list\n";
    return 1;
  }
  if (o->json_output) {
    std::cout << dump(doc) << "\n";
    return 0;
  }
  auto orphans = doc.value("orphans", json::array());
  std::printf("%-8s %-36s %-36s %-32s %s\n", "KIND", "ID", "GLOBAL ID", "PROJECT", "REASON");
  for (const auto& x : orphans)
    std::printf("%-8s %-36s %-36s %-32s %s\n", x.value("kind", "").c_str(), x.value("id", "").c_str(),
                x.value("global_id", "").c_str(), x.value("project_id", "").c_str(), x.value("reason", "").c_str());
  std::printf("%zu kept on %s (%lld in all); %lld whose owner could not be asked\n", orphans.size(),
              doc.value("cloudlet", "").c_str(), static_cast<long long>(doc.value("total", 0)),
              static_cast<long long>(doc.value("owner_unreachable", 0)));
  return 0;
}

int run_overlay_command(const std::vector<std::string>& args) {
  auto o = parse("overlay", args, "Walks the overlay from a node (breadth first) and prints the graph.", true);
  if (!o) return 2;
  if (o->json_output) o->format = "json";
  if (o->format != "dot" && o->format != "json") {
    std::cerr << "fedstack overlay: --format must be dot or json\n";
    return 2;
  }
  node_client client{std::chrono::milliseconds{o->timeout_ms}, o->tls};
  auto start = parse_peer_address(o->node);
  if (!start) {
    std::cerr << "fedstack overlay: '" << o->node << "' is not HOST:PORT\n";
    return 2;
  }
  // The same walk as the status page's (agent/pages/overlay_walk.hpp), one node at a time.
  agent::overlay_walk walk{*start, static_cast<std::size_t>(o->max_nodes)};
  while (!walk.finished()) {
    auto at = walk.next(1).front();
    std::string error;
    auto node = client.connect(at, error);
    std::optional<peer_entry> info;
    std::optional<std::vector<peer_entry>> members;
    if (node) info = client.ask<peer_entry>(*node, error, atom::info_v);
    if (info) members = client.ask<std::vector<peer_entry>>(*node, error, atom::members_v);
    if (members)
      walk.reached(at, *info, *members);
    else
      walk.failed(at, error);
  }
  auto graph = walk.finish();
  if (o->format == "json")
    std::cout << dump(agent::to_json(graph)) << "\n";
  else
    std::cout << agent::to_dot(graph);
  return 0;
}

} // namespace fedstack::cmd
