#pragma once
// The latest samples of one latency figure and their p50/p99/max. The summary is worked out when
// asked and kept until a sample arrives: copytraderctl stats and every dashboard feed tick (each open
// browser, every 250 ms) ask for it on the io thread, where a copy would wait behind it.

#include <cstddef>
#include <cstdint>
#include <deque>

namespace copytrader::engine {

struct latency_summary {
  std::int64_t p50 = 0;
  std::int64_t p99 = 0;
  std::int64_t max = 0;
  std::size_t count = 0;
};

// Nearest rank (the ceil(q * n)-th smallest), in linear time.
latency_summary summarize(const std::deque<std::int64_t>& samples);

class latency_window {
public:
  static constexpr std::size_t kept = 4096;

  void add(std::int64_t us);
  [[nodiscard]] latency_summary summary() const;
  [[nodiscard]] const std::deque<std::int64_t>& samples() const noexcept { return samples_; }

private:
  std::deque<std::int64_t> samples_; // the latest `kept`, oldest first
  std::uint64_t added_ = 0;
  mutable std::uint64_t summarized_ = 0; // added_ when summary_ was worked out
  mutable latency_summary summary_;
};

} // namespace copytrader::engine
