#pragma once
// What building a report costs on the engine's io thread, where a copy that arrives meanwhile waits:
// the first build works out every figure that has new samples, the later ones find nothing new.

#include "support/percentile.hpp"

#include <chrono>
#include <vector>

namespace copytrader::bench {

struct build_cost {
  double first_us = 0; // the first build
  double again_us = 0; // the median of 20 more
};

template <typename Build>
build_cost time_builds(Build&& build) {
  std::vector<double> took;
  for (int i = 0; i < 21; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const auto report = build();
    took.push_back(static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count()));
    if (report.empty()) break; // keeps the build from being optimised away
  }
  const double first = took.front() / 1000.0;
  took.erase(took.begin());
  return build_cost{first, testing::percentile(took, 0.5) / 1000.0};
}

} // namespace copytrader::bench
