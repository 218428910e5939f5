#include "cmd/demo.hpp"

#include <csignal>
#include <filesystem>
#include <iostream>
#include <fstream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cmd/child_process.hpp"
#include "cmd/demo_certs.hpp"
#include "config/options.hpp"

namespace fedstack::cmd {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

struct demo_options {
  long long cloudlets = 1;
  unsigned short port = 8080;
  std::string data_dir = "fedstack-demo";
  long long build_delay_ms = 2000;
  long long shuffle_period_ms = 5000;
  std::string password = "secret";
};

constexpr const char* summary =
  "Starts a simulated shared Keystone and N simulated cloudlets (`fedstack sim`) and one\n"
  "agent per cloudlet (`fedstack agent`), all on 127.0.0.1, and prints the environment\n"
  "that points the openstack CLI at the first agent. Ctrl-C stops everything.";

std::string self_path(const std::string& argv0) {
  std::error_code error;
  auto resolved = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? argv0 : resolved.string();
}

/// Waits for the JSON line a child prints once it serves; nullopt if it died first.
std::optional<json> await_ready(child_process& child, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto line = child.read_line(left);
    if (!line) return std::nullopt;
    auto parsed = json::parse(*line, nullptr, false);
    if (parsed.is_object()) return parsed;
  }
  return std::nullopt;
}

} // namespace

int run_demo_command(const std::vector<std::string>& args, const std::string& argv0) {
  demo_options o;
  config::option_set set{"demo"};
  set.add_int("cloudlets", &o.cloudlets, 1, 64, "number of simulated cloudlets, one agent each");
  set.add_port("port", &o.port,
               "HTTP port of the first agent; agent i uses PORT+i-1 (0: any free ports)");
  set.add_string("data-dir", &o.data_dir, "directory for image files, registries and logs");
  set.add_int("build-delay-ms", &o.build_delay_ms, 0, 600'000,
              "time a simulated server stays in BUILD before it is ACTIVE");
  set.add_int("shuffle-period-ms", &o.shuffle_period_ms, 10, 86'400'000,
              "CYCLON period T of every agent (the thesis used 30 s; shorter shows the overlay form)");
  if (auto error = set.parse(args)) {
    std::cerr << "fedstack demo: " << *error << "\n";
    return 2;
  }
  if (set.help_requested()) {
    std::cout << set.usage(summary);
    return 0;
  }

  // Signals are taken with sigwait below; block them before any child exists.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto data_dir = std::filesystem::absolute(o.data_dir);
  std::filesystem::create_directories(data_dir);
  auto program = self_path(argv0);
  std::cerr << "fedstack demo: data and logs in " << data_dir.string() << "\n";

  std::vector<std::unique_ptr<child_process>> children;
  auto stop_all = [&children] {
    for (auto it = children.rbegin(); it != children.rend(); ++it) (*it)->stop(10s);
  };

  // One step for the simulator, one per agent: a progress line each.
  auto steps = std::to_string(o.cloudlets + 1);
  std::cerr << "fedstack demo: [1/" << steps << "] starting " << o.cloudlets << " simulated cloudlet(s)...\n";
  children.push_back(std::make_unique<child_process>(
    program,
    std::vector<std::string>{"sim", "--cloudlets", std::to_string(o.cloudlets), "--data-dir",
                             (data_dir / "sim").string(), "--build-delay-ms",
                             std::to_string(o.build_delay_ms), "--external-network", "public"},
    (data_dir / "sim.log").string()));
  auto sim = await_ready(*children.back(), 30s);
  if (!sim || !sim->contains("keystone_url")) {
    std::cerr << "fedstack demo: the simulator did not start; see " << (data_dir / "sim.log").string() << "\n";
    stop_all();
    return 1;
  }
  auto keystone_url = (*sim)["keystone_url"].get<std::string>();
  std::cerr << "fedstack demo: Keystone at " << keystone_url << "\n";

  // Node ports are mutual TLS, as in production: a demo CA, a certificate per
  // agent for its cloudlet and one for the operator's introspection commands.
  auto ca_dir = (data_dir / "ca").string();
  demo_cert_paths operator_cert;
  auto cert_error = ensure_demo_ca(ca_dir);
  if (!cert_error) cert_error = ensure_demo_cert(ca_dir, "operator", "", operator_cert);
  if (cert_error) {
    std::cerr << "fedstack demo: " << *cert_error << "\n";
    stop_all();
    return 1;
  }

  std::vector<json> agents;
  for (long long i = 1; i <= o.cloudlets; ++i) {
    auto region = "cloudlet-" + std::to_string(i);
    auto port = o.port == 0 ? 0 : o.port + i - 1;
    auto name = "agent-" + std::to_string(i);
    std::cerr << "fedstack demo: [" << i + 1 << "/" << steps << "] starting " << name << " for " << region
              << "...\n";
    std::vector<std::string> agent_args{"agent", "--port", std::to_string(port), "--keystone-url",
                                        keystone_url, "--region", region, "--data-dir",
                                        (data_dir / name).string(), "--service-password", o.password,
                                        "--node-port", "0", "--shuffle-period-ms",
                                        std::to_string(o.shuffle_period_ms)};
    demo_cert_paths node_cert;
    if (auto error = ensure_demo_cert(ca_dir, name, region, node_cert)) {
      std::cerr << "fedstack demo: " << *error << "\n";
      stop_all();
      return 1;
    }
    for (const auto& arg : {"--node-ca", node_cert.ca.c_str(), "--node-cert", node_cert.cert.c_str(), "--node-key",
                            node_cert.key.c_str()})
      agent_args.emplace_back(arg);
    // Every later agent joins through the first; CYCLON spreads the rest.
    if (!agents.empty()) {
      agent_args.push_back("--join");
      agent_args.push_back(agents.front()["node"].get<std::string>());
    }
    children.push_back(std::make_unique<child_process>(program, agent_args,
                                                       (data_dir / (name + ".log")).string()));
    auto ready = await_ready(*children.back(), 60s);
    if (!ready || !ready->contains("url")) {
      std::cerr << "fedstack demo: " << name << " did not start; see "
                << (data_dir / (name + ".log")).string() << "\n";
      stop_all();
      return 1;
    }
    std::cerr << "fedstack demo: " << name << " serves " << (*ready)["url"].get<std::string>()
              << ", node " << (*ready)["node"].get<std::string>() << "\n";
    agents.push_back(*ready);
  }

  const auto& first = agents.front();
  std::ostringstream exports;
  exports << "export OS_AUTH_URL=" << first["url"].get<std::string>() << "/v3\n"
          << "export OS_IDENTITY_API_VERSION=3\n"
          << "export OS_USERNAME=admin\n"
          << "export OS_PASSWORD=" << o.password << "\n"
          << "export OS_PROJECT_NAME=admin\n"
          << "export OS_USER_DOMAIN_NAME=Default\n"
          << "export OS_PROJECT_DOMAIN_NAME=Default\n"
          << "export OS_REGION_NAME=" << first["region"].get<std::string>() << "\n"
          << "export OS_INTERFACE=public\n"
          << "export FEDSTACK_NODE_CA=" << operator_cert.ca << "\n"
          << "export FEDSTACK_NODE_CERT=" << operator_cert.cert << "\n"
          << "export FEDSTACK_NODE_KEY=" << operator_cert.key << "\n";
  auto openrc = data_dir / "openrc";
  std::ofstream{openrc} << exports.str();
  std::cout << exports.str() << std::flush;
  std::cerr << "fedstack demo: ready. In another shell: source " << openrc.string() << "\n"
            << "(or paste the export lines above), then try:\n"
            << "  openstack token issue\n"
            << "  openstack image create --file /etc/hostname --disk-format raw demo-image\n"
            << "  openstack network create demo-net && openstack subnet create --network demo-net "
               "--subnet-range 10.0.0.0/24 demo-subnet\n"
            << "  openstack server create --image demo-image --flavor m1.tiny --network demo-net demo-vm\n"
            << "  openstack server list --long; openstack hypervisor list\n"
            << "  fedstack members --node " << first["node"].get<std::string>()
            << "   (node ports are mutual TLS: the FEDSTACK_NODE_* lines give it the operator's "
               "read-only certificate, " << operator_cert.cert << ")\n"
            << "  fedstack overlay --node " << first["node"].get<std::string>() << " --format dot\n"
            << "  curl -s " << first["url"].get<std::string>() << "/metrics | grep ^fedstack_\n"
            << "Status page (no token needed): " << first["url"].get<std::string>() << "/fedstack/\n"
            << "Agents:\n";
  for (const auto& a : agents)
    std::cerr << "  " << a["region"].get<std::string>() << "  http " << a["url"].get<std::string>()
              << "  node " << a["node"].get<std::string>() << "\n";
  std::cerr
            << "Logs: " << data_dir.string() << "/*.log. Ctrl-C stops everything.\n";

  for (;;) {
    int signal = 0;
    sigwait(&signals, &signal);
    if (signal != SIGCHLD) {
      std::cerr << "\nfedstack demo: stopping...\n";
      break;
    }
    bool died = false;
    for (auto& child : children)
      if (child->exited()) died = true;
    if (died) {
      std::cerr << "fedstack demo: a child process exited unexpectedly; see the logs in "
                << data_dir.string() << ". Stopping.\n";
      stop_all();
      return 1;
    }
  }
  stop_all();
  std::cerr << "fedstack demo: stopped.\n";
  return 0;
}

} // namespace fedstack::cmd
