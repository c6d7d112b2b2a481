#pragma once
// Nearest-rank percentiles for the figures the demo and the benchmarks print.

#include <algorithm>
#include <cmath>
#include <vector>

namespace copytrader::testing {

// q in [0, 1]; 1 gives the maximum, an empty sample 0.
inline double percentile(std::vector<double> samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
  return samples[std::min(rank == 0 ? 0 : rank - 1, samples.size() - 1)];
}

} // namespace copytrader::testing
