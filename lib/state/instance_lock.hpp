#pragma once
// One daemon per state directory: an exclusive flock on <dir>/copytraderd.lock, holding the owner's
// pid so a second instance can say who is in the way. The lock dies with the process (kill -9 too).

#include "core/failure.hpp"

#include <filesystem>

namespace copytrader {

class instance_lock {
public:
  // Creates the directory (mode 0700) when missing.
  static outcome<instance_lock> acquire(const std::filesystem::path& state_directory);

  instance_lock(instance_lock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  instance_lock& operator=(instance_lock&&) = delete;
  instance_lock(const instance_lock&) = delete;
  instance_lock& operator=(const instance_lock&) = delete;
  ~instance_lock();

private:
  explicit instance_lock(int fd) noexcept : fd_(fd) {}
  int fd_ = -1;
};

} // namespace copytrader
