#pragma once
// The thesis' columns (tables 4.3-4.5): mean, standard deviation and the 95%
// margin of error of the mean, here 1.96 s / sqrt(n). The thesis' margins fit
// that formula with n = 25 x concurrency samples.

#include <cstddef>
#include <vector>

namespace fedstack::bench {

struct column_summary {
  std::size_t n = 0;
  double mean = 0, sd = 0, margin = 0, p50 = 0, p95 = 0, max = 0;
};

/// Sample standard deviation (n - 1); zeros for no samples.
column_summary summarize(std::vector<double> samples);

} // namespace fedstack::bench
