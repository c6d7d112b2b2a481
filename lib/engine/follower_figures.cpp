#include "engine/follower_figures.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace copytrader::engine {

latency_summary summarize(const std::deque<std::int64_t>& samples) {
  latency_summary out;
  out.count = samples.size();
  if (samples.empty()) return out;
  std::vector<std::int64_t> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  auto at = [&sorted](double q) {
    const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size()))) - 1;
    return sorted[std::min(i, sorted.size() - 1)];
  };
  out.p50 = at(0.50);
  out.p99 = at(0.99);
  out.max = sorted.back();
  return out;
}

} // namespace copytrader::engine
