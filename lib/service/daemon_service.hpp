#pragma once
// The daemon's lifetime on one io_context and one thread: start, SIGHUP reloads, the systemd watchdog,
// SIGTERM/SIGINT shutdown. Blocking work (reading the configuration and key files) runs on a helper
// thread and comes back as a completion.

#include "config/config.hpp"
#include "service/reload.hpp"
#include "systemd/notifier.hpp"

#include <chrono>
#include <filesystem>
#include <string>

namespace copytrader {

// sysexits.h values, so systemd's RestartPreventExitStatus= can tell a bad file from a crash.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 64;
inline constexpr int exit_config = 78;

struct daemon_options {
  std::filesystem::path config_file;
  command_line_overrides overrides;
  std::chrono::milliseconds shutdown_grace = std::chrono::seconds(10);
};

struct reload_record {
  bool attempted = false;
  bool ok = true;
  std::string when;    // UTC, ISO-8601
  std::string message; // the errors of a refused reload, one per line
};

// One readable line for STATUS= (and later `copytraderctl status`).
std::string status_line(const config& cfg, const reload_record& last_reload);

int run_daemon(const daemon_options& options, notifier& notify);

} // namespace copytrader
