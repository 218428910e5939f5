#include "bench/thesis/summary.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fedstack::bench {

column_summary summarize(std::vector<double> samples) {
  column_summary out;
  out.n = samples.size();
  if (samples.empty()) return out;
  std::sort(samples.begin(), samples.end());
  auto n = static_cast<double>(samples.size());
  out.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / n;
  double squares = 0;
  for (double x : samples) squares += (x - out.mean) * (x - out.mean);
  out.sd = samples.size() > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
  out.margin = 1.96 * out.sd / std::sqrt(n);
  auto at = [&](double q) { return samples[std::min(samples.size() - 1, static_cast<std::size_t>(q * n))]; };
  out.p50 = at(0.5);
  out.p95 = at(0.95);
  out.max = samples.back();
  return out;
}

} // namespace fedstack::bench
