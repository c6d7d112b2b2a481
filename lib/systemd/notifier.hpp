#pragma once
// The daemon's side of the systemd service protocol (sd_notify), behind an interface so the service
// loop can be driven in tests without a NOTIFY_SOCKET.

#include <chrono>
#include <cstdint>
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

// Speaks to $NOTIFY_SOCKET on a non-blocking datagram socket of its own. sd_notify() sends with a
// blocking sendmsg: a stalled reader (a busy or frozen PID 1) fills the socket's queue and would
// then hold the io thread for good. Here a message that does not fit is dropped and counted: a
// STATUS= is sent again when it next changes, and a WATCHDOG=1 that cannot be sent is the watchdog
// doing its job.
class systemd_notifier final : public notifier {
public:
  systemd_notifier(); // reads NOTIFY_SOCKET; without it, notifications go nowhere
  ~systemd_notifier() override;
  systemd_notifier(const systemd_notifier&) = delete;
  systemd_notifier& operator=(const systemd_notifier&) = delete;

  void notify(std::string_view state) override;
  [[nodiscard]] std::uint64_t dropped() const noexcept { return dropped_; }

private:
  int fd_ = -1;
  std::string address_; // sockaddr_un's path, a leading NUL for an abstract one
  std::uint64_t dropped_ = 0;
};

// The interval at which systemd expects WATCHDOG=1, when it has asked for it (WatchdogSec=).
std::optional<std::chrono::microseconds> systemd_watchdog_interval();

} // namespace copytrader
