#include "engine/latency_window.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace copytrader::engine {

latency_summary summarize(const std::deque<std::int64_t>& samples) {
  latency_summary out;
  out.count = samples.size();
  if (samples.empty()) return out;
  std::vector<std::int64_t> v(samples.begin(), samples.end());
  const auto rank = [&v](double q) {
    const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
    return std::min(i, v.size() - 1);
  };
  // Selections, not a sort: a dashboard asks for 2 figures of every follower 4 times a second.
  const auto p99 = v.begin() + static_cast<std::ptrdiff_t>(rank(0.99));
  std::nth_element(v.begin(), p99, v.end());
  out.p99 = *p99;
  out.max = *std::max_element(p99, v.end());
  const auto p50 = v.begin() + static_cast<std::ptrdiff_t>(rank(0.50));
  if (p50 != p99) std::nth_element(v.begin(), p50, p99); // the p99 selection left the smaller ones before it
  out.p50 = *p50;
  return out;
}

void latency_window::add(std::int64_t us) {
  samples_.push_back(us);
  if (samples_.size() > kept) samples_.pop_front();
  ++added_;
}

latency_summary latency_window::summary() const {
  if (summarized_ != added_) {
    summary_ = summarize(samples_);
    summarized_ = added_;
  }
  return summary_;
}

} // namespace copytrader::engine
