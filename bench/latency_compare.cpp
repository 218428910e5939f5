// Latency of one GET against two URLs (e.g. a cloudlet directly and through the
// agent), interleaved A, B, A, B... on keep-alive connections so that both see
// the same machine noise. Prints percentiles and the ratio of medians.
//
// usage: bench_latency_compare --a URL --b URL [--token T] [-n N] [--warmup W]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "http/client.hpp"

using namespace fedstack;
using clock_type = std::chrono::steady_clock;

namespace {

struct target {
  http::endpoint at;
  std::string path;
  http::asio::io_context& io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;

  target(const std::string& url, http::asio::io_context& context) : io(context) {
    auto parsed = http::parse_endpoint(url);
    if (!parsed) throw std::runtime_error("not an http:// URL: " + url);
    at = *parsed;
    path = at.base_path.empty() ? "/" : at.base_path;
    http::tcp::resolver resolver{io};
    stream.connect(resolver.resolve(at.host, std::to_string(at.port)));
    stream.socket().set_option(http::tcp::no_delay(true));
  }

  double get(const std::string& token, std::size_t& bytes) {
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, path, 11};
    req.set(bhttp::field::host, at.host);
    if (!token.empty()) req.set("X-Auth-Token", token);
    auto start = clock_type::now();
    bhttp::write(stream, req);
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buffer, res);
    auto elapsed = std::chrono::duration<double, std::micro>(clock_type::now() - start).count();
    if (res.result_int() != 200) throw std::runtime_error("GET " + path + " answered " + std::to_string(res.result_int()));
    bytes = res.body().size();
    return elapsed;
  }
};

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

} // namespace

int main(int argc, char** argv) {
  std::string a, b, token;
  int n = 2000, warmup = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--a") a = v;
    else if (k == "--b") b = v;
    else if (k == "--token") token = v;
    else if (k == "-n") n = std::stoi(v);
    else if (k == "--warmup") warmup = std::stoi(v);
  }
  if (a.empty() || b.empty()) {
    std::cerr << "usage: bench_latency_compare --a URL --b URL [--token T] [-n N] [--warmup W]\n";
    return 2;
  }
  http::asio::io_context io;
  target ta{a, io}, tb{b, io};
  std::vector<double> la, lb;
  std::size_t bytes_a = 0, bytes_b = 0;
  for (int i = 0; i < warmup + n; ++i) {
    auto x = ta.get(token, bytes_a);
    auto y = tb.get(token, bytes_b);
    if (i >= warmup) {
      la.push_back(x);
      lb.push_back(y);
    }
  }
  auto ma = percentile(la, 0.5), mb = percentile(lb, 0.5);
  std::printf("requests: %d each, interleaved, keep-alive, after %d warm-up\n", n, warmup);
  std::printf("A %-60s body %zu B: p50 %.0f us  p90 %.0f us  p99 %.0f us\n", a.c_str(), bytes_a, ma,
              percentile(la, 0.9), percentile(la, 0.99));
  std::printf("B %-60s body %zu B: p50 %.0f us  p90 %.0f us  p99 %.0f us\n", b.c_str(), bytes_b, mb,
              percentile(lb, 0.9), percentile(lb, 0.99));
  std::printf("median B/A = %.2f; B adds %.0f us at the median\n", mb / ma, mb - ma);
  return 0;
}
