#pragma once
// The daemon's side of the systemd service protocol (sd_notify), behind an interface so the service
// loop can be driven in tests without a NOTIFY_SOCKET.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace copytrader {

class notifier {
public:
  virtual ~notifier() = default;
  virtual void notify(std::string_view state) = 0;

  void ready(std::string_view status);
  void reloading(); // RELOADING=1 with MONOTONIC_USEC, as systemd 253+ requires and 252 accepts
  void stopping();
  void watchdog();
  void status(std::string_view line);
};

class systemd_notifier final : public notifier {
public:
  void notify(std::string_view state) override;
};

// The interval at which systemd expects WATCHDOG=1, when it has asked for it (WatchdogSec=).
std::optional<std::chrono::microseconds> systemd_watchdog_interval();

} // namespace copytrader
