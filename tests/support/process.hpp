#pragma once
// Test harness pieces for running copytraderd as a real process: a child with its stderr captured in
// a file, and the receiving end of NOTIFY_SOCKET. Every wait has a deadline, so a hang fails the test.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace copytrader::testing {

using namespace std::chrono_literals;

class child_process {
public:
  child_process(const std::filesystem::path& program, const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env, const std::filesystem::path& stderr_file);
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  ~child_process(); // SIGKILLs a child still running

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  void signal(int signal_number) const;
  // The exit code, or nullopt if it is still running at the deadline. Killed by a signal: 128 + signal.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  [[nodiscard]] bool running();

private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

class notify_socket {
public:
  explicit notify_socket(std::filesystem::path path);
  notify_socket(const notify_socket&) = delete;
  notify_socket& operator=(const notify_socket&) = delete;
  ~notify_socket();

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  // The next datagram, or nullopt at the deadline.
  std::optional<std::string> receive(std::chrono::milliseconds timeout);
  // Receives until a datagram contains `needle`; everything received on the way is kept in history().
  std::optional<std::string> wait_for(const std::string& needle, std::chrono::milliseconds timeout);
  [[nodiscard]] const std::vector<std::string>& history() const noexcept { return history_; }

private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::string> history_;
};

std::string read_file(const std::filesystem::path& file);

// Polls `read_file(file)` until it contains `needle` or the deadline passes.
bool wait_for_text(const std::filesystem::path& file, const std::string& needle, std::chrono::milliseconds timeout);

} // namespace copytrader::testing
