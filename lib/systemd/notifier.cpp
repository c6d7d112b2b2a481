#include "systemd/notifier.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace copytrader {
namespace {

std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

} // namespace

void notifier::ready(std::string_view status_line) { notify("READY=1\nSTATUS=" + one_line(status_line)); }

void notifier::reloading() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = static_cast<long long>(now.tv_sec) * 1'000'000LL + now.tv_nsec / 1000;
  notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void notifier::stopping() { notify("STOPPING=1"); }
void notifier::watchdog() { notify("WATCHDOG=1"); }
void notifier::status(std::string_view line) { notify("STATUS=" + one_line(line)); }

systemd_notifier::systemd_notifier() {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || path[0] == '\0') return;
  address_ = path;
  if (address_[0] == '@') address_[0] = '\0'; // an abstract socket
  if (address_.size() >= sizeof(sockaddr_un::sun_path)) {
    spdlog::warn("NOTIFY_SOCKET is longer than a socket path may be; systemd will not hear from the daemon");
    address_.clear();
    return;
  }
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) spdlog::warn("cannot open a socket for systemd notifications: {}", std::strerror(errno));
}

systemd_notifier::~systemd_notifier() {
  if (fd_ >= 0) ::close(fd_);
}

void systemd_notifier::notify(std::string_view state) {
  if (fd_ < 0) return;
  sockaddr_un to{};
  to.sun_family = AF_UNIX;
  std::memcpy(to.sun_path, address_.data(), address_.size());
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size());
  // The kernel attaches our credentials (systemd asks for them with SO_PASSCRED).
  const ssize_t sent = ::sendto(fd_, state.data(), state.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&to), length); // NOLINT: the sockets API
  if (sent >= 0) return;
  // EAGAIN: the reader is stalled; anything else (it went away): either way never wait for it.
  if (dropped_++ % 100 == 0)
    spdlog::warn("systemd notification not sent ({}); {} dropped so far, the daemon goes on", std::strerror(errno),
                 dropped_);
}

std::optional<std::chrono::microseconds> systemd_watchdog_interval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(usec));
  }
  return std::nullopt;
}

} // namespace copytrader
