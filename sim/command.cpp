// `fedstack sim ...`: option parsing, signal handling and the endpoints line.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include <spdlog/spdlog.h>

#include "http/asio.hpp"
#include "sim/sim.hpp"
#include "sim/util.hpp"

namespace fedstack::sim {
namespace {

constexpr const char* usage =
  "usage: fedstack sim [--cloudlets N] [--keystone-port P] [--address A] [--data-dir D]\n"
  "                    [--build-delay-ms M] [--endpoints-file F] [--hypervisors N]\n"
  "                    [--hypervisor-ram-mb N] [--hypervisor-disk-gb N] [--hypervisor-vcpus N]\n"
  "                    [--token-ttl-s N] [--admin-password PW] [--external-network NAME]\n"
  "                    [--volume-delay-ms M] [--volume-capacity-gb N]\n";

struct parsed_command {
  sim_options options;
  std::string endpoints_file;
  bool help = false;
};

/// Parses "--name value" and "--name=value"; a leading "sim" word is skipped.
std::optional<parsed_command> parse(int argc, char** argv, std::string& problem) {
  parsed_command out;
  auto& o = out.options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "sim" && i == 1) continue;
    if (arg == "-h" || arg == "--help") {
      out.help = true;
      continue;
    }
    std::string value;
    auto eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      problem = "missing value for " + arg;
      return std::nullopt;
    }
    auto number = [&](std::int64_t low, std::int64_t high) -> std::optional<std::int64_t> {
      auto n = parse_int(value);
      if (!n || *n < low || *n > high) {
        problem = "invalid value for " + arg + ": " + value;
        return std::nullopt;
      }
      return n;
    };
    std::optional<std::int64_t> n;
    if (arg == "--cloudlets") {
      if (!(n = number(1, 64))) return std::nullopt;
      o.cloudlets = static_cast<int>(*n);
    } else if (arg == "--keystone-port") {
      if (!(n = number(0, 65535))) return std::nullopt;
      o.keystone_port = static_cast<std::uint16_t>(*n);
    } else if (arg == "--address") {
      o.address = value;
    } else if (arg == "--data-dir") {
      o.data_dir = value;
    } else if (arg == "--build-delay-ms") {
      if (!(n = number(0, 3'600'000))) return std::nullopt;
      o.build_delay = std::chrono::milliseconds{*n};
    } else if (arg == "--volume-delay-ms") {
      if (!(n = number(0, 3'600'000))) return std::nullopt;
      o.volume_delay = std::chrono::milliseconds{*n};
    } else if (arg == "--volume-capacity-gb") {
      if (!(n = number(0, std::int64_t{1} << 40))) return std::nullopt;
      o.volume_capacity_gb = *n;
    } else if (arg == "--endpoints-file") {
      out.endpoints_file = value;
    } else if (arg == "--hypervisors") {
      if (!(n = number(0, 1000))) return std::nullopt;
      o.hypervisors_per_cloudlet = static_cast<int>(*n);
    } else if (arg == "--hypervisor-ram-mb") {
      if (!(n = number(0, std::int64_t{1} << 40))) return std::nullopt;
      o.hypervisor_ram_mb = *n;
    } else if (arg == "--hypervisor-disk-gb") {
      if (!(n = number(0, std::int64_t{1} << 40))) return std::nullopt;
      o.hypervisor_disk_gb = *n;
    } else if (arg == "--hypervisor-vcpus") {
      if (!(n = number(0, 1 << 20))) return std::nullopt;
      o.hypervisor_vcpus = static_cast<int>(*n);
    } else if (arg == "--token-ttl-s") {
      if (!(n = number(1, std::int64_t{1} << 31))) return std::nullopt;
      o.token_ttl = std::chrono::seconds{*n};
    } else if (arg == "--admin-password") {
      o.admin_password = value;
    } else if (arg == "--external-network") {
      o.external_network = value;
    } else {
      problem = "unknown option " + arg;
      return std::nullopt;
    }
  }
  return out;
}

} // namespace

int run_sim_command(int argc, char** argv) {
  std::string problem;
  auto command = parse(argc, argv, problem);
  if (!command) {
    std::cerr << "fedstack sim: " << problem << "\n" << usage;
    return 2;
  }
  if (command->help) {
    std::cout << usage;
    return 0;
  }
  try {
    http::asio::io_context io{1};
    simulator sim{io, command->options};
    auto endpoints = sim.start();
    auto line = endpoints_json(endpoints);
    std::cout << line << std::endl;
    if (!command->endpoints_file.empty()) {
      // Write then rename, so a watcher never reads half a file.
      auto partial = command->endpoints_file + ".tmp";
      std::ofstream{partial} << line << "\n";
      std::rename(partial.c_str(), command->endpoints_file.c_str());
    }
    http::asio::signal_set signals{io, SIGINT, SIGTERM};
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      spdlog::info("sim: signal {} received, stopping", signal);
      sim.stop();
      io.stop();
    });
    io.run();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "fedstack sim: " << e.what() << "\n";
    return 1;
  }
}

} // namespace fedstack::sim
