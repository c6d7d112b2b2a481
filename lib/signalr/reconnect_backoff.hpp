#pragma once
// Delays between reconnect attempts: the first retry at once, then exponential growth to a cap, each
// delay drawn uniformly from [half, full] so that many clients do not reconnect in step. Unbounded in
// count (the JS client's default of four tries would leave a follower unprotected); reset after a
// connection that lasted.

#include <chrono>
#include <cstdint>
#include <random>

namespace copytrader {

class reconnect_backoff {
public:
  reconnect_backoff(std::chrono::milliseconds base = std::chrono::seconds(1),
                    std::chrono::milliseconds cap = std::chrono::seconds(60),
                    std::uint64_t seed = std::random_device{}())
      : base_(base), cap_(cap), rng_(seed) {}

  std::chrono::milliseconds next_delay();
  void reset() noexcept { attempt_ = 0; }
  [[nodiscard]] std::uint32_t attempts() const noexcept { return attempt_; }

private:
  std::chrono::milliseconds base_;
  std::chrono::milliseconds cap_;
  std::mt19937_64 rng_;
  std::uint32_t attempt_ = 0;
};

} // namespace copytrader
