#pragma once
// Where the engine reads the time (as Envoy passes a TimeSource): the process's clocks in
// production; a test's when it runs the engine at another hour of the venue's day. Asio's timers run
// on the real monotonic clock, so a test shifts only the wall clock: a monotonic clock of its own
// would make every deadline the engine arms disagree with the time it reads.

#include <chrono>

namespace copytrader {

class time_source {
public:
  virtual ~time_source() = default;
  [[nodiscard]] virtual std::chrono::steady_clock::time_point monotonic() const {
    return std::chrono::steady_clock::now();
  }
  [[nodiscard]] virtual std::chrono::system_clock::time_point wall() const { return std::chrono::system_clock::now(); }
};

// The process's own clocks.
[[nodiscard]] inline const time_source& real_time() {
  static const time_source clocks;
  return clocks;
}

// The wall clock moved by a fixed amount (a test of the trading day at any hour).
class shifted_wall_time final : public time_source {
public:
  explicit shifted_wall_time(std::chrono::system_clock::duration shift) : shift_(shift) {}
  [[nodiscard]] std::chrono::system_clock::time_point wall() const override {
    return std::chrono::system_clock::now() + shift_;
  }

private:
  std::chrono::system_clock::duration shift_;
};

} // namespace copytrader
